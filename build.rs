// Embeds the committed default model (models/drafts.json) in the binary when it
// exists. A checkout without it still builds; `score` then needs --model or a
// models/drafts.json in the current folder.
use std::path::Path;

fn main() {
    let model = Path::new("models/drafts.json");
    println!("cargo:rerun-if-changed=models/drafts.json");
    println!("cargo:rerun-if-changed=models");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_model.json");
    let bytes = std::fs::read(model).unwrap_or_default();
    std::fs::write(out, bytes).expect("write embedded model copy");
}

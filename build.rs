// Embeds the committed default model (models/drafts.json) in the binary when it
// exists, in the compact form of src/model/embedded.rs, so that one `score`
// reads it without parsing the JSON. A file that cannot be compacted is embedded
// as it is (with a warning), and then fails at run time with the same error a
// user would get for it. A checkout without it still builds; `score` then needs
// --model or a models/drafts.json in the current folder.
//
// Also tells the tests which shells (and whether Chromium) this machine has: a
// test whose program is missing is then reported as ignored, with the reason, instead of
// passing without checking anything. Under CI (the CI variable set) a missing
// program is not excused: the test runs and fails (.ci/run installs them).
use std::path::Path;
use std::process::Command;

#[allow(dead_code)] // the reading half is the binary's
#[path = "src/model/embedded.rs"]
mod embedded;

fn main() {
    let model = Path::new("models/drafts.json");
    println!("cargo:rerun-if-changed=models/drafts.json");
    println!("cargo:rerun-if-changed=models");
    println!("cargo:rerun-if-changed=src/model/embedded.rs");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_model.bin");
    let json = std::fs::read(model).unwrap_or_default();
    let bytes = if json.is_empty() {
        json
    } else {
        embedded::encode(&json).unwrap_or_else(|e| {
            println!("cargo:warning=models/drafts.json is embedded as JSON: {e}");
            json
        })
    };
    std::fs::write(out, bytes).expect("write embedded model copy");

    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rerun-if-env-changed=CI");
    let ci = std::env::var_os("CI").is_some();
    for (program, probe) in [
        ("bash", ["-c", "exit 0"]),
        ("zsh", ["-c", "exit 0"]),
        ("chromium", ["--version", ""]),
    ] {
        println!("cargo::rustc-check-cfg=cfg(missing_{program})");
        let found = Command::new(program)
            .args(probe.iter().filter(|a| !a.is_empty()))
            .output()
            .is_ok_and(|o| o.status.success());
        if !found && !ci {
            println!("cargo:rustc-cfg=missing_{program}");
        }
    }
}

//! Which model a command uses: `--model PATH`, else `models/drafts.json` in the
//! current folder, else the model built into the binary.

use std::path::Path;

use crate::cmd::DEFAULT_MODEL;
use crate::error::{Error, Result};
use crate::model::file::{ModelFile, load};
use crate::model::{Pipeline, embedded};

/// The model compiled into the binary: `build.rs` writes models/drafts.json in
/// the compact form (see [`crate::model::embedded`]), or as it is if that
/// fails; empty if none was committed at build time.
const EMBEDDED_MODEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/embedded_model.bin"));

/// A loaded model and where it came from.
pub struct LoadedModel {
    pub pipeline: Pipeline,
    pub source: String,
}

/// Loads the model file chosen by `--model`, else `models/drafts.json` in the
/// current folder, else the embedded one; returns it with a description of where
/// it came from.
pub fn resolve_model_file(explicit: Option<&Path>) -> Result<(ModelFile, String)> {
    if let Some(path) = explicit {
        return Ok((load(path)?, path.display().to_string()));
    }
    let local = Path::new(DEFAULT_MODEL);
    if local.is_file() {
        return Ok((load(local)?, local.display().to_string()));
    }
    if EMBEDDED_MODEL.is_empty() {
        return Err(
            Error::new("no model: models/drafts.json is not here and none is built in")
                .with_hint("train one with `draftcheck train`, or pass --model PATH"),
        );
    }
    let source = Path::new("<built-in model>");
    let model = if embedded::is_compact(EMBEDDED_MODEL) {
        ModelFile::from_compact(source, EMBEDDED_MODEL)?
    } else {
        ModelFile::from_slice(source, EMBEDDED_MODEL)?
    };
    Ok((model, "built-in".to_string()))
}

/// Like [`resolve_model_file`], ready to score.
pub fn resolve_model(explicit: Option<&Path>) -> Result<LoadedModel> {
    let (model, source) = resolve_model_file(explicit)?;
    Ok(LoadedModel {
        pipeline: model.into_pipeline()?,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_model_is_the_committed_file_to_the_bit() {
        // What build.rs wrote, read as `score` reads it, against the JSON
        // (compared as JSON text, which is exact for every number).
        assert!(
            embedded::is_compact(EMBEDDED_MODEL),
            "build.rs fell back to JSON"
        );
        let json = std::fs::read(DEFAULT_MODEL).unwrap();
        let built_in = ModelFile::from_compact(Path::new("<built-in>"), EMBEDDED_MODEL).unwrap();
        let file = ModelFile::from_slice(Path::new(DEFAULT_MODEL), &json).unwrap();
        assert_eq!(
            serde_json::to_string(&built_in).unwrap(),
            serde_json::to_string(&file).unwrap()
        );
    }
}

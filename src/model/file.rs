//! The model file: a self-describing JSON document.
//!
//! ```text
//! { "format": "draftcheck-model", "format_version": 1, "tool_version": "...",
//!   "created": "2026-11-30T07:00:00Z",
//!   "settings":   { "analyzer": {...}, "vectorizer": {...}, "classifier": {...} },
//!   "labels":     ["composed", "desperate"],
//!   "vocabulary": { "n_docs": 660, "terms": [...], "doc_freq": [...] },
//!   "weights":    [[...]],     // 1 row for two labels (second vs first), else one per label
//!   "intercepts": [...],       // one per weight row
//!   "training":   { "data_file": ..., "data_sha256": ..., "rows": ..., "label_counts": {...},
//!                   "heldout": { accuracy, per_class, confusion, ... } or null } }
//! ```
//!
//! A model file is never trusted: [`load`] checks the size, the format and its
//! version, and that every array has the shape the vocabulary and labels imply,
//! with finite numbers, before anything uses it.

use std::collections::BTreeMap;
use std::path::Path;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::atomic::write_atomically;
use crate::error::{Error, Result};
use crate::eval::Report;
use crate::model::classifier::Classifier;
use crate::model::pipeline::{Pipeline, Settings};
use crate::text::Vectorizer;

/// The `format` field of every model file.
pub const FORMAT: &str = "draftcheck-model";
/// The current format version. Bump it whenever the meaning of a field changes.
/// Version 2 packs the weight rows (see [`crate::model::packed`]); files of
/// version 1 (plain rows) still read.
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format version this draftcheck reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;
/// Largest model file accepted (bytes): far above any real model, it stops a
/// hostile or corrupt file from exhausting memory.
pub const MAX_MODEL_BYTES: u64 = 512 * 1024 * 1024;

/// What was trained on, and how well the model did on held-out rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub data_file: String,
    pub data_sha256: String,
    pub rows: usize,
    pub label_counts: BTreeMap<String, usize>,
    /// Held-out evaluation at training time (None when --test-fraction 0).
    pub heldout: Option<Report>,
    pub test_fraction: f64,
    pub seed: u64,
    /// Score on the trusted evaluation set at training time, if there was one.
    #[serde(default)]
    pub eval: Option<EvalSummary>,
    /// Which solver fitted the model, and how (models written before it: none).
    #[serde(default)]
    pub fit: Option<crate::model::solver::FitReport>,
    /// The best accuracy on the trusted evaluation set that this model or any
    /// model it replaced reached (the promotion gate holds a new model to it,
    /// so that small declines cannot add up; models written before it: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_eval: Option<BestEval>,
}

/// The best score a line of models reached on one evaluation set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestEval {
    /// The evaluation set, as the model that reached it named it.
    pub path: String,
    /// The set's bytes, so that a changed set is not compared with.
    pub sha256: String,
    pub accuracy: f64,
}

impl From<&EvalSummary> for BestEval {
    /// The score a model reached on its evaluation set, as a mark to beat.
    fn from(e: &EvalSummary) -> Self {
        BestEval {
            path: e.path.clone(),
            sha256: e.sha256.clone(),
            accuracy: e.report.accuracy,
        }
    }
}

/// A model's score on a trusted evaluation set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalSummary {
    pub path: String,
    pub sha256: String,
    pub report: Report,
}

/// The vocabulary as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyFile {
    pub n_docs: usize,
    pub terms: crate::text::Terms,
    pub doc_freq: Vec<usize>,
}

/// The whole model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    pub format_version: u32,
    pub tool_version: String,
    pub created: String,
    pub settings: Settings,
    pub labels: Vec<String>,
    pub vocabulary: VocabularyFile,
    /// One row per output, packed (see [`crate::model::packed`]).
    #[serde(with = "crate::model::packed")]
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    pub training: TrainingSummary,
    /// What a desperate draft does (gift, letter, pressure), if the training
    /// data had a `theme` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub themes: Option<crate::model::theme::ThemeFile>,
    /// Every logit is divided by it (fitted by `train` on held-out
    /// predictions, see [`crate::model::temperature`]); none: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

/// Largest weight or intercept accepted. Regularised models stay far below it
/// (the bundled model's largest is about 3); the bound keeps every logit finite.
pub const MAX_WEIGHT: f64 = 1e6;

/// Whether every weight and intercept is a finite number within
/// [`MAX_WEIGHT`] (one comparison each, row by row, so that it vectorises:
/// NaN and the infinities fail it too).
pub(crate) fn all_sensible(rows: &[Vec<f64>], intercepts: &[f64]) -> bool {
    let sensible = |ws: &[f64]| ws.iter().fold(true, |ok, w| ok & (w.abs() <= MAX_WEIGHT));
    rows.iter().all(|r| sensible(r)) && sensible(intercepts)
}

/// Checks the `format` and `format_version` fields of a model file.
fn check_header(format: Option<&str>, version: Option<u64>) -> std::result::Result<(), String> {
    if format != Some(FORMAT) {
        return Err("not a draftcheck model (no \"format\": \"draftcheck-model\")".into());
    }
    match version {
        Some(v) if (u64::from(OLDEST_FORMAT_VERSION)..=u64::from(FORMAT_VERSION)).contains(&v) => {
            Ok(())
        }
        Some(v) => Err(format!(
            "model format version {v}, but this draftcheck reads versions {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}"
        )),
        None => Err("the model has no valid format_version".into()),
    }
}

/// Just enough of a file to say what is wrong with one that does not parse.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    format_version: Option<serde_json::Value>,
}

impl Header {
    fn check(&self) -> std::result::Result<(), String> {
        check_header(
            self.format.as_deref(),
            self.format_version.as_ref().and_then(|v| v.as_u64()),
        )
    }
}

/// The header check of the start of a model file (the text before a byte
/// that is not UTF-8), when it begins with the `format` and `format_version`
/// fields, as `save` writes them; None when it does not.
fn header_of(start: &str) -> Option<std::result::Result<(), String>> {
    let key = start.find("\"format_version\"")?;
    let end = key + start[key..].find([',', '}'])?;
    let header: Header = serde_json::from_str(&format!("{}}}", &start[..end])).ok()?;
    Some(header.check())
}

impl ModelFile {
    /// Describes a fitted pipeline for saving.
    pub fn new(pipeline: &Pipeline, training: TrainingSummary) -> Self {
        let vectorizer = pipeline.vectorizer();
        let classifier = pipeline.classifier();
        ModelFile {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            created: now_rfc3339(),
            settings: pipeline.settings().clone(),
            labels: pipeline.labels().to_vec(),
            vocabulary: VocabularyFile {
                n_docs: vectorizer.n_docs(),
                terms: vectorizer.terms().clone(),
                doc_freq: vectorizer.doc_freq().to_vec(),
            },
            weights: classifier
                .weights()
                .rows()
                .into_iter()
                .map(|r| r.to_vec())
                .collect(),
            intercepts: classifier.intercepts().to_vec(),
            themes: pipeline.themes().map(|t| t.to_file(training.rows)),
            temperature: Some(classifier.temperature()).filter(|&t| t != 1.0),
            training,
        }
    }

    /// Parses and validates a model from JSON bytes; `source` names it in errors.
    pub fn from_slice(source: &Path, bytes: &[u8]) -> Result<Self> {
        let bad = |msg: String| {
            Error::at(source, None, msg)
                .with_hint("retrain it with `draftcheck train`, or pass another file with --model")
        };
        // A byte-order mark, as some editors save JSON, is not part of the document.
        let bom = if bytes.starts_with(b"\xef\xbb\xbf") {
            3
        } else {
            0
        };
        let bytes = &bytes[bom..];
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(bad("the model file is empty".into()));
        }
        // The whole file is checked as UTF-8 once, so that the parser need not
        // check each string again (a model is mostly long strings).
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.valid_up_to();
                let at = format!("its bytes are not UTF-8 at byte {}", bom + valid);
                // A file whose header reads is a damaged model, not another file.
                let start = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
                return Err(bad(match header_of(start) {
                    Some(Ok(())) => format!("the model file is malformed: {at}"),
                    Some(Err(problem)) => problem,
                    None => format!("not a draftcheck model ({at})"),
                }));
            }
        };
        // One parse in the usual case; only a file that fails it is read again
        // for its header, to say precisely what is wrong.
        let model: ModelFile = match serde_json::from_str::<ModelFile>(text) {
            Ok(model) => {
                check_header(Some(&model.format), Some(model.format_version.into()))
                    .map_err(bad)?;
                model
            }
            Err(e) => {
                let header: Header = serde_json::from_slice(bytes)
                    .map_err(|e| bad(format!("not a draftcheck model (not valid JSON: {e})")))?;
                header.check().map_err(bad)?;
                return Err(bad(format!("the model file is malformed: {e}")));
            }
        };
        model
            .validate()
            .map_err(|msg| bad(format!("the model file is inconsistent: {msg}")))?;
        Ok(model)
    }

    /// Reads the built-in model's compact form (see [`crate::model::embedded`])
    /// into the model file it was made from, and validates it like a file read
    /// from disk.
    pub fn from_compact(source: &Path, bytes: &[u8]) -> Result<Self> {
        let bad = |msg: String| {
            Error::at(source, None, msg)
                .with_hint("rebuild draftcheck, or pass a model file with --model")
        };
        let parts = crate::model::embedded::decode(bytes)
            .map_err(|msg| bad(format!("the compact model is malformed: {msg}")))?;
        let mut model: ModelFile = serde_json::from_str(parts.header)
            .map_err(|e| bad(format!("the compact model's header is malformed: {e}")))?;
        check_header(Some(&model.format), Some(model.format_version.into())).map_err(bad)?;
        model.vocabulary.terms =
            crate::text::Terms::from_parts(parts.term_text.to_string(), parts.term_ends)
                .map_err(|msg| bad(format!("the compact model is malformed: {msg}")))?;
        model.vocabulary.doc_freq = parts.doc_freq;
        model.weights = parts.weights;
        match &mut model.themes {
            Some(themes) => themes.weights = parts.theme_weights,
            None if parts.theme_weights.is_empty() => {}
            None => return Err(bad("the compact model has theme rows but no themes".into())),
        }
        model
            .validate()
            .map_err(|msg| bad(format!("the model file is inconsistent: {msg}")))?;
        Ok(model)
    }

    /// Checks that every part has the shape the others imply.
    fn validate(&self) -> std::result::Result<(), String> {
        let n_labels = self.labels.len();
        if n_labels < 2 {
            return Err(format!(
                "it has {n_labels} label(s); a model needs at least two"
            ));
        }
        let mut sorted = self.labels.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != n_labels {
            return Err("its labels are not unique".into());
        }
        if self.labels.iter().any(|l| l.is_empty()) {
            return Err("it has an empty label".into());
        }
        let names = self
            .labels
            .iter()
            .chain(self.themes.iter().flat_map(|t| &t.names));
        for name in names {
            if let Some(problem) = crate::terminal::name_problem(name) {
                return Err(format!(
                    "its label or theme {:?} {problem}",
                    crate::terminal::terminal_safe(name)
                ));
            }
        }
        let vocab = &self.vocabulary;
        let n_features = vocab.terms.len();
        if vocab.doc_freq.len() != n_features {
            return Err(format!(
                "{} terms but {} document frequencies",
                n_features,
                vocab.doc_freq.len()
            ));
        }
        if !vocab.terms.is_sorted_unique() {
            return Err("the vocabulary is not sorted or has duplicate terms".into());
        }
        if vocab.doc_freq.iter().any(|&d| d == 0 || d > vocab.n_docs) {
            return Err("a document frequency is outside 1..=n_docs".into());
        }
        let rows = crate::model::classifier::outputs(n_labels);
        if self.weights.len() != rows || self.intercepts.len() != rows {
            return Err(format!(
                "{} labels need {} weight row(s) and intercept(s), found {} and {}",
                n_labels,
                rows,
                self.weights.len(),
                self.intercepts.len()
            ));
        }
        for (i, row) in self.weights.iter().enumerate() {
            if row.len() != n_features {
                return Err(format!(
                    "weight row {} has {} values but the vocabulary has {} terms",
                    i,
                    row.len(),
                    n_features
                ));
            }
        }
        if !all_sensible(&self.weights, &self.intercepts) {
            let all = || self.weights.iter().flatten().chain(&self.intercepts);
            if !all().all(|w| w.is_finite()) {
                return Err("a weight or intercept is not a finite number".into());
            }
            if let Some(w) = all().find(|w| w.abs() > MAX_WEIGHT) {
                return Err(format!(
                    "a weight or intercept is {w:e}, beyond the {MAX_WEIGHT:e} no trained model comes near"
                ));
            }
        }
        self.settings.check().map_err(|e| e.message().to_string())?;
        if let Some(t) = self.temperature
            && !(t.is_finite() && (0.05..=20.0).contains(&t))
        {
            return Err(format!(
                "the temperature is {t}, outside the 0.05 to 20 a fit gives"
            ));
        }
        if let Some(best) = &self.training.best_eval
            && !(0.0..=1.0).contains(&best.accuracy)
        {
            return Err(format!(
                "its best evaluation accuracy is {}, not between 0 and 1",
                best.accuracy
            ));
        }
        if let Some(themes) = &self.themes {
            themes.check(n_features)?;
        }
        Ok(())
    }

    /// The pipeline this file describes, taking the file apart (no copies of
    /// the vocabulary or the weights).
    pub fn into_pipeline(self) -> Result<Pipeline> {
        let vectorizer = Vectorizer::new(
            self.settings.vectorizer.clone(),
            self.vocabulary.terms,
            self.vocabulary.doc_freq,
            self.vocabulary.n_docs,
        );
        let rows = self.weights.len();
        // One row (two labels) is moved, not copied.
        let flat = if rows == 1 {
            self.weights.into_iter().next().unwrap_or_default()
        } else {
            self.weights.concat()
        };
        let weights = Array2::from_shape_vec((rows, vectorizer.len()), flat)
            .map_err(|e| Error::new(format!("bad weight matrix: {e}")))?;
        let classifier = Classifier::new(weights, Array1::from(self.intercepts), self.labels.len())
            .with_temperature(self.temperature.unwrap_or(1.0));
        let themes = match self.themes {
            Some(file) => Some(
                crate::model::theme::Themes::from_file(file, vectorizer.len())
                    .map_err(|msg| Error::new(format!("bad themes: {msg}")))?,
            ),
            None => None,
        };
        Ok(
            Pipeline::from_parts(self.settings, vectorizer, classifier, self.labels)?
                .with_themes(themes),
        )
    }

    /// The pipeline this file describes (a copy; see [`into_pipeline`](Self::into_pipeline)).
    pub fn to_pipeline(&self) -> Result<Pipeline> {
        self.clone().into_pipeline()
    }

    /// Writes the model as JSON, atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, |w| {
            serde_json::to_writer(&mut *w, self).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })
    }
}

/// Reads and validates a model file from disk.
pub fn load(path: &Path) -> Result<ModelFile> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::io("read the model", path, &e)
            .with_hint("train one with `draftcheck train`, or pass --model PATH")
    })?;
    if meta.len() > MAX_MODEL_BYTES {
        return Err(Error::at(
            path,
            None,
            format!(
                "the file is {} bytes, above the {} byte limit for a model",
                meta.len(),
                MAX_MODEL_BYTES
            ),
        ));
    }
    let bytes = crate::files::read_file(path)?;
    ModelFile::from_slice(path, &bytes)
}

/// Current time as RFC 3339 (UTC, seconds); `SOURCE_DATE_EPOCH` overrides it for
/// reproducible files.
fn now_rfc3339() -> String {
    let time = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now);
    humantime::format_rfc3339_seconds(time).to_string()
}

//! `draftcheck info`: the model card.

use std::path::PathBuf;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cmd::Format;
use crate::error::{Error, Result};
use crate::eval::Report;
use crate::model::file::EvalSummary;
use crate::model::file::{FORMAT_VERSION, OLDEST_FORMAT_VERSION};
use crate::model::resolve::resolve_model_file;
use crate::model::solver::FitReport;
use crate::model::{ModelFile, Settings};

/// Show the model card: labels and their examples, settings, vocabulary, scores
/// at training time, the training data's hash, and the terms that weigh most.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck info\n  \
draftcheck info --model models/mine.json --format json --top 20")]
pub struct Args {
    /// Model file [default: models/drafts.json if present, else the built-in model].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// How many top terms to list per label.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The `n` terms with the largest weight toward each label, strongest first.
pub fn top_terms(model: &ModelFile, n: usize) -> Vec<(String, Vec<(String, f64)>)> {
    let terms = &model.vocabulary.terms;
    // As scoring weighs them: divided by the temperature, if there is one.
    let t = model.temperature.unwrap_or(1.0);
    model
        .labels
        .iter()
        .enumerate()
        .map(|(k, label)| {
            let weight = |j: usize| {
                let w = match model.labels.len() {
                    2 if k == 0 => -model.weights[0][j],
                    2 => model.weights[0][j],
                    _ => model.weights[k][j],
                };
                w / t
            };
            let mut order: Vec<usize> = (0..terms.len()).collect();
            order.sort_by(|&a, &b| {
                weight(b)
                    .total_cmp(&weight(a))
                    .then_with(|| terms[a].cmp(&terms[b]))
            });
            let top = order
                .into_iter()
                .take(n)
                .map(|j| (terms[j].to_string(), weight(j)))
                .collect();
            (label.clone(), top)
        })
        .collect()
}

pub fn run(args: Args) -> Result<i32> {
    let (model, source) = resolve_model_file(args.model.as_deref())?;
    let top = top_terms(&model, args.top);
    match args.format {
        Format::Json => {
            let card = CardJson::new(&model, &source, &top);
            // Through a Value, so that keys come out sorted, as they always have.
            let value = serde_json::to_value(&card).map_err(|e| Error::new(e.to_string()))?;
            println!("{value}");
        }
        // A model file is data too: its terms and labels as the terminal
        // shows them.
        Format::Text => print!(
            "{}",
            crate::terminal::terminal_safe(&card_text(&model, &source, &top))
        ),
    }
    Ok(0)
}

/// `info --format json`: the model card.
#[derive(Debug, Serialize)]
pub struct CardJson<'a> {
    /// Which model file (or the built-in model).
    pub model: &'a str,
    pub format_version: u32,
    pub tool_version: &'a str,
    pub created: &'a str,
    pub labels: &'a [String],
    /// Training rows per label.
    pub label_counts: &'a BTreeMap<String, usize>,
    pub vocabulary_size: usize,
    /// The temperature every logit is divided by (null: none).
    pub temperature: Option<f64>,
    pub settings: &'a Settings,
    pub training: TrainingJson<'a>,
    /// Per label, the terms that weigh most toward it.
    pub top_terms: BTreeMap<&'a str, Vec<TopTermJson<'a>>>,
}

/// How the model was trained.
#[derive(Debug, Serialize)]
pub struct TrainingJson<'a> {
    pub data_file: &'a str,
    pub data_sha256: &'a str,
    pub rows: usize,
    pub test_fraction: f64,
    pub seed: u64,
    /// The held-out evaluation at training time (null with --test-fraction 0).
    pub heldout: &'a Option<Report>,
    /// The score on the trusted evaluation set at training time, if any.
    pub eval: &'a Option<EvalSummary>,
    /// Which solver fitted the model, and how.
    pub fit: &'a Option<FitReport>,
}

/// A term and its weight toward a label.
#[derive(Debug, Serialize)]
pub struct TopTermJson<'a> {
    pub term: &'a str,
    pub weight: f64,
}

impl<'a> CardJson<'a> {
    fn new(model: &'a ModelFile, source: &'a str, top: &'a [(String, Vec<(String, f64)>)]) -> Self {
        let t = &model.training;
        CardJson {
            model: source,
            format_version: model.format_version,
            tool_version: &model.tool_version,
            created: &model.created,
            labels: &model.labels,
            label_counts: &t.label_counts,
            vocabulary_size: model.vocabulary.terms.len(),
            temperature: model.temperature,
            settings: &model.settings,
            training: TrainingJson {
                data_file: &t.data_file,
                data_sha256: &t.data_sha256,
                rows: t.rows,
                test_fraction: t.test_fraction,
                seed: t.seed,
                heldout: &t.heldout,
                eval: &t.eval,
                fit: &t.fit,
            },
            top_terms: top
                .iter()
                .map(|(label, terms)| {
                    let list = terms
                        .iter()
                        .map(|(term, weight)| TopTermJson {
                            term,
                            weight: *weight,
                        })
                        .collect();
                    (label.as_str(), list)
                })
                .collect(),
        }
    }
}

fn card_text(model: &ModelFile, source: &str, top: &[(String, Vec<(String, f64)>)]) -> String {
    let t = &model.training;
    let s = &model.settings;
    let mut out = format!("model        {source}\n");
    out.push_str(&format!(
        "format       {} version {} (this draftcheck reads versions {} to {})\n",
        model.format, model.format_version, OLDEST_FORMAT_VERSION, FORMAT_VERSION
    ));
    out.push_str(&format!(
        "created      {} by draftcheck {}\n",
        model.created, model.tool_version
    ));
    let counts: Vec<String> = t
        .label_counts
        .iter()
        .map(|(l, n)| format!("{l} ({n})"))
        .collect();
    out.push_str(&format!("labels       {}\n", counts.join(", ")));
    out.push_str(&format!(
        "trained on   {} ({} drafts, sha256 {})\n",
        t.data_file, t.rows, t.data_sha256
    ));
    out.push_str(&format!(
        "vocabulary   {} terms\n",
        model.vocabulary.terms.len()
    ));
    out.push_str(&match model.temperature {
        Some(t) => format!(
            "calibration  temperature {t:.3} (every logit divided by it; fitted on the held-out drafts)\n"
        ),
        None => "calibration  no temperature\n".to_string(),
    });
    out.push_str(&format!(
        "settings     alpha {}, tolerance {}, at most {} iterations, n-grams {}-{}, min_df {}, max_df {}, max_features {}, {:?} weighting, language {}, markers {}{}\n",
        s.classifier.alpha,
        s.classifier.gradient_tolerance,
        s.classifier.max_iterations,
        s.analyzer.ngram_min,
        s.analyzer.ngram_max,
        s.vectorizer.min_df,
        s.vectorizer.max_df,
        match s.vectorizer.max_features {
            0 => "all".to_string(),
            n => format!("{n} by {:?}", s.vectorizer.selection).to_lowercase(),
        },
        s.vectorizer.weighting,
        s.analyzer.language,
        if s.analyzer.markers { "on" } else { "off" },
        match s.analyzer.ending {
            0 => String::new(),
            1 => ", ending terms from the last sentence".to_string(),
            n => format!(", ending terms from the last {n} sentences"),
        }
    ));
    out.push_str(&format!(
        "solver       {}\n",
        match &t.fit {
            Some(fit) => fit.to_text(),
            None => format!(
                "{} (setting; this model does not record which solver fitted it)",
                serde_json::to_value(s.classifier.solver)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            ),
        }
    ));
    match &t.heldout {
        Some(r) => out.push_str(&format!(
            "held out     {} ({} drafts, {:.0}% of the data, seed {})\n",
            r.headline(),
            r.rows,
            t.test_fraction * 100.0,
            t.seed
        )),
        None => out.push_str("held out     none (trained with --test-fraction 0)\n"),
    }
    match &t.eval {
        Some(e) => out.push_str(&format!(
            "eval set     {} on {} ({} drafts)\n",
            e.report.headline(),
            e.path,
            e.report.rows
        )),
        None => out.push_str("eval set     none\n"),
    }
    for (label, terms) in top {
        let list: Vec<String> = terms
            .iter()
            .map(|(t, w)| match crate::text::analyzer::ending_base(t) {
                Some(base) => format!("{base} (at the end) ({w:+.2})"),
                None => format!("{t} ({w:+.2})"),
            })
            .collect();
        out.push_str(&format!("top terms for {label}:\n  {}\n", list.join(", ")));
    }
    out
}

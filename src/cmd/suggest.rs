//! `draftcheck suggest`: which unlabelled drafts to label next.

use std::collections::HashSet;
use std::path::PathBuf;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::cmd::Format;
use crate::cmd::audit::fold;
use crate::dataset::{check_columns, read_optional_column};
use crate::error::{Error, Result};
use crate::model::resolve::resolve_model;
use crate::progress;

/// Rank unlabelled drafts by how much labelling them would help.
///
/// The model scores every draft of the pool (any CSV with a text column); the
/// ones it is least sure of come first (closest to the decision boundary: the
/// smallest gap between the two most probable labels), since a label there
/// teaches it most. A share of the picks (--explore) is drawn at random from
/// the rest instead, so that the data stays representative. Drafts that repeat
/// another pool draft or a row of the training data (after folding case,
/// spacing and punctuation) are skipped.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck suggest --pool clients.csv\n  \
draftcheck suggest --pool clients.csv --n 50 --explore 0.1 --format json > next.jsonl")]
pub struct Args {
    #[command(flatten)]
    pub pool: PoolArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The pool of unlabelled drafts and how many to pick from it (`suggest`, `label`).
#[derive(Debug, Clone, clap::Args)]
pub struct PoolArgs {
    /// The unlabelled drafts (a CSV with a header row).
    #[arg(long, value_name = "PATH")]
    pub pool: PathBuf,
    #[command(flatten)]
    pub text_column: crate::cmd::TextColumnArgs,
    /// How many drafts to pick.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub n: usize,
    /// Share of the picks drawn at random instead of by uncertainty (0 to 1).
    #[arg(long, value_name = "F", default_value_t = 0.2)]
    pub explore: f64,
    /// Seed of the random picks.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// The labelled data (`text` and `label` columns): its drafts are not
    /// picked again, and `label` appends to it.
    #[arg(long, value_name = "PATH", default_value = crate::cmd::DEFAULT_DATA)]
    pub data: PathBuf,
    /// Model file [default: models/drafts.json if present, else the built-in model].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
}

impl PoolArgs {
    /// Checks the share and the pool's text column; returns the pool's texts.
    pub fn read(&self) -> Result<Vec<String>> {
        if !(0.0..=1.0).contains(&self.explore) {
            return Err(Error::usage(format!(
                "--explore must be a share between 0 and 1, got {}",
                self.explore
            )));
        }
        check_columns(&self.pool, &[(&self.text_column, "--text-column")])
            .map_err(|e| e.for_option("--pool"))?;
        Ok(read_optional_column(&self.pool, &self.text_column)?.unwrap_or_default())
    }
}

/// One suggestion, as JSON prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// 1-based record number in the pool.
    pub row: usize,
    pub text: String,
    /// The model's guess and its probability.
    pub label: String,
    pub probability: f64,
    /// `uncertain` or `explore` (a random pick).
    pub why: &'static str,
}

/// The suggestions for a pool: uncertainty first, with a share of random
/// picks; `known` are folded texts not to suggest.
pub fn rank(
    pipeline: &crate::model::Pipeline,
    texts: &[String],
    known: &HashSet<String>,
    n: usize,
    explore: f64,
    seed: u64,
) -> Vec<Suggestion> {
    let mut seen: HashSet<String> = known.clone();
    let mut candidates: Vec<(f64, usize, usize, f64)> = Vec::new();
    // A pool of a million drafts takes tens of seconds to score.
    let bar = progress::bar(texts.len() as u64, "scoring the pool");
    for (i, text) in texts.iter().enumerate() {
        bar.inc(1);
        if text.trim().is_empty() || !seen.insert(fold(text)) {
            continue;
        }
        let verdict = pipeline.score(text);
        let mut p = verdict.probabilities.clone();
        p.sort_by(|a, b| b.total_cmp(a));
        let margin = p[0] - p.get(1).copied().unwrap_or(0.0);
        candidates.push((margin, i, verdict.label, verdict.probability()));
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let n = n.min(candidates.len());
    let random = ((n as f64) * explore.clamp(0.0, 1.0)).round() as usize;
    let (uncertain, rest) = candidates.split_at(n - random);
    let mut rest: Vec<_> = rest.to_vec();
    rest.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    let labels = pipeline.labels();
    let make = |&(_, i, label, p): &(f64, usize, usize, f64), why| Suggestion {
        row: i + 1,
        text: texts[i].clone(),
        label: labels[label].clone(),
        probability: p,
        why,
    };
    uncertain
        .iter()
        .map(|c| make(c, "uncertain"))
        .chain(rest.iter().take(random).map(|c| make(c, "explore")))
        .collect()
}

pub fn run(args: Args) -> Result<i32> {
    let texts = args.pool.read()?;
    let model = resolve_model(args.pool.model.as_deref())?;
    let known: HashSet<String> = if args.pool.data.is_file() {
        read_optional_column(&args.pool.data, "text")?
            .unwrap_or_default()
            .iter()
            .map(|t| fold(t))
            .collect()
    } else {
        HashSet::new()
    };
    let picks = rank(
        &model.pipeline,
        &texts,
        &known,
        args.pool.n,
        args.pool.explore,
        args.pool.seed,
    );
    match args.format {
        Format::Json => {
            for s in &picks {
                println!(
                    "{}",
                    serde_json::to_string(s).map_err(|e| Error::new(e.to_string()))?
                );
            }
        }
        Format::Text => {
            println!(
                "{} of {} pool drafts to label next ({} least certain first, then {} at random):",
                picks.len(),
                texts.len(),
                picks.iter().filter(|s| s.why == "uncertain").count(),
                picks.iter().filter(|s| s.why == "explore").count()
            );
            // Row numbers right-aligned to the widest, at least five digits.
            let width = picks
                .iter()
                .map(|s| s.row.to_string().len())
                .max()
                .unwrap_or(0)
                .max(5);
            for s in &picks {
                let flat: String = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
                let flat = crate::terminal::terminal_safe(&flat);
                let short: String = flat.chars().take(90).collect();
                println!(
                    "  row {:>width$}  {} {:>3.0}%  {}  “{}{}”",
                    s.row,
                    s.label,
                    s.probability * 100.0,
                    s.why,
                    short,
                    if flat.chars().count() > 90 { "…" } else { "" }
                );
            }
        }
    }
    Ok(0)
}

//! `draftcheck train`: fit a model on a labelled CSV and save it.

use std::path::PathBuf;
use std::time::Instant;

use crate::cmd::{DataArgs, FeatureArgs};
use crate::dataset::load_labelled;
use crate::error::Result;
use crate::eval::cv::fit_and_evaluate;
use crate::eval::split::train_test_split;
use crate::model::{ModelFile, TrainingSummary};

/// Train a model on labelled drafts and save it.
///
/// Reads the CSV, evaluates on a stratified, seeded held-out split (unless
/// --test-fraction is 0), then fits the final model on every row and writes it
/// atomically: an interrupted or failed run leaves the previous model untouched.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck train\n  \
draftcheck train --data my_drafts.csv --model models/mine.json --alpha 0.5\n  \
draftcheck train --data tweets.csv --text-column tweet --label-column sentiment --test-fraction 0")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Where to write the model.
    #[arg(long, value_name = "PATH", default_value = crate::cmd::DEFAULT_MODEL)]
    pub model: PathBuf,
    #[command(flatten)]
    pub features: FeatureArgs,
    /// Seed of the held-out split.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Fraction of rows held out for evaluation (0 skips it).
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.2,
        allow_hyphen_values = true
    )]
    pub test_fraction: f64,
}

pub fn run(args: Args) -> Result<i32> {
    let trainer = args.features.settings().check()?;
    // Check the split settings before the (possibly long) work.
    let dataset = load_labelled(
        &args.data.data,
        &args.data.text_column,
        &args.data.label_column,
    )?;
    let (train_rows, test_rows) = train_test_split(
        &dataset.targets,
        dataset.labels.len(),
        args.test_fraction,
        args.seed,
    )?;
    let counts = dataset.label_counts();
    let summary: Vec<String> = counts.iter().map(|(l, n)| format!("{l} {n}")).collect();
    println!(
        "read {} drafts from {} ({})",
        dataset.len(),
        dataset.data_path_display(),
        summary.join(", ")
    );

    let started = Instant::now();
    let documents = trainer.analyze_all(&dataset.texts);
    let heldout = if test_rows.is_empty() {
        println!("held-out evaluation skipped (--test-fraction 0)");
        None
    } else {
        let report = fit_and_evaluate(
            &trainer,
            &documents,
            &dataset.targets,
            &dataset.labels,
            &train_rows,
            &test_rows,
        )?;
        println!(
            "held-out evaluation ({} of {} drafts, stratified, seed {}):",
            test_rows.len(),
            dataset.len(),
            args.seed
        );
        print!("{}", report.to_text());
        Some(report)
    };

    let all: Vec<&[String]> = documents.iter().map(Vec::as_slice).collect();
    let pipeline = trainer.fit(&all, &dataset.targets, &dataset.labels, None)?;
    let model = ModelFile::new(
        &pipeline,
        TrainingSummary {
            data_file: dataset.data_path_display(),
            data_sha256: dataset.sha256.clone(),
            rows: dataset.len(),
            label_counts: counts,
            heldout,
            test_fraction: args.test_fraction,
            seed: args.seed,
        },
    );
    model.save(&args.model)?;
    println!(
        "trained on all {} drafts: {} terms, {} labels, {:.2} s",
        dataset.len(),
        pipeline.vectorizer().len(),
        pipeline.labels().len(),
        started.elapsed().as_secs_f64()
    );
    println!("wrote {}", args.model.display());
    Ok(0)
}

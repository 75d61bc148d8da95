//! `draftcheck evaluate`: stratified k-fold cross-validation on labelled data.

use crate::cmd::{DataArgs, FeatureArgs, Format};
use crate::dataset::load_labelled;
use crate::error::Result;
use crate::eval::cv::cross_validate;

/// Cross-validate the model settings on labelled data.
///
/// Splits the rows into K stratified folds (seeded, so runs repeat exactly), fits
/// on K-1 folds and scores the remaining one, K times. Nothing is written.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck evaluate\n  \
draftcheck evaluate --folds 10 --seed 7 --alpha 0.5\n  \
draftcheck evaluate --data tweets.csv --format json")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub features: FeatureArgs,
    /// Number of folds (at least 2).
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: Args) -> Result<i32> {
    let trainer = args.features.settings().check()?;
    let dataset = load_labelled(
        &args.data.data,
        &args.data.text_column,
        &args.data.label_column,
    )?;
    let documents = trainer.analyze_all(&dataset.texts);
    let cv = cross_validate(
        &trainer,
        &documents,
        &dataset.targets,
        &dataset.labels,
        args.folds,
        args.seed,
    )?;
    match args.format {
        Format::Json => {
            let pooled = &cv.pooled;
            let value = serde_json::json!({
                "data": dataset.data_path_display(),
                "rows": dataset.len(),
                "folds": args.folds,
                "seed": args.seed,
                "accuracy": pooled.accuracy,
                "macro_f1": pooled.macro_f1,
                "log_loss": pooled.log_loss,
                "roc_auc": pooled.roc_auc,
                "accuracy_mean": cv.accuracy_mean,
                "accuracy_std": cv.accuracy_std,
                "macro_f1_mean": cv.macro_f1_mean,
                "macro_f1_std": cv.macro_f1_std,
                "per_class": pooled.per_class,
                "confusion": pooled.confusion,
                "fold_reports": cv.folds,
                "settings": trainer.settings(),
            });
            println!("{value}");
        }
        Format::Text => {
            println!(
                "{}-fold cross-validation of {} drafts from {} (seed {}):",
                args.folds,
                dataset.len(),
                dataset.data_path_display(),
                args.seed
            );
            println!(
                "accuracy {:.3} ± {:.3}, macro-F1 {:.3} ± {:.3} (mean ± sd over folds)",
                cv.accuracy_mean, cv.accuracy_std, cv.macro_f1_mean, cv.macro_f1_std
            );
            println!("all out-of-fold predictions together:");
            print!("{}", cv.pooled.to_text());
        }
    }
    Ok(0)
}

//! `draftcheck evaluate`: stratified k-fold cross-validation, learning curves,
//! settings search, and the score on the trusted evaluation set.

mod json;
mod predictions;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::cmd::{DataArgs, FeatureArgs, Format, ResourceArgs};
use crate::dataset::{Dataset, load_labelled};
use crate::error::{Error, Result};
use crate::eval::cv::{
    CrossValidation, CurvePoint, Folds, LEARNING_CURVE_FRACTIONS, Labelled, cross_validate,
    cross_validate_keeping, default_eval_path, learning_curve, score_dataset,
};
use crate::eval::plot;
use crate::model::Trainer;
use crate::progress;
use crate::text::AnalyzerSettings;

/// Cross-validate model settings on labelled data.
///
/// Splits the rows into K stratified folds (seeded, so runs repeat exactly), fits
/// on K-1 folds and scores the remaining one, K times, and reports accuracy,
/// macro-F1, per-label precision/recall/F1, the confusion matrix, log loss and
/// (two labels) ROC AUC with their spread across folds. Options that take lists
/// (--alpha 0.1,1,10 --ngrams 1,1-2) cross-validate every combination and rank
/// them. Nothing is written unless --plot is given.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck evaluate\n  \
draftcheck evaluate --folds 10 --seed 7 --format json\n  \
draftcheck evaluate --learning-curve --plot curve.svg\n  \
draftcheck evaluate --predictions predictions.csv\n  \
draftcheck evaluate --alpha 0.01,0.1,1 --ngrams 1,1-2 --min-df 1,2")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
    /// Number of folds (at least 2).
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Also train on 10%, 25%, 50%, 75% and 100% of each training fold, to see
    /// whether more examples still help.
    #[arg(long)]
    pub learning_curve: bool,
    /// Draw the learning curve (if computed) and the confusion matrix to this SVG file.
    #[arg(long, value_name = "PATH.svg")]
    pub plot: Option<PathBuf>,
    /// Trusted evaluation set to score a model trained on all the data with
    /// [default: eval.csv beside the data, if present].
    #[arg(long, value_name = "PATH")]
    pub eval: Option<PathBuf>,
    /// Stress set (labelled, with a `tag` column naming what each row tests),
    /// scored by tag with a model trained on all the data [default:
    /// challenge.csv beside the data, if present].
    #[arg(long, value_name = "PATH")]
    pub challenge: Option<PathBuf>,
    /// Write every row's out-of-fold prediction to this CSV: row, line, fold,
    /// label, predicted label, one probability column per label (p_LABEL)
    /// and the text. Cells a spreadsheet would read as a formula get a
    /// leading '; join on row or line.
    #[arg(long, value_name = "PATH.csv")]
    pub predictions: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl Args {
    /// The trusted evaluation set: --eval, else eval.csv beside the data.
    fn eval_path(&self) -> Option<PathBuf> {
        self.eval
            .clone()
            .or_else(|| default_eval_path(&self.data.data))
    }

    /// The stress set: --challenge, else challenge.csv beside the data.
    fn challenge_path(&self) -> Option<PathBuf> {
        self.challenge
            .clone()
            .or_else(|| crate::eval::cv::default_challenge_path(&self.data.data))
    }
}

pub fn run(args: Args) -> Result<i32> {
    let mut grid = args.features.grid();
    for s in &grid {
        s.check()?;
    }
    if grid.len() > 1 && (args.learning_curve || args.plot.is_some()) {
        return Err(
            Error::usage("--learning-curve and --plot take one combination of settings")
                .with_hint("search first, then draw the curve for the settings you pick"),
        );
    }
    if let Some(path) = &args.predictions {
        if grid.len() > 1 {
            return Err(
                Error::usage("--predictions takes one combination of settings").with_hint(
                    "search first, then write the predictions for the settings you pick",
                ),
            );
        }
        // The files this run reads, and the plot it writes.
        let (eval, challenge) = (args.eval_path(), args.challenge_path());
        let inputs: Vec<&std::path::Path> =
            [Some(&args.data.data), eval.as_ref(), challenge.as_ref()]
                .into_iter()
                .flatten()
                .map(|p| p.as_path())
                .collect();
        predictions::check_path(path, &inputs, args.plot.as_deref())?;
    }
    args.resources.precheck(&args.data.data)?;
    let dataset = args.data.load()?;
    let mut notes = Vec::new();
    for s in &mut grid {
        if let Some(note) = args.features.adapt_to_size(s, dataset.len()) {
            notes.push(note);
        }
    }
    if let Some(note) = notes.first() {
        crate::progress::note(note, !matches!(args.format, Format::Text));
    }
    let trainers = grid
        .iter()
        .map(|s| {
            s.check()
                .map(|t| t.with_memory_budget(args.resources.memory_budget))
        })
        .collect::<Result<Vec<Trainer>>>()?;
    if trainers.len() > 1 {
        return search(&args, &dataset, &trainers);
    }
    let trainer = &trainers[0];
    let (eval_path, challenge_path) = (args.eval_path(), args.challenge_path());
    let curve_fits = if args.learning_curve {
        (LEARNING_CURVE_FRACTIONS.len() - 1) * args.folds
    } else {
        0
    };
    let fits =
        args.folds + curve_fits + usize::from(eval_path.is_some() || challenge_path.is_some());
    let progress = progress::bar(fits as u64, "fitting");
    progress.set_message(format!("analysing {} drafts", dataset.len()));
    let documents = trainer.analyze_all(&dataset.texts);
    progress.set_message(format!("{}-fold cross-validation", args.folds));
    let rows = Labelled::of(&documents, &dataset);
    let cv = cross_validate_keeping(
        trainer,
        rows,
        folds(&args),
        &progress,
        args.predictions.is_some(),
    )?;
    let curve = if args.learning_curve {
        progress.set_message("learning curve");
        Some(learning_curve(trainer, rows, &cv, &progress)?)
    } else {
        None
    };
    let full = if eval_path.is_some() || challenge_path.is_some() {
        progress.set_message("fitting on all drafts to score the held-out sets");
        let pipeline = trainer.fit(
            &documents,
            &documents.all(),
            &dataset.targets,
            &dataset.labels,
        )?;
        progress.inc(1);
        Some(pipeline)
    } else {
        None
    };
    let trusted = match (&eval_path, &full) {
        (Some(path), Some(pipeline)) => {
            let eval = load_labelled(path, &args.data.text_column, &args.data.label_column)
                .map_err(|e| e.for_option("--eval"))?;
            Some((path.display().to_string(), score_dataset(pipeline, &eval)?))
        }
        _ => None,
    };
    let challenge = match (&challenge_path, &full) {
        (Some(path), Some(pipeline)) => Some(crate::eval::cv::score_challenge(
            pipeline,
            path,
            &args.data.text_column,
            &args.data.label_column,
        )?),
        _ => None,
    };
    progress.finish_and_clear();
    if let Some(path) = &args.predictions {
        predictions::write(path, &dataset, &cv)?;
    }
    if let Some(path) = &args.plot {
        let title = format!(
            "draftcheck evaluate: {} ({} drafts, {}-fold)",
            dataset.data_path_display(),
            dataset.len(),
            args.folds
        );
        plot::write_svg(path, &title, curve.as_deref(), &cv.pooled.confusion)?;
    }
    match args.format {
        Format::Json => {
            let (data, rows) = json::data_of(&dataset);
            json::print(&json::EvaluationJson {
                data,
                rows,
                k: args.folds,
                seed: args.seed,
                accuracy: cv.pooled.accuracy,
                macro_f1: cv.pooled.macro_f1,
                log_loss: cv.pooled.log_loss,
                roc_auc: cv.pooled.roc_auc,
                spread: json::spread(&cv),
                per_class: &cv.pooled.per_class,
                confusion: &cv.pooled.confusion,
                folds: &cv.folds,
                learning_curve: curve.as_deref(),
                eval: trusted
                    .as_ref()
                    .map(|(path, report)| json::TrustedJson { path, report }),
                challenge: challenge.as_ref(),
                settings: trainer.settings(),
            })?;
        }
        Format::Text => {
            print!("{}", cv_text(&args, &dataset, &cv));
            if let Some(points) = &curve {
                print!("{}", curve_text(points));
            }
            match &trusted {
                Some((path, report)) => {
                    println!(
                        "trusted evaluation set {path} (model trained on all {} drafts):",
                        dataset.len()
                    );
                    print!("{}", report.to_text());
                }
                None => {
                    println!("no trusted evaluation set (eval.csv beside the data, or --eval PATH)")
                }
            }
            if let Some(c) = &challenge {
                print!("{}", c.to_text());
            }
            if let Some(path) = &args.plot {
                crate::say!("wrote {}", path.display());
            }
            if let Some(path) = &args.predictions {
                crate::say!(
                    "wrote {} ({} out-of-fold predictions)",
                    path.display(),
                    dataset.len()
                );
            }
        }
    }
    Ok(0)
}

fn cv_text(args: &Args, dataset: &Dataset, cv: &CrossValidation) -> String {
    let mut s = format!(
        "{}-fold cross-validation of {} drafts from {} (seed {}):\n",
        args.folds,
        dataset.len(),
        dataset.data_path_display(),
        args.seed
    );
    s.push_str(&format!(
        "accuracy {:.3} ± {:.3}, macro-F1 {:.3} ± {:.3} (mean ± sd over folds)\n",
        cv.accuracy_mean, cv.accuracy_std, cv.macro_f1_mean, cv.macro_f1_std
    ));
    s.push_str("all out-of-fold predictions together:\n");
    s.push_str(&cv.pooled.to_text());
    s
}

fn curve_text(points: &[CurvePoint]) -> String {
    let mut s =
        String::from("learning curve (share of each training fold -> cross-validated scores):\n");
    s.push_str("  share  drafts  accuracy         macro-F1\n");
    for p in points {
        s.push_str(&format!(
            "  {:>4.0}%  {:>6.0}  {:.3} ± {:.3}    {:.3} ± {:.3}\n",
            p.fraction * 100.0,
            p.train_rows,
            p.accuracy_mean,
            p.accuracy_std,
            p.macro_f1_mean,
            p.macro_f1_std
        ));
    }
    if let [.., before, last] = points {
        let gain = last.macro_f1_mean - before.macro_f1_mean;
        let spread = last.macro_f1_std.max(before.macro_f1_std);
        s.push_str(&if gain.abs() < spread && spread > 0.01 {
            format!(
                "  too few drafts to tell: the change from 75% to 100% ({gain:+.3} macro-F1) is smaller than the spread across folds (±{spread:.3}); add drafts and look again\n"
            )
        } else if gain > 0.01 {
            format!("  still rising (+{gain:.3} macro-F1 from 75% to 100%): more examples should help\n")
        } else {
            format!("  flat at the end ({gain:+.3} macro-F1 from 75% to 100%): more of the same examples will help little\n")
        });
    }
    s
}

/// Cross-validates every combination and prints them best first (by mean macro-F1,
/// then log loss), each with the macro-F1 of a model on all rows on the
/// evaluation set and the stress set (drafts written apart from the training
/// data: how each setting holds up under shift).
fn search(args: &Args, dataset: &Dataset, trainers: &[Trainer]) -> Result<i32> {
    // Analyse the texts once per distinct analyzer setting.
    let mut analysed: HashMap<String, crate::text::Corpus> = HashMap::new();
    let mut results = Vec::with_capacity(trainers.len());
    let eval_set = match args.eval_path() {
        Some(path) => Some(
            load_labelled(&path, &args.data.text_column, &args.data.label_column)
                .map_err(|e| e.for_option("--eval"))?,
        ),
        None => None,
    };
    let challenge_path = args.challenge_path();
    let progress = progress::bar(
        (trainers.len() * args.folds) as u64,
        format!("{} combinations", trainers.len()),
    );
    for trainer in trainers {
        let key = analyzer_key(&trainer.settings().analyzer);
        let documents = analysed
            .entry(key)
            .or_insert_with(|| trainer.analyze_all(&dataset.texts));
        let rows = Labelled::of(documents, dataset);
        let cv = cross_validate(trainer, rows, folds(args), &progress)?;
        // Against shift: macro-F1 on the held-out sets, of a model on all rows.
        let shift = if eval_set.is_some() || challenge_path.is_some() {
            let pipeline = trainer.fit(
                documents,
                &documents.all(),
                &dataset.targets,
                &dataset.labels,
            )?;
            let eval_f1 = match &eval_set {
                Some(set) => Some(score_dataset(&pipeline, set)?.macro_f1),
                None => None,
            };
            let challenge_f1 = match &challenge_path {
                Some(path) => Some(
                    crate::eval::cv::score_challenge(
                        &pipeline,
                        path,
                        &args.data.text_column,
                        &args.data.label_column,
                    )?
                    .report
                    .macro_f1,
                ),
                None => None,
            };
            (eval_f1, challenge_f1)
        } else {
            (None, None)
        };
        results.push((trainer.settings().clone(), cv, shift));
    }
    progress.finish_and_clear();
    results.sort_by(|a, b| {
        b.1.macro_f1_mean
            .total_cmp(&a.1.macro_f1_mean)
            .then(a.1.pooled.log_loss.total_cmp(&b.1.pooled.log_loss))
    });
    match args.format {
        Format::Json => {
            let (data, rows) = json::data_of(dataset);
            json::print(&json::SearchJson {
                data,
                rows,
                k: args.folds,
                seed: args.seed,
                search: results
                    .iter()
                    .enumerate()
                    .map(|(i, (settings, cv, shift))| json::ranked(i + 1, settings, cv, *shift))
                    .collect(),
            })?;
        }
        Format::Text => {
            println!(
                "{} combinations, {}-fold cross-validation of {} drafts (seed {}), best first:",
                results.len(),
                args.folds,
                dataset.len(),
                args.seed
            );
            // The ending column only when a combination has ending terms: a
            // search that does not vary them reads as before.
            let endings = results.iter().any(|(s, _, _)| s.analyzer.ending > 0);
            println!(
                "  rank  alpha     ngrams  {}min_df  max_feat  weighting  macro-F1        accuracy        log loss  eval F1  challenge F1",
                if endings { "ending  " } else { "" }
            );
            let f1 = |x: &Option<f64>| x.map_or_else(|| "—".to_string(), |v| format!("{v:.3}"));
            for (i, (s, cv, (eval_f1, challenge_f1))) in results.iter().enumerate() {
                println!(
                    "  {:>4}  {:<8}  {:<6}  {}{:>6}  {:>8}  {:<9}  {:.3} ± {:.3}   {:.3} ± {:.3}   {:.3}     {:>7}  {:>12}",
                    i + 1,
                    format!("{}", s.classifier.alpha),
                    format!("{}-{}", s.analyzer.ngram_min, s.analyzer.ngram_max),
                    if endings {
                        format!("{:>6}  ", s.analyzer.ending)
                    } else {
                        String::new()
                    },
                    s.vectorizer.min_df,
                    if s.vectorizer.max_features == 0 {
                        "all".to_string()
                    } else {
                        s.vectorizer.max_features.to_string()
                    },
                    format!("{:?}", s.vectorizer.weighting).to_lowercase(),
                    cv.macro_f1_mean,
                    cv.macro_f1_std,
                    cv.accuracy_mean,
                    cv.accuracy_std,
                    cv.pooled.log_loss,
                    f1(eval_f1),
                    f1(challenge_f1)
                );
            }
        }
    }
    Ok(0)
}

/// The folds --folds and --seed ask for.
fn folds(args: &Args) -> Folds {
    Folds {
        k: args.folds,
        seed: args.seed,
    }
}

fn analyzer_key(settings: &AnalyzerSettings) -> String {
    serde_json::to_string(settings).unwrap_or_default()
}

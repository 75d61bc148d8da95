//! `draftcheck train`: fit a model on a labelled CSV and save it, behind a
//! promotion gate when it replaces an existing model.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::atomic::write_atomically;
use crate::cmd::{DataArgs, FeatureArgs, ResourceArgs};
use crate::dataset::{check_columns, load_labelled};
use crate::error::Result;
use crate::eval::cv::{Labelled, default_eval_path, fit_and_evaluate, predict_dataset};
use crate::eval::metrics::Report;
use crate::eval::split::train_test_split;
use crate::files::read_file;
use crate::model::file::{EvalSummary, ModelFile, load};
use crate::model::pipeline::{Vocabulary, WarmOptions, WarmStart};
use crate::model::temperature;
use crate::model::theme::Themes;
use crate::model::{Pipeline, TrainingSummary};
use crate::progress;
use crate::text::SparseRow;

mod checks;
mod inherit;
use checks::{best_eval, gate, guard_replacement, prepare_model_folder, same_data};

/// How much worse (in accuracy on the evaluation set) a new model may be than the
/// one it replaces: about one draft in a hundred, the noise of a small set.
pub const GATE_TOLERANCE: f64 = 0.01;

/// Train a model on labelled drafts and save it.
///
/// Reads the CSV, evaluates on a stratified, seeded held-out split (unless
/// --test-fraction is 0), then fits the final model on every row. When it would
/// replace a model, both are scored on the trusted evaluation set (--eval, by
/// default eval.csv beside the data): if the new one is worse by more than one
/// draft in a hundred, the old model stays and train fails, unless --force. The
/// replaced model is kept as PATH.prev. The model is written atomically: an
/// interrupted or failed run leaves the previous one untouched.
///
/// Retraining on the same data (the same file, or one with the same bytes),
/// an option left out takes the value of the model it replaces, so that a
/// plain `draftcheck train` retrains a model the way it was trained (the
/// defaults shown below apply to a new model). With the same settings as the
/// model it replaces, the solver starts from that model's weights (a warm
/// start); --count-iterations also fits from scratch and compares.
///
/// --solver auto (the default) fits small problems with linfa-logistic on the
/// dense matrix and larger ones with L-BFGS on the sparse matrix: the same
/// model. Training uses every core (RAYON_NUM_THREADS=1 keeps it on one); the
/// weights do not depend on the number of threads.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck train\n  \
draftcheck train --data my_drafts.csv --model models/mine.json --alpha 0.5\n  \
draftcheck train --data tweets.csv --text-column tweet --label-column sentiment --test-fraction 0\n  \
draftcheck train --force            # replace the model even if the gate refuses\n  \
mv models/drafts.json.prev models/drafts.json   # restore the previous model")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Where to write the model.
    #[arg(long, value_name = "PATH", default_value = crate::cmd::DEFAULT_MODEL)]
    pub model: PathBuf,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
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
    /// Trusted evaluation set for the promotion gate [default: eval.csv beside the data].
    #[arg(long, value_name = "PATH")]
    pub eval: Option<PathBuf>,
    /// Stress set scored by tag after training (labelled, with a `tag` column)
    /// [default: challenge.csv beside the data, if present].
    #[arg(long, value_name = "PATH")]
    pub challenge: Option<PathBuf>,
    /// Replace the model even if it scores worse on the evaluation set.
    #[arg(long)]
    pub force: bool,
    /// Write the evaluation set's drafts that one of the replaced and the new
    /// model gets right and the other wrong (line, label, each one's verdict
    /// and probability of the label, text) to PATH.csv, whether the gate lets
    /// the new model through or not.
    #[arg(long, value_name = "PATH.csv")]
    pub gate_report: Option<PathBuf>,
    /// Always start the solver from scratch (no warm start from the old model).
    #[arg(long)]
    pub cold: bool,
    /// On a warm start, also fit from scratch and compare the two: iterations,
    /// time and weights (costs one more fit).
    #[arg(long, conflicts_with = "cold")]
    pub count_iterations: bool,
    /// The options given on the command line (clap ids), set by the caller
    /// from clap's matches; the others may take the replaced model's values.
    #[arg(skip)]
    pub given: Vec<String>,
}

pub fn run(args: Args) -> Result<i32> {
    // Everything that can be checked before the work is checked first: the
    // settings, the model's folder, the data's columns and size.
    let mut settings = args.features.single()?;
    settings.check()?;
    let step = progress::spinner(format!("reading {}", args.data.data.display()));
    // Narration printed above the spinner.
    let say = |text: String| step.suspend(|| crate::say!("{text}"));
    if let Some(created) = prepare_model_folder(&args.model)? {
        say(format!(
            "created the folder {} for the model",
            created.display()
        ));
    }
    check_columns(
        &args.data.data,
        &[
            (&args.data.text_column, "--text-column"),
            (&args.data.label_column, "--label-column"),
        ],
    )
    .map_err(|e| e.for_option("--data"))?;
    args.resources.precheck(&args.data.data)?;
    // The model this run would replace, if there is a readable one.
    let previous_file = if args.model.exists() {
        match load(&args.model) {
            Ok(m) => Some(m),
            Err(e) => {
                say(format!(
                    "the existing {} cannot be read ({e}); if training succeeds, the new model replaces it (with the settings given here: the old one's cannot be kept)",
                    args.model.display()
                ));
                None
            }
        }
    } else {
        None
    };
    let mut dataset = args.data.load()?;
    // A retrain of the same data (the same file, or the same bytes) keeps the
    // model's settings; a model of other data (replaced with --force) does
    // not pass them on.
    let kept = match &previous_file {
        Some(old) if same_data(old, &dataset) => {
            inherit::inherit(&mut settings, &old.settings, old.training.rows, &args.given)
        }
        _ => Vec::new(),
    };
    if !kept.is_empty() {
        let options: Vec<&str> = kept.iter().map(|(_, option)| option.as_str()).collect();
        say(format!(
            "as the model it replaces was trained: {} (give an option to change it)",
            options.join(" ")
        ));
    }
    let min_df_kept = kept.iter().any(|(id, _)| *id == "min_df");
    if !min_df_kept && let Some(note) = args.features.adapt_to_size(&mut settings, dataset.len()) {
        say(note);
    }
    let trainer = settings
        .check()?
        .with_memory_budget(args.resources.memory_budget);
    if let Some(old) = &previous_file {
        step.suspend(|| guard_replacement(&args, old, &dataset))?;
    }
    let previous = match &previous_file {
        Some(m) => match m.to_pipeline() {
            Ok(p) => Some(p),
            Err(e) => {
                say(format!(
                    "the existing {} cannot be used ({e}); it will be replaced",
                    args.model.display()
                ));
                None
            }
        },
        None => None,
    };
    let (train_rows, test_rows) = train_test_split(
        &dataset.targets,
        dataset.labels.len(),
        args.test_fraction,
        args.seed,
    )?;
    // The trusted evaluation set: --eval, else eval.csv beside the data, else the
    // one the replaced model was scored on (so that a model trained on other
    // data is still held to the bundled eval.csv).
    let eval_path = args
        .eval
        .clone()
        .or_else(|| default_eval_path(&args.data.data))
        .or_else(|| {
            // Only for a model of the same labels: another label set's
            // evaluation set cannot score this data's model.
            let old = previous_file
                .as_ref()
                .filter(|m| m.labels == dataset.labels)?;
            let path = PathBuf::from(&old.training.eval.as_ref()?.path);
            path.is_file().then_some(path)
        });
    if let Some(report) = &args.gate_report {
        let challenge = args
            .challenge
            .clone()
            .or_else(|| crate::eval::cv::default_challenge_path(&args.data.data));
        checks::check_gate_report(
            report,
            &[
                Some(args.data.data.as_path()),
                Some(args.model.as_path()),
                eval_path.as_deref(),
                challenge.as_deref(),
            ],
        )?;
    }
    let eval_set = match &eval_path {
        Some(path) => Some(
            load_labelled(path, &args.data.text_column, &args.data.label_column)
                .map_err(|e| e.for_option("--eval"))?,
        ),
        None => None,
    };
    let counts = dataset.label_counts();
    let summary: Vec<String> = counts.iter().map(|(l, n)| format!("{l} {n}")).collect();
    say(format!(
        "read {} drafts from {} ({})",
        dataset.len(),
        dataset.data_path_display(),
        summary.join(", ")
    ));

    let started = Instant::now();
    step.set_message(format!("analysing {} drafts", dataset.len()));
    let documents = trainer.analyze_all(&dataset.texts);
    // Only the analysed terms are needed from here on.
    dataset.texts = Vec::new();
    // The held-out fit and the final fit are independent: run them side by side
    // (each one's own loops share the same cores).
    step.set_message(if test_rows.is_empty() {
        format!("fitting on all {} drafts", dataset.len())
    } else {
        format!(
            "fitting on all {} drafts, and on {} to evaluate on the {} held out",
            dataset.len(),
            train_rows.len(),
            test_rows.len()
        )
    });
    let all = documents.all();
    // The final model's vocabulary, fitted before its classifier, so that the
    // themes' fits can start on it (with a copy) without waiting for the
    // final fit.
    let fit_vocabulary =
        || trainer.vocabulary(&documents, &all, &dataset.targets, dataset.labels.len());
    // Themes, when the data says what each desperate draft does.
    let theme_cells = crate::dataset::read_optional_column(&args.data.data, "theme")?
        .filter(|cells| cells.len() == dataset.len());
    // The themes' fits, on feature rows of the final model's vocabulary
    // (`row` makes a document's, over `n_features` terms).
    let themes_fit = |row: &dyn Fn(&[u32]) -> SparseRow,
                      terms: &crate::text::Terms|
     -> Result<Option<(Option<Themes>, usize)>> {
        let Some(cells) = &theme_cells else {
            return Ok(None);
        };
        let (mut rows, mut themes) = (Vec::new(), Vec::new());
        for (i, cell) in cells.iter().enumerate() {
            let t = crate::model::theme::parse(cell);
            if !t.is_empty() {
                rows.push(row(documents.document(i)));
                themes.push(t);
            }
        }
        let columns = crate::model::theme::ThemeColumns::of(
            terms,
            trainer.settings().vectorizer.l2_normalize,
        );
        let fitted = Themes::fit(trainer.classifier(), &rows, terms.len(), &themes, columns)?;
        Ok(Some((fitted, rows.len())))
    };
    let heldout_fit = || -> Result<Option<(crate::eval::cv::Scored, Pipeline)>> {
        if test_rows.is_empty() {
            return Ok(None);
        }
        let data = Labelled::of(&documents, &dataset);
        fit_and_evaluate(&trainer, data, &train_rows, &test_rows).map(Some)
    };
    // The final fit starts from `start`'s weights when it has the same
    // settings and labels (a warm start), unless --cold; with `stop_at`, it
    // stops at that gradient norm per row if the tolerance is below it.
    let final_fit = |vocabulary: Vocabulary, start: Option<&Pipeline>, stop_at: Option<f64>| match (
        start, args.cold,
    ) {
        (Some(start), false) => trainer.fit_from(
            vocabulary,
            &all,
            &dataset.targets,
            &dataset.labels,
            start,
            WarmOptions {
                compare_cold: args.count_iterations,
                stop_at,
            },
        ),
        _ => Ok((
            trainer.fit_on(vocabulary, &all, &dataset.targets, &dataset.labels)?,
            None,
        )),
    };
    // Side by side on small data (where each fit's serial L-BFGS steps leave a
    // core idle). One after the other on large data, where each fit's own
    // loops keep every core busy and two matrices at once would double the
    // memory; there, with no previous model to start from, the final fit
    // starts from the held-out fit's weights (fitted on 80% of the same rows,
    // so near the optimum: replicated sms_spam at 1M rows needs no further
    // iteration), and stops at the same tolerance, or, if the held-out fit
    // stopped short of it (the iteration cap, or a loss that no longer fell),
    // once it is as converged as the
    // held-out fit (the same gradient norm per row): the model whose
    // held-out figures are printed. Replicated airline_tweets at 100,000
    // rows: 31 iterations instead of 200, for the same held-out figures.
    //
    // The themes' fits (twelve small ones on the bundled drafts, about half of
    // the CPU time of its `train`) run beside both on small data, so that the
    // cores stay busy while the final fit's last L-BFGS steps run; after them
    // on large data.
    let side_by_side = documents.occurrences() <= SIDE_BY_SIDE_OCCURRENCES;
    let (heldout, fitted, start, themes) = if side_by_side {
        let vocabulary = fit_vocabulary()?;
        let for_themes = theme_cells.as_ref().map(|_| vocabulary.clone());
        let ((heldout, fitted), themes) = rayon::join(
            || {
                rayon::join(heldout_fit, || {
                    final_fit(vocabulary, previous.as_ref(), None)
                })
            },
            || match &for_themes {
                Some(v) => themes_fit(&|d| v.row(d), v.terms()),
                None => Ok(None),
            },
        );
        (heldout, fitted, WarmFrom::Previous, themes)
    } else {
        let heldout = heldout_fit()?;
        let (start, stop_at, from) = match (&previous, &heldout) {
            (Some(old), _) => (Some(old), None, WarmFrom::Previous),
            (None, Some((_, fitted))) => {
                // Only when the held-out fit stopped short of the tolerance.
                let stop_at = fitted.fit_report().and_then(|r| r.stop_at());
                (Some(fitted), stop_at, WarmFrom::HeldOut)
            }
            (None, None) => (None, None, WarmFrom::Previous),
        };
        let fitted = final_fit(fit_vocabulary()?, start, stop_at)?;
        // The themes' rows from the final model's vocabulary, mapped again
        // (no copy of it was kept through the final fit).
        let themes = match &theme_cells {
            Some(_) => {
                let pipeline = &fitted.0;
                let map = pipeline.feature_map(&documents);
                themes_fit(
                    &|d| pipeline.row_of_document(&map, d),
                    pipeline.vectorizer().terms(),
                )
            }
            None => Ok(None),
        };
        (Ok(heldout), Ok(fitted), from, themes)
    };
    drop(theme_cells);
    let heldout = heldout?;
    let (pipeline, warm) = fitted?;
    // Calibration: one temperature, fitted on the held-out fit's predictions
    // of the drafts it did not see, kept if it lowers their log loss.
    let calibration = heldout
        .as_ref()
        .filter(|(scored, _)| scored.truth.len() >= temperature::MIN_ROWS)
        .and_then(|(scored, fitted)| {
            let map = fitted.feature_map(&documents);
            let logits: Vec<Vec<f64>> = test_rows
                .iter()
                .map(|&i| fitted.logits_ids(&map, documents.document(i)))
                .collect();
            temperature::fit(&scored.truth, &logits)
        });
    let pipeline = match &calibration {
        Some(c) => pipeline.with_temperature(c.temperature),
        None => pipeline,
    };
    let heldout = heldout.map(|(scored, _)| scored.report);
    let pipeline = match themes? {
        Some((fitted, rows)) => {
            if let Some(t) = &fitted {
                say(format!(
                    "themes: {} learned from the {} rows that have one",
                    t.names().join(", "),
                    rows
                ));
            }
            pipeline.with_themes(fitted)
        }
        None => pipeline,
    };
    match &heldout {
        None => say("held-out evaluation skipped (--test-fraction 0)".to_string()),
        Some(report) => say(format!(
            "held-out evaluation ({} of {} drafts, stratified, seed {}):\n{}",
            test_rows.len(),
            dataset.len(),
            args.seed,
            report.to_text().trim_end()
        )),
    }
    say(format!(
        "trained on all {} drafts: {} terms, {} labels, {}, {:.2} s",
        dataset.len(),
        pipeline.vectorizer().len(),
        pipeline.labels().len(),
        pipeline
            .fit_report()
            .map_or_else(String::new, |r| r.to_text()),
        started.elapsed().as_secs_f64()
    ));
    if let Some(w) = &warm {
        say(warm_start_text(w, start));
    }
    if heldout.is_some() {
        say(match &calibration {
            Some(c) => format!(
                "calibration: temperature {:.3} (the logits divided by it; fitted on the held-out drafts: their log loss {:.3} → {:.3}; the held-out figures above are without it)",
                c.temperature, c.log_loss_before, c.log_loss_after
            ),
            None if test_rows.len() < temperature::MIN_ROWS => format!(
                "calibration: no temperature (it needs {} held-out drafts, and {} were held out)",
                temperature::MIN_ROWS,
                test_rows.len()
            ),
            None => "calibration: no temperature (none lowers the held-out drafts' log loss, or they say nothing about one)"
                .to_string(),
        });
    }
    if let Some(path) = &eval_path {
        step.set_message(format!("scoring {}", path.display()));
    }

    // The new model's verdicts on the evaluation set, scored once: its
    // report, and the gate's draft-by-draft comparison.
    let eval_predictions = match (&eval_set, &eval_path) {
        (Some(set), Some(_)) => Some(predict_dataset(&pipeline, set)?),
        _ => None,
    };
    let eval = match (&eval_set, &eval_path, &eval_predictions) {
        (Some(set), Some(path), Some((truth, probabilities))) => Some(EvalSummary {
            path: path.display().to_string(),
            sha256: set.sha256.clone(),
            report: Report::new(pipeline.labels(), truth, probabilities),
        }),
        _ => None,
    };
    if let Some(e) = &eval {
        say(format!(
            "evaluation set {} ({} drafts): {}",
            e.path,
            e.report.rows,
            e.report.headline()
        ));
    }

    if let Some(path) = args
        .challenge
        .clone()
        .or_else(|| crate::eval::cv::default_challenge_path(&args.data.data))
    {
        let c = crate::eval::cv::score_challenge(
            &pipeline,
            &path,
            &args.data.text_column,
            &args.data.label_column,
        )?;
        say(c.to_text().trim_end().to_string());
    }
    // The best this line of models reached on the same evaluation set (the
    // new model's own, if it is the best): the gate holds the new model to
    // it, and the new model carries it on, unless --force makes it the mark.
    let lineage = eval.as_ref().map(|e| {
        let old = previous_file
            .as_ref()
            .filter(|old| old.labels == dataset.labels);
        best_eval(old, e)
    });
    let earlier_best = lineage.as_ref().filter(|b| {
        eval.as_ref()
            .is_some_and(|e| b.accuracy > e.report.accuracy)
    });
    if previous.is_none() && args.gate_report.is_some() {
        say("no model was replaced, so no gate ran, and --gate-report wrote nothing".to_string());
    }
    if let Some(old) = &previous {
        gate(
            &args,
            old,
            &pipeline,
            earlier_best,
            eval_set.as_ref(),
            eval.as_ref().zip(eval_predictions.as_ref()),
            &say,
        )?;
    }
    let best = if args.force {
        eval.as_ref().map(crate::model::file::BestEval::from)
    } else {
        lineage
    };
    step.set_message(format!("writing {}", args.model.display()));

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
            eval,
            fit: pipeline.fit_report().cloned(),
            best_eval: best,
        },
    );
    if args.model.exists() {
        let backup = backup_path(&args.model);
        let bytes = read_file(&args.model)?;
        write_atomically(&backup, |w| w.write_all(&bytes))?;
        model.save(&args.model)?;
        step.finish_and_clear();
        crate::say!(
            "wrote {} (the previous model is kept as {}; to restore it: mv {} {})",
            args.model.display(),
            backup.display(),
            backup.display(),
            args.model.display()
        );
    } else {
        model.save(&args.model)?;
        step.finish_and_clear();
        crate::say!("wrote {}", args.model.display());
    }
    Ok(0)
}

/// Up to this many analysed terms in all (some 40,000 short texts; measured:
/// beyond it two matrices at once cost more memory than the overlap saves time),
/// the held-out fit and the final fit run side by side.
const SIDE_BY_SIDE_OCCURRENCES: usize = 2_000_000;

/// Where the replaced model is kept: `PATH.prev`.
pub fn backup_path(model: &Path) -> PathBuf {
    let mut name = model.as_os_str().to_owned();
    name.push(".prev");
    PathBuf::from(name)
}

/// Where the final fit's warm start came from.
#[derive(Debug, Clone, Copy)]
enum WarmFrom {
    /// The model this run replaces.
    Previous,
    /// This run's held-out fit (large data, no previous model).
    HeldOut,
}

fn warm_start_text(w: &WarmStart, from: WarmFrom) -> String {
    let iterations = |n: Option<u64>| match n {
        Some(n) => format!("{}, ", crate::model::solver::iterations(n)),
        None => String::new(),
    };
    let mut text = format!(
        "warm start from {}: {}{:.2} s",
        match from {
            WarmFrom::Previous => "the previous model",
            WarmFrom::HeldOut => "the held-out fit",
        },
        iterations(w.iterations),
        w.seconds
    );
    if let Some(cold) = &w.cold {
        text.push_str(&format!(
            "; from scratch: {}{:.2} s",
            iterations(cold.iterations),
            cold.seconds
        ));
        if let (Some(warm), Some(cold)) = (w.iterations, cold.iterations) {
            text.push_str(&if warm <= cold {
                format!(" ({} saved)", crate::model::solver::iterations(cold - warm))
            } else {
                format!(" ({} more)", crate::model::solver::iterations(warm - cold))
            });
        }
        text.push_str(&format!(
            "; weights within {:.1e} of each other",
            cold.max_difference
        ));
    }
    text
}

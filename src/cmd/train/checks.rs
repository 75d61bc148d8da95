//! What `train` checks before it replaces a model: that it can write the model
//! at all, that the model there was trained on the same data (or --force), and
//! the promotion gate on the trusted evaluation set.

use std::path::{Path, PathBuf};

use crate::cmd::train::{Args, GATE_TOLERANCE};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::eval::cv::{Predictions, predict_dataset};
use crate::eval::metrics::{Paired, Report};
use crate::model::Pipeline;
use crate::model::classifier::argmax;
use crate::model::file::{BestEval, EvalSummary, ModelFile};

/// Makes sure the model can be written before any work is done: its folder
/// exists (the default `models/` is created; the folder created is returned)
/// and is writable.
pub fn prepare_model_folder(model: &Path) -> Result<Option<PathBuf>> {
    let dir = match model.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut created = None;
    if dir.exists() && !dir.is_dir() {
        let reason = std::fs::metadata(model)
            .err()
            .map_or_else(|| "Not a directory".to_string(), |e| e.to_string());
        return Err(Error::new(format!(
            "cannot write {}: {} is a file, not a folder ({reason})",
            model.display(),
            dir.display()
        ))
        .with_hint("pass --model with a path in a folder"));
    }
    if !dir.is_dir() {
        if model != Path::new(crate::cmd::DEFAULT_MODEL) {
            return Err(Error::new(format!(
                "cannot write {}: the folder {} does not exist",
                model.display(),
                dir.display()
            ))
            .with_hint(format!(
                "create it first (mkdir -p {}), or pass --model with a path in an existing folder",
                dir.display()
            )));
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create the folder", &dir, &e))?;
        created = Some(dir.clone());
    }
    tempfile::Builder::new()
        .prefix(".draftcheck-write-check-")
        .tempfile_in(&dir)
        .map_err(|e| {
            // The OS error alone: tempfile's message names its random file.
            let reason = e
                .get_ref()
                .and_then(std::error::Error::source)
                .map_or_else(|| e.to_string(), |os| os.to_string());
            Error::new(format!(
                "cannot write {}: its folder {} is not writable ({reason})",
                model.display(),
                dir.display()
            ))
            .with_hint(
                "check the folder's permissions, or pass --model with a path you can write to",
            )
        })?;
    Ok(created)
}

/// Whether `old` was trained on this data: the same file (the same path as
/// given, or the same file under another), or the same bytes. Retraining on
/// it is not replacing a model of other data, and keeps the model's settings.
pub fn same_data(old: &ModelFile, dataset: &Dataset) -> bool {
    crate::files::same_file(Path::new(&old.training.data_file), &dataset.path)
        || old.training.data_sha256 == dataset.sha256
}

/// Refuses to replace a model trained on other data (another file, other
/// contents) unless --force, or the user says yes at a terminal. Retraining on
/// the same file as it grows is not "other data".
pub fn guard_replacement(args: &Args, old: &ModelFile, dataset: &Dataset) -> Result<()> {
    let t = &old.training;
    let data = dataset.data_path_display();
    if args.force || same_data(old, dataset) {
        return Ok(());
    }
    let what = format!(
        "{} was trained on {} ({} drafts), and this run trains on {} ({} drafts)",
        args.model.display(),
        t.data_file,
        t.rows,
        data,
        dataset.len()
    );
    let stem = dataset
        .path
        .file_stem()
        .map_or_else(|| "mine".to_string(), |s| s.to_string_lossy().into_owned());
    // A path named after the data that holds no model yet: not the one
    // refused (data named drafts.csv would suggest models/drafts.json).
    let elsewhere = (1..)
        .map(|n| match n {
            1 => format!("models/{stem}.json"),
            n => format!("models/{stem}-{n}.json"),
        })
        .find(|p| {
            let p = Path::new(p);
            !p.exists() && !crate::files::same_file(p, &args.model)
        })
        .expect("some numbered path is free");
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        eprint!(
            "{what}. Replace it? (a backup is kept as .prev; else use --model {elsewhere}) [y/N] "
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Error::new(format!("cannot read the answer: {e}")))?;
        if matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            return Ok(());
        }
    }
    Err(
        Error::new(format!("{what}; it was not replaced")).with_hint(format!(
            "write the new model elsewhere with --model {elsewhere}, or pass --force to replace it"
        )),
    )
}

/// The best accuracy a line of models reached on `new`'s evaluation set:
/// the new model's, the replaced model's at its training, or the best the
/// replaced model carried, if on the same set (the same bytes).
pub fn best_eval(old: Option<&ModelFile>, new: &EvalSummary) -> BestEval {
    let mut best = BestEval::from(new);
    let Some(old) = old else {
        return best;
    };
    let earlier = old.training.eval.as_ref().map(BestEval::from);
    for candidate in [old.training.best_eval.clone(), earlier]
        .into_iter()
        .flatten()
    {
        if candidate.sha256 == best.sha256 && candidate.accuracy > best.accuracy {
            best = candidate;
        }
    }
    best
}

/// One draft of the evaluation set on which the replaced and the new model
/// part, as `--gate-report` writes it.
struct GateRow<'a> {
    line: u64,
    label: &'a str,
    previous: &'a str,
    new: &'a str,
    p_previous: f64,
    p_new: f64,
    text: &'a str,
}

/// Refuses, before the fit, a `--gate-report` path that names one of the
/// run's files (the data, the model, the evaluation or the stress set:
/// writing it would replace them) or lies in a folder that does not exist.
pub fn check_gate_report(path: &Path, files: &[Option<&Path>]) -> Result<()> {
    if let Some(file) = files
        .iter()
        .flatten()
        .find(|file| crate::files::same_file(file, path))
    {
        return Err(Error::usage(format!(
            "--gate-report {} is a file of this run ({}): writing it would replace it",
            path.display(),
            file.display()
        ))
        .with_hint("give another file, e.g. --gate-report parted.csv"));
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(folder) = folder.filter(|f| !f.is_dir()) {
        return Err(Error::usage(format!(
            "--gate-report {}: its folder {} does not exist",
            path.display(),
            folder.display()
        ))
        .with_hint("create the folder, or give a file in an existing one"));
    }
    Ok(())
}

/// Writes `rows` to `path` atomically: `line,label,previous,new,p_previous,p_new,text`
/// (`p_` columns: each model's probability of the row's label, in full), with
/// cells a spreadsheet would read as a formula behind a leading `'`, as in
/// `score`'s CSV.
fn write_gate_report(path: &Path, rows: &[GateRow]) -> Result<()> {
    use crate::cmd::score::spreadsheet_safe;
    crate::atomic::write_atomically(path, |w| {
        let mut out = crate::csv_format::writer(w, false);
        let fail = |e: csv::Error| std::io::Error::other(e.to_string());
        out.write_record([
            "line",
            "label",
            "previous",
            "new",
            "p_previous",
            "p_new",
            "text",
        ])
        .map_err(fail)?;
        for r in rows {
            out.write_record([
                r.line.to_string(),
                spreadsheet_safe(r.label).into_owned(),
                spreadsheet_safe(r.previous).into_owned(),
                spreadsheet_safe(r.new).into_owned(),
                r.p_previous.to_string(),
                r.p_new.to_string(),
                spreadsheet_safe(r.text).into_owned(),
            ])
            .map_err(fail)?;
        }
        out.flush()
    })
}

/// The promotion gate: refuses a replacement that scores worse on the trusted
/// evaluation set than the model it replaces, or than the best `best` of the
/// models before it (so that declines each within the tolerance cannot add
/// up), unless --force.
pub fn gate(
    args: &Args,
    old: &Pipeline,
    new_model: &Pipeline,
    best: Option<&BestEval>,
    eval_set: Option<&Dataset>,
    new: Option<(&EvalSummary, &Predictions)>,
    say: &dyn Fn(String),
) -> Result<()> {
    let (Some(set), Some((new, (new_truth, new_p)))) = (eval_set, new) else {
        say("no evaluation set protected this replacement: put trusted labelled drafts (never trained on) \
             in eval.csv beside the data, or pass --eval PATH"
            .to_string());
        if args.gate_report.is_some() {
            say("so no gate ran, and --gate-report wrote nothing".to_string());
        }
        return Ok(());
    };
    let (old_truth, old_p) = match predict_dataset(old, set) {
        Ok(scored) => scored,
        Err(e) => {
            say(format!(
                "the previous model cannot be scored on {} ({e}); no gate applied{}",
                new.path,
                if args.gate_report.is_some() {
                    ", and --gate-report wrote nothing"
                } else {
                    ""
                }
            ));
            return Ok(());
        }
    };
    let old_report = Report::new(old.labels(), &old_truth, &old_p);
    // Where the two part, draft by draft.
    let right = |truth: &[usize], p: &[Vec<f64>]| -> Vec<bool> {
        truth.iter().zip(p).map(|(&t, p)| argmax(p) == t).collect()
    };
    let (old_right, new_right) = (right(&old_truth, &old_p), right(new_truth, new_p));
    let paired = Paired::of(&old_right, &new_right);

    let diff = new.report.accuracy - old_report.accuracy;
    say(format!(
        "promotion gate on {}: previous model {}, new model {} ({:+.3} accuracy; {} {} the previous model got right {} wrong now, {} the other way)",
        new.path,
        old_report.headline(),
        new.report.headline(),
        diff,
        paired.lost,
        if paired.lost == 1 { "draft" } else { "drafts" },
        if paired.lost == 1 { "is" } else { "are" },
        paired.gained
    ));
    let listed = match &args.gate_report {
        Some(path) => {
            let rows: Vec<GateRow> = (0..set.len())
                .filter(|&i| old_right[i] != new_right[i])
                .map(|i| GateRow {
                    line: set.lines[i],
                    label: &set.labels[set.targets[i]],
                    previous: &old.labels()[argmax(&old_p[i])],
                    new: &new_model.labels()[argmax(&new_p[i])],
                    p_previous: old_p[i][old_truth[i]],
                    p_new: new_p[i][new_truth[i]],
                    text: &set.texts[i],
                })
                .collect();
            write_gate_report(path, &rows)?;
            say(format!(
                "wrote {} ({} drafts of {} on which the two models part)",
                path.display(),
                rows.len(),
                new.path
            ));
            format!("; {} lists them", path.display())
        }
        None => "; --gate-report PATH.csv lists them".to_string(),
    };
    // How much the refusal rests on: on a small set, a few drafts.
    let chance = format!(
        "the two models part on {} of the {} drafts of {} ({} against {}{listed}): if they were equally good, \
         a split at least this uneven would come about by chance {} of the time (McNemar's exact test), {}",
        paired.lost + paired.gained,
        set.len(),
        new.path,
        paired.lost,
        paired.gained,
        crate::cmd::score::percent(paired.chance()),
        if paired.chance() < 0.05 {
            "so the new model is most likely worse"
        } else {
            "so more trusted drafts there would tell them apart better"
        }
    );
    if diff >= -GATE_TOLERANCE - 1e-12
        && let Some(best) = best.filter(|b| b.sha256 == new.sha256)
        && new.report.accuracy < best.accuracy - GATE_TOLERANCE - 1e-12
    {
        say(format!(
            "the best model before it reached {:.3} on {}: the new model is {:.3} below it",
            best.accuracy,
            new.path,
            best.accuracy - new.report.accuracy
        ));
        if args.force {
            say("--force replaces the previous model anyway, and the new model becomes the mark to beat".to_string());
            return Ok(());
        }
        return Err(Error::new(format!(
            "the new model is worse than the best model {} has had on {} ({:.3} against {:.3}): \
             small declines, each within the gate's {:.2}, have added up; the previous model was kept",
            args.model.display(),
            new.path,
            new.report.accuracy,
            best.accuracy,
            GATE_TOLERANCE
        ))
        .with_hint(format!(
            "look for mislabelled or off-topic rows among the changes to {} (draftcheck evaluate shows what fails), \
             or pass --force to accept the decline (the new model then becomes the mark to beat)",
            args.data.data.display()
        )));
    }
    if diff < -GATE_TOLERANCE - 1e-12 {
        if args.force {
            say("the new model is worse, but --force replaces the previous one anyway".to_string());
        } else {
            return Err(Error::new(format!(
                "the new model is worse than {} on {} ({:.3} against {:.3}); the previous model was kept",
                args.model.display(),
                new.path,
                new.report.accuracy,
                old_report.accuracy
            ))
            .with_hint(format!(
                "look for mislabelled or off-topic rows added to {} (draftcheck evaluate shows what fails), \
                 or pass --force to replace the model anyway; {chance}",
                args.data.data.display()
            )));
        }
    }
    Ok(())
}

//! `draftcheck audit`: rows whose label looks wrong, and duplicate rows.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cmd::{DataArgs, FeatureArgs, ResourceArgs};
use crate::error::Result;
use crate::eval::cv::{Folds, Labelled, out_of_fold};
use crate::model::classifier::argmax;
use crate::progress;

/// Find likely label mistakes and duplicate rows in labelled data.
///
/// Every row is scored by a model that never saw it (k-fold cross-validation,
/// the same folds and fits as `evaluate`); the rows whose given label gets the
/// lowest out-of-fold probability, and that the model would label otherwise,
/// come first, each with the label it suggests and the terms behind it. Rows
/// whose texts are the same after folding case, spacing and punctuation are
/// listed as duplicates, and as conflicts when their labels differ.
///
/// With --themes, the `theme` column is audited instead: each theme (gift,
/// letter, pressure) is scored out of fold on the rows that have a theme, and
/// the cells it disagrees with come first, each with the cell it suggests.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck audit\n  \
draftcheck audit --data mine.csv --top 50\n  \
draftcheck audit --themes --repeats 3\n  \
draftcheck audit --format json | jq 'select(.kind == \"conflict\")'")]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Number of folds.
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Cross-validations to average, each with its own fold seed (seed, seed+1,
    /// ...): more repeats, steadier out-of-fold probabilities.
    #[arg(long, value_name = "R", default_value_t = 1)]
    pub repeats: usize,
    /// How many likely label mistakes to list.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Walk through the likely mistakes: keep, relabel, drop, skip or quit;
    /// each change rewrites the data (locked, atomic) and is logged beside it.
    #[arg(long, conflicts_with = "undo")]
    pub review: bool,
    /// Reverse the last change of --review.
    #[arg(long)]
    pub undo: bool,
    /// Audit the `theme` column instead of the labels: a model of each theme,
    /// out of fold on the rows that have one, lists the cells it would write
    /// otherwise (edit them by hand; --review is for labels).
    #[arg(long, conflicts_with_all = ["review", "undo"])]
    pub themes: bool,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub resources: ResourceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Csv,
}

/// One finding, as JSON and CSV print it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `label` (a likely label mistake), `theme` (a likely theme mistake, with
    /// --themes), `duplicate` or `conflict`.
    pub kind: &'static str,
    /// 1-based record number (header excluded).
    pub row: usize,
    /// The line of the CSV where the record starts.
    pub line: u64,
    /// The row's label (its theme cell, for `theme`).
    pub label: String,
    /// The label the model suggests (for `label`), the theme cell (for
    /// `theme`), or the other row's label.
    pub suggested: String,
    /// Out-of-fold probability of the suggestion (for `label` and `theme`).
    pub probability: Option<f64>,
    /// For `theme`: the probability of the theme at which it is chosen (out
    /// of fold, as `train` chooses it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Terms that push toward the suggestion (for `label` and `theme`), or the
    /// row it duplicates (for the others: "row N").
    pub terms: Vec<String>,
    pub text: String,
}

/// Case, spacing and punctuation folded: what makes two texts duplicates.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn run(args: Args) -> Result<i32> {
    if args.undo {
        return crate::cmd::audit_review::undo(&args.data.data);
    }
    let mut settings = args.features.single()?;
    settings.check()?;
    args.resources.precheck(&args.data.data)?;
    let data = args.data.load()?;
    let themed = if args.themes {
        let cells =
            crate::dataset::read_optional_column(&data.path, "theme")?.ok_or_else(|| {
                crate::Error::new(format!(
                    "{} has no 'theme' column, which --themes audits: add one (gift, letter, \
                 pressure or none per row, see data/README.md), or leave out --themes to \
                 audit the labels",
                    data.path.display()
                ))
            })?;
        // The themes are fitted without ending terms, as `train` fits them
        // (see ThemeColumns).
        settings.analyzer.ending = 0;
        // The rows with a theme (their index and parsed cell): the fits see
        // them alone.
        let themed: Vec<(usize, Vec<String>)> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| (i, crate::model::theme::parse(c)))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        Some(themed)
    } else {
        None
    };
    let fitted_rows = themed.as_ref().map_or(data.len(), Vec::len);
    if let Some(note) = args.features.adapt_to_size(&mut settings, fitted_rows) {
        progress::note(&note, !matches!(args.format, AuditFormat::Text));
    }
    let trainer = settings
        .check()?
        .with_memory_budget(args.resources.memory_budget);
    let mut findings: Vec<Finding> = Vec::new();
    let flagged = if let Some(themed) = &themed {
        audit_themes(&args, &trainer, &data, themed, &mut findings)?
    } else {
        let bar = progress::bar((args.folds * args.repeats.max(1)) as u64 + 1, "auditing");
        bar.set_message(format!("analysing {} drafts", data.len()));
        let found = disagreements(
            &args,
            &trainer,
            &trainer.analyze_all(&data.texts),
            &data.texts,
            &data.targets,
            &data.labels,
            Decide::Likeliest,
            &bar,
        )?;
        bar.finish_and_clear();
        for s in found.top {
            findings.push(Finding {
                kind: "label",
                row: s.index + 1,
                line: data.lines[s.index],
                label: data.labels[data.targets[s.index]].clone(),
                suggested: data.labels[s.suggested].clone(),
                probability: Some(s.probability),
                threshold: None,
                terms: s.terms,
                text: data.texts[s.index].clone(),
            });
        }
        Flagged::Labels(found.count)
    };
    // Duplicates, after folding case, spacing and punctuation.
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    let mut duplicates = 0;
    for (i, text) in data.texts.iter().enumerate() {
        let key = fold(text);
        match first.get(&key) {
            Some(&j) => {
                duplicates += 1;
                let conflict = data.targets[i] != data.targets[j];
                findings.push(Finding {
                    kind: if conflict { "conflict" } else { "duplicate" },
                    row: i + 1,
                    line: data.lines[i],
                    label: data.labels[data.targets[i]].clone(),
                    suggested: data.labels[data.targets[j]].clone(),
                    probability: None,
                    threshold: None,
                    terms: vec![format!("row {}", j + 1)],
                    text: text.clone(),
                });
            }
            None => {
                first.insert(key, i);
            }
        }
    }
    if args.review {
        return crate::cmd::audit_review::review(&args.data.data, &findings);
    }
    print_findings(
        &args,
        &data.path.display().to_string(),
        data.len(),
        &flagged,
        duplicates,
        &findings,
    )
}

/// How many rows (or theme cells) the out-of-fold models disagree with.
enum Flagged {
    Labels(usize),
    /// Rows with a theme; per theme audited: its name, its count and its
    /// threshold; and the themes left out for too few rows.
    Themes(usize, Vec<(String, usize, f64)>, Vec<String>),
}

/// A row the model labels otherwise, out of fold.
struct Suspect {
    index: usize,
    suggested: usize,
    /// Out-of-fold probability of the suggested label.
    probability: f64,
    /// The terms that push toward it, as the row is written.
    terms: Vec<String>,
}

/// The rows of [`disagreements`], at most `--top` of them, and how many
/// there are in all.
struct Disagreements {
    top: Vec<Suspect>,
    count: usize,
    /// The threshold it decided at ([`Decide::AtBestF1`]).
    threshold: Option<f64>,
}

/// How [`disagreements`] decides the label a row's out-of-fold
/// probabilities suggest.
#[derive(Clone, Copy)]
enum Decide {
    /// The likeliest label (the verdict's rule).
    Likeliest,
    /// Two labels, the second chosen at the threshold that maximises F1 on
    /// the out-of-fold probabilities: the rule `train` chooses themes by.
    AtBestF1,
}

/// Scores every row of (`texts`, `targets`) by models that never saw it
/// (`--folds`, averaged over `--repeats` seeds) and returns the rows the
/// model labels otherwise: the lowest out-of-fold probability of the given
/// label first, each with the terms that push toward the label it suggests
/// (from a model fitted on every row).
#[allow(clippy::too_many_arguments)]
fn disagreements(
    args: &Args,
    trainer: &crate::model::Trainer,
    corpus: &crate::text::Corpus,
    texts: &[String],
    targets: &[usize],
    labels: &[String],
    decide: Decide,
    bar: &indicatif::ProgressBar,
) -> Result<Disagreements> {
    bar.set_message(format!(
        "{}{}-fold out-of-fold probabilities",
        match decide {
            Decide::Likeliest => String::new(),
            Decide::AtBestF1 => format!("{}: ", labels[1]),
        },
        args.folds
    ));
    let rows = Labelled {
        corpus,
        targets,
        labels,
    };
    let folds = |r: usize| Folds {
        k: args.folds,
        seed: args.seed.wrapping_add(r as u64),
    };
    let mut oof = out_of_fold(trainer, rows, folds(0), bar)?;
    for r in 1..args.repeats.max(1) {
        let more = out_of_fold(trainer, rows, folds(r), bar)?;
        for (p, q) in oof.iter_mut().zip(more) {
            for (a, b) in p.iter_mut().zip(q) {
                *a += b;
            }
        }
    }
    let repeats = args.repeats.max(1) as f64;
    for p in &mut oof {
        for a in p.iter_mut() {
            *a /= repeats;
        }
    }
    // The model on every row explains the disagreements.
    let full = trainer.fit(corpus, &corpus.all(), targets, labels)?;
    bar.inc(1);

    let threshold = match decide {
        Decide::Likeliest => None,
        Decide::AtBestF1 => Some(crate::model::theme::best_f1_threshold(
            oof.iter().zip(targets).map(|(p, &y)| (p[1], y)).collect(),
        )),
    };
    // Likely mistakes: the model labels them otherwise; lowest out-of-fold
    // probability of the given label first.
    let mut suspects: Vec<(f64, usize, usize)> = oof
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let suggested = match threshold {
                None => argmax(p),
                Some(t) => usize::from(p[1] >= t),
            };
            (suggested != targets[i]).then_some((p[targets[i]], i, suggested))
        })
        .collect();
    suspects.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let count = suspects.len();
    let mut top = Vec::new();
    for &(_, i, suggested) in suspects.iter().take(args.top) {
        let text = &texts[i];
        let verdict = full.score(text);
        // Contributions toward the suggested label: from the full model's
        // explanation of that label's logit.
        let row = full.row_of_tokens(&full.analyzer().tokenize(text));
        let explanation = full.classifier().explain(&row, suggested);
        let mut toward: Vec<(usize, f64)> = explanation
            .contributions
            .into_iter()
            .filter(|&(_, w)| w > 0.0)
            .collect();
        toward.sort_by(|a, b| b.1.total_cmp(&a.1));
        let terms = toward
            .iter()
            .take(4)
            .map(|&(j, w)| {
                let term = &full.vectorizer().terms()[j];
                let written = verdict
                    .contributions
                    .iter()
                    .find(|c| c.term == term)
                    .map_or_else(|| term.to_string(), |c| c.shown(text));
                format!("{written} ({w:+.2})")
            })
            .collect();
        top.push(Suspect {
            index: i,
            suggested,
            probability: oof[i][suggested],
            terms,
        });
    }
    Ok(Disagreements {
        top,
        count,
        threshold,
    })
}

/// `--themes`: each theme scored out of fold on `themed`, the rows with a
/// theme (index, parsed cell); the likeliest wrong cells (a theme the row
/// lacks, or one it should not have) go into `findings`, at most `--top`
/// over all themes.
fn audit_themes(
    args: &Args,
    trainer: &crate::model::Trainer,
    data: &crate::dataset::Dataset,
    themed: &[(usize, Vec<String>)],
    findings: &mut Vec<Finding>,
) -> Result<Flagged> {
    use crate::model::theme::{MIN_THEME_ROWS, THEMES};
    let texts: Vec<String> = themed.iter().map(|(i, _)| data.texts[*i].clone()).collect();
    // The themes with enough rows on both sides, with their targets; and
    // the others, left out.
    type Targets<'a> = Vec<(&'a str, Vec<usize>)>;
    let (audited, skipped): (Targets, Targets) = THEMES
        .iter()
        .map(|(name, _)| {
            let targets = themed
                .iter()
                .map(|(_, t)| usize::from(t.iter().any(|x| x == name)))
                .collect::<Vec<usize>>();
            (*name, targets)
        })
        .partition(|(_, targets)| {
            let with = targets.iter().sum::<usize>();
            with >= MIN_THEME_ROWS && targets.len() - with >= MIN_THEME_ROWS
        });
    let skipped: Vec<String> = skipped.into_iter().map(|(n, _)| n.to_string()).collect();
    if audited.is_empty() {
        return Err(crate::Error::new(format!(
            "{}: no theme has {MIN_THEME_ROWS} rows with it and {MIN_THEME_ROWS} without it \
             among the {} rows with a theme, so none can be audited: add rows with themes \
             (gift, letter, pressure), or leave out --themes to audit the labels",
            data.path.display(),
            themed.len()
        )));
    }
    let bar = progress::bar(
        ((args.folds * args.repeats.max(1)) as u64 + 1) * audited.len() as u64,
        "auditing themes",
    );
    // (probability of the given side, theme, suspect) over every theme.
    let mut all: Vec<(f64, usize, Suspect)> = Vec::new();
    let mut counts = Vec::new();
    bar.set_message(format!("analysing {} drafts", texts.len()));
    let corpus = trainer.analyze_all(&texts);
    let mut thresholds = Vec::new();
    for (t, (name, targets)) in audited.iter().enumerate() {
        let labels = vec![format!("no {name}"), name.to_string()];
        let found = disagreements(
            args,
            trainer,
            &corpus,
            &texts,
            targets,
            &labels,
            Decide::AtBestF1,
            &bar,
        )?;
        let threshold = found.threshold.unwrap_or(0.5);
        counts.push((name.to_string(), found.count, threshold));
        thresholds.push(threshold);
        all.extend(found.top.into_iter().map(|s| (1.0 - s.probability, t, s)));
    }
    bar.finish_and_clear();
    all.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(themed[a.2.index].0.cmp(&themed[b.2.index].0))
            .then(a.1.cmp(&b.1))
    });
    for (_, t, s) in all.into_iter().take(args.top) {
        let (row, given) = &themed[s.index];
        let name = audited[t].0;
        findings.push(Finding {
            kind: "theme",
            row: row + 1,
            line: data.lines[*row],
            label: given.join(";"),
            suggested: toggled(given, name, s.suggested == 1),
            probability: Some(s.probability),
            threshold: Some(thresholds[t]),
            terms: s.terms,
            text: data.texts[*row].clone(),
        });
    }
    Ok(Flagged::Themes(themed.len(), counts, skipped))
}

/// A theme cell (parsed) with `theme` added or taken away: known themes in
/// the usual order, any others after them as they were; `none` when nothing
/// is left.
fn toggled(given: &[String], theme: &str, add: bool) -> String {
    use crate::model::theme::THEMES;
    let mut cell: Vec<&str> = given
        .iter()
        .map(String::as_str)
        .filter(|g| *g != theme)
        .collect();
    if add {
        cell.push(theme);
    }
    let order = |n: &str| {
        THEMES
            .iter()
            .position(|(t, _)| *t == n)
            .unwrap_or(THEMES.len())
    };
    cell.sort_by_key(|n| order(n));
    if cell.is_empty() {
        "none".to_string()
    } else {
        cell.join(";")
    }
}

fn print_findings(
    args: &Args,
    path: &str,
    rows: usize,
    flagged: &Flagged,
    duplicates: usize,
    findings: &[Finding],
) -> Result<i32> {
    use crate::cmd::write_error;
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        AuditFormat::Json => {
            for f in findings {
                let line =
                    serde_json::to_string(f).map_err(|e| crate::Error::new(e.to_string()))?;
                writeln!(out, "{line}").map_err(write_error)?;
            }
        }
        AuditFormat::Csv => {
            let mut w = crate::csv_format::writer(&mut out, false);
            w.write_record([
                "kind",
                "row",
                "line",
                "label",
                "suggested",
                "probability",
                "terms",
                "text",
            ])
            .map_err(|e| crate::Error::new(e.to_string()))?;
            for f in findings {
                w.write_record([
                    f.kind.to_string(),
                    f.row.to_string(),
                    f.line.to_string(),
                    f.label.clone(),
                    f.suggested.clone(),
                    f.probability
                        .map_or_else(String::new, |p| format!("{p:.4}")),
                    f.terms.join("; "),
                    crate::cmd::score::spreadsheet_safe(&f.text).into_owned(),
                ])
                .map_err(|e| crate::Error::new(e.to_string()))?;
            }
            w.flush().map_err(write_error)?;
        }
        AuditFormat::Text => {
            match flagged {
                Flagged::Labels(n) => writeln!(
                    out,
                    "{path}: {rows} rows; {n} the model labels otherwise (out of fold, {} folds), {duplicates} duplicates",
                    args.folds
                ),
                Flagged::Themes(themed, counts, skipped) => writeln!(
                    out,
                    "{path}: {rows} rows, {themed} with a theme; cells the theme models write otherwise (out of fold, {} folds, each theme chosen at its threshold): {}{}; {duplicates} duplicates",
                    args.folds,
                    counts
                        .iter()
                        .map(|(name, n, t)| format!("{name} {n} (at {})", crate::cmd::score::percent(*t)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    skipped
                        .iter()
                        .map(|name| format!("; {name} not audited (fewer than {} rows with it or without it)", crate::model::theme::MIN_THEME_ROWS))
                        .collect::<String>()
                ),
            }
            .map_err(write_error)?;
            let labels: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.kind == "label" || f.kind == "theme")
                .collect();
            if !labels.is_empty() {
                writeln!(
                    out,
                    "Likeliest {} mistakes first (row, line: given -> suggested, probability):",
                    if args.themes { "theme" } else { "label" }
                )
                .map_err(write_error)?;
            }
            for f in labels {
                let flat: String = f.text.split_whitespace().collect::<Vec<_>>().join(" ");
                let short: String = flat.chars().take(90).collect();
                // The whole finding as the terminal shows it: theme cells and
                // terms are the data's text too.
                let finding = format!(
                    "  row {} (line {}): {} -> {} ({})  “{}{}”\n      because of: {}",
                    f.row,
                    f.line,
                    f.label,
                    f.suggested,
                    how_sure(f),
                    short,
                    if flat.chars().count() > 90 { "…" } else { "" },
                    f.terms.join(", ")
                );
                writeln!(out, "{}", crate::terminal::terminal_safe(&finding))
                    .map_err(write_error)?;
            }
            for f in findings
                .iter()
                .filter(|f| f.kind == "duplicate" || f.kind == "conflict")
            {
                writeln!(
                    out,
                    "  row {} (line {}) repeats {}{}",
                    f.row,
                    f.line,
                    f.terms.join(""),
                    if f.kind == "conflict" {
                        format!(
                            " with another label ({} here, {} there)",
                            f.label, f.suggested
                        )
                    } else {
                        String::new()
                    }
                )
                .map_err(write_error)?;
            }
        }
    }
    out.flush().map_err(write_error)?;
    Ok(0)
}

/// How sure a finding is, as its line shows it: the probability of the
/// suggested label, or for a `theme` finding the one change it suggests with
/// the theme's probability and the threshold it is chosen at ("adds gift:
/// 64%, chosen at 31%").
pub(crate) fn how_sure(f: &Finding) -> String {
    use crate::cmd::score::percent;
    let p = f.probability.unwrap_or(0.0);
    let Some(threshold) = f.threshold.filter(|_| f.kind == "theme") else {
        return percent(p);
    };
    let cell = |c: &str| -> Vec<String> { crate::model::theme::parse(c) };
    let (given, suggested) = (cell(&f.label), cell(&f.suggested));
    let (change, theme, of_theme) =
        if let Some(added) = suggested.iter().find(|t| !given.contains(t)) {
            ("adds", added.clone(), p)
        } else if let Some(dropped) = given.iter().find(|t| !suggested.contains(t)) {
            ("drops", dropped.clone(), 1.0 - p)
        } else {
            return percent(p);
        };
    format!(
        "{change} {theme}: {}, chosen at {}",
        percent(of_theme),
        percent(threshold)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toggled_theme_cell_keeps_the_usual_order_and_other_themes() {
        let cell = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(toggled(&cell(&["pressure"]), "gift", true), "gift;pressure");
        assert_eq!(toggled(&cell(&["gift", "letter"]), "letter", false), "gift");
        assert_eq!(toggled(&cell(&["letter"]), "letter", false), "none");
        assert_eq!(
            toggled(&cell(&["flattery", "pressure"]), "letter", true),
            "letter;pressure;flattery"
        );
        // The given cell as parsed: case and spacing folded.
        let parsed = crate::model::theme::parse(" Gift; LETTER");
        assert_eq!(toggled(&parsed, "pressure", true), "gift;letter;pressure");
    }

    #[test]
    fn folding_ignores_case_spacing_and_punctuation() {
        assert_eq!(fold("  Please, CALL me!!\n"), "please call me");
        assert_eq!(fold("please call me"), fold("Please... call   me."));
        assert_ne!(fold("call me"), fold("call you"));
    }
}

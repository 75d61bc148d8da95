//! `draftcheck score`: verdicts, probabilities, explanations and advice for drafts.

mod batch;
pub mod csv_out;
mod html;
mod json;
mod prompt;
mod reading;
mod text;

use std::borrow::Cow;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;

use crate::advice::AdviceFile;
use crate::error::{Error, Result};
use crate::model::resolve::{LoadedModel, resolve_model};

use csv_out::write_csv_row;
pub use csv_out::{ADDED_COLUMNS, batch_header, spreadsheet_safe};
pub use json::verdict_json;
use prompt::prompt_loop;
pub use reading::Reading;
pub use text::percent;

/// Score drafts: the verdict, how sure it is, the words that pushed it, and advice.
///
/// The model is --model if given, else models/drafts.json in the current folder if
/// there is one, else the model built into draftcheck.
///
/// With no draft on the command line, a terminal gets a prompt: type or paste a
/// draft (several lines are fine), press Enter on an empty line to score it, then
/// edit it and try again (the up arrow recalls earlier lines); Ctrl-C drops the
/// draft being typed, Ctrl-D leaves. With standard input piped, the whole input
/// is one draft.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck score \"I bought you a necklace for your birthday, please call me back\"\n  \
draftcheck score --format json \"Congrats on the new job, hope you're doing well\"\n  \
draftcheck score --file letter.txt\n  \
draftcheck score            (on a terminal: a prompt; paste a draft, end it with an empty line)\n  \
echo \"miss you so much\" | draftcheck score\n  \
draftcheck score --batch drafts.csv --format json > verdicts.jsonl")]
pub struct Args {
    /// Drafts to score, each one argument.
    #[arg(value_name = "DRAFT")]
    pub drafts: Vec<String>,
    /// Score the whole file as one draft (e.g. a long letter).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["drafts", "batch"])]
    pub file: Option<PathBuf>,
    /// Score every row of a CSV file, in order.
    #[arg(long, value_name = "PATH.csv", conflicts_with = "drafts")]
    pub batch: Option<PathBuf>,
    /// The --batch file's text column (`--text-column`).
    #[command(flatten)]
    pub text_column: crate::cmd::TextColumnArgs,
    /// Model file [default: models/drafts.json if present, else the built-in model].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Advice file [default: the built-in advice].
    #[arg(long, value_name = "PATH")]
    pub advice: Option<PathBuf>,
    /// Output format: readable text, one JSON object per draft per line, or CSV
    /// (with --batch: the input's columns plus label, probability and top_terms).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with code 3 if any draft gets this label (to guard a send button or a script).
    #[arg(long, value_name = "LABEL")]
    pub fail_on: Option<String>,
    /// How many terms to show in text output.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub top: usize,
    /// Prompt for drafts one after another even when standard input is not a
    /// terminal (then each draft ends at an empty line, and no prompt is shown).
    #[arg(long, conflicts_with_all = ["drafts", "file", "batch"])]
    pub interactive: bool,
}

/// Output formats of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// One JSON object per draft per line.
    Json,
    /// CSV, ready for a spreadsheet (cells that would start a formula are escaped).
    Csv,
    /// One self-contained HTML page (no network, no external files): a report
    /// to read at a glance, for one draft or a whole --batch.
    Html,
}

/// Rows of a `--batch` file read, scored (on every core) and written at a time.
pub const BATCH_CHUNK_ROWS: usize = 1024;

/// The output bytes of some rows of a --batch file, and the label of each.
pub(crate) type ScoredRows = (Vec<u8>, Vec<usize>);

/// Drafts of more sentences than this get no sentence effects or cut: each
/// sentence costs a rescoring of the whole draft.
pub const MAX_EXPLAINED_SENTENCES: usize = 60;

/// Exit code of `score --fail-on LABEL` when some draft got that label.
pub const FAIL_ON_EXIT_CODE: i32 = 3;

pub fn run(args: Args) -> Result<i32> {
    if args.batch.is_none() && args.text_column.given.is_some() {
        return Err(Error::usage(
            "--text-column names the column of a --batch file, and there is none",
        )
        .with_hint("score a CSV file with --batch FILE.csv --text-column NAME"));
    }
    let model = resolve_model(args.model.as_deref())?;
    let fail_on = match &args.fail_on {
        Some(label) => Some(
            model
                .pipeline
                .labels()
                .iter()
                .position(|l| l == label)
                .ok_or_else(|| {
                    Error::usage(format!(
                        "--fail-on {label}: the model has no such label (labels: {})",
                        model.pipeline.labels().join(", ")
                    ))
                })?,
        ),
        None => None,
    };
    let advice = match &args.advice {
        Some(path) => AdviceFile::load(path)?,
        None => AdviceFile::embedded(),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let scorer = Scorer {
        model: &model,
        advice: &advice,
        format: args.format,
        top: args.top,
        colour: anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never,
        revise: fail_on.or_else(|| {
            model
                .pipeline
                .labels()
                .iter()
                .position(|l| l == "desperate")
        }),
        report: std::sync::Mutex::new(html::Report::default()),
    };
    let mut seen = vec![false; model.pipeline.labels().len()];
    let terminal = std::io::stdin().is_terminal();
    // HTML: the drafts' sections are collected, then the page is written around
    // them, its summary first.
    let mut sections: Vec<u8> = Vec::new();
    if let Some(path) = &args.batch {
        if args.format == Format::Html {
            scorer.batch(path, &args.text_column, &mut sections, &mut seen)?;
        } else {
            scorer.batch(path, &args.text_column, &mut out, &mut seen)?;
        }
    } else if args.interactive && args.format == Format::Html {
        return Err(Error::usage(
            "--format html writes one page, and the prompt scores drafts one at a time",
        )
        .with_hint("score the drafts as arguments or with --batch FILE.csv"));
    } else if args.interactive
        || (terminal
            && args.drafts.is_empty()
            && args.file.is_none()
            && args.format == Format::Text)
    {
        drop(out);
        prompt_loop(&scorer, &mut seen, terminal)?;
        return Ok(exit_code(fail_on, &seen));
    } else {
        let drafts = drafts_of(&args, terminal)?;
        if args.format == Format::Csv {
            write_csv_row(&mut out, &["text", "label", "probability", "top_terms"])?;
        }
        for (i, draft) in drafts.iter().enumerate() {
            if i > 0 && args.format == Format::Text {
                writeln!(out).map_err(write_error)?;
            }
            if args.format == Format::Html {
                seen[scorer.write(draft, None, &[], &mut sections)?.0] = true;
            } else {
                seen[scorer.write(draft, None, &[], &mut out)?.0] = true;
            }
        }
    }
    if args.format == Format::Html {
        let page = html::page(&scorer, &String::from_utf8_lossy(&sections));
        out.write_all(page.as_bytes()).map_err(write_error)?;
    }
    out.flush().map_err(write_error)?;
    Ok(exit_code(fail_on, &seen))
}

/// The drafts to score: --file's, else the arguments, else standard input's;
/// none may be blank.
fn drafts_of(args: &Args, terminal: bool) -> Result<Vec<String>> {
    let drafts = if let Some(path) = &args.file {
        vec![crate::files::read_utf8(path)?]
    } else if args.drafts.is_empty() {
        if terminal && !crate::progress::is_quiet() {
            eprintln!("Type or paste a draft, then press Ctrl-D:");
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::new(format!("cannot read standard input: {e}")))?;
        vec![crate::files::utf8(
            std::path::Path::new("<standard input>"),
            bytes,
        )?]
    } else {
        args.drafts.clone()
    };
    for (i, draft) in drafts.iter().enumerate() {
        if draft.trim().is_empty() {
            return Err(Error::usage(if drafts.len() > 1 {
                format!("draft {} is empty", i + 1)
            } else {
                "the draft is empty".to_string()
            })
            .with_hint("give the text to score, e.g. draftcheck score \"your message\""));
        }
    }
    Ok(drafts)
}

/// 3 if some draft got the `--fail-on` label, else 0.
fn exit_code(fail_on: Option<usize>, seen: &[bool]) -> i32 {
    match fail_on {
        Some(label) if seen[label] => FAIL_ON_EXIT_CODE,
        _ => 0,
    }
}

pub(crate) use crate::cmd::write_error;

pub(crate) struct Scorer<'a> {
    model: &'a LoadedModel,
    advice: &'a AdviceFile,
    format: Format,
    top: usize,
    /// Whether text output is coloured: only on a terminal, never with NO_COLOR.
    colour: bool,
    /// The label a revision moves a draft away from: --fail-on, else
    /// `desperate` if the model has it.
    revise: Option<usize>,
    /// What the HTML report's summary counts (--format html).
    report: std::sync::Mutex<html::Report>,
}

impl Scorer<'_> {
    /// Scores one draft and writes it; returns the predicted label and its
    /// probability. `columns` are the input row's cells, repeated in CSV output
    /// (empty outside --batch).
    pub(crate) fn write(
        &self,
        draft: &str,
        line: Option<u64>,
        columns: &[Cow<str>],
        out: &mut impl Write,
    ) -> Result<(usize, f64)> {
        let pipeline = &self.model.pipeline;
        match self.format {
            Format::Json => {
                let reading = self.read(draft);
                let value = verdict_json(pipeline, draft, &reading, &self.model.source, line);
                serde_json::to_writer(&mut *out, &value)
                    .map_err(|e| Error::new(format!("cannot write the output: {e}")))?;
                out.write_all(b"\n").map_err(write_error)?;
                Ok((reading.verdict.label, reading.verdict.probability()))
            }
            Format::Text => {
                let reading = self.read(draft);
                // The draft's text as the terminal will show it (the same byte
                // offsets, so the reading's spans still hold).
                let shown = crate::terminal::terminal_safe(draft);
                out.write_all(self.verdict_text(&shown, &reading).as_bytes())
                    .map_err(write_error)?;
                Ok((reading.verdict.label, reading.verdict.probability()))
            }
            Format::Html => {
                let reading = self.read(draft);
                let section = html::draft_section(self, draft, line, &reading);
                out.write_all(section.as_bytes()).map_err(write_error)?;
                Ok((reading.verdict.label, reading.verdict.probability()))
            }
            Format::Csv => self.write_csv(draft, columns, out),
        }
    }
}

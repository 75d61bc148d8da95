//! `draftcheck score`: verdicts, probabilities, explanations and advice for drafts.

use std::borrow::Cow;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use rayon::prelude::*;
use serde_json::json;

use crate::advice::{Advice, AdviceFile};
use crate::cmd::DEFAULT_MODEL;
use crate::dataset::{
    QuoteCounter, csv_error, find_column, multiline_at, read_headers, reader_builder, text_field,
};
use crate::error::{Error, Result};
use crate::model::file::{ModelFile, load};
use crate::model::{Pipeline, Verdict};

/// The model compiled into the binary (empty if none was committed at build time).
const EMBEDDED_MODEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/embedded_model.json"));

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
    /// Column of the --batch file holding the text.
    #[arg(long, value_name = "NAME", default_value = "text", requires = "batch")]
    pub text_column: String,
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

/// A loaded model and where it came from.
pub struct LoadedModel {
    pub pipeline: Pipeline,
    pub source: String,
}

/// Loads the model file chosen by `--model`, else `models/drafts.json` in the
/// current folder, else the embedded one; returns it with a description of where
/// it came from.
pub fn resolve_model_file(explicit: Option<&Path>) -> Result<(ModelFile, String)> {
    if let Some(path) = explicit {
        return Ok((load(path)?, path.display().to_string()));
    }
    let local = Path::new(DEFAULT_MODEL);
    if local.is_file() {
        return Ok((load(local)?, local.display().to_string()));
    }
    if EMBEDDED_MODEL.is_empty() {
        return Err(
            Error::new("no model: models/drafts.json is not here and none is built in")
                .with_hint("train one with `draftcheck train`, or pass --model PATH"),
        );
    }
    let model = ModelFile::from_slice(Path::new("<built-in model>"), EMBEDDED_MODEL)?;
    Ok((model, "built-in".to_string()))
}

/// Like [`resolve_model_file`], ready to score.
pub fn resolve_model(explicit: Option<&Path>) -> Result<LoadedModel> {
    let (model, source) = resolve_model_file(explicit)?;
    Ok(LoadedModel {
        pipeline: model.into_pipeline()?,
        source,
    })
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
}

/// Rows of a `--batch` file read, scored (on every core) and written at a time.
pub const BATCH_CHUNK_ROWS: usize = 1024;

/// The output bytes of some rows of a --batch file, and the label of each.
type ScoredRows = (Vec<u8>, Vec<usize>);

/// Exit code of `score --fail-on LABEL` when some draft got that label.
pub const FAIL_ON_EXIT_CODE: i32 = 3;

pub fn run(args: Args) -> Result<i32> {
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
    };
    let mut seen = vec![false; model.pipeline.labels().len()];
    let terminal = std::io::stdin().is_terminal();
    if let Some(path) = &args.batch {
        scorer.batch(path, &args.text_column, &mut out, &mut seen)?;
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
        let drafts = if let Some(path) = &args.file {
            let bytes = crate::dataset::read_file(path)?;
            vec![String::from_utf8(bytes).map_err(|_| {
                Error::at(path, None, "the file is not valid UTF-8")
                    .with_hint("save it as UTF-8 text")
            })?]
        } else if args.drafts.is_empty() {
            if terminal && !crate::progress::is_quiet() {
                eprintln!("Type or paste a draft, then press Ctrl-D:");
            }
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Error::new(format!("cannot read standard input: {e}")))?;
            vec![text]
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
        if args.format == Format::Csv {
            write_csv_row(&mut out, &["text", "label", "probability", "top_terms"])?;
        }
        for (i, draft) in drafts.iter().enumerate() {
            if i > 0 && args.format == Format::Text {
                writeln!(out).map_err(write_error)?;
            }
            seen[scorer.write(draft, None, &[], &mut out)?] = true;
        }
    }
    out.flush().map_err(write_error)?;
    Ok(exit_code(fail_on, &seen))
}

/// 3 if some draft got the `--fail-on` label, else 0.
fn exit_code(fail_on: Option<usize>, seen: &[bool]) -> i32 {
    match fail_on {
        Some(label) if seen[label] => FAIL_ON_EXIT_CODE,
        _ => 0,
    }
}

/// What interactive mode read next.
enum Input {
    /// A draft (possibly several lines; blank if only empty lines were given).
    Draft(String),
    /// Ctrl-C: the draft being typed is dropped.
    Interrupted,
    /// Ctrl-D or the end of the input: leave.
    End,
}

/// Line editing of a whole draft: Enter adds a line, and Enter on an empty
/// line (or on an empty draft) hands the draft over. Keeping the draft in one
/// editing buffer lets arrow keys move across its lines, lets the up arrow
/// recall a whole earlier draft for editing, and keeps every line of a paste.
struct DraftEditor;

impl rustyline::validate::Validator for DraftEditor {
    fn validate(
        &self,
        ctx: &mut rustyline::validate::ValidationContext,
    ) -> rustyline::Result<rustyline::validate::ValidationResult> {
        use rustyline::validate::ValidationResult;
        let input = ctx.input();
        Ok(if input.trim().is_empty() || input.ends_with('\n') {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl rustyline::completion::Completer for DraftEditor {
    type Candidate = String;
}
impl rustyline::hint::Hinter for DraftEditor {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for DraftEditor {}
impl rustyline::Helper for DraftEditor {}

/// Where interactive drafts come from: a line editor on a terminal, plain lines
/// (a draft ends at an empty line) otherwise.
enum Drafts {
    Editor(Box<rustyline::Editor<DraftEditor, rustyline::history::DefaultHistory>>),
    Plain(std::io::StdinLock<'static>),
}

impl Drafts {
    fn open(terminal: bool) -> Result<Self> {
        if terminal {
            let mut editor = rustyline::Editor::new()
                .map_err(|e| Error::new(format!("cannot open the prompt: {e}")))?;
            editor.set_helper(Some(DraftEditor));
            Ok(Drafts::Editor(Box::new(editor)))
        } else {
            Ok(Drafts::Plain(std::io::stdin().lock()))
        }
    }

    fn read(&mut self) -> Result<Input> {
        use rustyline::error::ReadlineError;
        match self {
            Drafts::Editor(editor) => match editor.readline("draft> ") {
                Ok(draft) => {
                    if !draft.trim().is_empty() {
                        let _ = editor.add_history_entry(draft.trim_end());
                    }
                    Ok(Input::Draft(draft))
                }
                Err(ReadlineError::Interrupted) => Ok(Input::Interrupted),
                Err(ReadlineError::Eof) => Ok(Input::End),
                Err(e) => Err(Error::new(format!("cannot read the prompt: {e}"))),
            },
            Drafts::Plain(stdin) => {
                use std::io::BufRead;
                let mut draft = String::new();
                loop {
                    let mut line = String::new();
                    match stdin.read_line(&mut line) {
                        Ok(0) if draft.trim().is_empty() => return Ok(Input::End),
                        Ok(0) => return Ok(Input::Draft(draft)),
                        Ok(_) if line.trim().is_empty() => {
                            if !draft.trim().is_empty() {
                                return Ok(Input::Draft(draft));
                            }
                        }
                        Ok(_) => draft.push_str(&line),
                        Err(e) => {
                            return Err(Error::new(format!("cannot read standard input: {e}")));
                        }
                    }
                }
            }
        }
    }
}

/// Interactive mode: reads drafts one after another and prints each verdict at
/// once, until Ctrl-D or the end of the input.
fn prompt_loop(scorer: &Scorer, seen: &mut [bool], terminal: bool) -> Result<()> {
    let mut drafts = Drafts::open(terminal)?;
    if terminal && !crate::progress::is_quiet() {
        eprintln!(
            "Type or paste a draft; press Enter on an empty line to score it. \
             To edit it and try again, press the up arrow. \
             Ctrl-C drops the draft being typed, Ctrl-D leaves."
        );
    }
    let stdout = std::io::stdout();
    if scorer.format == Format::Csv {
        let mut out = stdout.lock();
        write_csv_row(&mut out, &["text", "label", "probability", "top_terms"])?;
        out.flush().map_err(write_error)?;
    }
    loop {
        match drafts.read()? {
            Input::Draft(draft) if !draft.trim().is_empty() => {
                let mut out = stdout.lock();
                let draft = draft.trim_end();
                seen[scorer.write(draft, None, &[], &mut out)?] = true;
                if terminal {
                    writeln!(out).map_err(write_error)?;
                }
                out.flush().map_err(write_error)?;
            }
            Input::Draft(_) | Input::Interrupted => {}
            Input::End => return Ok(()),
        }
    }
}

/// A cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR first)
/// gets a leading apostrophe, so that opening the file runs nothing.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Writes one CSV row (quoted as needed, formulas escaped).
fn write_csv_row<S: AsRef<str>>(out: &mut impl Write, cells: &[S]) -> Result<()> {
    let failed = |e: csv::Error| Error::new(format!("cannot write the output: {e}"));
    // A small buffer: this runs once per row of a batch.
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(256)
        .from_writer(out);
    for cell in cells {
        writer
            .write_field(spreadsheet_safe(cell.as_ref()).as_bytes())
            .map_err(failed)?;
    }
    writer.write_record(None::<&[u8]>).map_err(failed)?;
    writer.flush().map_err(write_error)
}

fn write_error(e: std::io::Error) -> Error {
    Error::new(format!("cannot write the output: {e}"))
}

struct Scorer<'a> {
    model: &'a LoadedModel,
    advice: &'a AdviceFile,
    format: Format,
    top: usize,
    /// Whether text output is coloured: only on a terminal, never with NO_COLOR.
    colour: bool,
}

/// The colour of a label in text output: red for desperate, green for composed,
/// cyan for any other.
fn label_style(label: &str) -> Style {
    let colour = match label {
        "desperate" => AnsiColor::Red,
        "composed" => AnsiColor::Green,
        _ => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(colour.into()))
}

/// The columns draftcheck adds to a batch CSV.
pub const ADDED_COLUMNS: [&str; 3] = ["label", "probability", "top_terms"];

/// The header of a batch CSV: the input's columns, then [`ADDED_COLUMNS`]. A name
/// the input already has gets the prefix `draftcheck_` (then a number, if that is
/// taken too), so that no name appears twice.
pub fn batch_header(input: &[String]) -> Vec<String> {
    let mut header = input.to_vec();
    for name in ADDED_COLUMNS {
        let mut candidate = name.to_string();
        let mut n = 1;
        while header.contains(&candidate) {
            candidate = if n == 1 {
                format!("draftcheck_{name}")
            } else {
                format!("draftcheck_{name}_{n}")
            };
            n += 1;
        }
        header.push(candidate);
    }
    header
}

impl Scorer<'_> {
    /// Scores each row of a CSV file, streaming, in input order; marks the labels seen.
    ///
    /// Rows are read in chunks of [`BATCH_CHUNK_ROWS`]; each chunk is scored on
    /// every core and written in order before the next is read, so memory stays
    /// flat whatever the size of the file. A bad row stops the run with its line,
    /// after every row before it has been written.
    fn batch(
        &self,
        path: &Path,
        text_column: &str,
        out: &mut impl Write,
        seen: &mut [bool],
    ) -> Result<()> {
        let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, &e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        let progress = crate::progress::bytes(size, format!("scoring {}", path.display()));
        let mut reader =
            reader_builder().from_reader(QuoteCounter::new(std::io::BufReader::new(file)));
        let headers = read_headers(path, &mut reader)?;
        let column = find_column(path, &headers, text_column, "--text-column")?;
        if self.format == Format::Csv {
            write_csv_row(out, &batch_header(&headers))?;
        }
        // Many lookups follow: index the vocabulary (loading alone does not).
        self.model.pipeline.vectorizer().build_index();
        let mut chunk: Vec<csv::ByteRecord> = Vec::with_capacity(BATCH_CHUNK_ROWS);
        let mut last_multiline = None;
        loop {
            // Read the next chunk, reusing the records' buffers.
            let mut used = 0;
            let mut stop: Option<Error> = None;
            while used < BATCH_CHUNK_ROWS {
                if chunk.len() == used {
                    chunk.push(csv::ByteRecord::new());
                }
                match reader.read_byte_record(&mut chunk[used]) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        stop = Some(csv_error(path, e));
                        break;
                    }
                }
                if let Err(e) = text_field(path, &chunk[used], column, text_column) {
                    stop = Some(e);
                    break;
                }
                last_multiline = multiline_at(&chunk[used]);
                used += 1;
            }
            if used == 0 && stop.is_none() {
                // The end: a quote left open swallowed the last rows into one.
                reader.get_ref().check_closed(path, last_multiline)?;
                break;
            }
            let rows = &chunk[..used];
            let per_thread = rows.len().div_ceil(rayon::current_num_threads()).max(1);
            let scored: Vec<Result<ScoredRows>> = rows
                .par_chunks(per_thread)
                .map(|part| self.score_rows(path, part, column, text_column))
                .collect();
            for part in scored {
                let (bytes, labels) = part?;
                out.write_all(&bytes).map_err(write_error)?;
                for label in labels {
                    seen[label] = true;
                }
            }
            progress.set_position(reader.position().byte());
            if let Some(e) = stop {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Scores rows of a --batch file into their output bytes and labels.
    fn score_rows(
        &self,
        path: &Path,
        rows: &[csv::ByteRecord],
        column: usize,
        text_column: &str,
    ) -> Result<ScoredRows> {
        let mut bytes = Vec::new();
        let mut labels = Vec::with_capacity(rows.len());
        for record in rows {
            let line = record.position().map_or(0, |p| p.line());
            let text = text_field(path, record, column, text_column)?;
            if self.format == Format::Text {
                writeln!(bytes, "── line {line}").map_err(write_error)?;
            }
            let columns: Vec<Cow<str>> = if self.format == Format::Csv {
                record.iter().map(String::from_utf8_lossy).collect()
            } else {
                Vec::new()
            };
            labels.push(self.write(text, Some(line), &columns, &mut bytes)?);
        }
        Ok((bytes, labels))
    }

    /// Scores one draft and writes it; returns the predicted label. `columns` are
    /// the input row's cells, repeated in CSV output (empty outside --batch).
    fn write(
        &self,
        draft: &str,
        line: Option<u64>,
        columns: &[Cow<str>],
        out: &mut impl Write,
    ) -> Result<usize> {
        let pipeline = &self.model.pipeline;
        let verdict = pipeline.score(draft);
        // CSV carries no advice: pick it only for the formats that show it.
        let advice = || self.advice.select(pipeline, &verdict);
        let text = match self.format {
            Format::Json => {
                let mut value =
                    verdict_json(pipeline, draft, &verdict, &advice(), &self.model.source);
                if let Some(line) = line {
                    value["line"] = json!(line);
                }
                format!("{value}\n")
            }
            Format::Text => self.verdict_text(draft, &verdict, &advice()),
            Format::Csv => {
                let mut top = String::new();
                for (i, c) in verdict.contributions.iter().take(self.top).enumerate() {
                    let separator = if i > 0 { "; " } else { "" };
                    let _ = std::fmt::Write::write_fmt(
                        &mut top,
                        format_args!("{separator}{} ({:+.2})", c.as_written(draft), c.weight),
                    );
                }
                let probability = format!("{:.4}", verdict.probability());
                let mut cells: Vec<&str> = if columns.is_empty() {
                    vec![draft]
                } else {
                    columns.iter().map(|c| c.as_ref()).collect()
                };
                cells.push(&pipeline.labels()[verdict.label]);
                cells.push(&probability);
                cells.push(&top);
                write_csv_row(out, &cells)?;
                return Ok(verdict.label);
            }
        };
        out.write_all(text.as_bytes()).map_err(write_error)?;
        Ok(verdict.label)
    }

    fn verdict_text(&self, draft: &str, verdict: &Verdict, advice: &[Advice]) -> String {
        let pipeline = &self.model.pipeline;
        let label = &pipeline.labels()[verdict.label];
        let name = self.advice.display_name(label);
        let p = verdict.probability();
        let width = textwrap::termwidth().clamp(40, 100);
        let paint = |style: Style, text: &str| -> String {
            if self.colour {
                format!("{style}{text}{style:#}")
            } else {
                text.to_string()
            }
        };
        let verdict_style = label_style(label).bold();
        let mut s = String::new();
        let headline = if verdict.is_borderline() {
            format!("Borderline: leans {name} ({})", percent(p))
        } else {
            format!("Reads as {name} ({} sure)", percent(p))
        };
        s.push_str(&paint(verdict_style, &headline));
        s.push('\n');
        let filled = (p * 20.0).round() as usize;
        if self.colour {
            s.push_str(&format!(
                "  {}{}\n",
                paint(label_style(label), &"█".repeat(filled)),
                "░".repeat(20 - filled)
            ));
        } else {
            s.push_str(&format!(
                "  [{}{}]\n",
                "#".repeat(filled),
                ".".repeat(20 - filled)
            ));
        }
        if pipeline.labels().len() > 2 || verdict.is_borderline() {
            let all: Vec<String> = pipeline
                .labels()
                .iter()
                .zip(&verdict.probabilities)
                .map(|(l, p)| format!("{l} {}", percent(*p)))
                .collect();
            s.push_str(&format!("  ({})\n", all.join(", ")));
        }
        let shown: Vec<_> = verdict.contributions.iter().take(self.top).collect();
        if shown.is_empty() {
            s.push_str("None of the draft's words are in the model's vocabulary, so this rests on the model's prior alone.\n");
        } else {
            // The draft itself, with the words that pushed toward the verdict marked.
            let mut spans: Vec<std::ops::Range<usize>> = shown
                .iter()
                .filter(|c| c.weight > 0.0)
                .flat_map(|c| c.spans.iter().cloned())
                .collect();
            spans.sort_by_key(|r| r.start);
            let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
            for span in spans {
                match merged.last_mut() {
                    Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                    _ => merged.push(span),
                }
            }
            let mut marked = String::new();
            let mut at = 0;
            for span in &merged {
                marked.push_str(&draft[at..span.start]);
                let word = &draft[span.clone()];
                marked.push_str(&if self.colour {
                    paint(label_style(label).bold().underline(), word)
                } else {
                    format!("[{word}]")
                });
                at = span.end;
            }
            marked.push_str(&draft[at..]);
            let flat = marked.split_whitespace().collect::<Vec<_>>().join(" ");
            s.push_str(&format!(
                "In your draft ({} marks what pushed it there):\n",
                if self.colour { "colour" } else { "[ ]" }
            ));
            let options = textwrap::Options::new(width)
                .initial_indent("    ")
                .subsequent_indent("    ");
            for line in textwrap::wrap(&flat, options) {
                s.push_str(&line);
                s.push('\n');
            }
            s.push_str(&format!(
                "Words that weighed most (+ toward {label}, - against):\n"
            ));
            for c in shown {
                let quoted = c.as_written(draft);
                let weight = format!("{:+.2}", c.weight);
                let weight = if c.weight > 0.0 {
                    paint(label_style(label), &weight)
                } else {
                    weight
                };
                s.push_str(&format!("  {weight}  {quoted}\n"));
            }
        }
        if !advice.is_empty() {
            s.push_str(&paint(Style::new().bold(), "Advice:"));
            s.push('\n');
            for a in advice {
                s.push_str(&format!("  * {}\n", paint(Style::new().bold(), &a.section)));
                let options = textwrap::Options::new(width)
                    .initial_indent("    ")
                    .subsequent_indent("    ");
                for line in textwrap::wrap(&a.summary, options) {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        }
        s.push_str(&paint(
            Style::new().dimmed(),
            &format!("(model: {})", self.model.source),
        ));
        s.push('\n');
        s
    }
}

/// A probability as a whole percentage that never claims a certainty it lacks:
/// 0.996 is ">99%", not "100%".
fn percent(p: f64) -> String {
    if p > 0.99 && p < 1.0 {
        ">99%".to_string()
    } else if p < 0.01 && p > 0.0 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

/// The JSON object for one verdict.
pub fn verdict_json(
    pipeline: &Pipeline,
    draft: &str,
    verdict: &Verdict,
    advice: &[Advice],
    source: &str,
) -> serde_json::Value {
    let labels = pipeline.labels();
    let probabilities: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .zip(&verdict.probabilities)
        .map(|(l, p)| (l.clone(), json!(p)))
        .collect();
    let contributions: Vec<serde_json::Value> = verdict
        .contributions
        .iter()
        .map(|c| json!({"term": c.term, "text": c.as_written(draft), "weight": c.weight}))
        .collect();
    json!({
        "label": labels[verdict.label],
        "probability": verdict.probability(),
        "probabilities": probabilities,
        "borderline": verdict.is_borderline(),
        "logit": verdict.logit,
        "intercept": verdict.intercept,
        "contributions": contributions,
        "advice": advice,
        "model": source,
    })
}

//! Interactive `score`: a prompt on a terminal (a whole draft in one editing
//! buffer), or drafts separated by empty lines on piped input.

use std::io::Write;

use crate::cmd::score::csv_out::write_csv_row;
use crate::cmd::score::{Format, Scorer, write_error};
use crate::error::{Error, Result};

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
pub fn prompt_loop(scorer: &Scorer, seen: &mut [bool], terminal: bool) -> Result<()> {
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
    // The previous version's label and probability, to say how an edit moved
    // the verdict.
    let mut previous: Option<(usize, f64)> = None;
    loop {
        match drafts.read()? {
            Input::Draft(draft) if !draft.trim().is_empty() => {
                let mut out = stdout.lock();
                let draft = draft.trim_end();
                let now = scorer.write(draft, None, &[], &mut out)?;
                seen[now.0] = true;
                if scorer.format == Format::Text {
                    if let Some(before) = previous {
                        writeln!(out, "{}", scorer.movement(before, now)).map_err(write_error)?;
                    }
                    previous = Some(now);
                }
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

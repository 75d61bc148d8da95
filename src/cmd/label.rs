//! `draftcheck label --pool PATH.csv`: label suggested drafts, one key each.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::atomic::write_atomically;
use crate::cmd::add::{append, remove_last};
use crate::cmd::audit::fold;
use crate::cmd::suggest::{PoolArgs, rank};
use crate::dataset::{read_optional_column, sha256_hex};
use crate::error::{Error, Result};
use crate::files::read_file;
use crate::model::resolve::resolve_model;

/// Label the drafts `suggest` picks from a pool, one key per label.
///
/// Each draft is shown with the model's guess; type the number of its label
/// and Enter, `s` to skip, `u` to undo the last label, `q` to quit. Each label
/// is appended to --data through the same safe path as `add` (locked, atomic).
/// The pool is never modified: labelled drafts are remembered by hash in a
/// file beside it (`.POOL.labelled`), so they are not offered again.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck label --pool clients.csv\n  \
draftcheck label --pool clients.csv --data data/drafts.csv --n 50")]
pub struct Args {
    #[command(flatten)]
    pub pool: PoolArgs,
}

/// The file that remembers which pool drafts were labelled: `.NAME.labelled`.
pub fn memory_path(pool: &Path) -> PathBuf {
    crate::files::hidden_beside(pool, "labelled")
}

fn hash(text: &str) -> String {
    sha256_hex(fold(text).as_bytes())
}

fn read_memory(path: &Path) -> Result<Vec<String>> {
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let bytes = read_file(path)?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

fn write_memory(path: &Path, hashes: &[String]) -> Result<()> {
    write_atomically(path, |w| {
        for h in hashes {
            writeln!(w, "{h}")?;
        }
        Ok(())
    })
}

pub fn run(args: Args) -> Result<i32> {
    let texts = args.pool.read()?;
    let model = resolve_model(args.pool.model.as_deref())?;
    let pipeline = &model.pipeline;
    if !args.pool.data.is_file() {
        return Err(
            Error::new(format!("{} does not exist", args.pool.data.display()))
                .with_hint("pass the labelled data file with --data PATH"),
        );
    }
    let memory = memory_path(&args.pool.pool);
    let mut labelled = read_memory(&memory)?;
    let done: HashSet<&String> = labelled.iter().collect();
    let pending: Vec<String> = texts
        .iter()
        .filter(|t| !done.contains(&hash(t)))
        .cloned()
        .collect();
    let known: HashSet<String> = read_optional_column(&args.pool.data, "text")?
        .unwrap_or_default()
        .iter()
        .map(|t| fold(t))
        .collect();
    let picks = rank(
        pipeline,
        &pending,
        &known,
        args.pool.n,
        args.pool.explore,
        args.pool.seed,
    );
    let labels = pipeline.labels();
    let keys: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{} {l}", i + 1))
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    use crate::cmd::write_error;
    writeln!(
        out,
        "{} drafts to label ({} already labelled from this pool). Keys: {}, s skip, u undo, q quit.",
        picks.len(),
        labelled.len(),
        keys.join(", ")
    )
    .map_err(write_error)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    // The drafts labelled in this session, for undo.
    let mut history: Vec<String> = Vec::new();
    let mut count = 0usize;
    let mut i = 0;
    while i < picks.len() {
        let pick = &picks[i];
        let flat: String = pick.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let flat = crate::terminal::terminal_safe(&flat);
        writeln!(
            out,
            "\n[{}/{}] “{flat}”\n  model: {} ({})",
            i + 1,
            picks.len(),
            pick.label,
            crate::cmd::score::percent(pick.probability)
        )
        .map_err(write_error)?;
        let Some(answer) = crate::cmd::ask(&mut out, &mut input, "label> ")? else {
            break;
        };
        match answer.as_str() {
            "q" => break,
            "s" | "" => i += 1,
            "u" => match history.pop() {
                Some(text) => {
                    if remove_last(&args.pool.data, "text", &text)? {
                        let h = hash(&text);
                        labelled.retain(|x| x != &h);
                        write_memory(&memory, &labelled)?;
                        count -= 1;
                        writeln!(
                            out,
                            "  undone: the last label was removed from {}",
                            args.pool.data.display()
                        )
                        .map_err(write_error)?;
                        i = i.saturating_sub(1);
                    } else {
                        writeln!(
                            out,
                            "  cannot undo: {} changed since",
                            args.pool.data.display()
                        )
                        .map_err(write_error)?;
                    }
                }
                None => writeln!(out, "  nothing to undo").map_err(write_error)?,
            },
            _ => match answer
                .parse::<usize>()
                .ok()
                .filter(|k| (1..=labels.len()).contains(k))
            {
                Some(k) => {
                    let label = &labels[k - 1];
                    let added = append(&args.pool.data, "text", "label", &pick.text, label, false)?;
                    labelled.push(hash(&pick.text));
                    write_memory(&memory, &labelled)?;
                    history.push(pick.text.clone());
                    count += 1;
                    writeln!(
                        out,
                        "  added as '{label}' (row {} of {})",
                        added.row,
                        args.pool.data.display()
                    )
                    .map_err(write_error)?;
                    i += 1;
                }
                None => writeln!(out, "  keys: {}, s skip, u undo, q quit", keys.join(", "))
                    .map_err(write_error)?,
            },
        }
    }
    writeln!(
        out,
        "\n{count} labelled this session. To use them, retrain: draftcheck train --data {}",
        args.pool.data.display()
    )
    .map_err(write_error)?;
    Ok(0)
}

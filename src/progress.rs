//! What the user sees while long work runs: progress bars and spinners on
//! standard error (indicatif), and the narration of a command's steps.
//!
//! Bars draw only when standard error is a terminal and `--quiet` is off, so
//! pipes, logs and scripts get clean output. `--quiet` also silences the
//! narration printed with [`say!`](crate::say), leaving results and errors.
//! Every bar clears itself when dropped, so an error is never drawn under a
//! half-finished bar.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Turns narration and progress off (`--quiet`) or on.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` is in effect.
pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints a line of narration to standard output, unless `--quiet`.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        if !$crate::progress::is_quiet() {
            println!($($arg)*);
        }
    };
}

/// Prints a note about the run (e.g. a setting adapted to the data's size),
/// unless `--quiet`: to standard output beside text results, to standard
/// error when the results are JSON or CSV, so that they stay parseable.
pub fn note(text: &str, machine_output: bool) {
    if is_quiet() {
        return;
    }
    if machine_output {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
}

fn target() -> ProgressDrawTarget {
    if is_quiet() {
        ProgressDrawTarget::hidden()
    } else {
        // Hidden by indicatif itself when standard error is not a terminal.
        ProgressDrawTarget::stderr()
    }
}

/// A bar counting `len` steps (fits, folds, rows), with elapsed time and ETA.
pub fn bar(len: u64, message: impl Into<String>) -> ProgressBar {
    counter(len, "{pos}/{len}", message.into())
}

/// A bar over the bytes of a file being read (for streams of unknown row count).
pub fn bytes(len: u64, message: impl Into<String>) -> ProgressBar {
    counter(len, "{bytes}/{total_bytes}", message.into())
}

/// A ticking bar of `len` units, its position shown by `position` (a template).
fn counter(len: u64, position: &str, message: String) -> ProgressBar {
    let bar =
        ProgressBar::with_draw_target(Some(len), target()).with_finish(ProgressFinish::AndClear);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner:.cyan}} {{msg}} [{{bar:30.cyan/blue}}] {position} ({{elapsed}}, about {{eta}} left)"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A spinner for one step of unknown length; change its message as work moves on.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, target()).with_finish(ProgressFinish::AndClear);
    bar.set_style(
        ProgressStyle::with_template("{spinner:.cyan} {msg} ({elapsed})").expect("valid template"),
    );
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

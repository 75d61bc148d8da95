//! The `draftcheck` command line: one module per command, each with its usage
//! text, its argument struct and one `run` function. Options shared by several
//! commands (data columns, feature and model settings) live here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::Result;
use crate::model::{ClassifierSettings, Settings};
use crate::text::{AnalyzerSettings, Selection, VectorizerSettings, Weighting};

pub mod add;
pub mod audit;
pub mod audit_review;
pub mod completions;
pub mod evaluate;
pub mod info;
pub mod label;
pub mod man;
pub mod score;
pub mod suggest;
pub mod train;

/// The version line: the tool's version and the model format it reads and writes.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (model format 2)");

/// Below this many drafts, min_df defaults to 1 instead of 2. Measured on
/// balanced samples of the bundled drafts (3 seeds each, 5-fold CV; README,
/// "Small data"): min_df 1 scores 2 to 4.5 points higher at 60 to 200 drafts,
/// and the two are within half a point from 400 on, where min_df 2's smaller
/// model wins.
pub const SMALL_DATA_ROWS: usize = 400;

/// The default training data, relative to the current folder.
pub const DEFAULT_DATA: &str = "data/drafts.csv";
/// The default model path, relative to the current folder.
pub const DEFAULT_MODEL: &str = "models/drafts.json";

#[derive(Debug, Parser)]
#[command(
    name = "draftcheck",
    version,
    about = "Check a message to an ex before you send it: does it read as desperate or composed?",
    long_about = "Check a message to an ex before you send it.\n\n\
draftcheck is a text classifier: trained on labelled drafts, it tells whether a new \
draft reads as desperate/materialistic (gifts, flowers, love letters, pleading, \
pressure) or composed and independent, how sure it is, which words pushed it there, \
and what the advice it is built on says about that.",
    after_help = "Examples:\n  \
draftcheck score \"I bought you a necklace, please call me\"\n  \
draftcheck score                      (no draft: type or paste drafts at a prompt)\n  \
draftcheck train --data data/drafts.csv --model models/drafts.json\n  \
draftcheck evaluate --folds 5\n\n\
Exit codes:\n  \
0  success\n  \
1  error (bad data, unreadable model, a worse model refused, ...)\n  \
2  usage error (unknown option, bad value)\n  \
3  score --fail-on LABEL: some draft got that label",
    version = VERSION,
    propagate_version = true
)]
pub struct Cli {
    /// Print only results and errors: no progress bars, no narration.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Train(train::Args),
    Score(score::Args),
    Suggest(suggest::Args),
    Evaluate(evaluate::Args),
    Add(add::Args),
    Audit(audit::Args),
    Info(info::Args),
    Label(label::Args),
    Completions(completions::Args),
    Man(man::Args),
}

/// Runs a parsed command line; returns the process exit code on success.
impl Cli {
    /// Parses the command line as `Cli::parse` does, and also tells `train`
    /// which options were given on it (the others may take the values of the
    /// model it replaces).
    pub fn parse_with_sources() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command()
            .try_get_matches()
            .unwrap_or_else(|e| usage_exit(e));
        let mut cli = Cli::from_arg_matches(&matches)
            .unwrap_or_else(|e| usage_exit(e.format(&mut Cli::command())));
        if let (Command::Train(args), Some(("train", sub))) =
            (&mut cli.command, matches.subcommand())
        {
            args.given = sub
                .ids()
                .filter(|id| {
                    sub.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine)
                })
                .map(|id| id.to_string())
                .collect();
        }
        cli
    }
}

/// Exits with clap's usage error `e` (or its help, or version). A draft
/// passed as an argument is untrusted text, and a usage error quotes the
/// command line: when an argument holds a character that could drive a
/// terminal, the error is built again without colours, and
/// printed with those characters replaced, as every view prints a draft
/// ([`crate::terminal::terminal_safe`]). Help quotes nothing and keeps its
/// colours.
fn usage_exit(e: clap::Error) -> ! {
    let quoted_unsafe = std::env::args_os().any(|a| {
        a.to_string_lossy()
            .chars()
            .any(crate::terminal::unsafe_on_a_terminal)
    });
    if !quoted_unsafe || !e.use_stderr() {
        e.exit()
    }
    use clap::{CommandFactory, FromArgMatches};
    let mut plain = Cli::command().styles(clap::builder::Styles::plain());
    // The same arguments fail the same way (in parsing, or in reading the
    // matches); should they not, the first error is printed, made safe.
    let e = match plain.clone().try_get_matches() {
        Err(again) => again,
        Ok(matches) => match Cli::from_arg_matches(&matches) {
            Err(again) => again.format(&mut plain),
            Ok(_) => e,
        },
    };
    let text = e.render().ansi().to_string();
    eprint!("{}", crate::terminal::terminal_safe(&text));
    std::process::exit(e.exit_code())
}

pub fn run(cli: Cli) -> Result<i32> {
    crate::progress::set_quiet(cli.quiet);
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Score(args) => score::run(args),
        Command::Suggest(args) => suggest::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Add(args) => add::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Info(args) => info::run(args),
        Command::Label(args) => label::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    };
    // The library names a bad setting by its field; here it is an option.
    result.map_err(|e| e.for_flags(SETTING_FLAGS))
}

/// Where the labelled data is and which columns hold the text and the label.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Labelled CSV file (UTF-8, with a header row).
    #[arg(long, value_name = "PATH", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    #[command(flatten)]
    pub text_column: TextColumnArgs,
    /// Column holding the label.
    #[arg(long, value_name = "NAME", default_value = "label")]
    pub label_column: String,
}

/// `--text-column`, the same for every command that reads drafts from a CSV
/// (`--data`, `--pool`, `score --batch`).
#[derive(Debug, Clone, Args)]
pub struct TextColumnArgs {
    /// Column holding the draft's text [default: text].
    #[arg(long = "text-column", value_name = "NAME")]
    pub given: Option<String>,
}

impl TextColumnArgs {
    /// The column's name: the one given, else `text`.
    pub fn name(&self) -> &str {
        self.given.as_deref().unwrap_or("text")
    }
}

impl std::ops::Deref for TextColumnArgs {
    type Target = str;

    fn deref(&self) -> &str {
        self.name()
    }
}

impl DataArgs {
    /// Loads the labelled data (an error names --data).
    pub fn load(&self) -> Result<crate::dataset::Dataset> {
        crate::dataset::load_labelled(&self.data, &self.text_column, &self.label_column)
            .map_err(|e| e.for_option("--data"))
    }
}

/// Resources a fit may use.
#[derive(Debug, Clone, Args)]
pub struct ResourceArgs {
    /// Most memory a fit's feature matrix may take, e.g. 512MiB or 8GiB: rows x
    /// terms x 4 bytes on the dense (linfa) path, 32 bytes per term occurrence on
    /// the sparse one. Above it, training stops before allocating and says what to
    /// change; a CSV too large for it stops before it is read.
    #[arg(long, value_name = "SIZE", default_value = "2GiB", value_parser = crate::model::budget::parse_budget)]
    pub memory_budget: u64,
}

impl ResourceArgs {
    /// Checks a data file against the budget before it is read (only large files
    /// are counted), and gives a trainer the budget.
    pub fn precheck(&self, data: &std::path::Path) -> Result<()> {
        crate::model::budget::precheck_file(data, self.memory_budget)
    }
}

/// Settings of the text pipeline and the classifier (stored in the model).
///
/// The options marked "list" take comma-separated values (`--alpha 0.1,1,10`):
/// `evaluate` cross-validates every combination, `train` takes one of each.
#[derive(Debug, Clone, Args)]
pub struct FeatureArgs {
    /// L2 regularisation strength, positive; scikit-learn's C = 1/alpha (list).
    #[arg(
        long,
        value_name = "A",
        value_delimiter = ',',
        default_value = "0.01",
        allow_hyphen_values = true,
        help_heading = "Model"
    )]
    pub alpha: Vec<f64>,
    /// Most solver (L-BFGS) iterations.
    #[arg(long, value_name = "N", default_value_t = ClassifierSettings::default().max_iterations, help_heading = "Model")]
    pub max_iterations: u64,
    /// Stop the solver when the gradient of the mean loss per row is below this.
    #[arg(long, value_name = "T", default_value_t = ClassifierSettings::default().gradient_tolerance, allow_hyphen_values = true, help_heading = "Model")]
    pub tolerance: f64,
    /// Solver: linfa (linfa-logistic on the dense matrix), sparse (L-BFGS on the
    /// sparse matrix), or auto: linfa while the dense matrix has at most a million
    /// cells (rows x terms), sparse above. The same model either way.
    #[arg(long, value_enum, default_value = "auto", help_heading = "Model")]
    pub solver: crate::model::solver::SolverChoice,
    /// Word n-gram lengths, MIN-MAX or N, e.g. 1-2 (list).
    #[arg(long, value_name = "MIN-MAX", value_delimiter = ',', default_value = "1-2", value_parser = parse_ngrams, help_heading = "Features")]
    pub ngrams: Vec<(usize, usize)>,
    /// Keep terms found in at least this many drafts (list) [default: 2, or 1
    /// for fewer than 400 drafts].
    #[arg(
        long,
        value_name = "N",
        value_delimiter = ',',
        help_heading = "Features"
    )]
    pub min_df: Vec<usize>,
    /// Drop terms found in more than this fraction of drafts.
    #[arg(long, value_name = "F", default_value_t = VectorizerSettings::default().max_df, help_heading = "Features")]
    pub max_df: f64,
    /// Keep at most this many terms, picked by --select; 0 = all (list).
    #[arg(
        long,
        value_name = "N",
        value_delimiter = ',',
        default_value = "0",
        help_heading = "Features"
    )]
    pub max_features: Vec<usize>,
    /// How --max-features picks terms: by chi-squared against the labels, or by frequency.
    #[arg(long, value_enum, default_value = "chi2", help_heading = "Features")]
    pub select: Selection,
    /// Term weighting (list).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "tfidf",
        help_heading = "Features"
    )]
    pub weighting: Vec<Weighting>,
    /// Do not scale each draft's vector to unit length.
    #[arg(long, help_heading = "Features", overrides_with = "normalize")]
    pub no_normalize: bool,
    /// Scale each draft's vector to unit length (the default; undoes a
    /// --no-normalize that `train` would keep from the model it replaces).
    #[arg(long, help_heading = "Features", overrides_with = "no_normalize")]
    pub normalize: bool,
    /// Snowball stemmer language, or "none".
    #[arg(
        long,
        value_name = "LANG",
        default_value = "english",
        help_heading = "Features"
    )]
    pub language: String,
    /// Also count the terms of the draft's last N sentences on their own, as
    /// ending terms ("<end> call me"), so that what a draft ends on weighs
    /// apart from the rest; 0 = none (list).
    #[arg(
        long,
        value_name = "N",
        value_delimiter = ',',
        default_value = "0",
        value_parser = parse_ending,
        help_heading = "Features"
    )]
    pub ending: Vec<usize>,
    /// Do not add marker terms for "!!", "??", CAPITALS, numbers and emoji.
    #[arg(long, help_heading = "Features", overrides_with = "markers")]
    pub no_markers: bool,
    /// Add the marker terms (the default; undoes a --no-markers that `train`
    /// would keep from the model it replaces).
    #[arg(long, help_heading = "Features", overrides_with = "no_markers")]
    pub markers: bool,
}

impl FeatureArgs {
    /// Every combination of the list options, in a fixed order (validated later,
    /// by `Settings::check`).
    pub fn grid(&self) -> Vec<Settings> {
        let mut grid = Vec::new();
        let default_min_df = [VectorizerSettings::default().min_df];
        let min_dfs = if self.min_df.is_empty() {
            &default_min_df[..]
        } else {
            &self.min_df[..]
        };
        for &(ngram_min, ngram_max) in &self.ngrams {
            for &ending in &self.ending {
                for &min_df in min_dfs {
                    for &max_features in &self.max_features {
                        for &weighting in &self.weighting {
                            for &alpha in &self.alpha {
                                grid.push(Settings {
                                    analyzer: AnalyzerSettings {
                                        language: self.language.clone(),
                                        ngram_min,
                                        ngram_max,
                                        markers: !self.no_markers,
                                        ending,
                                    },
                                    vectorizer: VectorizerSettings {
                                        min_df,
                                        max_df: self.max_df,
                                        max_features,
                                        selection: self.select,
                                        weighting,
                                        l2_normalize: !self.no_normalize,
                                    },
                                    classifier: ClassifierSettings {
                                        alpha,
                                        max_iterations: self.max_iterations,
                                        gradient_tolerance: self.tolerance,
                                        solver: self.solver,
                                    },
                                });
                            }
                        }
                    }
                }
            }
        }
        grid
    }

    /// Adapts the settings to a data set of `rows` drafts where an option was left
    /// at its default: below [`SMALL_DATA_ROWS`], min_df is 1 (with min_df 2, a
    /// few dozen drafts have hardly any term in two of them). Returns what was
    /// changed, to tell the user.
    pub fn adapt_to_size(&self, settings: &mut Settings, rows: usize) -> Option<String> {
        if !self.min_df.is_empty() || rows >= SMALL_DATA_ROWS || settings.vectorizer.min_df == 1 {
            return None;
        }
        settings.vectorizer.min_df = 1;
        Some(format!(
            "{rows} drafts, fewer than {SMALL_DATA_ROWS}: keeping terms seen in a single draft too (min_df 1; \
             pass --min-df 2 to drop them)"
        ))
    }

    /// The one combination these options describe; several values of an option
    /// are a usage error here (they are for `evaluate`).
    pub fn single(&self) -> Result<Settings> {
        let mut grid = self.grid();
        if grid.len() != 1 {
            return Err(crate::Error::usage(format!(
                "these options describe {} combinations of settings, but a model has one",
                grid.len()
            ))
            .with_hint("give one value per option; compare several with `draftcheck evaluate`"));
        }
        Ok(grid.remove(0))
    }
}

/// Parses "1-2" or "2" into an n-gram range, checked by the analyzer's rule.
pub fn parse_ngrams(s: &str) -> std::result::Result<(usize, usize), String> {
    let bad = || format!("'{s}' is not an n-gram range: use MIN-MAX such as 1-2, or one number");
    let (min, max) = match s.split_once('-') {
        Some((a, b)) => (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        ),
        None => {
            let n = s.trim().parse().map_err(|_| bad())?;
            (n, n)
        }
    };
    crate::text::analyzer::check_ngram_range(min, max)?;
    Ok((min, max))
}

/// Parses `--ending`'s number of sentences, checked by the analyzer's rule.
pub fn parse_ending(s: &str) -> std::result::Result<usize, String> {
    let n = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of sentences: use 0 (none) or e.g. 2"))?;
    crate::text::analyzer::check_ending(n)?;
    Ok(n)
}

/// The options that give each setting: what [`Error::for_flags`] maps a bad
/// setting's field to.
///
/// [`Error::for_flags`]: crate::Error::for_flags
pub const SETTING_FLAGS: &[(&str, &str)] = &[
    ("classifier.alpha", "--alpha"),
    ("classifier.max_iterations", "--max-iterations"),
    ("classifier.gradient_tolerance", "--tolerance"),
    ("vectorizer.min_df", "--min-df"),
    ("vectorizer.max_df", "--max-df"),
    ("analyzer.ngram_min/ngram_max", "--ngrams"),
    ("analyzer.language", "--language"),
    ("analyzer.ending", "--ending"),
    ("test_fraction", "--test-fraction"),
    ("folds", "--folds"),
];

/// The error of a failed write to standard output (a closed pipe, a full disk).
pub fn write_error(e: std::io::Error) -> crate::Error {
    crate::Error::new(format!("cannot write the output: {e}"))
}

/// Shows `prompt` and reads one answer, trimmed and lower-cased; None at the
/// end of the input (Ctrl-D, or the end of a piped script).
pub fn ask(
    out: &mut impl std::io::Write,
    input: &mut impl std::io::BufRead,
    prompt: &str,
) -> Result<Option<String>> {
    write!(out, "{prompt}").map_err(write_error)?;
    out.flush().map_err(write_error)?;
    let mut line = String::new();
    let read = input
        .read_line(&mut line)
        .map_err(|e| crate::Error::new(format!("cannot read the answer: {e}")))?;
    Ok((read > 0).then(|| line.trim().to_lowercase()))
}

/// Output format of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text.
    Text,
    /// One JSON object per line.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        features: FeatureArgs,
    }

    #[test]
    fn version_names_the_model_format() {
        let format = crate::model::file::FORMAT_VERSION;
        assert!(
            VERSION.ends_with(&format!("(model format {format})")),
            "{VERSION}"
        );
        assert!(VERSION.starts_with(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn option_defaults_are_the_settings_defaults() {
        let args = Wrapper::parse_from(["x"]);
        assert_eq!(args.features.single().unwrap(), Settings::default());
    }

    #[test]
    fn lists_expand_to_every_combination() {
        let args = Wrapper::parse_from(["x", "--alpha", "0.1,1,10", "--ngrams", "1,1-2"]);
        let grid = args.features.grid();
        assert_eq!(grid.len(), 6);
        assert_eq!(grid[0].analyzer.ngram_max, 1);
        assert_eq!(grid[5].classifier.alpha, 10.0);
        assert_eq!(args.features.single().unwrap_err().exit_code(), 2);
    }

    #[test]
    fn ngram_ranges_parse_and_are_checked() {
        assert_eq!(parse_ngrams("1-2"), Ok((1, 2)));
        assert_eq!(parse_ngrams("3"), Ok((3, 3)));
        for bad in ["3-1", "0", "1-9", "a-b", ""] {
            assert!(parse_ngrams(bad).is_err(), "{bad}");
        }
    }
}

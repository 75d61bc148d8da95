//! One error type for the whole tool.
//!
//! Every error says what went wrong and where (file and line when there is one),
//! and, where it can, what the user should do about it. The binary prints it on a
//! single line and maps its [`ErrorKind`] to an exit code.

use std::fmt;
use std::path::Path;

/// What sort of failure this is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line itself is wrong (exit code 2, like clap's own errors).
    Usage,
    /// Anything else: bad data, bad model file, I/O failure (exit code 1).
    Failure,
}

/// A user-facing error: the problem, and optionally what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
    /// For a bad setting: the field it names (e.g. `classifier.alpha`) and what
    /// is wrong with it, so that a command can name its option instead
    /// ([`Error::for_flags`]).
    setting: Option<(&'static str, String)>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The hint of a file that does not exist, until a command names its option
/// ([`Error::for_option`]).
const NOT_FOUND_HINT: &str = "check the path";

impl Error {
    /// A failure (exit code 1) with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Failure,
            message: message.into(),
            hint: None,
            setting: None,
        }
    }

    /// A setting that is out of range: "`field` `problem`", e.g. "classifier.alpha
    /// must be a positive number, got -1". A failure (a model file's settings),
    /// until a command maps the field to its option ([`Error::for_flags`]).
    pub fn setting(field: &'static str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        let mut error = Error::new(format!("{field} {problem}"));
        error.setting = Some((field, problem));
        error
    }

    /// The setting this error is about, if it is about one.
    pub fn setting_field(&self) -> Option<&'static str> {
        self.setting.as_ref().map(|(field, _)| *field)
    }

    /// For an error about a setting that `flags` gives as a command-line option
    /// (pairs of field and option): a usage error naming the option instead.
    pub fn for_flags(mut self, flags: &[(&str, &str)]) -> Self {
        if let Some((field, problem)) = &self.setting
            && let Some((_, flag)) = flags.iter().find(|(f, _)| f == field)
        {
            // Only the setting's own words change: context added around them
            // (`within`) stays.
            self.message = self
                .message
                .replace(&format!("{field} {problem}"), &format!("{flag} {problem}"));
            self.kind = ErrorKind::Usage;
        }
        self
    }

    /// A usage error (exit code 2): a bad option value or a bad combination of options.
    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Usage,
            message: message.into(),
            hint: None,
            setting: None,
        }
    }

    /// An error about a file, optionally at a line: `path:line: message`.
    pub fn at(path: &Path, line: Option<u64>, message: impl fmt::Display) -> Self {
        let message = match line {
            Some(line) => format!("{}:{}: {}", path.display(), line, message),
            None => format!("{}: {}", path.display(), message),
        };
        Error::new(message)
    }

    /// An I/O error while doing `action` on `path`.
    pub fn io(action: &str, path: &Path, err: &std::io::Error) -> Self {
        let hint = match err.kind() {
            std::io::ErrorKind::NotFound => NOT_FOUND_HINT,
            std::io::ErrorKind::PermissionDenied => {
                "check the permissions of the file and its folder"
            }
            _ => "check that the path is right and the disk is writable",
        };
        Error::new(format!("cannot {} {}: {}", action, path.display(), err)).with_hint(hint)
    }

    /// Names the option that gives `path` in the hint of a missing file: "check
    /// the path, or pass the right one with --data".
    pub fn for_option(mut self, option: &str) -> Self {
        if self.hint.as_deref() == Some(NOT_FOUND_HINT) {
            self.hint = Some(format!(
                "check the path, or pass the right one with {option}"
            ));
        }
        self
    }

    /// Says where the error happened, before the message: "fold 2 of 5: ...".
    pub fn within(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// Adds (or replaces) the advice on what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Exit code for this error: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Usage => 2,
            ErrorKind::Failure => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

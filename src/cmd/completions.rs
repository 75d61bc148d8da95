//! `draftcheck completions`: shell completion scripts (clap_complete).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cmd::Cli;
use crate::error::Result;

/// Print a shell completion script for draftcheck.
///
/// Load it in the current shell, or save it where your shell looks for completions.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
bash:        source <(draftcheck completions bash)\n               \
(or save it as ~/.local/share/bash-completion/completions/draftcheck)\n  \
zsh:         draftcheck completions zsh > ~/.zfunc/_draftcheck\n               \
(with fpath+=(~/.zfunc); autoload -U compinit; compinit in ~/.zshrc)\n  \
fish:        draftcheck completions fish > ~/.config/fish/completions/draftcheck.fish\n  \
powershell:  draftcheck completions powershell | Out-String | Invoke-Expression")]
pub struct Args {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: Args) -> Result<i32> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "draftcheck", &mut out);
    use std::io::Write;
    std::io::stdout()
        .write_all(&out)
        .map_err(crate::cmd::write_error)?;
    Ok(0)
}

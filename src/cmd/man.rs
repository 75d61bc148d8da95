//! `draftcheck man`: the manual page, in roff (clap_mangen).

use std::io::Write;
use std::path::PathBuf;

use clap::CommandFactory;

use crate::atomic::write_atomically;
use crate::cmd::Cli;
use crate::error::{Error, Result};

/// Print the manual page (roff), or write one page per command to a folder.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
draftcheck man | man -l -\n  \
draftcheck man --dir ~/.local/share/man/man1      (then: man draftcheck-score)")]
pub struct Args {
    /// Write draftcheck.1 and one draftcheck-COMMAND.1 per command into this folder.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32> {
    let command = Cli::command();
    match &args.dir {
        None => {
            let mut out = Vec::new();
            render(&command, &mut out)?;
            std::io::stdout()
                .write_all(&out)
                .map_err(crate::cmd::write_error)?;
        }
        Some(dir) => {
            let mut pages = vec![(String::from("draftcheck"), command.clone())];
            for sub in command.get_subcommands() {
                let name = format!("draftcheck-{}", sub.get_name());
                pages.push((name.clone(), sub.clone().display_name(name)));
            }
            for (name, page) in pages {
                let mut out = Vec::new();
                render(&page, &mut out)?;
                let path = dir.join(format!("{name}.1"));
                write_atomically(&path, |w| w.write_all(&out))?;
                crate::say!("wrote {}", path.display());
            }
        }
    }
    Ok(0)
}

fn render(command: &clap::Command, out: &mut Vec<u8>) -> Result<()> {
    clap_mangen::Man::new(command.clone())
        .render(out)
        .map_err(|e| Error::new(format!("cannot render the manual page: {e}")))
}

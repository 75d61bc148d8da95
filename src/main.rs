use draftcheck::cmd::{Cli, run};

/// mimalloc instead of the system allocator: analysis makes and drops a
/// string per term, and each L-BFGS step new vectors as long as the weights;
/// see README, "Performance", for what it saves.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Like other Unix filters, stop quietly when the reader of our output goes
    // away (`draftcheck ... | head`) instead of failing on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default SIGPIPE disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // A bug must still end with a readable message, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{location}: {}. This is a bug in draftcheck; please report it with the command you ran.",
            info.payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                .unwrap_or("unknown panic")
        );
    }));
    let cli = Cli::parse_with_sources();
    let code = match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // An error can quote the data or the command line: as the
            // terminal shows it.
            eprintln!(
                "error: {}",
                draftcheck::terminal::terminal_safe(&err.to_string())
            );
            err.exit_code()
        }
    };
    std::process::exit(code);
}

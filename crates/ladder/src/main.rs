use std::process::ExitCode;

fn main() -> ExitCode {
    // Like other command-line tools, end quietly when a pipe reader (`ladder list | head`) goes away.
    // SAFETY: resetting a signal disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = ladder::cli::parse();
    match ladder::cli::main(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            if ladder::error::is_usage(&err) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

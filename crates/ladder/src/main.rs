use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ladder::cli::Cli::parse();
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

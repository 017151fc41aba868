//! `kontolink-server`: thin entry point. Parses the command line, then hands over to the library.

use clap::Parser;
use kontolink_server::cli::{Cli, run};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kontolink-server: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

//! `poni`: the command line over the Poni Desktop core, compatible with poni 0.8's commands.

mod args;
mod cloud;
mod credentials;
mod failure;
mod list;
mod log;
mod repr;
mod run;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    match run::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure::Failure::Reported) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

//! `poni`: the command line over the Poni Desktop core, compatible with poni 0.8's commands.

#[macro_use]
mod output;
mod account;
mod args;
mod cloud;
mod credentials;
mod failure;
mod fleet;
mod history;
mod list;
mod log;
mod plan;
mod remote;
mod repr;
mod run;
mod script;
mod status;
mod vc;

use clap::Parser;
use std::process::ExitCode;

/// Names, patterns and properties are text; clap would only say that "one or more arguments"
/// are not. Names the argument (its position and its readable part). The repository folder
/// (`-d DIR`) may be any path.
fn non_utf8_argument() -> Option<String> {
    let args: Vec<_> = std::env::args_os().collect();
    let mut previous_is_dir_flag = false;
    for (i, arg) in args.iter().enumerate().skip(1) {
        let is_dir_flag = matches!(arg.to_str(), Some("-d" | "--root-dir"));
        let dir_value =
            previous_is_dir_flag || arg.as_encoded_bytes().starts_with(b"--root-dir=") || (arg.as_encoded_bytes().starts_with(b"-d") && arg.len() > 2);
        previous_is_dir_flag = is_dir_flag;
        if arg.to_str().is_none() && !dir_value {
            return Some(format!(
                "argument {i} ('{}') is not valid UTF-8 (unreadable bytes are shown as U+FFFD): names, patterns and properties must be text",
                arg.to_string_lossy().escape_debug()
            ));
        }
    }
    None
}

/// The repository is read into many small allocations on rayon's threads and freed on the main
/// one, which glibc's allocator does slowly: mimalloc lists 10,000 nodes a fifth faster and
/// sets a property on them a tenth faster (benches/results/repository.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Some(message) = non_utf8_argument() {
        errln!("error: {message}");
        return ExitCode::from(2);
    }
    let args = args::Cli::parse();
    match run::run(args) {
        Ok(()) if output::failed() => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
        Err(failure::Failure::Reported) => ExitCode::FAILURE,
        Err(error) => {
            errln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

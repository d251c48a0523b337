//! `poni vc ...`: the repository's history and sharing through git, printed for people. Every
//! git rule is in poni-vc; this only prints what it returns.

use crate::args::VcCommand;
use crate::failure::Failure;
use crate::repr;
use poni_vc::{Choice, Conflict, Mode, PullKind, VcStatus};
use serde_json::Value;
use std::path::Path;

pub fn run(root: &Path, command: VcCommand) -> Result<(), Failure> {
    match command {
        VcCommand::Init => {
            let commit = poni_vc::init(root)?;
            outln!("Started the history with git: {} {}", commit.id, commit.message);
        }
        VcCommand::Status => print_status(&poni_vc::status(root)?),
        VcCommand::Diff { name } => out!("{}", poni_vc::patch(root, name.as_deref())?),
        VcCommand::Checkpoint { message } => match poni_vc::checkpoint(root, message.as_deref())? {
            Some(commit) => outln!("Checkpoint {}: {}", commit.id, commit.message),
            None => outln!("Nothing to checkpoint"),
        },
        VcCommand::Mode { mode } => {
            let mode = Mode::parse(&mode).ok_or_else(|| Failure::Input(format!("unknown mode '{mode}': use each or checkpoint")))?;
            poni_vc::set_mode(root, mode)?;
            outln!("{}", mode_text(mode));
        }
        VcCommand::Remote { url } => {
            poni_vc::set_remote(root, &url)?;
            outln!("Remote origin: {}", url.trim());
        }
        VcCommand::Pull => return pull(root),
        VcCommand::Push => {
            let pushed = poni_vc::push(root)?;
            outln!("Pushed {} to {}", pushed.branch, pushed.remote);
        }
        VcCommand::Resolve { name, mine, theirs } => {
            let choice = match (mine, theirs) {
                (true, false) => Choice::Mine,
                (false, true) => Choice::Theirs,
                _ => return Err(Failure::Input("say which side to keep: --mine or --theirs".into())),
            };
            let status = poni_vc::resolve(root, &name, choice)?;
            let side = if choice == Choice::Mine { "mine" } else { "theirs" };
            outln!("{name}: kept {side}");
            match (status.conflicts, &status.last_commit) {
                (0, Some(commit)) => outln!("All conflicts resolved: {} {}", commit.id, commit.message),
                (0, None) => outln!("All conflicts resolved"),
                (left, _) => outln!("{left} conflict(s) left: see `poni vc conflicts`"),
            }
        }
        VcCommand::Conflicts => {
            let conflicts = poni_vc::conflicts(root)?;
            if conflicts.is_empty() {
                outln!("No conflicts");
            }
            print_conflicts(&conflicts);
        }
    }
    Ok(())
}

/// Commits each change the core makes (the core calls this after every change, with the
/// change's label as the message) when the repository is under git in each-change mode. A
/// failure is a warning: the change itself is made.
pub fn commit_change(root: &Path, label: &str) {
    if let Err(e) = poni_vc::after_change(root, label) {
        errln!("warning: the change is made, but git could not commit it: {e}");
    }
}

fn mode_text(mode: Mode) -> &'static str {
    match mode {
        Mode::EachChange => "Commit mode: each change is committed",
        Mode::Checkpoint => "Commit mode: changes are committed at checkpoints (`poni vc checkpoint`)",
    }
}

fn print_status(status: &VcStatus) {
    if !status.enabled {
        outln!("Not under version control: start the history with `poni vc init`");
        return;
    }
    match &status.branch {
        Some(branch) => outln!("On branch {branch}"),
        None => outln!("Not on a branch (HEAD is detached)"),
    }
    outln!("{}", mode_text(status.mode));
    match &status.remote {
        Some(remote) => outln!("Remote origin: {remote} ({} ahead, {} behind)", status.ahead, status.behind),
        None => outln!("No remote: set one with `poni vc remote URL`"),
    }
    match status.changed_items {
        0 => outln!("Nothing changed since the last commit"),
        n => outln!("{n} item(s) changed since the last commit: see `poni vc diff`"),
    }
    if let Some(commit) = &status.last_commit {
        outln!("Last commit {} ({}, {}): {}", commit.id, commit.at, commit.author, commit.message);
    }
    if status.conflicts > 0 {
        outln!("{} conflict(s) to resolve: see `poni vc conflicts`", status.conflicts);
    }
}

fn pull(root: &Path) -> Result<(), Failure> {
    let outcome = poni_vc::pull(root)?;
    match outcome.kind {
        PullKind::UpToDate => outln!("Already up to date"),
        PullKind::FastForward | PullKind::Merged => {
            outln!("Pulled: {} item(s) changed", outcome.changed_items.len());
            for name in &outcome.changed_items {
                outln!("  {name}");
            }
        }
        PullKind::Conflicts => {
            let others: Vec<&String> = outcome.changed_items.iter().filter(|n| !outcome.conflicts.iter().any(|c| &c.name == *n)).collect();
            outln!("Pulled with {} conflict(s); {} other item(s) changed", outcome.conflicts.len(), others.len());
            for name in others {
                outln!("  {name}");
            }
            print_conflicts(&outcome.conflicts);
            // Exit status 1: the pull is not finished.
            return Err(Failure::Reported);
        }
    }
    Ok(())
}

fn print_conflicts(conflicts: &[Conflict]) {
    let show = |v: &Option<Value>| v.as_ref().map_or("(not set)".to_owned(), repr::value);
    for conflict in conflicts {
        outln!("CONFLICT {}", conflict.name);
        match (&conflict.mine, &conflict.theirs) {
            (None, _) => outln!("  mine: removed"),
            (_, None) => outln!("  theirs: removed"),
            _ => {}
        }
        for property in &conflict.properties {
            outln!("  {}: mine {}, theirs {}", property.key, show(&property.before), show(&property.after));
        }
        outln!("  resolve with: {}", resolve_command(&conflict.name));
    }
}

/// `poni vc resolve <name> --mine|--theirs`, ready to paste: the name came with a pull, so it
/// is one shell word, and one starting with '-' comes after `--` (and so after the choice),
/// where clap cannot take it for an option.
fn resolve_command(name: &str) -> String {
    let word = poni_cloud::shell::word(name);
    match name.starts_with('-') {
        true => format!("poni vc resolve --mine|--theirs -- {word}"),
        false => format!("poni vc resolve {word} --mine|--theirs"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resolve_hint_quotes_the_name() {
        assert_eq!(resolve_command("web/a"), "poni vc resolve web/a --mine|--theirs");
        assert_eq!(resolve_command("x';touch /tmp/pwn;'"), format!("poni vc resolve {} --mine|--theirs", poni_cloud::shell::word("x';touch /tmp/pwn;'")));
        assert_eq!(resolve_command("--theirs"), "poni vc resolve --mine|--theirs -- --theirs");
    }
}

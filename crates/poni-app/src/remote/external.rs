//! "Open in my terminal": the node's connection in the user's own terminal program. The
//! command is an argument list, never a shell line, so names from the repository cannot
//! become commands.

use std::process::{Command, Stdio};

use poni_remote::SshTarget;
use poni_repo::ErrorCode;

use crate::{AppError, AppResult};

/// Terminal programs tried in order, with the option after which the command follows.
const TERMINALS: &[(&str, &str)] = &[
    ("x-terminal-emulator", "-e"),
    ("gnome-terminal", "--"),
    ("konsole", "-e"),
    ("xfce4-terminal", "-x"),
    ("kitty", "--"),
    ("alacritty", "-e"),
    ("xterm", "-e"),
];

/// `ssh [-i KEY] [-p PORT] -- USER@HOST` as arguments.
pub fn ssh_arguments(target: &SshTarget) -> Vec<String> {
    let mut args = vec!["ssh".to_owned()];
    if let Some(key) = target.key.path() {
        args.push("-i".into());
        args.push(key.display().to_string());
    }
    if target.port != 22 {
        args.push("-p".into());
        args.push(target.port.to_string());
    }
    args.push("--".into());
    args.push(format!("{}@{}", target.user, target.host));
    args
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Starts the first terminal program found with `ssh` to the node; returns its name.
pub fn open_in_terminal(target: &SshTarget) -> AppResult<String> {
    let Some((program, flag)) = TERMINALS.iter().find(|(p, _)| on_path(p)) else {
        return Err(AppError::new(
            ErrorCode::RemoteUnreachable,
            "No terminal program was found (x-terminal-emulator, gnome-terminal, konsole, xfce4-terminal, kitty, alacritty, xterm): use the terminal inside the app, or install one.",
        ));
    };
    let mut child = Command::new(program)
        .arg(flag)
        .args(ssh_arguments(target))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{program} could not be started: {e}")))?;
    // Reaped when it exits, so no finished terminal stays behind as a zombie.
    std::thread::spawn(move || child.wait());
    Ok((*program).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_remote::KeySource;

    #[test]
    fn a_hostile_login_name_stays_one_argument_after_the_options() {
        let target = SshTarget {
            node: "n".into(),
            user: "-oProxyCommand=touch /tmp/pwn".into(),
            host: "h".into(),
            port: 2222,
            key: KeySource::File { path: "/k/id".into() },
            instance: None,
            region: None,
            private_address: false,
        };
        assert_eq!(ssh_arguments(&target), ["ssh", "-i", "/k/id", "-p", "2222", "--", "-oProxyCommand=touch /tmp/pwn@h"]);
    }
}

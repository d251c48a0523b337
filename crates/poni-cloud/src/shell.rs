//! Shell words for the commands Poni suggests for pasting (`poni cloud terminate -M ...`,
//! `poni sso login --profile ...`, the app's `ssh ...`). The names in them come from a pulled
//! repository, an EC2 Name tag or an AWS profile file: each must reach the command as one
//! argument, never as shell syntax (`x';touch /tmp/pwn;'`).

/// `text` as one POSIX shell word: unchanged when nothing in it is special to a shell
/// (`web/app01`, `dev`), otherwise quoted (`'a b'`). The one rule for every suggested command,
/// so the app and the command line quote alike.
///
/// Control characters become U+FFFD first: quoting keeps them literal for the shell, but a
/// terminal or an interactive shell acts on them as they are pasted (shlex's
/// `quoting_warning`), and no real name holds one. It also leaves no NUL for shlex to refuse.
pub fn word(text: &str) -> String {
    let printable: String = text.chars().map(|c| if c.is_control() { char::REPLACEMENT_CHARACTER } else { c }).collect();
    match shlex::try_quote(&printable) {
        Ok(quoted) => quoted.into_owned(),
        Err(_) => unreachable!("shlex only refuses NUL, and control characters were replaced"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_as_they_are() {
        assert_eq!(word("web/app01"), "web/app01");
        assert_eq!(word("dev"), "dev");
        assert_eq!(word("db-01_primary.eu"), "db-01_primary.eu");
    }

    #[test]
    fn a_name_with_shell_syntax_is_one_word() {
        let name = "x';touch /tmp/pwn;'";
        let quoted = word(name);
        assert_ne!(quoted, name);
        assert_eq!(shlex::split(&quoted), Some(vec![name.to_owned()]));
        for name in ["a b", "$(id)", "`id`", "a\"b", "a\\b", "*", "~x", "", "é 東京"] {
            assert_eq!(shlex::split(&word(name)), Some(vec![name.to_owned()]), "{name}");
        }
    }

    /// What a POSIX shell makes of the word: the name itself, and nothing run.
    #[cfg(unix)]
    #[test]
    fn sh_reads_the_quoted_name_back_and_runs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("pwn");
        let name = format!("x';touch {};'", marker.display());
        let script = format!("printf %s {}", word(&name));
        let out = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), name);
        assert!(!marker.exists(), "the name ran a command: {script}");
    }

    #[test]
    fn control_characters_never_reach_the_command() {
        assert_eq!(shlex::split(&word("a\u{1b}]0;t\u{7}b")), Some(vec!["a\u{fffd}]0;t\u{fffd}b".to_owned()]));
        assert_eq!(shlex::split(&word("a\0b")), Some(vec!["a\u{fffd}b".to_owned()]));
        assert!(!word("a\nb\u{9b}c").chars().any(char::is_control));
    }

    #[test]
    fn credential_hints_quote_the_profile_and_the_set() {
        use crate::credentials::CredentialsError;
        let name = "x';touch /tmp/pwn;'";
        let quoted = word(name);
        assert!(CredentialsError::SsoLoginRequired(name.into()).to_string().contains(&format!("`poni sso login --profile {quoted}`")));
        assert!(CredentialsError::SsoExpired(name.into()).to_string().contains(&format!("`poni sso login --profile {quoted}`")));
        assert!(CredentialsError::ProfileNotFound(name.into()).to_string().contains(&format!("`aws configure --profile {quoted}`")));
        assert!(CredentialsError::SetNotFound(name.into()).to_string().contains(&format!("`poni credentials set {quoted}`")));
        assert!(CredentialsError::SsoExpired("dev".into()).to_string().contains("`poni sso login --profile dev`"));
    }
}

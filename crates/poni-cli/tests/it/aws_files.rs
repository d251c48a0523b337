//! `poni credentials show` and `poni sso login` with hostile files where the AWS files are
//! looked for: a FIFO as ~/.aws/config, ~/.aws/credentials or an SSO token cache file is
//! refused with one line naming it, never waited on; a damaged file is named with what is
//! wrong. Each run has a deadline, so a regression fails instead of hanging.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs poni with `home` as HOME and no AWS variables but `AWS_PROFILE`; killed after 20 s.
fn poni(home: &Path, profile: &str, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_poni"))
        .args(args)
        .env("HOME", home)
        .env("AWS_PROFILE", profile)
        .env("PONI_DESKTOP_KEYRING_SERVICE", "poni-desktop-test-aws-files")
        .env_remove("PONI_ROOT")
        .env_remove("USERPROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_SSO_OIDC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run poni");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("poni {args:?} did not end within 20 s: it waits on a file");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    Run { code: status.code(), stdout, stderr }
}

fn show(home: &Path, profile: &str) -> Run {
    poni(home, profile, &["credentials", "show"])
}

/// The one line of a failed run, without `error: `.
fn one_error(run: &Run) -> String {
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one clear line: {}", run.stderr);
    run.stderr.trim_end().strip_prefix("error: ").unwrap_or_else(|| panic!("{}", run.stderr)).to_owned()
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success(), "mkfifo {}", path.display());
}

/// A home folder with ~/.aws holding these files (None: not there).
fn home(config: Option<&str>, credentials: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".aws")).unwrap();
    for (name, text) in [("config", config), ("credentials", credentials)] {
        if let Some(text) = text {
            std::fs::write(dir.path().join(".aws").join(name), text).unwrap();
        }
    }
    dir
}

const CREDENTIALS: &str = "[work]\naws_access_key_id = AKIAWORKEXAMPLE\naws_secret_access_key = work-secret-value\n";
const NOT_OPENED: &str = "not a plain file, so it was not opened: replace it with a plain file, or remove it";

#[test]
fn a_fifo_as_the_config_or_credentials_file_is_named_not_waited_on() {
    for name in ["config", "credentials"] {
        let dir = home(Some(""), Some(CREDENTIALS));
        let path = dir.path().join(".aws").join(name);
        std::fs::remove_file(&path).unwrap();
        mkfifo(&path);
        let err = one_error(&show(dir.path(), "work"));
        assert_eq!(err, format!("{}: is a FIFO (named pipe), {NOT_OPENED}", path.display()));
    }
}

#[test]
fn a_linked_credentials_file_is_followed_to_a_plain_file_only() {
    let dir = home(None, None);
    let dotfiles = dir.path().join("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    std::fs::write(dotfiles.join("credentials"), CREDENTIALS).unwrap();
    let link = dir.path().join(".aws").join("credentials");
    std::os::unix::fs::symlink(dotfiles.join("credentials"), &link).unwrap();
    let run = show(dir.path(), "work");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("source: AWS profile 'work' (access key AKIAWORKEXAMPLE)"), "{}", run.stdout);
    assert!(!run.stdout.contains("work-secret-value") && !run.stderr.contains("work-secret-value"));

    std::fs::remove_file(dotfiles.join("credentials")).unwrap();
    mkfifo(&dotfiles.join("credentials"));
    let err = one_error(&show(dir.path(), "work"));
    assert!(err.starts_with(&format!("{}: is a symbolic link to ", link.display())), "{err}");
    assert!(err.ends_with(&format!("credentials, which is a FIFO (named pipe), {NOT_OPENED}")), "{err}");
}

#[test]
fn a_fifo_as_the_sso_token_cache_is_named_not_waited_on() {
    let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n";
    let dir = home(Some(config), None);
    let cache = dir.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // The AWS CLI's name for the session 'corp': the SHA-1 of the name.
    let token = cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
    mkfifo(&token);
    let err = one_error(&show(dir.path(), "dev"));
    assert_eq!(err, format!("{}: is a FIFO (named pipe), {NOT_OPENED}", token.display()));

    std::fs::remove_file(&token).unwrap();
    std::fs::write(&token, r#"{"accessToken": "very-secret-token", "expiresAt": "2030-01-"#).unwrap();
    let err = one_error(&show(dir.path(), "dev"));
    assert!(err.starts_with(&format!("{}: is not valid JSON (", token.display())), "{err}");
    assert!(err.ends_with("sign in again (`poni sso login`), which replaces it") && !err.contains("very-secret-token"), "{err}");
}

#[test]
fn a_damaged_config_file_is_named_with_what_is_wrong() {
    let dir = home(Some("[profile work]\nregion = eu-west-1\n[profile cut"), Some(CREDENTIALS));
    let err = one_error(&show(dir.path(), "work"));
    let config = dir.path().join(".aws/config");
    assert_eq!(
        err,
        format!("{}: is not a valid AWS config or credentials file (line 3: Profile definition must end with ']'): correct it (`aws configure` writes one), or move it away", config.display())
    );
}

#[test]
fn sso_login_refuses_a_fifo_config_without_waiting() {
    let dir = home(None, None);
    let config = dir.path().join(".aws/config");
    mkfifo(&config);
    let run = poni(dir.path(), "dev", &["sso", "login", "--no-browser"]);
    assert_ne!(run.code, Some(0));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{}: is a FIFO (named pipe), {NOT_OPENED}", config.display())), "{}", run.stderr);
}

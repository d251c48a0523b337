//! The AWS shared files (`~/.aws/config`, `~/.aws/credentials`) and the SSO token cache, read
//! here as input from anywhere before the SDK sees them: a FIFO, a socket or a device would
//! block the read for ever, a huge file would fill memory, and a damaged one would end in the
//! SDK's terse errors. A symbolic link is followed (dotfile managers link these files), but it
//! must lead to a plain file. The SDK then parses what was read here, never the files.

use std::error::Error as _;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use aws_config::profile::{ProfileFileLoadError, ProfileSet};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles as ProfileFiles};
use aws_types::os_shim_internal::{Env, Fs};
use poni_repo::store::{self, EntryKind, Limited};

/// Far more than any real config or credentials file holds.
const MAX_AWS_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// An SSO token cache file holds a few tokens.
pub(crate) const MAX_TOKEN_FILE_BYTES: u64 = 1024 * 1024;

/// A file that was not used: the message names it, says what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct FileProblem {
    pub path: PathBuf,
    pub problem: String,
}

/// Where the AWS shared files are. `None`: that file is not used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsFiles {
    pub config: Option<PathBuf>,
    pub credentials: Option<PathBuf>,
}

/// The profiles of the AWS files, and their contents as the SDK's credential providers take them.
pub(crate) struct LoadedProfiles {
    pub files: ProfileFiles,
    pub set: ProfileSet,
}

impl AwsFiles {
    /// As the SDKs find them: `$AWS_CONFIG_FILE` else `~/.aws/config`, and
    /// `$AWS_SHARED_CREDENTIALS_FILE` else `~/.aws/credentials`.
    pub fn from_process() -> AwsFiles {
        AwsFiles::from_vars(|name| std::env::var_os(name))
    }

    fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> AwsFiles {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        let home = set("HOME").or_else(|| set("USERPROFILE")).map(PathBuf::from);
        let pick = |variable: &str, name: &str| match set(variable) {
            Some(path) => Some(expand_home(Path::new(&path), home.as_deref())),
            None => home.as_ref().map(|h| h.join(".aws").join(name)),
        };
        AwsFiles { config: pick("AWS_CONFIG_FILE", "config"), credentials: pick("AWS_SHARED_CREDENTIALS_FILE", "credentials") }
    }

    /// Reads and parses both files; a missing one counts as empty, as it does for the SDKs.
    pub(crate) async fn load(&self) -> Result<LoadedProfiles, FileProblem> {
        let mut builder = ProfileFiles::builder();
        for (kind, path) in [(EnvConfigFileKind::Config, &self.config), (EnvConfigFileKind::Credentials, &self.credentials)] {
            let text = match path {
                Some(path) => read_user_file(path, MAX_AWS_FILE_BYTES)?.unwrap_or_default(),
                None => String::new(),
            };
            // Each file alone first, so that a mistake is reported with the file it is in.
            if let Some(path) = path {
                parse(&ProfileFiles::builder().with_contents(kind, text.clone()).build())
                    .await
                    .map_err(|e| FileProblem { path: path.clone(), problem: parse_problem(&e) })?;
            }
            builder = builder.with_contents(kind, text);
        }
        let files = builder.build();
        let set = parse(&files)
            .await
            .map_err(|e| FileProblem { path: self.config.clone().or(self.credentials.clone()).unwrap_or_default(), problem: parse_problem(&e) })?;
        Ok(LoadedProfiles { files, set })
    }
}

/// The SDK's parser on contents already read: the empty file system makes sure of that.
async fn parse(files: &ProfileFiles) -> Result<ProfileSet, ProfileFileLoadError> {
    aws_config::profile::load(&Fs::from_slice(&[]), &Env::real(), files, None).await
}

/// `error parsing <file> on line 3:\n  Expected a profile definition` as `line 3: ...`, on one
/// line. The parser's messages name what was expected, never what the line holds.
fn parse_problem(e: &ProfileFileLoadError) -> String {
    let detail = e.source().map_or_else(|| e.to_string(), |cause| cause.to_string());
    let detail = match detail.split_once(" on line ") {
        Some((_, rest)) => format!("line {rest}"),
        None => detail,
    };
    let detail = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("is not a valid AWS config or credentials file ({detail}): correct it (`aws configure` writes one), or move it away")
}

/// `~` at the start of a path named by a variable is the home folder, as for the SDKs.
fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    let mut components = path.components();
    match (components.next(), home) {
        (Some(Component::Normal(first)), Some(home)) if first == "~" => home.join(components.as_path()),
        _ => path.to_path_buf(),
    }
}

/// Reads a file of the user's own settings: a symbolic link is followed but must lead to a
/// plain file; a folder, a FIFO, a socket or a device is refused without being opened; at
/// most `limit` bytes of UTF-8 text. `None` when there is no file (or a link to nothing).
/// The same rule serves every file of the user's own the app reads (`~/.aws`, `~/.ssh`).
pub fn read_user_file(path: &Path, limit: u64) -> Result<Option<String>, FileProblem> {
    let problem = |problem: String| FileProblem { path: path.to_path_buf(), problem };
    let cannot = |e: std::io::Error| problem(format!("cannot be read: {e}"));
    let (target, linked) = match store::entry_kind(path).map_err(cannot)? {
        EntryKind::Missing => return Ok(None),
        EntryKind::Symlink => match std::fs::canonicalize(path) {
            Ok(target) => (target, true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(cannot(e)),
        },
        _ => (path.to_path_buf(), false),
    };
    match store::read_limited(&target, limit).map_err(cannot)? {
        Limited::Text(text) => Ok(Some(text)),
        Limited::Missing => Ok(None),
        Limited::Refused(kind) => Err(problem(not_a_plain_file(&target, kind, linked))),
        Limited::TooLarge => {
            Err(problem(format!("is larger than {} MiB, far more than such a file holds, so it was not read: check what it is", limit / (1024 * 1024))))
        }
        Limited::NotText => Err(problem("is not UTF-8 text, so it holds no settings: check what it is, or move it away".into())),
    }
}

fn not_a_plain_file(target: &Path, kind: EntryKind, linked: bool) -> String {
    let what = match linked {
        true => format!("is a symbolic link to {}, which is {}", target.display(), kind.describe()),
        false => format!("is {}", kind.describe()),
    };
    format!("{what}, not a plain file, so it was not opened: replace it with a plain file, or remove it")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::test_support::{mkfifo, within_seconds};

    fn load(files: AwsFiles) -> Result<LoadedProfiles, FileProblem> {
        within_seconds(10, move || tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(files.load()))
    }

    #[test]
    fn paths_are_found_as_the_sdks_find_them() {
        let vars = |pairs: &'static [(&str, &str)]| move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v));
        let files = AwsFiles::from_vars(vars(&[("HOME", "/home/me")]));
        assert_eq!(files, AwsFiles { config: Some("/home/me/.aws/config".into()), credentials: Some("/home/me/.aws/credentials".into()) });
        let files = AwsFiles::from_vars(vars(&[("HOME", "/home/me"), ("AWS_CONFIG_FILE", "~/work/config"), ("AWS_SHARED_CREDENTIALS_FILE", "/etc/c")]));
        assert_eq!(files, AwsFiles { config: Some("/home/me/work/config".into()), credentials: Some("/etc/c".into()) });
        assert_eq!(AwsFiles::from_vars(vars(&[])), AwsFiles::default());
    }

    #[test]
    fn a_fifo_socket_or_folder_is_refused_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("config");
        mkfifo(&fifo);
        let err = load(AwsFiles { config: Some(fifo.clone()), credentials: None }).err().unwrap();
        assert_eq!(err.path, fifo);
        assert_eq!(
            err.to_string(),
            format!("{}: is a FIFO (named pipe), not a plain file, so it was not opened: replace it with a plain file, or remove it", fifo.display())
        );
        let socket_path = dir.path().join("credentials");
        let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();
        let err = load(AwsFiles { config: None, credentials: Some(socket_path) }).err().unwrap().to_string();
        assert!(err.contains("credentials: is a socket, not a plain file"), "{err}");
        let err = load(AwsFiles { config: Some(dir.path().to_path_buf()), credentials: None }).err().unwrap().to_string();
        assert!(err.contains(": is a folder, not a plain file"), "{err}");
    }

    #[test]
    fn a_link_is_followed_to_a_plain_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles-config");
        std::fs::write(&real, "[profile work]\nregion = eu-west-1\n").unwrap();
        let config = dir.path().join("config");
        std::os::unix::fs::symlink(&real, &config).unwrap();
        let loaded = load(AwsFiles { config: Some(config), credentials: None }).unwrap();
        assert_eq!(loaded.set.get_profile("work").unwrap().get("region"), Some("eu-west-1"));

        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        let credentials = dir.path().join("credentials");
        std::os::unix::fs::symlink(&fifo, &credentials).unwrap();
        let err = load(AwsFiles { config: None, credentials: Some(credentials.clone()) }).err().unwrap().to_string();
        assert_eq!(err, format!("{}: is a symbolic link to {}, which is a FIFO (named pipe), not a plain file, so it was not opened: replace it with a plain file, or remove it", credentials.display(), fifo.display()));

        // A link to nothing is no file, as for the SDKs.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(load(AwsFiles { config: Some(dangling), credentials: None }).unwrap().set.is_empty());
    }

    #[test]
    fn damaged_files_are_named_with_what_is_wrong_on_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        std::fs::write(&config, "[profile work]\nregion = eu-west-1\n").unwrap();
        std::fs::write(&credentials, "[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = hush-secret\n[cut").unwrap();
        let files = AwsFiles { config: Some(config.clone()), credentials: Some(credentials.clone()) };
        let err = load(files.clone()).err().unwrap().to_string();
        assert_eq!(
            err,
            format!("{}: is not a valid AWS config or credentials file (line 4: Profile definition must end with ']'): correct it (`aws configure` writes one), or move it away", credentials.display())
        );
        assert!(!err.contains("hush-secret"));

        std::fs::write(&credentials, "aws_secret_access_key hush-secret\n").unwrap();
        let err = load(files.clone()).err().unwrap().to_string();
        assert!(err.starts_with(&format!("{}: is not a valid AWS config or credentials file (line 1: ", credentials.display())), "{err}");
        assert!(!err.contains("hush-secret") && err.lines().count() == 1, "{err}");

        std::fs::write(&credentials, [0xff, 0xfe, b'\n']).unwrap();
        let err = load(files.clone()).err().unwrap().to_string();
        assert_eq!(err, format!("{}: is not UTF-8 text, so it holds no settings: check what it is, or move it away", credentials.display()));

        std::fs::write(&credentials, vec![b'#'; MAX_AWS_FILE_BYTES as usize + 1]).unwrap();
        let err = load(files).err().unwrap().to_string();
        assert!(err.starts_with(&format!("{}: is larger than 4 MiB", credentials.display())), "{err}");
    }
}

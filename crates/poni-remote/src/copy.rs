//! Files and folders to many nodes over SFTP: poni's `remote cp SOURCE... NODES DEST [-r] [-d]`.
//!
//! As poni: a file goes into the remote folder under its own name; a folder (only with `-r`)
//! has its contents copied into the remote folder; a remote folder that does not exist is an
//! error unless `-d` creates it; each file keeps its modification time. Sub-folders of a
//! copied folder are created. What is to be sent is listed before any connection, so a missing
//! source or a folder without `-r` fails before anything is sent. Special files (FIFOs,
//! sockets, devices) and links to folders are left out, never opened.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use futures_util::future::BoxFuture;
use tokio::io::AsyncWriteExt;

use crate::error::RemoteError;
use crate::exec::{Events, JobOutput, NodeEvent, NodeJob, NodeOutcome};
use crate::ssh::{Session, Stream};
use crate::target::SshTarget;

/// One thing to create remotely, relative to the destination folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyItem {
    Folder { remote: String },
    File { local: PathBuf, remote: String, mtime: u32, mode: u32 },
}

/// What `remote cp` sends: checked and listed before connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyPlan {
    pub destination: String,
    pub create_destination: bool,
    pub items: Vec<CopyItem>,
}

/// Lists what `sources` send into `destination`. A folder needs `recursive`.
pub fn plan_copy(sources: &[PathBuf], destination: &str, recursive: bool, create_destination: bool) -> Result<CopyPlan, RemoteError> {
    if destination.trim().is_empty() {
        return Err(RemoteError::SourceInvalid { path: PathBuf::new(), problem: "has no destination: name the remote folder the files go into".into() });
    }
    let mut items = Vec::new();
    for source in sources {
        let meta = std::fs::metadata(source).map_err(|e| RemoteError::SourceInvalid { path: source.clone(), problem: format!("cannot be read: {e}") })?;
        if meta.is_dir() {
            if !recursive {
                return Err(RemoteError::SourceInvalid { path: source.clone(), problem: "is a folder: copy folders with -r".into() });
            }
            list_folder(source, "", &mut items)?;
        } else if meta.is_file() {
            let name = file_name(source)?;
            items.push(file_item(source, name, &meta));
        } else {
            return Err(RemoteError::SourceInvalid { path: source.clone(), problem: "is not a plain file or a folder".into() });
        }
    }
    let trimmed = destination.trim_end_matches('/');
    let destination = if trimmed.is_empty() && destination.starts_with('/') { "/" } else { trimmed };
    Ok(CopyPlan { destination: destination.to_owned(), create_destination, items })
}

fn file_name(path: &Path) -> Result<String, RemoteError> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| RemoteError::SourceInvalid { path: path.to_path_buf(), problem: "has no file name in UTF-8".into() })
}

fn file_item(local: &Path, remote: String, meta: &std::fs::Metadata) -> CopyItem {
    let mtime = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs() as u32);
    #[cfg(unix)]
    let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
    #[cfg(not(unix))]
    let mode = 0o644;
    CopyItem::File { local: local.to_path_buf(), remote, mtime, mode }
}

/// The folder's contents under `prefix`, sorted, without following links to folders.
fn list_folder(folder: &Path, prefix: &str, items: &mut Vec<CopyItem>) -> Result<(), RemoteError> {
    let unreadable = |e: std::io::Error| RemoteError::SourceInvalid { path: folder.to_path_buf(), problem: format!("cannot be listed: {e}") };
    let mut entries: Vec<_> = std::fs::read_dir(folder).map_err(unreadable)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        // Left out silently, a file would be missing on every node: say which, and stop.
        let name = entry.file_name().into_string().map_err(|_| RemoteError::SourceInvalid {
            path: path.clone(),
            problem: "has a name that is not UTF-8, which SFTP paths cannot carry: rename it".into(),
        })?;
        let remote = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let kind = entry.file_type().map_err(|e| RemoteError::SourceInvalid { path: path.clone(), problem: format!("cannot be read: {e}") })?;
        if kind.is_dir() {
            items.push(CopyItem::Folder { remote: remote.clone() });
            list_folder(&path, &remote, items)?;
        } else if let Ok(meta) = std::fs::metadata(&path) {
            // A link to a file is copied as the file; to a folder, or anything special: left out.
            if meta.is_file() {
                items.push(file_item(&path, remote, &meta));
            }
        }
    }
    Ok(())
}

impl CopyPlan {
    fn remote_path(&self, rel: &str) -> String {
        if self.destination == "/" {
            format!("/{rel}")
        } else {
            format!("{}/{rel}", self.destination)
        }
    }

    async fn copy_to(&self, node: &str, session: &Session, index: usize, events: &Events) -> Result<u64, RemoteError> {
        let sftp = session.sftp().await?;
        let failed = |path: &str, e: &dyn std::fmt::Display| RemoteError::CopyFailed { node: node.to_owned(), path: path.to_owned(), reason: e.to_string() };
        match sftp.metadata(self.destination.as_str()).await {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(failed(&self.destination, &"it is not a folder")),
            Err(_) if self.create_destination => create_folders(&sftp, &self.destination).await.map_err(|e| failed(&self.destination, &e))?,
            Err(_) => return Err(RemoteError::DestinationMissing { node: node.to_owned(), path: self.destination.clone() }),
        }
        let mut sent = 0u64;
        for item in &self.items {
            match item {
                CopyItem::Folder { remote } => {
                    let path = self.remote_path(remote);
                    if !sftp.try_exists(path.as_str()).await.unwrap_or(false) {
                        sftp.create_dir(path.as_str()).await.map_err(|e| failed(&path, &e))?;
                    }
                }
                CopyItem::File { local, remote, mtime, mode } => {
                    let path = self.remote_path(remote);
                    let mut source = open_plain_file(local)?;
                    let mut file = sftp.create(path.as_str()).await.map_err(|e| failed(&path, &e))?;
                    let n = tokio::io::copy(&mut source, &mut file).await.map_err(|e| failed(&path, &e))?;
                    file.shutdown().await.map_err(|e| failed(&path, &e))?;
                    let attrs =
                        russh_sftp::protocol::FileAttributes { mtime: Some(*mtime), atime: Some(*mtime), permissions: Some(*mode), ..Default::default() };
                    sftp.set_metadata(path.as_str(), attrs).await.map_err(|e| failed(&path, &e))?;
                    sent += n;
                    events(NodeEvent::Output { index, stream: Stream::Stdout, bytes: format!("{path} ({n} bytes)\n").into_bytes() });
                }
            }
        }
        let _ = sftp.close().await;
        Ok(sent)
    }
}

/// Opens a file listed before: never hangs on what replaced it since (a FIFO is opened
/// without waiting, then refused as not a plain file).
fn open_plain_file(path: &Path) -> Result<tokio::fs::File, RemoteError> {
    let invalid = |problem: String| RemoteError::SourceInvalid { path: path.to_path_buf(), problem };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| invalid(format!("cannot be read: {e}")))?;
    if !file.metadata().map_err(|e| invalid(format!("cannot be read: {e}")))?.is_file() {
        return Err(invalid("is no longer a plain file".into()));
    }
    Ok(tokio::fs::File::from_std(file))
}

/// `mkdir -p` over SFTP.
async fn create_folders(sftp: &russh_sftp::client::SftpSession, path: &str) -> Result<(), russh_sftp::client::error::Error> {
    let mut current = String::new();
    for part in path.split('/') {
        if part.is_empty() {
            current.push('/');
            continue;
        }
        if !current.is_empty() && !current.ends_with('/') {
            current.push('/');
        }
        current.push_str(part);
        if !sftp.try_exists(current.as_str()).await? {
            sftp.create_dir(current.as_str()).await?;
        }
    }
    Ok(())
}

/// The copy as a job for [`crate::exec::run_on_nodes`].
pub struct CopyJob {
    pub plan: CopyPlan,
}

impl NodeJob for CopyJob {
    fn run<'a>(&'a self, index: usize, target: &'a SshTarget, session: &'a Session, events: &'a Events) -> BoxFuture<'a, JobOutput> {
        Box::pin(async move {
            match self.plan.copy_to(&target.node, session, index, events).await {
                Ok(bytes) => JobOutput { outcome: NodeOutcome::Exited(0), output: format!("{bytes} bytes sent\n").into_bytes(), truncated: false },
                Err(e) => JobOutput { outcome: NodeOutcome::Failed(e), output: Vec::new(), truncated: false },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_checked_and_listed_before_anything_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::fs::create_dir_all(root.join("conf/sub")).unwrap();
        std::fs::write(root.join("conf/x"), "x").unwrap();
        std::fs::write(root.join("conf/sub/y"), "y").unwrap();
        let err = plan_copy(&[root.join("conf")], "/etc/app", false, false).unwrap_err();
        assert!(err.to_string().contains("-r"), "{err}");
        assert!(matches!(plan_copy(&[root.join("none")], "/tmp", false, false), Err(RemoteError::SourceInvalid { .. })));
        assert!(plan_copy(&[root.join("a.txt")], " ", false, false).unwrap_err().to_string().contains("destination"));
        let plan = plan_copy(&[root.join("a.txt"), root.join("conf")], "/etc/app/", true, true).unwrap();
        assert_eq!(plan.destination, "/etc/app");
        let names: Vec<String> = plan
            .items
            .iter()
            .map(|i| match i {
                CopyItem::Folder { remote } => format!("{remote}/"),
                CopyItem::File { remote, .. } => remote.clone(),
            })
            .collect();
        assert_eq!(names, ["a.txt", "sub/", "sub/y", "x"]);
        assert_eq!(plan.remote_path("sub/y"), "/etc/app/sub/y");
    }

    #[cfg(unix)]
    #[test]
    fn special_files_and_links_to_folders_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("src");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("f"), "f").unwrap();
        let fifo = std::ffi::CString::new(root.join("pipe").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        std::os::unix::fs::symlink("/", root.join("rootlink")).unwrap();
        std::os::unix::fs::symlink(root.join("f"), root.join("flink")).unwrap();
        let plan = plan_copy(&[root], "/d", true, false).unwrap();
        assert_eq!(plan.items.len(), 2, "{:?}", plan.items);
    }
}

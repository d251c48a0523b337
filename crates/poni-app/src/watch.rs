//! Notices when the repository changes on disk, whoever changed it (the poni command line,
//! an editor, git): file-system events, debounced, confirmed by the repository fingerprint so
//! that a burst of writes or an unrelated event does not cause a refresh.

use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use poni_repo::Repo;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct RepoWatcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
}

/// The last fingerprint a front end was told about; shared with the edit commands, which
/// update it themselves so the watcher does not announce their own writes twice.
#[derive(Debug, Clone, Default)]
pub struct SeenFingerprint(Arc<Mutex<Option<u64>>>);

impl SeenFingerprint {
    /// Records `fingerprint`; true if it differs from the last one recorded.
    pub fn update(&self, fingerprint: u64) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let changed = *seen != Some(fingerprint);
        *seen = Some(fingerprint);
        changed
    }
}

impl RepoWatcher {
    /// Calls `on_change` (on a background thread) each time the repository's content changed.
    pub fn start(repo: Repo, seen: SeenFingerprint, on_change: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        if let Ok(fingerprint) = repo.fingerprint() {
            seen.update(fingerprint);
        }
        let watched = repo.root().to_path_buf();
        let mut debouncer = new_debouncer(Duration::from_millis(250), None, move |result: DebounceEventResult| {
            // Reading the folders (the fingerprint itself, a `list`) is an access event on
            // Linux: counting those would make every check wake the next one, for ever.
            let changed = result.is_ok_and(|events| events.iter().any(|e| !e.kind.is_access()));
            if changed && repo.fingerprint().is_ok_and(|f| seen.update(f)) {
                on_change();
            }
        })
        .map_err(std::io::Error::other)?;
        debouncer.watch(&watched, RecursiveMode::Recursive).map_err(std::io::Error::other)?;
        Ok(Self { _debouncer: debouncer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn reports_changes_made_by_another_program_once() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        let (tx, rx) = mpsc::channel();
        let _watcher = RepoWatcher::start(repo.clone(), SeenFingerprint::default(), move || tx.send(()).unwrap()).unwrap();
        std::fs::create_dir_all(repo.root().join("system/n1")).unwrap();
        std::fs::write(repo.root().join("system/n1/node.json"), "{}").unwrap();
        rx.recv_timeout(Duration::from_secs(5)).expect("a change is reported");
        // Nothing else changed: no further report.
        assert!(rx.recv_timeout(Duration::from_millis(800)).is_err());
    }
}

//! The repository's identity on EC2: the `poni:repo` tag value that ties instances to this
//! repository. Kept in `repo.json` under a key of ours, made on first use, never changed, so
//! it survives moving or renaming the repository folder.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use poni_repo::{Repo, RepoError};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Our key in `repo.json`: `{"poni-desktop": {"repo-id": "r-…"}}`.
pub const CONFIG_KEY: &str = "poni-desktop";
pub const REPO_ID_KEY: &str = "repo-id";

/// The repository's id, made and saved now if it has none.
pub fn repo_id(repo: &Repo) -> Result<String, RepoError> {
    match stored(&repo.config()?) {
        Some(id) => Ok(id),
        None => save_repo_id(repo, &fresh_id(repo)),
    }
}

/// The id to launch with: the saved one, else a new one not saved yet (`true`). A launch saves
/// it with [`save_repo_id`] once EC2 has answered a call made with it, so that a refused
/// endpoint or bad credentials leave repo.json as it was.
pub fn launch_repo_id(repo: &Repo) -> (String, bool) {
    match existing_repo_id(repo) {
        Some(id) => (id, false),
        None => (fresh_id(repo), true),
    }
}

/// Saves `id` as the repository's id, unless it has one by now; returns the one it has.
pub fn save_repo_id(repo: &Repo, id: &str) -> Result<String, RepoError> {
    repo.update_config(|config| {
        // Another program may have made one since we looked: that one wins.
        if let Some(id) = stored(config) {
            return Ok(id);
        }
        let id = id.to_owned();
        let ours = config.entry(CONFIG_KEY).or_insert_with(|| json!({}));
        if !ours.is_object() {
            return Err(RepoError::Conflict(format!(
                "repo.json: '{CONFIG_KEY}' should be an object holding Poni Desktop's settings; remove it or make it {{}}"
            )));
        }
        ours[REPO_ID_KEY] = Value::String(id.clone());
        Ok(id)
    })
}

/// The repository's id if it has one (none before its first launch); never makes one, so
/// looking at instances (wait, update, status, terminate, diff) leaves repo.json as it is.
pub fn existing_repo_id(repo: &Repo) -> Option<String> {
    stored(&repo.config().ok()?)
}

fn stored(config: &poni_repo::Props) -> Option<String> {
    config.get(CONFIG_KEY)?.get(REPO_ID_KEY)?.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Unique enough: the folder, the time in nanoseconds, the process and a counter, hashed.
fn fresh_id(repo: &Repo) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut hash = Sha256::new();
    hash.update(repo.root().to_string_lossy().as_bytes());
    hash.update(nanos.to_le_bytes());
    hash.update(std::process::id().to_le_bytes());
    hash.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let digest = hash.finalize();
    format!("r-{}", digest[..12].iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_then_kept_with_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        std::fs::write(repo.root().join("repo.json"), r#"{"theirs": 1}"#).unwrap();
        let id = repo_id(&repo).unwrap();
        assert!(id.starts_with("r-") && id.len() == 26, "{id}");
        assert_eq!(repo_id(&repo).unwrap(), id);
        let config = repo.config().unwrap();
        assert_eq!(config["theirs"], json!(1));
        assert_eq!(config[CONFIG_KEY][REPO_ID_KEY], json!(id));
        let other = Repo::init(dir.path().join("other")).unwrap();
        assert_ne!(repo_id(&other).unwrap(), id);
    }

    #[test]
    fn a_foreign_value_under_our_key_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        std::fs::write(repo.root().join("repo.json"), r#"{"poni-desktop": "x"}"#).unwrap();
        let err = repo_id(&repo).unwrap_err();
        assert!(err.to_string().contains("'poni-desktop' should be an object"), "{err}");
        assert_eq!(repo.config().unwrap()[CONFIG_KEY], json!("x"));
    }
}

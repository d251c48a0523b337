//! The user's settings and recently opened repositories, kept as JSON in the platform's config
//! folder (found with the `directories` crate) and written atomically.

use crate::cloud::credentials::CredentialChoice;
use crate::error::{AppError, AppResult};
use poni_repo::ErrorCode;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

const MAX_RECENT: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct Settings {
    /// Most recent first.
    pub recent_repositories: Vec<String>,
    /// A custom EC2 endpoint (moto, LocalStack) instead of AWS.
    pub ec2_endpoint: Option<String>,
    /// `system`, `light` or `dark`.
    pub theme: Option<String>,
    /// Which AWS credentials to use; absent (older files, or never picked) means automatic.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credentials: Option<CredentialChoice>,
    /// The region last given to a node in the app, offered to new nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub last_region: Option<String>,
    /// The practice sandbox changes states at once instead of at EC2's usual pace.
    pub sandbox_fast: bool,
}

impl Settings {
    /// Puts `root` first in the recent list.
    pub fn remember(&mut self, root: &Path) {
        let root = root.display().to_string();
        self.recent_repositories.retain(|r| *r != root);
        self.recent_repositories.insert(0, root);
        self.recent_repositories.truncate(MAX_RECENT);
    }

    /// The credentials choice in effect.
    pub fn credential_choice(&self) -> CredentialChoice {
        self.credentials.clone().unwrap_or_default()
    }

    pub fn forget(&mut self, root: &str) {
        self.recent_repositories.retain(|r| r != root);
    }
}

/// The app's identifier, as Tauri names its folders (tauri.conf.json).
const APP_IDENTIFIER: &str = "io.poni.desktop";

/// The app's cache folder, for what can be fetched again (price lists): the platform's cache
/// folder under the app's identifier, `$XDG_CACHE_HOME/io.poni.desktop` (else
/// `~/.cache/io.poni.desktop`) on Linux, where `poni cloud status` keeps its prices too.
pub fn cache_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.cache_dir().join(APP_IDENTIFIER))
}

/// Where settings live, and loading/saving them.
#[derive(Debug, Clone)]
pub struct SettingsStore {
    path: PathBuf,
}

impl SettingsStore {
    /// `$PONI_DESKTOP_CONFIG_DIR` if set (tests), else the platform's config folder.
    pub fn system() -> AppResult<Self> {
        let dir = match std::env::var_os("PONI_DESKTOP_CONFIG_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => directories::ProjectDirs::from("", "", "poni-desktop")
                .ok_or_else(|| AppError::new(ErrorCode::SettingsNoHome, "Cannot find your home folder to keep settings in."))?
                .config_dir()
                .to_path_buf(),
        };
        Ok(Self::at(dir.join("settings.json")))
    }

    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    /// The folder the settings live in: the app's own, where it also keeps past runs.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.path.parent()
    }

    /// Loads settings; a missing file gives the defaults, a damaged one is named in the error.
    pub fn load(&self) -> AppResult<Settings> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                AppError::new(ErrorCode::SettingsBadFile, format!("{}: cannot read the settings ({e}); fix or delete the file", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(AppError::new(ErrorCode::Io, format!("{}: {e}", self.path.display()))),
        }
    }

    pub fn save(&self, settings: &Settings) -> AppResult<()> {
        if let Some(dir) = self.path.parent() {
            poni_repo::store::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(settings).expect("settings serialize");
        poni_repo::store::write_atomic(&self.path, text.as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_recent_unique() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::at(dir.path().join("sub/settings.json"));
        let mut settings = store.load().unwrap();
        assert_eq!(settings, Settings::default());
        settings.remember(Path::new("/a"));
        settings.remember(Path::new("/b"));
        settings.remember(Path::new("/a"));
        store.save(&settings).unwrap();
        assert_eq!(store.load().unwrap().recent_repositories, ["/a", "/b"]);
    }

    #[test]
    fn a_damaged_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{").unwrap();
        let err = SettingsStore::at(path).load().unwrap_err();
        assert_eq!(err.code, "settings.bad_file");
        assert!(err.message.contains("settings.json"));
    }
}

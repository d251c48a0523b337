//! What every command gets first: the app, and through it the desktop core ([`Desk`]).
//! Writes go through [`Ctx::edit`] (or [`Ctx::wrote`] after the cloud engine wrote), the one
//! place a write is followed by the core's after-write steps and the window's reload event.

use crate::events;
use poni_app::{AppResult, Desk, Workspace};
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::{AppHandle, Manager, Runtime, State};

pub struct Ctx<R: Runtime> {
    app: AppHandle<R>,
}

impl<'de, R: Runtime> CommandArg<'de, R> for Ctx<R> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        Ok(Self { app: AppHandle::from_command(command)? })
    }
}

impl<R: Runtime> Ctx<R> {
    pub fn app(&self) -> &AppHandle<R> {
        &self.app
    }

    pub fn desk(&self) -> State<'_, Desk> {
        self.app.state::<Desk>()
    }

    /// Reads the open workspace.
    pub fn read<T>(&self, f: impl FnOnce(&Workspace) -> AppResult<T>) -> AppResult<T> {
        self.desk().with(f)
    }

    /// Writes through the open workspace (see [`Desk::edit`]); the window reloads.
    pub fn edit<T>(&self, f: impl FnOnce(&Workspace) -> AppResult<T>) -> AppResult<T> {
        self.announce(self.desk().edit(f))
    }

    /// The cloud engine wrote the repository (an import, a drift taken): the same steps as
    /// after an edit. The window reloads even when it failed: it may have failed after writing
    /// part (the nodes of an import, before tagging their instances).
    pub fn wrote<T>(&self, result: AppResult<T>) -> AppResult<T> {
        self.desk().after_write();
        events::repo_changed(&self.app);
        result
    }

    /// Credentials, profile, endpoint or sandbox changed (see [`Desk::account_changed`]).
    pub fn account_changed(&self) {
        self.desk().account_changed();
        events::account_changed(&self.app);
    }

    /// Tells the window to reload when the write went through.
    pub fn announce<T>(&self, result: AppResult<T>) -> AppResult<T> {
        if result.is_ok() {
            events::repo_changed(&self.app);
        }
        result
    }
}

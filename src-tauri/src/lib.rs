//! Poni Desktop's Tauri shell: app state, the IPC commands (thin calls into `poni-app`), and
//! events that carry changes to the UI. No business logic lives here.

#[cfg(test)]
mod bindings;
pub mod commands;
mod ctx;
mod events;
mod memory;
mod stream;

/// What the running app holds: the desktop core (poni-app), kept as Tauri state.
pub use poni_app::Desk as AppState;

use poni_app::{SettingsStore, Workspace};
use tauri::Manager;

/// Adds every command, plugin and the app state to a builder: the app's own, or the mock
/// runtime's in the command tests.
pub fn configure<R: tauri::Runtime>(builder: tauri::Builder<R>, settings: SettingsStore) -> tauri::Builder<R> {
    configure_with(builder, AppState::new(settings))
}

/// Like [`configure`] with an app state made by the caller (tests give their own keyring,
/// environment and cloud options).
pub fn configure_with<R: tauri::Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder.plugin(tauri_plugin_dialog::init()).plugin(tauri_plugin_opener::init()).manage(state).invoke_handler(commands::handler())
}

/// Opens the repository the app starts on: `$PONI_ROOT`, else `~/.poni/default`, created on
/// first start so a newcomer lands in an empty repository rather than an error.
fn open_start_repository<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let state = app.state::<poni_app::Desk>();
    let root = poni_repo::Repo::default_root();
    match Workspace::open_or_create(&root) {
        Ok(workspace) => {
            if let Err(e) = commands::workspace::switch_to(app, &state, workspace) {
                *state.start_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
            }
        }
        Err(e) => *state.start_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e),
    }
}

pub fn run() {
    memory::fewer_arenas();
    let settings = match SettingsStore::system() {
        Ok(store) => store,
        Err(e) => {
            eprintln!("poni-desktop: {e}");
            std::process::exit(1);
        }
    };
    configure(tauri::Builder::default(), settings)
        .setup(|app| {
            events::forward_sandbox(app.handle());
            open_start_repository(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while building Poni Desktop")
        .run(|app, event| {
            // Quitting ends the practice sandbox's server with the app.
            if let tauri::RunEvent::Exit = event {
                app.state::<poni_app::Desk>().credentials.sandbox_handle().stop_now();
            }
        });
}

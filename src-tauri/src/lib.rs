//! Poni Desktop's Tauri shell: app state, the IPC commands (thin calls into `poni-app`), and
//! events that carry changes to the UI. No business logic lives here.

pub mod commands;
mod events;
mod memory;
mod state;
#[cfg(test)]
mod bindings;

pub use state::AppState;

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
    use commands::*;
    // The history says which changes were made in the app.
    poni_repo::set_origin(poni_repo::Origin::App);
    // Under git in each-change mode, every change is committed with its label.
    poni_repo::set_after_change(poni_app::vc::commit_change);
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            workspace::workspace_info,
            workspace::open_repository,
            workspace::create_repository,
            workspace::forget_repository,
            tree::load_tree,
            tree::get_item,
            edit::add_system,
            edit::plan_nodes,
            edit::add_nodes,
            edit::set_properties,
            edit::unset_properties,
            edit::check_edit,
            edit::edit_properties,
            edit::check_name,
            edit::rename_item,
            edit::remove_item,
            existing::cloud_terminate_instances,
            history::check_move,
            history::move_items,
            history::history_list,
            history::history_undo,
            history::history_redo,
            settings::get_settings,
            settings::save_settings,
            cloud::cloud_reference,
            cloud::cloud_preview,
            cloud::cloud_affected,
            cloud::cloud_start,
            cloud::cancel_operation,
            cloud::list_operations,
            cloud::fleet_overview,
            cloud::fleet_nodes,
            cloud::node_live,
            cloud::connect_command,
            credentials::credentials_status,
            credentials::list_credential_sets,
            credentials::save_credential_set,
            credentials::delete_credential_set,
            credentials::choose_credentials,
            credentials::set_ec2_endpoint,
            account::account_status,
            account::launch_checks,
            account::account_regions,
            account::account_images,
            account::account_instance_types,
            account::account_key_pairs,
            account::create_key_pair,
            account::import_key_pair,
            account::local_public_keys,
            account::account_security_groups,
            account::allow_ssh,
            account::account_subnets,
            sandbox::sandbox_status,
            sandbox::sandbox_start,
            sandbox::sandbox_stop,
            sso::sso_start,
            sso::sso_finish,
            sso::sso_cancel,
            existing::account_instances,
            existing::import_preview,
            existing::import_instances,
            existing::cloud_drift,
            existing::cloud_take_drift,
            vc::vc_status,
            vc::vc_init,
            vc::vc_set_mode,
            vc::vc_set_remote,
            vc::vc_diff,
            vc::vc_checkpoint,
            vc::vc_pull,
            vc::vc_push,
            vc::vc_conflicts,
            vc::vc_resolve,
        ])
}

/// Opens the repository the app starts on: `$PONI_ROOT`, else `~/.poni/default`, created on
/// first start so a newcomer lands in an empty repository rather than an error.
fn open_start_repository<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let state = app.state::<AppState>();
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
                app.state::<AppState>().credentials.sandbox_handle().stop_now();
            }
        });
}

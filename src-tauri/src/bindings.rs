//! The TypeScript the UI uses is generated from Rust and committed in ui/src/bindings: the
//! types (ts-rs), the typed client of the commands (from their declaration, list.rs) and the
//! core's constants (core.ts). These tests fail when they drift, and when the permission list
//! (capabilities/default.json) does not grant exactly the declared commands;
//! `UPDATE_BINDINGS=1 cargo test --workspace bindings` rewrites all of them.

use crate::commands;
use poni_app::cloud::{CloudEventPayload, FleetChange, OperationStatus, SandboxStatus};
use poni_app::poni_repo::CodeTraits;
use poni_app::AppError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

/// Writes every generated file the UI uses into `dir`: the types the commands name (found
/// from their one declaration), the client itself, and what events and errors carry.
fn export_all(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    let imports = commands::export_types(&cfg).unwrap();
    let client = commands::declare::typescript_client(&commands::declared(&cfg), &imports);
    std::fs::write(dir.join("commands.ts"), client).unwrap();
    // What the window's events carry (see events.rs), and every error's `{code, message}`.
    AppError::export_all(&cfg).unwrap();
    CloudEventPayload::export_all(&cfg).unwrap();
    FleetChange::export_all(&cfg).unwrap();
    OperationStatus::export_all(&cfg).unwrap();
    SandboxStatus::export_all(&cfg).unwrap();
    CodeTraits::export_all(&cfg).unwrap();
    std::fs::write(dir.join("core.ts"), core_constants()).unwrap();
}

/// The core's rules the UI decides on: every error code's traits, the managed and cloud
/// property keys, the login names to offer for an unknown image.
fn core_constants() -> String {
    use poni_app::keys;
    let list = |items: Vec<&str>| serde_json::to_string(&items).unwrap();
    let traits: Vec<String> = poni_app::poni_repo::ErrorCode::ALL
        .iter()
        .map(|c| format!("  {}: {},", serde_json::to_string(c.as_str()).unwrap(), serde_json::to_string(&c.traits()).unwrap()))
        .collect();
    let form: Vec<String> = keys::CLOUD_FORM.iter().map(|(field, key)| format!("  {field}: {},", serde_json::to_string(key).unwrap())).collect();
    format!(
        "// Generated from the core (poni-code, poni_app::keys) by `UPDATE_BINDINGS=1 cargo test --workspace bindings`: do not edit.\n\
         import type {{ CodeTraits }} from \"./CodeTraits\";\n\
         import type {{ ErrorCode }} from \"./ErrorCode\";\n\n\
         /** What each error code says besides its name: the user's input is at fault, choosing credentials helps, its area. */\n\
         export const CODE_TRAITS: Record<ErrorCode, CodeTraits> = {{\n{}\n}};\n\n\
         /** Properties the app manages with its own actions (Launch, Clone): read-only in the editor. */\n\
         export const MANAGED_KEYS = {} as const;\n\n\
         /** The node view's cloud form: each field and the property it writes, in the form's order. */\n\
         export const CLOUD_FIELDS = {{\n{}\n}} as const;\n\n\
         /** Both spellings poni accepts for the key pair. */\n\
         export const KEY_PAIR_KEYS = {} as const;\n\n\
         /** The login names offered when a node's image does not tell its user (poni_remote::users::usual_users). */\n\
         export const COMMON_USERS = {} as const;\n",
        traits.join("\n"),
        list(keys::managed().collect()),
        form.join("\n"),
        list(keys::key_pair_keys().to_vec()),
        list(poni_app::poni_remote::target::usual_users(None)),
    )
}

fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "ts") {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn bindings_match_the_rust_types() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    let generated = files(fresh.path());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        for (rel, text) in &generated {
            let path = committed.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    assert_eq!(files(&committed), generated, "ui/src/bindings is out of date: run `UPDATE_BINDINGS=1 cargo test --workspace bindings` and commit the result");
}

/// The permissions the main window gets: Tauri's event and dialog ones, then `allow-<name>`
/// for every declared command, in declaration order.
fn capability() -> serde_json::Value {
    let mut permissions: Vec<String> = ["core:event:allow-listen", "core:event:allow-unlisten", "dialog:allow-open"].map(String::from).to_vec();
    permissions.extend(commands::ALL.iter().map(|name| format!("allow-{}", name.replace('_', "-"))));
    serde_json::json!({
        "$schema": "../gen/schemas/desktop-schema.json",
        "identifier": "default",
        "description": "What the main window may do: the app's own commands, listening to its events, and picking a folder. Nothing else.",
        "windows": ["main"],
        "permissions": permissions,
    })
}

#[test]
fn bindings_permissions_grant_exactly_the_declared_commands() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities/default.json");
    let wanted = serde_json::to_string_pretty(&capability()).unwrap() + "\n";
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, wanted).unwrap();
        return;
    }
    let committed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        committed,
        capability(),
        "capabilities/default.json is out of date: run `UPDATE_BINDINGS=1 cargo test --workspace bindings` and commit the result"
    );
}

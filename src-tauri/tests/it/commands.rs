//! The IPC commands through Tauri's mock runtime, with the app's real configuration and
//! capabilities: arguments and results cross as JSON exactly as from the UI, errors as
//! `{code, message}`.

use crate::common;

use poni_app::SettingsStore;
use serde_json::{json, Value};
use tauri::test::mock_builder;
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    window: WebviewWindow<tauri::test::MockRuntime>,
    _app: tauri::App<tauri::test::MockRuntime>,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let settings = SettingsStore::at(dir.path().join("config/settings.json"));
        let app = poni_desktop_lib::configure(mock_builder(), settings).build(common::context()).unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Harness { window, _app: app, dir }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        common::invoke(&self.window, cmd, args)
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }
}

#[test]
fn builds_a_repository_through_the_commands() {
    let h = Harness::new();
    let root = h.dir.path().join("repo");
    assert_eq!(h.call("load_tree", json!({})).unwrap_err()["code"], "workspace.none");
    h.ok("create_repository", json!({ "path": root }));
    h.ok("add_system", json!({ "name": "web" }));
    h.ok("add_nodes", json!({ "request": { "template": "web/http1", "count": "", "host": null, "parent": null, "copy": false } }));
    h.ok(
        "edit_properties",
        json!({ "name": "web/http1", "unset": [], "set": [
        { "key": "cloud.region", "value": "us-east-1" }, { "key": "cloud.image", "value": "ami-12c6146b" }, { "key": "port", "value": 80 }
    ] }),
    );
    let plan = h.ok("plan_nodes", json!({ "request": { "template": "web/http{id}", "count": "1..3", "host": null, "parent": "web/http1", "copy": true } }));
    assert_eq!(plan["nodes"][0]["clash"], "node 'web/http1' already exists");
    assert_eq!(plan["nodes"][1]["clash"], Value::Null);
    h.ok("add_nodes", json!({ "request": { "template": "web/http{id}", "count": "2..3", "host": null, "parent": "web/http1", "copy": true } }));

    let tree = h.ok("load_tree", json!({}));
    assert_eq!(tree["nodeCount"], 3);
    assert_eq!(tree["items"][2]["cloneOf"], "web/http1");
    let item = h.ok("get_item", json!({ "name": "web/http2" }));
    assert_eq!(item["props"]["cloud"]["image"], "ami-12c6146b");
    assert_eq!(item["computed"]["index"], 1);

    // On disk, in poni's format.
    let text = std::fs::read_to_string(root.join("system/web/http2/node.json")).unwrap();
    assert!(text.starts_with("{\n    \"cloud\": {\n        \"image\": \"ami-12c6146b\""), "{text}");

    h.ok("rename_item", json!({ "from": "web/http3", "to": "api/http3" }));
    assert_eq!(h.ok("remove_item", json!({ "name": "web/http1" })), json!(["api/http3", "web/http2"]));
    let info = h.ok("workspace_info", json!({}));
    assert_eq!(info["root"], root.display().to_string());
    assert_eq!(info["recent"][0], root.display().to_string());
}

#[test]
fn checks_an_edit_and_saves_it_as_one_change() {
    let h = Harness::new();
    h.ok("create_repository", json!({ "path": h.dir.path().join("repo") }));
    h.ok("add_nodes", json!({ "request": { "template": "n", "count": "", "host": null, "parent": null, "copy": false } }));
    let bad = json!({ "name": "n", "set": [{ "key": "cloud.image", "value": "ami-12zz" }, { "key": "parent", "value": "x" }], "unset": [] });
    let problems = h.ok("check_edit", bad.clone());
    assert_eq!(problems[0]["key"], "parent");
    assert_eq!(problems[0]["code"], "input.managed_property");
    assert_eq!(problems[1]["key"], "cloud.image");
    assert_eq!(problems[1]["code"], "node.invalid_property");
    assert_eq!(h.call("edit_properties", bad).unwrap_err()["code"], "input.managed_property");

    let changed = h.ok("edit_properties", json!({ "name": "n", "set": [{ "key": "port", "value": 80 }], "unset": ["host"] }));
    assert_eq!(changed, 2);
    let item = h.ok("get_item", json!({ "name": "n" }));
    assert_eq!(item["props"]["port"], 80);
    assert_eq!(item["props"].get("host"), None);

    assert_eq!(h.ok("check_name", json!({ "name": "web", "renameFrom": null })), Value::Null);
    assert_eq!(h.ok("check_name", json!({ "name": "n", "renameFrom": null }))["code"], "repo.conflict");
    assert_eq!(h.ok("check_name", json!({ "name": "m", "renameFrom": "n" })), Value::Null);
}

#[test]
fn errors_cross_as_code_and_message() {
    let h = Harness::new();
    h.ok("create_repository", json!({ "path": h.dir.path().join("repo") }));
    let err = h.call("add_nodes", json!({ "request": { "template": "../x", "count": "", "host": null, "parent": null, "copy": false } })).unwrap_err();
    assert_eq!(err["code"], "input.invalid_name");
    assert!(err["message"].as_str().unwrap().contains("'..' is not allowed"), "{err}");
    let err = h.call("plan_nodes", json!({ "request": { "template": "x{id}", "count": "5..2", "host": null, "parent": null, "copy": false } })).unwrap_err();
    assert_eq!(err, json!({ "code": "input.invalid_range", "message": "invalid range: '5..2' (the start is after the end)" }));
    let err = h.call("open_repository", json!({ "path": h.dir.path().join("nothing") })).unwrap_err();
    assert_eq!(err["code"], "repo.not_a_repository");
    let err = h.call("create_repository", json!({ "path": h.dir.path().join("repo") })).unwrap_err();
    assert_eq!(err["code"], "repo.already_initialized");
}

#[test]
fn the_fleet_wall_is_one_section_per_account_and_asks_no_cloud_without_a_region() {
    let h = Harness::new();
    assert_eq!(h.call("fleet_status", json!({ "allRegions": false })).unwrap_err()["code"], "workspace.none");
    h.ok("create_repository", json!({ "path": h.dir.path().join("repo") }));
    h.ok("add_nodes", json!({ "request": { "template": "solo", "count": "", "host": null, "parent": null, "copy": false } }));
    // No node names a region: nothing to ask, and no credentials are needed to say so.
    let wall = h.ok("fleet_status", json!({ "allRegions": false }));
    assert_eq!(wall["allRegions"], false);
    let sections = wall["accounts"].as_array().unwrap();
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0]["regions"], json!([]));
    assert_eq!(sections[0]["rows"], json!([]));
    assert_eq!(sections[0]["error"], Value::Null);
    assert_eq!(sections[0]["totals"]["account"]["monthlyText"], "$0.00");
    assert!(!sections[0]["label"].as_str().unwrap().is_empty());
}

#[test]
fn the_window_may_call_only_the_app_commands() {
    let h = Harness::new();
    // A core command not granted to the window is refused by the capability.
    let err = h.call("plugin:app|version", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
    let _ = h.window.app_handle();
}

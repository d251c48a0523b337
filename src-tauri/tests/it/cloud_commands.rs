//! The cloud and credentials commands through Tauri's mock runtime, with the app's real
//! configuration and capabilities, a keyring in memory (or one that is locked) and an empty
//! environment: credential errors arrive as `{code, message}` that say what to do, secrets
//! never come back, and a launch with missing properties is refused with the problems marked
//! on the nodes. No cloud is contacted here (see poni-app's moto test for that).

use crate::common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poni_app::cloud::{CloudCredentials, SessionOptions};
use poni_app::poni_cloud::credentials::{CredentialSets, CredentialsError, EnvVars, SecretStore};
use poni_app::SettingsStore;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use tauri::test::mock_builder;
use tauri::{Listener, WebviewWindow, WebviewWindowBuilder};

#[derive(Default)]
struct MemoryStore {
    entries: Mutex<BTreeMap<String, String>>,
    locked: bool,
}

impl SecretStore for MemoryStore {
    fn read(&self, account: &str) -> Result<Option<SecretString>, CredentialsError> {
        if self.locked {
            return Err(CredentialsError::KeyringLocked("the collection is locked".into()));
        }
        Ok(self.entries.lock().unwrap().get(account).cloned().map(SecretString::from))
    }
    fn write(&self, account: &str, secret: &SecretString) -> Result<(), CredentialsError> {
        if self.locked {
            return Err(CredentialsError::KeyringLocked("the collection is locked".into()));
        }
        self.entries.lock().unwrap().insert(account.into(), secret.expose_secret().into());
        Ok(())
    }
    fn remove(&self, account: &str) -> Result<bool, CredentialsError> {
        Ok(self.entries.lock().unwrap().remove(account).is_some())
    }
}

struct Harness {
    window: WebviewWindow<tauri::test::MockRuntime>,
    app: tauri::App<tauri::test::MockRuntime>,
    dir: tempfile::TempDir,
    store: Arc<MemoryStore>,
}

impl Harness {
    fn new(store: MemoryStore) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let settings = SettingsStore::at(dir.path().join("config/settings.json"));
        let store = Arc::new(store);
        let credentials = CloudCredentials::new(settings.clone(), CredentialSets::new(store.clone()), EnvVars::from_pairs([])).with_profile_paths(vec![]);
        let state = poni_desktop_lib::AppState::with_cloud(settings, credentials, SessionOptions::default());
        let app = poni_desktop_lib::configure_with(mock_builder(), state).build(common::context()).unwrap();
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
        Harness { window, app, dir, store }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        common::invoke(&self.window, cmd, args)
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// A repository with the seed document's drumbo1..4, drumbo3 missing its image.
    fn drumbo(&self) {
        self.ok("create_repository", json!({ "path": self.dir.path().join("repo") }));
        self.ok("add_nodes", json!({ "request": { "template": "drumbo1", "count": "", "host": null, "parent": null, "copy": false } }));
        self.ok(
            "edit_properties",
            json!({ "name": "drumbo1", "unset": [], "set": [
            { "key": "cloud.provider", "value": "aws-ec2" }, { "key": "cloud.region", "value": "us-east-1" },
            { "key": "cloud.image", "value": "ami-12c6146b" }, { "key": "cloud.key-pair", "value": "my-keypair" }, { "key": "user", "value": "root" }
        ] }),
        );
        self.ok("add_nodes", json!({ "request": { "template": "drumbo{id}", "count": "2..4", "host": null, "parent": "drumbo1", "copy": true } }));
        self.ok("edit_properties", json!({ "name": "drumbo3", "set": [], "unset": ["cloud.image"] }));
    }
}

#[test]
fn credentials_are_write_only_and_problems_are_coded() {
    let h = Harness::new(MemoryStore::default());
    // Nothing set up: the environment was picked but is empty.
    let status = h.ok("choose_credentials", json!({ "choice": { "kind": "environment" } }));
    assert_eq!(status["choice"], json!({ "kind": "environment" }));
    assert_eq!(status["source"], Value::Null);
    assert_eq!(status["error"]["code"], "credentials.missing");
    assert!(status["error"]["message"].as_str().unwrap().contains("Export both"), "{status}");

    let err = h.call("save_credential_set", json!({ "set": { "name": "bad name", "accessKeyId": "AKIA1", "secretAccessKey": "s" } })).unwrap_err();
    assert_eq!(err["code"], "credentials.invalid_name");
    let err = h.call("save_credential_set", json!({ "set": { "name": "work", "accessKeyId": "AKIA1", "secretAccessKey": "" } })).unwrap_err();
    assert_eq!(err["code"], "credentials.invalid");

    let saved = h.ok("save_credential_set", json!({ "set": { "name": "work", "accessKeyId": "AKIAWORKEXAMPLE", "secretAccessKey": "write-only-secret" } }));
    assert_eq!(saved, json!({ "name": "work", "accessKeyId": "AKIAWORKEXAMPLE", "problem": null }));
    assert!(h.store.entries.lock().unwrap()["work"].contains("write-only-secret"), "the secret went to the keyring");
    let listed = h.ok("list_credential_sets", json!({}));
    assert_eq!(listed, json!([{ "name": "work", "accessKeyId": "AKIAWORKEXAMPLE", "problem": null }]));
    let status = h.ok("choose_credentials", json!({ "choice": { "kind": "storedSet", "name": "work" } }));
    assert_eq!(status["source"]["kind"], "storedSet");
    assert_eq!(status["source"]["accessKeyId"], "AKIAWORKEXAMPLE");
    assert_eq!(status["sets"], json!(["work"]));
    for answer in [&saved, &listed, &status] {
        assert!(!answer.to_string().contains("write-only-secret"), "{answer}");
    }
    let settings = h.ok("get_settings", json!({}));
    assert_eq!(settings["credentials"], json!({ "kind": "storedSet", "name": "work" }));

    assert_eq!(h.ok("delete_credential_set", json!({ "name": "work" })), json!(true));
    let status = h.ok("credentials_status", json!({}));
    assert_eq!(status["error"]["code"], "credentials.not_found");
    assert!(
        status["error"]["message"].as_str().unwrap().contains("Add it in Settings")
            && !status["error"]["message"].as_str().unwrap().contains("poni credentials"),
        "{status}"
    );

    let err = h.call("set_ec2_endpoint", json!({ "url": "localhost:5000" })).unwrap_err();
    assert_eq!(err["code"], "cloud.invalid_endpoint");
    assert_eq!(h.ok("set_ec2_endpoint", json!({ "url": "http://127.0.0.1:5000/" })), json!("http://127.0.0.1:5000"));
    assert_eq!(h.ok("credentials_status", json!({}))["endpoint"], "http://127.0.0.1:5000");
}

#[test]
fn a_locked_keyring_says_how_to_unlock_it() {
    let h = Harness::new(MemoryStore { locked: true, ..Default::default() });
    let err = h.call("save_credential_set", json!({ "set": { "name": "work", "accessKeyId": "AKIA1", "secretAccessKey": "s" } })).unwrap_err();
    assert_eq!(err["code"], "credentials.keyring_locked");
    assert!(err["message"].as_str().unwrap().contains("Unlock it"), "{err}");
    let status = h.ok("choose_credentials", json!({ "choice": { "kind": "storedSet", "name": "work" } }));
    assert_eq!(status["error"]["code"], "credentials.keyring_locked");
    assert_eq!(status["setsError"]["code"], "credentials.keyring_locked");
}

#[test]
fn a_launch_preview_points_at_problems_and_nothing_is_launched() {
    let h = Harness::new(MemoryStore::default());
    assert_eq!(h.call("cloud_preview", json!({ "scope": { "kind": "all" } })).unwrap_err()["code"], "workspace.none");
    h.drumbo();

    let preview = h.ok("cloud_preview", json!({ "scope": { "kind": "all" } }));
    assert_eq!((preview["launchCount"].as_u64(), preview["invalidCount"].as_u64(), preview["canLaunch"].as_bool()), (Some(3), Some(1), Some(false)));
    let d1 = &preview["nodes"][0];
    assert_eq!((d1["node"].as_str(), d1["action"].as_str(), d1["region"].as_str()), (Some("drumbo1"), Some("launch"), Some("us-east-1")));
    assert_eq!((d1["image"].as_str(), d1["instanceType"].as_str(), d1["keyPair"].as_str()), (Some("ami-12c6146b"), Some("t3.micro"), Some("my-keypair")));
    let d3 = &preview["nodes"][2];
    assert_eq!(d3["action"], "invalid");
    assert_eq!(
        d3["problems"],
        json!([{ "property": "cloud.image", "code": "node.missing_property", "message": "cloud.image is not set (the AMI id to launch, ami-…)" }])
    );

    // The launch is refused before credentials are even looked at (none are set up here).
    let err = h.call("cloud_start", json!({ "request": { "action": "launch", "scope": { "kind": "all" } } })).unwrap_err();
    assert_eq!(err["code"], "node.invalid_properties");
    assert!(err["message"].as_str().unwrap().contains("drumbo3 (cloud.image)"), "{err}");
    let item = h.ok("get_item", json!({ "name": "drumbo1" }));
    assert_eq!(item["props"]["cloud"].get("instance"), None, "nothing launched");
    let overview = h.ok("fleet_overview", json!({}));
    assert_eq!(overview["withProblems"], json!(["drumbo3"]));
    assert_eq!(overview["noInstance"], json!(["drumbo1", "drumbo2", "drumbo3", "drumbo4"]));
    let live = h.ok("node_live", json!({ "name": "drumbo3" }));
    assert_eq!(live["problems"][0]["property"], "cloud.image");
    assert_eq!(live["state"], Value::Null);

    // A valid selection needs credentials: the error says what to do.
    h.ok("choose_credentials", json!({ "choice": { "kind": "environment" } }));
    let err = h.call("cloud_start", json!({ "request": { "action": "launch", "scope": { "kind": "nodes", "names": ["drumbo1", "drumbo2"] } } })).unwrap_err();
    assert_eq!(err["code"], "credentials.missing");
    assert!(h.ok("list_operations", json!({})).as_array().unwrap().is_empty());

    let reference = h.ok("cloud_reference", json!({}));
    assert!(reference["regions"].as_array().unwrap().iter().any(|r| r["code"] == "us-east-1"));
    assert!(reference["instanceTypes"].as_array().unwrap().contains(&json!("t3.micro")));
    let err = h.call("connect_command", json!({ "node": "drumbo1" })).unwrap_err();
    assert_eq!(err["code"], "node.no_address");
    h.ok("edit_properties", json!({ "name": "drumbo1", "set": [{ "key": "host", "value": "ec2-50-16-65-176.compute-1.amazonaws.com" }], "unset": [] }));
    let connect = h.ok("connect_command", json!({ "node": "drumbo1" }));
    assert_eq!(connect["command"], "ssh -i ~/.ssh/my-keypair.pem root@ec2-50-16-65-176.compute-1.amazonaws.com");
}

#[test]
fn confirmations_list_instances_and_operations_report_through_events() {
    let h = Harness::new(MemoryStore::default());
    h.drumbo();
    // As a launch leaves it (the app refuses to edit `cloud.instance`: the engine writes it).
    let repo = poni_app::poni_repo::Repo::open(h.dir.path().join("repo")).unwrap();
    repo.update("drumbo2", |props| Ok(poni_app::poni_repo::props::set_path(props, "cloud.instance", json!("i-0123456789abcdef0"))?.into_iter().collect()))
        .unwrap();
    let affected = h.ok("cloud_affected", json!({ "scope": { "kind": "all" }, "action": "terminate" }));
    assert_eq!(
        affected["instances"],
        json!([{ "node": "drumbo2", "instanceId": "i-0123456789abcdef0", "region": "us-east-1", "state": "unknown", "host": null }])
    );
    assert_eq!(affected["withoutInstance"], json!(["drumbo1", "drumbo3", "drumbo4"]));
    assert_eq!(affected["summary"], "Terminate 1 instance of all nodes? This cannot be undone.");

    // An operation on nodes without instances needs no cloud: it finishes at once, as events.
    let finished = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = finished.clone();
    h.app.listen_any("operation-finished", move |e| sink.lock().unwrap().push(serde_json::from_str(e.payload()).unwrap()));
    let started = h.ok("cloud_start", json!({ "request": { "action": "terminate", "scope": { "kind": "nodes", "names": ["drumbo1", "drumbo3"] } } }));
    assert_eq!(started["id"], "op-1");
    assert_eq!((started["total"].as_u64(), started["state"].as_str()), (Some(2), Some("running")));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while finished.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = finished.lock().unwrap()[0].clone();
    assert_eq!((status["id"].as_str(), status["state"].as_str(), status["done"].as_u64()), (Some("op-1"), Some("succeeded"), Some(2)));
    assert_eq!(status["reports"][0]["outcome"], "noInstance");
    assert_eq!(h.ok("cancel_operation", json!({ "id": "op-1" })), json!(false));

    let err = h.call("cloud_start", json!({ "request": { "action": "wait", "scope": { "kind": "node", "name": "drumbo2" }, "state": "asleep" } })).unwrap_err();
    assert_eq!(err["code"], "input.invalid_state");
    let err = h.call("cloud_start", json!({ "request": { "action": "stop", "scope": { "kind": "system", "name": "nope" } } })).unwrap_err();
    assert_eq!(err["code"], "repo.not_found");
}

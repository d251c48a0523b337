//! What the command tests share: the app's context, and one IPC call through Tauri's mock
//! runtime, as the UI makes it.

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// The app's real context (tauri.conf.json, capabilities), generated once for the whole test
/// binary: the macro embeds the configuration, and on macOS an Info.plist that a binary may
/// hold only once.
pub fn context() -> tauri::Context<MockRuntime> {
    tauri::generate_context!()
}

/// Invokes `cmd` with JSON arguments; the result, or the error as `{code, message}`.
pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}

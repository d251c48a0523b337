fn main() {
    // Every command the UI may call is listed here; tauri-build makes an `allow-<command>`
    // permission for each, and capabilities/default.json grants exactly those.
    let manifest = tauri_build::AppManifest::new().commands(poni_desktop_commands::ALL);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build script");
}

mod poni_desktop_commands {
    include!("src/commands/names.rs");
}

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    // Every command the UI may call is declared once, in src/commands/list.rs; tauri-build
    // makes an `allow-<command>` permission for each, and capabilities/default.json grants
    // exactly those (a test in src/bindings.rs keeps that file in step with the list).
    let manifest = tauri_build::AppManifest::new().commands(commands::ALL);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build script");
}

mod commands {
    // The list read for its names only: the arguments and results are not looked at here.
    macro_rules! ipc_commands {
        ($($(#[doc = $doc:literal])* $module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty ;)*) => {
            pub const ALL: &[&str] = &[$(stringify!($name)),*];
        };
    }
    include!("src/commands/list.rs");
}

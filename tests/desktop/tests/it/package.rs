//! The Debian package: built by `./dev package --debug`, installed with dpkg on this machine,
//! the installed program started under the test's X display and its window checked with a
//! screenshot, then the package removed again.
//!
//! The package is the same bundle `./dev package` makes (Tauri's bundler, the same
//! tauri.conf.json: control fields, desktop entry, icons, dependencies), but from the debug
//! profile: a release build takes 20 to 30 minutes on a CI machine, while
//! `tauri build --debug --bundles deb` reuses the artifacts of `./dev test`'s workspace build
//! and only adds `tauri/custom-protocol`, so just the Tauri crates and the app crate build again
//! (about a minute the first time, less after). `PONI_DEB=/path/to/x.deb` tests a package built
//! elsewhere instead (for example the release one).
//!
//! Tauri's bundler puts `libwebkit2gtk-4.1-0` and `libgtk-3-0` into Depends itself;
//! tauri.conf.json adds `libdbus-1-3` (the keyring) and recommends what the practice sandbox runs.
//!
//! Installing needs root and dpkg: without them the test is skipped with the reason printed.
//! It is also skipped when poni-desktop is already installed here, so a real installation is
//! never replaced or removed by a test run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PACKAGE: &str = "poni-desktop";
const INSTALLED_BIN: &str = "/usr/bin/poni-desktop";

#[test]
fn the_deb_installs_starts_a_window_and_removes_cleanly() {
    if let Some(why) = cannot_install() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    // The other desktop tests run in this process: none may start the debug app while the
    // package build replaces it, nor show a window in the screenshot of the whole display.
    let _turn = poni_e2e_desktop::exclusive_turn();
    // Two runs on one machine would install and remove the same package under each other.
    let lock = std::fs::File::create(std::env::temp_dir().join("poni-desktop-package-test.lock")).expect("lock file");
    lock.lock().expect("lock the package test");
    if installed() {
        eprintln!("SKIPPED: {PACKAGE} is installed on this machine; the test would replace and then remove it");
        return;
    }

    let started = Instant::now();
    let deb = match std::env::var_os("PONI_DEB") {
        Some(deb) => PathBuf::from(deb),
        None => build_debug_deb(),
    };
    let built = started.elapsed();
    eprintln!("package: {} ({:.1} s to build)", deb.display(), built.as_secs_f64());

    // The control fields.
    let field = |name: &str| text(run(Command::new("dpkg-deb").arg("-f").arg(&deb).arg(name))).trim().to_string();
    assert_eq!(field("Package"), PACKAGE);
    assert_eq!(field("Version"), app_version());
    let depends = field("Depends");
    for dep in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libdbus-1-3"] {
        assert!(depends.split(", ").any(|d| d == dep), "Depends names {dep}: {depends}");
    }
    let recommends = field("Recommends");
    for dep in ["python3", "python3-venv"] {
        assert!(recommends.split(", ").any(|d| d == dep), "Recommends names {dep} (the practice sandbox): {recommends}");
    }
    assert!(!field("Description").is_empty(), "the package has a description");

    // The contents: the program, its desktop entry and icons.
    let contents = text(run(Command::new("dpkg-deb").arg("-c").arg(&deb)));
    let paths: Vec<String> = contents.lines().filter_map(listed_path).collect();
    assert!(paths.iter().any(|p| p == "/usr/bin/poni-desktop"), "the program is in /usr/bin:\n{contents}");
    let desktop_file = paths
        .iter()
        .find(|p| p.starts_with("/usr/share/applications/") && p.ends_with(".desktop"))
        .unwrap_or_else(|| panic!("a desktop entry:\n{contents}"))
        .clone();
    for size in ["32x32", "128x128"] {
        let icon = format!("/usr/share/icons/hicolor/{size}/apps/poni-desktop.png");
        assert!(paths.contains(&icon), "an icon {icon}:\n{contents}");
    }

    // Install it; from here on the guard removes it again, also when an assertion fails.
    let t = Instant::now();
    let installed_pkg = Installed::new(&deb);
    let install_time = t.elapsed();
    assert!(Path::new(INSTALLED_BIN).is_file(), "{INSTALLED_BIN} is installed");
    let entry = std::fs::read_to_string(&desktop_file).unwrap_or_else(|e| panic!("{desktop_file}: {e}"));
    assert!(entry.lines().any(|l| l == "Exec=poni-desktop"), "the desktop entry starts the installed program:\n{entry}");
    assert!(entry.lines().any(|l| l == "Icon=poni-desktop"), "the desktop entry names the icon:\n{entry}");
    assert!(Path::new("/usr/share/icons/hicolor/128x128/apps/poni-desktop.png").is_file(), "the icon is installed");

    // Start the installed program as a new user would: a fresh home, repository and settings,
    // and nothing of the build environment.
    let display = std::env::var("DISPLAY").expect("DISPLAY");
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(INSTALLED_BIN);
    cmd.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("DISPLAY", &display)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("XDG_CACHE_HOME", home.path().join(".cache"))
        .env("PONI_ROOT", home.path().join("repo"))
        .env("PONI_DESKTOP_CONFIG_DIR", home.path().join("config"))
        .env("NO_AT_BRIDGE", "1");
    for keep in ["XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "LANG"] {
        if let Some(value) = std::env::var_os(keep) {
            cmd.env(keep, value);
        }
    }
    let log = home.path().join("app.log");
    let t = Instant::now();
    let app = App::start(cmd, &log);

    // Its window, then a screenshot that shows the page drawn and settled: a window that is
    // still blank has one or two colours, the app's screen hundreds; while the repository is
    // read a spinner turns, so two shots in a row are the same only once it is shown.
    let window = wait_for_window(&app, &log);
    let window_time = t.elapsed();
    let shot = poni_e2e_desktop::artifacts_dir().join("package-1-installed-app.png");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut previous = Vec::new();
    let colours = loop {
        run(Command::new("import").args(["-window", "root"]).arg(&shot));
        let colours: u64 = text(run(Command::new("identify").args(["-format", "%k"]).arg(&shot))).trim().parse().expect("colour count");
        let pixels = run(Command::new("convert").arg(&shot).arg("rgb:-")).stdout;
        if (colours > 50 && pixels == previous) || Instant::now() > deadline {
            break colours;
        }
        previous = pixels;
        std::thread::sleep(Duration::from_millis(500));
    };
    let drawn_time = t.elapsed();
    assert!(colours > 50, "the window is drawn ({colours} colours in {}); app log:\n{}", shot.display(), read(&log));
    assert!(home.path().join("repo/repo.json").is_file(), "the installed app created its repository in PONI_ROOT");
    eprintln!(
        "window {window} after {:.1} s, drawn ({colours} colours) after {:.1} s: {}",
        window_time.as_secs_f64(),
        drawn_time.as_secs_f64(),
        shot.display()
    );
    drop(app);

    // Remove it: the program and its desktop entry are gone.
    let t = Instant::now();
    installed_pkg.remove();
    let remove_time = t.elapsed();
    assert!(!installed(), "{PACKAGE} is no longer installed");
    assert!(!Path::new(INSTALLED_BIN).exists(), "{INSTALLED_BIN} is removed");
    assert!(!Path::new(&desktop_file).exists(), "{desktop_file} is removed");
    eprintln!(
        "timings: build {:.1} s, install {:.1} s, window {:.1} s, remove {:.1} s, whole test {:.1} s",
        built.as_secs_f64(),
        install_time.as_secs_f64(),
        window_time.as_secs_f64(),
        remove_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

/// Why the package cannot be installed here, if it cannot.
fn cannot_install() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().map(|o| text(o).trim().to_string()).unwrap_or_default();
    if uid != "0" {
        return Some("installing a .deb needs root (dpkg -i); run ./dev test as root to include this test".into());
    }
    if Command::new("dpkg").arg("--version").stdout(Stdio::null()).status().map(|s| !s.success()).unwrap_or(true) {
        return Some("dpkg is missing: not a Debian system".into());
    }
    poni_e2e_desktop::unavailable()
}

/// Builds the debug package with `./dev package --debug`, which prints the .deb's path.
fn build_debug_deb() -> PathBuf {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dev");
    let mut cmd = Command::new(&dev);
    // What `cargo test` sets for this process must not reach the build: build scripts that
    // watch such a variable (ring's watches CARGO_MANIFEST_DIR) would run again, and again in
    // the next plain build, rebuilding everything from rustls up to the app twice.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_by_cargo = ["CARGO", "CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH", "CARGO_CRATE_NAME", "CARGO_BIN_NAME"].contains(&name.as_ref())
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "CARGO_RUSTC_CURRENT_DIR", "OUT_DIR"].contains(&name.as_ref())
            || name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_EXE_");
        if set_by_cargo {
            cmd.env_remove(name.as_ref());
        }
    }
    let out = cmd.args(["package", "--debug"]).stderr(Stdio::inherit()).output().expect("run ./dev package");
    assert!(out.status.success(), "./dev package --debug failed ({})", out.status);
    let stdout = text(out);
    let deb = PathBuf::from(stdout.lines().last().unwrap_or_default());
    assert!(deb.extension().is_some_and(|e| e == "deb") && deb.is_file(), "./dev package printed the .deb's path: {stdout:?}");
    deb
}

/// The absolute path in a line of `dpkg-deb -c` (mode, owner, size, date, time, path; the path
/// may hold spaces, "Poni Desktop.desktop", and starts with "./" or not, by the tool that packed it).
fn listed_path(line: &str) -> Option<String> {
    let mut rest = line.trim_start();
    for _ in 0..5 {
        rest = rest.split_once(char::is_whitespace)?.1.trim_start();
    }
    let path = rest.strip_prefix("./").unwrap_or(rest).trim_end_matches('/');
    Some(format!("/{path}"))
}

/// The version in tauri.conf.json, which the package carries.
fn app_version() -> String {
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/tauri.conf.json");
    let conf: serde_json::Value = serde_json::from_str(&read(&conf)).expect("tauri.conf.json");
    conf["version"].as_str().expect("version").to_string()
}

fn installed() -> bool {
    Command::new("dpkg-query").args(["-W", "-f=${Status}", PACKAGE]).output().map(|o| text(o).contains("install ok installed")).unwrap_or(false)
}

/// The installed package; removed when dropped, so a failing test leaves nothing behind.
struct Installed {
    removed: bool,
}

impl Installed {
    fn new(deb: &Path) -> Installed {
        let guard = Installed { removed: false };
        run(Command::new("dpkg").arg("-i").arg(deb));
        guard
    }

    fn remove(mut self) {
        self.removed = true;
        run(Command::new("dpkg").args(["-r", PACKAGE]));
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if !self.removed {
            let _ = Command::new("dpkg").args(["-r", PACKAGE]).status();
        }
    }
}

/// The running app in its own process group (it starts WebKit's processes); killed when dropped.
struct App {
    child: Child,
}

impl App {
    fn start(mut cmd: Command, log: &Path) -> App {
        use std::os::unix::process::CommandExt;
        let out = std::fs::File::create(log).expect("app log");
        let err = out.try_clone().expect("app log");
        let child = cmd.stdout(out).stderr(err).process_group(0).spawn().expect("start the installed program");
        App { child }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
    }
}

/// Waits up to a minute for the app's window titled "Poni Desktop"; returns its X window id.
fn wait_for_window(app: &App, log: &Path) -> String {
    let out = Command::new("timeout")
        .args(["60", "xdotool", "search", "--sync", "--onlyvisible", "--pid"])
        .arg(app.child.id().to_string())
        .args(["--name", "^Poni Desktop$"])
        .output()
        .expect("run xdotool");
    let ids = text(out);
    let id = ids.lines().next().unwrap_or_default().trim().to_string();
    assert!(!id.is_empty(), "no window titled Poni Desktop within 60 s; app log:\n{}", read(log));
    id
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed ({}):\n{}{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

fn text(out: Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("({}: {e})", path.display()))
}

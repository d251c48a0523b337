//! The practice sandbox: a local EC2-compatible server (moto, from PyPI) on a free loopback
//! port, with throwaway keys, so a newcomer can run the whole lifecycle without an AWS account
//! and without a shell. The first use installs moto into the app's data folder (a Python
//! virtualenv); later starts take about a second. While it runs, every cloud call of the app
//! goes to it (see `CloudCredentials::use_sandbox`); stopping it, or quitting, goes back.
//!
//! moto flips states at once (pending and running in the same second), so a newcomer would
//! never see what the app is built to show. Unless the user asks for "fast", the sandbox puts
//! the EC2 proxy of our test suite (`tests/harness/ec2_proxy.py`, standard library only) in
//! front of moto, holding instances pending, stopping and shutting down for EC2's usual
//! tens of seconds ([`SandboxPace`]).

use poni_repo::ErrorCode;
use std::io::{BufRead, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::process::{Child, Command};
use ts_rs::TS;

use crate::error::{AppError, AppResult};

/// The moto versions the sandbox installs (the ones the test suite runs against).
const MOTO_REQUIREMENT: &str = "moto[server]>=5.1,<6";
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// The proxy that holds states, shipped inside the app and written beside the virtualenv.
const EC2_PROXY: &str = include_str!("../../../../tests/harness/ec2_proxy.py");
/// How long instances stay pending, stopping and shutting down at EC2's usual pace (seconds).
const USUAL_HOLDS: [(&str, u32); 3] = [("--hold-pending", 20), ("--hold-stopping", 20), ("--hold-shutting-down", 20)];

/// How fast instances change state in the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxPace {
    /// As on EC2: pending, stopping and shutting down for tens of seconds.
    Usual,
    /// At once, as moto does.
    Fast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SandboxPhase {
    Off,
    Installing,
    Starting,
    Running,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SandboxStatus {
    pub phase: SandboxPhase,
    /// The local endpoint while running.
    pub endpoint: Option<String>,
    /// The current step while installing or starting.
    pub detail: Option<String>,
    pub error: Option<AppError>,
}

impl SandboxStatus {
    fn off() -> SandboxStatus {
        SandboxStatus { phase: SandboxPhase::Off, endpoint: None, detail: None, error: None }
    }
}

pub type SandboxListener = Arc<dyn Fn(&SandboxStatus) + Send + Sync>;

/// Where the sandbox lives and how it reports. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Sandbox {
    venv: PathBuf,
    python: Option<PathBuf>,
    state: Arc<Mutex<State>>,
    /// Serialises start and stop.
    busy: Arc<tokio::sync::Mutex<()>>,
    listener: Arc<Mutex<Option<SandboxListener>>>,
}

struct State {
    status: SandboxStatus,
    /// moto, and the proxy in front of it when the pace is usual.
    children: Vec<Child>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("venv", &self.venv).field("status", &self.status()).finish_non_exhaustive()
    }
}

impl Sandbox {
    /// `$PONI_SANDBOX_VENV` if set (a virtualenv that has, or will get, moto), else
    /// `<data folder>/sandbox-venv`. Python is `$PONI_SANDBOX_PYTHON`, else `python3` on PATH.
    pub fn system() -> Sandbox {
        let venv = std::env::var_os("PONI_SANDBOX_VENV").map(PathBuf::from).unwrap_or_else(|| data_dir().join("sandbox-venv"));
        let python = std::env::var_os("PONI_SANDBOX_PYTHON").map(PathBuf::from).or_else(|| find_on_path("python3"));
        Sandbox::new(venv, python)
    }

    pub fn new(venv: PathBuf, python: Option<PathBuf>) -> Sandbox {
        Sandbox {
            venv,
            python,
            state: Arc::new(Mutex::new(State { status: SandboxStatus::off(), children: Vec::new() })),
            busy: Arc::default(),
            listener: Arc::default(),
        }
    }

    /// Called with every change of status (the shell turns it into a window event).
    pub fn set_listener(&self, listener: SandboxListener) {
        *self.listener.lock().unwrap_or_else(|e| e.into_inner()) = Some(listener);
    }

    pub fn status(&self) -> SandboxStatus {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).status.clone()
    }

    /// The endpoint while running.
    pub fn endpoint(&self) -> Option<String> {
        let status = self.status();
        (status.phase == SandboxPhase::Running).then_some(status.endpoint).flatten()
    }

    fn set(&self, status: SandboxStatus) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).status = status.clone();
        let listener = self.listener.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(listener) = listener {
            listener(&status);
        }
    }

    fn step(&self, phase: SandboxPhase, detail: impl Into<String>) {
        self.set(SandboxStatus { phase, endpoint: None, detail: Some(detail.into()), error: None });
    }

    fn fail(&self, error: AppError) -> AppError {
        self.set(SandboxStatus { phase: SandboxPhase::Failed, endpoint: None, detail: None, error: Some(error.clone()) });
        error
    }

    /// Installs moto on first use, starts it on a free loopback port (with the proxy in front
    /// of it at the usual pace) and waits until it answers. Returns the running status; a
    /// second call while running changes nothing.
    pub async fn start(&self, pace: SandboxPace) -> AppResult<SandboxStatus> {
        let _busy = self.busy.lock().await;
        if self.endpoint().is_some() {
            return Ok(self.status());
        }
        if !self.moto_server().is_file() {
            self.install().await.map_err(|e| self.fail(e))?;
        }
        self.step(SandboxPhase::Starting, "Starting the practice sandbox...");
        let (children, url) = self.launch(pace).await.map_err(|e| self.fail(e))?;
        self.state.lock().unwrap_or_else(|e| e.into_inner()).children = children;
        let running = SandboxStatus { phase: SandboxPhase::Running, endpoint: Some(url.clone()), detail: None, error: None };
        self.set(running.clone());
        tracing::info!(%url, "practice sandbox running");
        Ok(running)
    }

    /// Stops the server; everything made in it is gone.
    pub async fn stop(&self) -> SandboxStatus {
        let _busy = self.busy.lock().await;
        self.stop_now();
        self.status()
    }

    /// Stops at once (also used when the app quits).
    pub fn stop_now(&self) {
        let children = std::mem::take(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()).children);
        for mut child in children {
            let _ = child.start_kill();
        }
        if self.status().phase != SandboxPhase::Off {
            self.set(SandboxStatus::off());
        }
    }

    fn moto_server(&self) -> PathBuf {
        self.venv.join("bin").join("moto_server")
    }

    async fn install(&self) -> AppResult<()> {
        let python = self.python.clone().ok_or_else(python_missing)?;
        self.step(SandboxPhase::Installing, "Preparing a Python environment for the sandbox (first use only)...");
        if let Some(parent) = self.venv.parent() {
            std::fs::create_dir_all(parent).map_err(|e| install_failed(format!("{} cannot be created: {e}", parent.display())))?;
        }
        let venv = Command::new(&python).arg("-m").arg("venv").arg(&self.venv).stdout(Stdio::null()).stderr(Stdio::piped()).output().await;
        let pip = self.venv.join("bin").join("pip");
        match venv {
            Err(_) => return Err(python_missing()),
            // Debian's python3 without python3-venv makes the folder but no pip in it.
            Ok(_) if !pip.is_file() => {
                let _ = std::fs::remove_dir_all(&self.venv);
                return Err(venv_missing());
            }
            Ok(_) => {}
        }
        self.step(SandboxPhase::Installing, "Installing moto, the local EC2 server (first use only, about a minute)...");
        let mut child = Command::new(&pip)
            .args(["install", "--disable-pip-version-check", "--progress-bar", "off", MOTO_REQUIREMENT])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| install_failed(format!("pip could not be started: {e}")))?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let this = self.clone();
        // pip's own lines ("Collecting ...", "Installing collected packages ...") show the progress.
        let progress = tokio::spawn(async move {
            use tokio::io::AsyncBufReadExt;
            let Some(stdout) = stdout else { return };
            let mut lines = tokio::io::BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let line = line.trim();
                if line.starts_with("Collecting") || line.starts_with("Installing") || line.starts_with("Downloading") {
                    this.step(SandboxPhase::Installing, format!("Installing moto (first use only): {line}"));
                }
            }
        });
        let mut errors = String::new();
        if let Some(mut stderr) = stderr {
            use tokio::io::AsyncReadExt;
            let _ = stderr.read_to_string(&mut errors).await;
        }
        let status = child.wait().await.map_err(|e| install_failed(e.to_string()))?;
        let _ = progress.await;
        if !status.success() || !self.moto_server().is_file() {
            let last = errors.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim().to_owned();
            return Err(install_failed(format!("pip could not install moto ({last}). Check the internet connection and try again")));
        }
        Ok(())
    }

    /// Starts moto, and at the usual pace the proxy in front of it; returns them and the URL
    /// the app talks to.
    async fn launch(&self, pace: SandboxPace) -> AppResult<(Vec<Child>, String)> {
        let moto_port = free_port().map_err(|e| start_failed(format!("no free local port: {e}")))?;
        let mut moto = Command::new(self.moto_server());
        moto.args(["-H", "127.0.0.1", "-p", &moto_port.to_string()]);
        let moto = self.serve(moto, moto_port, "moto").await?;
        if pace == SandboxPace::Fast {
            return Ok((vec![moto], format!("http://127.0.0.1:{moto_port}")));
        }
        let mut children = vec![moto];
        let script = self.venv.with_file_name("ec2_proxy.py");
        // Written anew each start (never through a link: a temporary file renamed over it).
        poni_repo::store::write_atomic(&script, EC2_PROXY.as_bytes()).map_err(|e| start_failed(format!("the sandbox's proxy could not be written: {e}")))?;
        let port = free_port().map_err(|e| start_failed(format!("no free local port: {e}")))?;
        let mut proxy = Command::new(self.venv.join("bin").join("python"));
        proxy.arg(&script).args(["--upstream", &format!("http://127.0.0.1:{moto_port}"), "--port", &port.to_string(), "--quiet"]);
        for (flag, seconds) in USUAL_HOLDS {
            proxy.args([flag, &seconds.to_string()]);
        }
        match self.serve(proxy, port, "the sandbox's proxy").await {
            Ok(child) => children.push(child),
            Err(e) => {
                children.iter_mut().for_each(|c| drop(c.start_kill()));
                return Err(e);
            }
        }
        Ok((children, format!("http://127.0.0.1:{port}")))
    }

    /// Starts a server that ends with the app, and waits until it answers on `port`.
    async fn serve(&self, mut command: Command, port: u16, what: &str) -> AppResult<Child> {
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to end the server with
        // the app, so a crashed app leaves no server behind.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|e| start_failed(format!("{what} could not be started: {e}")))?;
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(start_failed(format!("{what} stopped at once ({status})")));
            }
            if answers(port).await {
                return Ok(child);
            }
            if started.elapsed() > START_TIMEOUT {
                let _ = child.start_kill();
                return Err(start_failed(format!("{what} did not answer on {url} within {} s", START_TIMEOUT.as_secs())));
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.start_kill();
        }
    }
}

fn python_missing() -> AppError {
    AppError::new(
        ErrorCode::SandboxPythonMissing,
        "The practice sandbox needs Python 3, which is not installed. On Debian or Ubuntu install the packages python3 and python3-venv, then click Start again.",
    )
}

fn venv_missing() -> AppError {
    AppError::new(
        ErrorCode::SandboxPythonMissing,
        "The practice sandbox needs Python's venv module, which is not installed. On Debian or Ubuntu install the package python3-venv, then click Start again.",
    )
}

fn install_failed(detail: String) -> AppError {
    AppError::new(ErrorCode::SandboxInstallFailed, format!("The practice sandbox could not be installed: {detail}."))
}

fn start_failed(detail: String) -> AppError {
    AppError::new(ErrorCode::SandboxStartFailed, format!("The practice sandbox could not be started: {detail}."))
}

/// `$PONI_DESKTOP_DATA_DIR` (tests), else the platform's data folder.
fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PONI_DESKTOP_DATA_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "poni-desktop").map(|d| d.data_dir().to_path_buf()).unwrap_or_else(|| std::env::temp_dir().join("poni-desktop"))
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(program)).find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    path.is_file()
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?.local_addr()?.port())
}

/// moto's own status page answers once the server is up (through the proxy too).
async fn answers(port: u16) -> bool {
    tokio::task::spawn_blocking(move || {
        let Ok(mut stream) = TcpStream::connect_timeout(&SocketAddr::from((Ipv4Addr::LOCALHOST, port)), Duration::from_millis(300)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        if stream.write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
            return false;
        }
        let mut first = String::new();
        let mut reader = std::io::BufReader::new(&mut stream);
        let ok = reader.read_line(&mut first).is_ok() && first.split_whitespace().nth(1) == Some("200");
        let _ = reader.read_to_end(&mut Vec::new());
        ok
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_python_the_message_names_the_packages() {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::new(dir.path().join("venv"), None);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        sandbox.set_listener(Arc::new(move |s| log.lock().unwrap().push(s.phase)));
        let e = sandbox.start(SandboxPace::Usual).await.unwrap_err();
        assert_eq!(e.code, "sandbox.python_missing");
        assert!(e.message.contains("python3-venv"), "{}", e.message);
        assert_eq!(sandbox.status().phase, SandboxPhase::Failed);
        assert_eq!(*seen.lock().unwrap(), [SandboxPhase::Failed]);
        assert_eq!(sandbox.stop().await.phase, SandboxPhase::Off);
    }
}

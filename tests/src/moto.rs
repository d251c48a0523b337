//! moto in server mode on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::process::{http_agent, wait_until, ServerProcess};

/// How long moto may take to start (it is ready in about a second on an idle machine).
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The virtualenv `scripts/install-deps` puts moto into: `$PONI_TEST_VENV`, or
/// `~/.cache/poni-desktop/moto-venv`. Panics, saying what to run, when moto is not there.
pub fn venv_dir() -> PathBuf {
    let dir = match std::env::var_os("PONI_TEST_VENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let home = std::env::var_os("HOME").expect("HOME is not set");
            PathBuf::from(home).join(".cache/poni-desktop/moto-venv")
        }
    };
    if !dir.join("bin/moto_server").exists() || !dir.join("bin/python").exists() {
        panic!(
            "moto is not installed in {}: run scripts/install-deps first \
             (or point PONI_TEST_VENV at a virtualenv with `moto[server]`)",
            dir.display()
        );
    }
    dir
}

/// The venv's interpreter: runs moto and the harness's proxy.
pub(crate) fn venv_python() -> PathBuf {
    venv_dir().join("bin/python")
}

/// The harness's Python scripts, next to this crate's sources.
pub(crate) fn harness_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("harness").join(name)
}

/// A moto server on 127.0.0.1, on a port the kernel picked. Killed when dropped.
pub struct Moto {
    process: ServerProcess,
    url: String,
}

impl Moto {
    /// Starts a server of its own and waits until it answers (panics after 20 s).
    ///
    /// Most tests want [`Moto::shared`] plus their own proxy account instead: starting moto
    /// costs about a second of CPU, and its first EC2 call another 0.7 s.
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// A server of its own with moto settings, e.g. `MOTO_ENABLE_AMI_VALIDATION=true` (the
    /// validation switches apply to a whole server, so a test that needs one starts its own).
    pub fn start_with_env(vars: &[(&str, &str)]) -> Moto {
        let mut cmd = Command::new(venv_python());
        cmd.arg(harness_script("moto_runner.py"))
            .args(["--host", "127.0.0.1", "--port", "0"])
            // Keep moto's defaults whatever the developer's shell has set.
            .env_remove("MOTO_ENABLE_AMI_VALIDATION")
            .env_remove("MOTO_ENABLE_KEYPAIR_VALIDATION")
            .env_remove("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION")
            .env_remove("MOTO_PORT")
            .envs(vars.iter().copied());
        let process = ServerProcess::spawn("moto", cmd, START_TIMEOUT, true);
        let url = format!("http://127.0.0.1:{}", process.port());
        let moto = Moto { process, url };
        moto.wait_ready();
        moto
    }

    /// The server shared by every test of this test binary, started on first use.
    ///
    /// It is never dropped (statics are not); it exits with the test process instead.
    /// Isolate tests from each other through per-proxy accounts, never by resetting it.
    pub fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(Moto::start)
    }

    fn wait_ready(&self) {
        let agent = http_agent(Duration::from_secs(2));
        let data_url = format!("{}/moto-api/data.json", self.url);
        let ready = wait_until(START_TIMEOUT, || matches!(agent.get(&data_url).call(), Ok(resp) if resp.status() == 200));
        if !ready {
            panic!("moto at {} did not answer {data_url} within {START_TIMEOUT:?}; its log:\n{}", self.url, self.process.log_tail());
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// moto's log (one line per request), for diagnosing a failing test.
    pub fn log_path(&self) -> PathBuf {
        self.process.log_path()
    }

    /// Forgets everything, in every account (`POST /moto-api/reset`). Only for a server of
    /// the test's own: on [`Moto::shared`] it would wipe the instances of parallel tests.
    pub fn reset(&self) {
        let resp = http_agent(Duration::from_secs(10)).post(&format!("{}/moto-api/reset", self.url)).send("").expect("POST /moto-api/reset");
        assert_eq!(resp.status(), 200, "moto reset failed");
    }
}

//! Spawning the harness's Python servers and waiting until they listen.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A Python server of the harness: the child process, its scratch directory (port file, log).
///
/// The child's stdin is a pipe held only by this process (std opens it close-on-exec, so no
/// other child inherits it) and the servers run with `--exit-on-stdin-eof`: if this process
/// dies without dropping us, the server still exits.
pub(crate) struct ServerProcess {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
    what: &'static str,
}

impl ServerProcess {
    /// Spawns `cmd` (which must accept `--port-file FILE --exit-on-stdin-eof`), logging to a
    /// file, and waits up to `timeout` for the port file. With `removes_dir`, `cmd` also gets
    /// `--remove-dir-on-exit DIR`, for a server that may outlive every owner (a shared one).
    pub(crate) fn spawn(what: &'static str, mut cmd: Command, timeout: Duration, removes_dir: bool) -> Self {
        let dir = tempfile::Builder::new().prefix(&format!("poni-e2e-{what}-")).tempdir().expect("create a scratch directory");
        let port_file = dir.path().join("port");
        let log_path = dir.path().join("log");
        let log = fs::File::create(&log_path).expect("create a log file");
        cmd.arg("--port-file")
            .arg(&port_file)
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(log.try_clone().expect("clone the log file handle"))
            .stderr(log);
        if removes_dir {
            cmd.arg("--remove-dir-on-exit").arg(dir.path());
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {what} ({cmd:?}): {e}"));
        let mut server = ServerProcess { child, dir, port: 0, what };
        server.port = server.wait_for_port_file(&port_file, timeout);
        server
    }

    fn wait_for_port_file(&mut self, port_file: &Path, timeout: Duration) -> u16 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(text) = fs::read_to_string(port_file) {
                if let Ok(port) = text.trim().parse() {
                    return port;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited before listening ({status}); its log:\n{}", self.what, self.log_tail());
            }
            if Instant::now() > deadline {
                panic!("{} did not listen within {timeout:?}; its log:\n{}", self.what, self.log_tail());
            }
            sleep(Duration::from_millis(25));
        }
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn log_path(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// The end of the server's log, for panic messages.
    pub(crate) fn log_tail(&self) -> String {
        let text = fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `ready` every 50 ms until it is true or `timeout` passes.
pub(crate) fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if ready() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        sleep(Duration::from_millis(50));
    }
}

/// A ureq agent for 127.0.0.1 that hands back 4xx/5xx answers instead of turning them into
/// errors (tests look at EC2 error bodies).
pub(crate) fn http_agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(timeout)).build().into()
}

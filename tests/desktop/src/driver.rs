//! Starting tauri-driver on free ports and waiting until it accepts connections.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start(log: &std::path::Path, env: &[(String, String)]) -> Driver {
        let port = free_port();
        let native_port = free_port();
        let log_file = std::fs::File::create(log).expect("driver log");
        let child = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .stdin(Stdio::null())
            .spawn()
            .expect("start tauri-driver (install it with scripts/install-deps)");
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on port {port}; see {}", log.display());
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("tauri-driver")).find(|p| p.is_file())) {
        return path;
    }
    let home = std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin/tauri-driver")
}

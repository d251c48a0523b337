//! The real `poni` binary for end-to-end tests.
//!
//! Cargo hands a test its own package's binaries only (`CARGO_BIN_EXE_<name>`), and `poni` is
//! in poni-cli. So [`poni_binary`] builds it: once per test process it runs
//! `cargo build -p poni-cli --bin poni` into the target directory this test executable lives
//! in (`<target>/<profile>/deps/<test>`), in the same profile. That is a no-op when the binary
//! is up to date (`./dev test` builds every target first) and rebuilds it when it is stale, so
//! a test never runs an old binary. `PONI_BIN=/path/to/poni` skips the build and uses that file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::env::{env_for, AwsEnv};

/// Path of an up-to-date `poni` binary (see the module docs).
pub fn poni_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("PONI_BIN").filter(|b| !b.is_empty()) {
            return PathBuf::from(bin);
        }
        let exe = std::env::current_exe().expect("the test executable's path");
        let profile_dir = exe.parent().and_then(Path::parent).expect("<target>/<profile>/deps/<test>");
        let target_dir = profile_dir.parent().expect("<target>/<profile>");
        let profile = profile_dir.file_name().and_then(|n| n.to_str()).unwrap_or("debug");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "-p", "poni-cli", "--bin", "poni"]).current_dir(workspace).env("CARGO_TARGET_DIR", target_dir);
        if profile == "release" {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo to build poni");
        assert!(status.success(), "building poni failed: {cmd:?}");
        let bin = profile_dir.join(format!("poni{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "cargo built poni, but {} is not there", bin.display());
        bin
    })
}

/// What one `poni` run printed.
#[derive(Debug, Clone)]
pub struct PoniOutput {
    pub success: bool,
    /// The exit status; None when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for PoniOutput {
    fn from(out: Output) -> PoniOutput {
        PoniOutput {
            success: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// `poni -d ROOT ...` against an EC2 endpoint, with the environment of [`env_for`] (test
/// credentials, a fresh HOME) and a keyring service of its own, so nothing touches the
/// developer's AWS setup or stored credential sets.
pub struct Poni {
    root: PathBuf,
    env: AwsEnv,
    extra: Vec<(String, String)>,
    removed: Vec<String>,
}

impl Poni {
    pub fn new(root: &Path, endpoint: &str) -> Poni {
        let service = format!("poni-e2e-{}-{}", std::process::id(), crate::proxy::fresh_account_id());
        Poni { root: root.to_owned(), env: env_for(endpoint), extra: vec![("PONI_DESKTOP_KEYRING_SERVICE".into(), service)], removed: vec!["PONI_ROOT".into()] }
    }

    /// Sets a variable for every run.
    pub fn with_var(mut self, name: &str, value: &str) -> Poni {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Removes a variable (e.g. the test credentials, to use stored ones).
    pub fn without_var(mut self, name: &str) -> Poni {
        self.removed.push(name.into());
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The fresh HOME runs get (`~/.ssh` is looked for there).
    pub fn home(&self) -> &Path {
        self.env.home()
    }

    /// The command, ready to run or spawn.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(poni_binary());
        cmd.arg("-d").arg(&self.root).args(args);
        self.env.apply(&mut cmd);
        cmd.envs(self.extra.iter().map(|(k, v)| (k, v)));
        for name in &self.removed {
            cmd.env_remove(name);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> PoniOutput {
        self.command(args).output().expect("run poni").into()
    }

    /// Runs a command that must succeed.
    pub fn ok(&self, args: &[&str]) -> PoniOutput {
        let out = self.run(args);
        assert!(out.success, "poni {args:?} failed:\nstdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
        out
    }

    /// Runs a command with `input` on its standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> PoniOutput {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn poni");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        child.wait_with_output().expect("wait for poni").into()
    }
}

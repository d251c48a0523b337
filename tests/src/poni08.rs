//! poni 0.8 itself, the Python command line Poni Desktop succeeds, to check that it still reads
//! a repository after our commands. `scripts/install-deps` installs it (from
//! `benches/vendor/poni-0.8.tar.gz`, with GitPython, which poni 0.8 needs as soon as the
//! repository is a git work tree) into `$PONI08_VENV`, default
//! `~/.cache/poni-desktop/poni-0.8-venv`. A test that needs it fails, saying what to run, when
//! it is missing: it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::poni::PoniOutput;

/// Where poni 0.8 is installed.
pub fn poni08_venv_dir() -> PathBuf {
    std::env::var_os("PONI08_VENV")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/poni-desktop/poni-0.8-venv"))
}

/// poni 0.8 in its virtualenv, started through `benches/vendor/run-poni-0.8.py`.
pub struct Poni08 {
    python: PathBuf,
    launcher: PathBuf,
}

impl Poni08 {
    /// The installed poni 0.8; panics with what to run when it is not installed.
    pub fn installed() -> Poni08 {
        let venv = poni08_venv_dir();
        let python = venv.join("bin/python");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
        let launcher = workspace.join("benches/vendor/run-poni-0.8.py");
        assert!(
            python.is_file() && venv.join("lib/python3.11/site-packages/poni/tool.py").is_file(),
            "poni 0.8 is not installed in {} (set PONI08_VENV to use another place): run `scripts/install-deps` (`./dev test` does), which needs python3.11",
            venv.display()
        );
        let gitpython = Command::new(&python).args(["-c", "import git"]).env("GIT_PYTHON_REFRESH", "quiet").status();
        assert!(
            gitpython.is_ok_and(|s| s.success()),
            "poni 0.8 in {} has no GitPython, which it needs to open a repository under git: run `scripts/install-deps` (or `{}/bin/pip install GitPython`)",
            venv.display(),
            venv.display()
        );
        Poni08 { python, launcher }
    }

    /// `poni -d ROOT ARGS...` as poni 0.8.
    pub fn command(&self, root: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(&self.python);
        // GitPython only needs the `git` program for commands poni's `list` does not run.
        command.arg(&self.launcher).arg("-d").arg(root).args(args).env("GIT_PYTHON_REFRESH", "quiet").env_remove("PONI_ROOT");
        command
    }

    pub fn run(&self, root: &Path, args: &[&str]) -> PoniOutput {
        self.command(root, args).output().expect("run poni 0.8").into()
    }

    /// What `poni list` prints (`    node  web/a` lines); panics when poni 0.8 fails.
    pub fn list(&self, root: &Path) -> String {
        let out = self.run(root, &["list"]);
        assert!(out.success, "poni 0.8 list failed on {}:\nstdout:\n{}\nstderr:\n{}", root.display(), out.stdout, out.stderr);
        out.stdout
    }

    /// The full names of the nodes poni 0.8 lists.
    pub fn node_names(&self, root: &Path) -> Vec<String> {
        self.list(root).lines().filter_map(|line| line.trim().strip_prefix("node").map(|rest| rest.trim().to_owned())).collect()
    }
}

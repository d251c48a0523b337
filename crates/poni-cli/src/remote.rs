//! `poni remote exec | shell | cp`: poni 0.8's remote tools over poni-remote, in parallel
//! where poni went one node after another.
//!
//! Output is shaped like poni's: each node's output between `--- BEGIN node (host): cmd ---`
//! and `--- END 0.3s (OK) node (host): cmd ---` lines, nodes in the order they are listed
//! (the first one unfinished streams live, the others wait their turn). Command output goes
//! through the same terminal-safe writer as everything else (an escape sequence from a server
//! is shown, not obeyed); with `-o DIR` it is written to files as it came. Template nodes are
//! skipped, as poni skips them; a node that cannot be reached is an ERROR line, and the exit
//! status is 1 when any node failed.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poni_remote::copy::{plan_copy, CopyJob};
use poni_remote::exec::{run_on_nodes, CommandJob, Events, NodeEvent, NodeOutcome, NodeResult, RunOptions};
use poni_remote::host_key::UnknownKeys;
use poni_remote::{AddressChoice, HostKeyCheck, KnownHosts, RemoteError, SshTarget, TargetEnv};
use poni_repo::{Kind, Target};
use tokio_util::sync::CancellationToken;

use crate::args::{RemoteCommand, RemoteTarget};
use crate::failure::{Failure, Result};
use crate::log;

pub fn run(root: PathBuf, command: RemoteCommand) -> Result<()> {
    let repo = crate::run::open_repo(&root)?;
    let tree = repo.tree()?;
    let env = TargetEnv::from_process().ok_or_else(|| Failure::Message("cannot find your home folder, where ~/.ssh is".into()))?;
    match command {
        RemoteCommand::Exec { target, cmd, quiet, output_dir, jobs, timeout } => {
            let nodes = select(&tree, &target, &env)?;
            if let Some(dir) = &output_dir {
                if !dir.is_dir() {
                    return Err(Failure::Input(format!("the output folder {} does not exist: create it first", dir.display())));
                }
            }
            // 0 means no limit, as poni's control_timeout does not stop anything at 0 either.
            let options = RunOptions { concurrency: jobs, timeout: timeout.filter(|s| *s > 0).map(Duration::from_secs), ..Default::default() };
            let printer = Printer::new(&nodes, &cmd, quiet, output_dir);
            let job = Arc::new(CommandJob::new(&cmd, options.timeout));
            run_job(nodes, job, &target, &env, options, printer)
        }
        RemoteCommand::Cp { args, recursive, create_dest_dir, full_match, exclude, verbose, strict_host_keys, jobs } => {
            let (dest, rest) = args.split_last().expect("clap asks for three or more");
            let (pattern, sources) = rest.split_last().expect("clap asks for three or more");
            let sources: Vec<PathBuf> = sources.iter().map(PathBuf::from).collect();
            let plan = plan_copy(&sources, dest, recursive, create_dest_dir).map_err(Failure::from)?;
            let target = RemoteTarget { nodes: pattern.clone(), full_match, exclude, strict_host_keys, verbose };
            let nodes = select(&tree, &target, &env)?;
            let label = format!("cp {} {dest}", args[..args.len() - 2].join(" "));
            let printer = Printer::new(&nodes, &label, !verbose, None);
            let options = RunOptions { concurrency: jobs, ..Default::default() };
            run_job(nodes, Arc::new(CopyJob { plan }), &target, &env, options, printer)
        }
        RemoteCommand::Shell { target } => {
            let nodes = select(&tree, &target, &env)?;
            crate::cloud::runtime()?.block_on(shell::run(nodes, &target, &env))
        }
    }
}

/// The matching nodes with where to reach them, as poni finds them: a regular expression over
/// node names, `--exclude` taking some out. None matching is bad input.
fn select(tree: &poni_repo::Tree, target: &RemoteTarget, env: &TargetEnv) -> Result<Vec<(String, Result<SshTarget, RemoteError>)>> {
    let pattern = Target::new(&target.nodes, target.full_match)?.excluding_opt(target.exclude.as_deref())?;
    let nodes: Vec<(String, Result<SshTarget, RemoteError>)> = tree
        .find(&pattern, &[Kind::Node])
        .map(|i| {
            let effective = tree.effective(&i.name).unwrap_or_default();
            (i.name.clone(), poni_remote::ssh_target(&i.name, &effective, env, AddressChoice::Public))
        })
        .collect();
    if nodes.is_empty() {
        return Err(Failure::Input(format!("'{}' does not match any nodes", target.nodes)));
    }
    Ok(nodes)
}

/// known_hosts, plus the console output of new hosts' instances when credentials reach EC2
/// (none: the policy alone decides).
async fn host_key_check(nodes: &[(String, Result<SshTarget, RemoteError>)], env: &TargetEnv, strict: bool) -> Result<HostKeyCheck> {
    let known = KnownHosts::load(&KnownHosts::default_path(&env.ssh_dir)).map_err(Failure::from)?;
    let check = HostKeyCheck::new(known, if strict { UnknownKeys::Refuse } else { UnknownKeys::AcceptNew });
    let targets: Vec<&SshTarget> = nodes.iter().filter_map(|(_, t)| t.as_ref().ok()).collect();
    if !targets.iter().any(|t| t.instance.is_some() && t.region.is_some() && check.needs_console(t)) {
        return Ok(check);
    }
    let account = async {
        let credentials = crate::cloud::resolver().resolve(&poni_cloud::credentials::CredentialChoice::Automatic).await.ok()?;
        let provider = poni_cloud::aws::Ec2Provider::new(credentials, Default::default()).ok()?;
        Some(poni_cloud::account::Account::new(provider))
    };
    // No credentials reach EC2: the policy alone decides.
    let Ok(Some(account)) = tokio::time::timeout(Duration::from_secs(10), account).await else { return Ok(check) };
    let account = &account;
    Ok(check.with_consoles(&targets, |region, instance| async move { account.console_output(&region, &instance).await.ok().flatten() }).await)
}

fn run_job(
    nodes: Vec<(String, Result<SshTarget, RemoteError>)>,
    job: Arc<dyn poni_remote::exec::NodeJob>,
    target: &RemoteTarget,
    env: &TargetEnv,
    options: RunOptions,
    printer: Printer,
) -> Result<()> {
    let verbose = target.verbose;
    let printer = Arc::new(Mutex::new(printer));
    let results = crate::cloud::runtime()?.block_on(async {
        let check = host_key_check(&nodes, env, target.strict_host_keys).await?;
        let cancel = CancellationToken::new();
        crate::cloud::cancel_on_ctrl_c(&cancel, "commands still running are stopped, nodes not started are not run");
        let events: Events = {
            let printer = printer.clone();
            Arc::new(move |event| printer.lock().unwrap_or_else(|e| e.into_inner()).event(event, verbose))
        };
        Ok::<_, Failure>(run_on_nodes(nodes, job, Arc::new(check), &options, cancel, events).await)
    })?;
    let failed = results.iter().filter(|r| r.outcome.failed() || matches!(&r.outcome, NodeOutcome::Skipped(e) if !e.is_skip())).count();
    if failed > 0 {
        log::line("poni", "ERROR", &format!("failed on {failed} of {} node(s)", results.len()));
        return Err(Failure::Reported);
    }
    // Interrupted: the nodes never started did not do what was asked.
    let not_run = results.iter().filter(|r| r.outcome == NodeOutcome::NotRun).count();
    if not_run > 0 {
        log::line("poni", "ERROR", &format!("{not_run} of {} node(s) were not run", results.len()));
        return Err(Failure::Reported);
    }
    Ok(())
}

/// How much output of a node waiting its turn is held (the rest is counted, not kept).
const HELD_LIMIT: usize = 8 * 1024 * 1024;

/// Prints nodes' output in their order: the first unfinished node streams, the others are
/// held until their turn. `-q` keeps nothing; `-o` writes each node's file as output comes.
struct Printer {
    labels: Vec<(String, Option<String>)>,
    command: String,
    quiet: bool,
    output_dir: Option<PathBuf>,
    next: usize,
    /// Per node: bytes not yet printed (a cut character waits here too), and bytes dropped.
    held: HashMap<usize, (Vec<u8>, usize)>,
    files: HashMap<usize, std::fs::File>,
    finished: HashMap<usize, NodeResult>,
    head_open: bool,
}

impl Printer {
    fn new(nodes: &[(String, Result<SshTarget, RemoteError>)], command: &str, quiet: bool, output_dir: Option<PathBuf>) -> Printer {
        Printer {
            labels: nodes.iter().map(|(n, t)| (n.clone(), t.as_ref().ok().map(|t| t.host.clone()))).collect(),
            command: command.to_owned(),
            quiet,
            output_dir,
            next: 0,
            held: HashMap::new(),
            files: HashMap::new(),
            finished: HashMap::new(),
            head_open: false,
        }
    }

    fn describe(&self, index: usize) -> String {
        let (node, host) = &self.labels[index];
        format!("{node} ({}): {}", host.as_deref().unwrap_or("None"), self.command)
    }

    fn event(&mut self, event: NodeEvent, verbose: bool) {
        match event {
            NodeEvent::Started { index } => {
                if verbose {
                    log::line("poni", "INFO", &format!("{}: started", self.labels[index].0));
                }
                if let Some(dir) = self.output_dir.clone() {
                    self.open_file(&dir, index);
                }
            }
            NodeEvent::Output { .. } if self.quiet => {}
            NodeEvent::Output { index, bytes, .. } if self.output_dir.is_some() => {
                if let Some(file) = self.files.get_mut(&index) {
                    let _ = file.write_all(&bytes);
                }
            }
            NodeEvent::Output { index, bytes, .. } => {
                let (held, dropped) = self.held.entry(index).or_default();
                let room = HELD_LIMIT.saturating_sub(held.len());
                held.extend_from_slice(&bytes[..bytes.len().min(room)]);
                *dropped += bytes.len().saturating_sub(room);
                if index == self.next {
                    self.open_head();
                    self.print_held(index, false);
                }
            }
            NodeEvent::Finished { index, result } => {
                self.finished.insert(index, result);
                while let Some(result) = self.finished.remove(&self.next) {
                    self.finish(self.next, &result);
                    self.next += 1;
                    self.head_open = false;
                }
                if self.next < self.labels.len() && self.held.contains_key(&self.next) && !self.quiet && self.output_dir.is_none() {
                    self.open_head();
                    self.print_held(self.next, false);
                }
            }
        }
    }

    /// `DIR/<node, '/' as '_'>.log`, created anew, never through a link.
    fn open_file(&mut self, dir: &Path, index: usize) {
        let node = &self.labels[index].0;
        let path = dir.join(format!("{}.log", node.replace('/', "_")));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        match options.open(&path) {
            Ok(mut file) => {
                let _ = file.write_all(format!("--- BEGIN {} ---\n", self.describe(index)).as_bytes());
                self.files.insert(index, file);
            }
            Err(e) => log::line("poni", "ERROR", &format!("{node}: cannot write {}: {e}", path.display())),
        }
    }

    /// The BEGIN line of the node now streaming.
    fn open_head(&mut self) {
        if !self.head_open {
            self.head_open = true;
            outln!("--- BEGIN {} ---", self.describe(self.next));
        }
    }

    /// Prints what is held for a node: all of it at its end, else up to a cut character.
    fn print_held(&mut self, index: usize, at_end: bool) {
        let Some((held, dropped)) = self.held.get_mut(&index) else { return };
        let text = if at_end { String::from_utf8_lossy(&std::mem::take(held)).into_owned() } else { poni_remote::text::complete_utf8(held) };
        out!("{text}");
        if at_end && *dropped > 0 {
            outln!("[{dropped} more bytes of output were not kept while other nodes printed theirs; use -o DIR to keep all]");
        }
    }

    fn finish(&mut self, index: usize, result: &NodeResult) {
        let skipped = matches!(&result.outcome, NodeOutcome::Skipped(e) if e.is_skip());
        if let NodeOutcome::Failed(e) | NodeOutcome::Skipped(e) = &result.outcome {
            if !skipped {
                log::line("poni", "ERROR", &format!("{}: {e}", result.node));
            }
        }
        if skipped || result.outcome == NodeOutcome::NotRun {
            self.held.remove(&index);
            return;
        }
        let verdict = match &result.outcome {
            NodeOutcome::Exited(0) => "OK".to_owned(),
            NodeOutcome::Exited(status) => status.to_string(),
            NodeOutcome::Signalled(signal) => format!("signal {}", signal.as_deref().unwrap_or("?")),
            NodeOutcome::Failed(e) => format!("error: {e}"),
            _ => String::new(),
        };
        let end = format!("--- END {:.1}s ({verdict}) {} ---", result.duration.as_secs_f64(), self.describe(index));
        if let Some(mut file) = self.files.remove(&index) {
            let _ = file.write_all(format!("{end}\n").as_bytes());
            return;
        }
        if self.quiet || self.output_dir.is_some() {
            return;
        }
        self.open_head();
        self.print_held(index, true);
        self.held.remove(&index);
        outln!("{end}");
    }
}

mod shell {
    //! `remote shell`: the local terminal in raw mode, joined to a shell on the node's
    //! pseudo-terminal, one node after another.

    use super::*;
    use std::io::Read;

    pub async fn run(nodes: Vec<(String, Result<SshTarget, RemoteError>)>, target: &RemoteTarget, env: &TargetEnv) -> Result<()> {
        let check = Arc::new(host_key_check(&nodes, env, target.strict_host_keys).await?);
        // One reader of standard input for all the shells: a reader per shell would keep
        // reading after its shell ended and swallow what was typed for the next one.
        let (keys, typed) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdin.read(&mut buffer) {
                if n == 0 || keys.blocking_send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let typed = Arc::new(tokio::sync::Mutex::new(typed));
        let mut failed = false;
        for (node, t) in nodes {
            let t = match t {
                Ok(t) => t,
                Err(e) if e.is_skip() => continue,
                Err(e) => {
                    log::line("poni", "ERROR", &format!("{node}: {e}"));
                    failed = true;
                    continue;
                }
            };
            if target.verbose {
                outln!("--- BEGIN {node} ({}): shell ---", t.host);
            }
            match one(&t, check.clone(), typed.clone()).await {
                Ok(_) => {}
                Err(e) => {
                    log::line("poni", "ERROR", &format!("{node}: {e}"));
                    failed = true;
                }
            }
            if target.verbose {
                outln!("--- END {node} ({}): shell ---", t.host);
            }
        }
        if failed {
            return Err(Failure::Reported);
        }
        Ok(())
    }

    async fn one(
        target: &SshTarget,
        check: Arc<HostKeyCheck>,
        typed: Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Vec<u8>>>>,
    ) -> std::result::Result<Option<u32>, RemoteError> {
        let session = poni_remote::connect(target, check, &Default::default()).await?;
        let (cols, rows) = terminal_size().unwrap_or((80, 24));
        let (mut reader, writer) = session.shell(cols, rows).await?;
        let _raw = RawMode::enter();
        let writer = Arc::new(writer);
        let input = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut typed = typed.lock().await;
                while let Some(bytes) = typed.recv().await {
                    if writer.send(&bytes).await.is_err() {
                        return;
                    }
                }
                // As ssh: the end of standard input is the end of the shell's; it exits and
                // the channel closes from its side, after the last output.
                writer.eof().await;
            })
        };
        let resize = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()) else { return };
                while signal.recv().await.is_some() {
                    if let Some((cols, rows)) = terminal_size() {
                        let _ = writer.resize(cols, rows).await;
                    }
                }
            })
        };
        // The user's own interactive session: its output goes to the terminal as it came, as
        // with ssh.
        let mut status = None;
        while let Some(event) = reader.next().await {
            match event {
                poni_remote::ShellEvent::Output(bytes) => {
                    let mut stdout = std::io::stdout().lock();
                    let _ = stdout.write_all(&bytes);
                    let _ = stdout.flush();
                }
                poni_remote::ShellEvent::Exit(s) => status = Some(s),
            }
        }
        input.abort();
        resize.abort();
        session.close().await;
        Ok(status)
    }

    fn terminal_size() -> Option<(u16, u16)> {
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        // SAFETY: TIOCGWINSZ fills a winsize; fd 1 may be anything, a failure is an error code.
        let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut size) } == 0;
        (ok && size.ws_col > 0).then_some((size.ws_col, size.ws_row))
    }

    /// The terminal in raw mode while a shell runs; restored when dropped. Nothing when
    /// standard input is not a terminal (a script piping commands in).
    struct RawMode(Option<libc::termios>);

    impl RawMode {
        fn enter() -> RawMode {
            let mut saved: libc::termios = unsafe { std::mem::zeroed() };
            // SAFETY: tcgetattr/tcsetattr on fd 0 with a termios we own.
            if unsafe { libc::isatty(0) } != 1 || unsafe { libc::tcgetattr(0, &mut saved) } != 0 {
                return RawMode(None);
            }
            let mut raw = saved;
            unsafe { libc::cfmakeraw(&mut raw) };
            unsafe { libc::tcsetattr(0, libc::TCSANOW, &raw) };
            RawMode(Some(saved))
        }
    }

    impl Drop for RawMode {
        fn drop(&mut self) {
            if let Some(saved) = &self.0 {
                // SAFETY: restores the settings read in `enter`.
                unsafe { libc::tcsetattr(0, libc::TCSANOW, saved) };
            }
        }
    }
}

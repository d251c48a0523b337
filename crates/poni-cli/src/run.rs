//! Carries out a parsed command against the repository core.

use crate::args::{AddNodeArgs, Cli, Command, ListArgs};
use crate::failure::Failure;
use crate::history;
use crate::list;
use crate::log;
use crate::repr;
use crate::{account, cloud, credentials, script, vc};
use poni_cloud::engine::{Engine, EngineEvent, EventSink, Outcome};
use poni_repo::{AddNodes, Assignment, Change, ItemChanges, Kind, Repo, Result, Target};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Carries out one command line (`main`'s, or one line of a `poni script`).
pub fn run(cli: Cli) -> std::result::Result<(), Failure> {
    // `-c` is taken as poni 0.8 takes it; nothing here is colored (output.rs).
    let Cli { root_dir, debug, color: _color, command } = cli;
    let root = root_dir.clone().unwrap_or_else(Repo::default_root);
    match command {
        Command::Cloud(args) if account::handles(&args.command) => account::run(args.command),
        Command::Cloud(mut args) => {
            // -D: the most detailed log there is, each instance's state changes.
            args.verbose |= debug;
            cloud::run(root, args)
        }
        Command::Sso { command } => account::sso(command),
        Command::Credentials { command } => credentials::run(command),
        Command::List(args) => list(root, args),
        Command::Vc { command } => vc::run(&root, command),
        Command::Remote { command } => crate::remote::run(root, command),
        Command::Version => {
            // poni 0.8 prints its version alone on a line (`0.8`); this is ours.
            outln!("{}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Script(args) => script::run(root_dir, debug, args),
        Command::Config(command) => Err(Failure::Input(refusal(&command))),
        other => Ok(run_repo(root, other)?),
    }
}

/// The one line a poni 0.8 config or deployment command gets. Its exit status is 2, the status
/// of a command this program does not take: a script that deploys stops there (`set -e`, `&&`)
/// instead of going on as if the configs were in place, and 2 tells it apart from a command
/// that ran and failed (1), as poni 0.8's scripts could only tell failure (255) from success.
/// The line names the command as it was given, so a script's log shows which line it was.
fn refusal(command: &crate::args::ConfigCommand) -> String {
    let given: String = command.args().iter().map(|a| format!(" {}", if a.contains(' ') { repr::string(a) } else { a.clone() })).collect();
    match command.is_config() {
        true => format!(
            "poni {}{given}: Poni Desktop does not deploy configurations (poni 0.8's configs, templates, settings and control commands); the repository's config folders are kept as they are",
            command.name()
        ),
        false => format!("poni {}{given}: not in Poni Desktop (it belongs to poni 0.8's configuration and deployment tools)", command.name()),
    }
}

/// Opens the repository for the command line's changes: each is committed under git in
/// each-change mode.
pub fn open_repo(root: &std::path::Path) -> Result<Repo> {
    let hooks = poni_repo::ChangeHooks { origin: poni_repo::Origin::CommandLine, after_change: Some(std::sync::Arc::new(crate::vc::commit_change)) };
    Ok(Repo::open(root)?.with_hooks(hooks))
}

fn run_repo(root: PathBuf, command: Command) -> Result<()> {
    match command {
        Command::Init => Repo::init(root).map(drop),
        Command::AddSystem { name } => open_repo(&root)?.add_system(&name),
        Command::AddNode(args) => add_node(root, args),
        Command::Set { target, properties, full_match, nodes_only, systems_only, verbose } => {
            let assignments = properties.iter().map(|p| Assignment::parse(p)).collect::<Result<Vec<_>>>()?;
            let kinds: &[Kind] = match (nodes_only, systems_only) {
                (true, _) => &[Kind::Node],
                (_, true) => &[Kind::System],
                _ => &[Kind::System, Kind::Node],
            };
            let changed = open_repo(&root)?.set_in(&Target::new(&target, full_match)?, kinds, &assignments)?;
            if verbose {
                log_set(&changed, &assignments);
            }
            Ok(())
        }
        Command::Unset { target, keys, full_match, verbose } => {
            let changed = open_repo(&root)?.unset(&Target::new(&target, full_match)?, &keys)?;
            if verbose {
                print_changes(&changed);
            }
            Ok(())
        }
        Command::Remove { name } => {
            for orphan in open_repo(&root)?.remove(&name)? {
                errln!("warning: '{orphan}' was cloned from a removed node; its 'parent' now names nothing");
            }
            Ok(())
        }
        Command::Move { from, to } => open_repo(&root)?.rename(&from, &to).map(drop),
        Command::History { verbose, limit } => history::print(&open_repo(&root)?.history()?, verbose, limit),
        Command::Undo => history::outcome("Undid", &open_repo(&root)?.undo()?),
        Command::Redo => history::outcome("Redid", &open_repo(&root)?.redo()?),
        Command::List(_)
        | Command::Cloud(_)
        | Command::Credentials { .. }
        | Command::Sso { .. }
        | Command::Vc { .. }
        | Command::Remote { .. }
        | Command::Version
        | Command::Script(_)
        | Command::Config(_) => {
            unreachable!("handled in run")
        }
    }
}

fn add_node(root: PathBuf, args: AddNodeArgs) -> Result<()> {
    let repo = open_repo(&root)?;
    let request = AddNodes {
        template: args.name,
        ids: poni_repo::repo::parse_ids(&args.count)?,
        host: args.host,
        inherit: args.inherit.as_deref().map(|p| Target::new(p, args.full_match)).transpose()?,
        copy: args.copy,
    };
    let added = repo.add_nodes(&request)?;
    if args.verbose {
        // poni 0.8's line for each node: `node added: web/b1 <= web/a`.
        let tree = repo.tree()?;
        for name in &added {
            match tree.get(name).and_then(|n| n.parent_node()) {
                Some(parent) => log::line("poni", "INFO", &format!("node added: {name} <= {parent}")),
                None => log::line("poni", "INFO", &format!("node added: {name}")),
            }
        }
    }
    Ok(())
}

fn list(root: PathBuf, args: ListArgs) -> std::result::Result<(), Failure> {
    let repo = open_repo(&root)?;
    let tree = repo.tree()?;
    for warning in tree.warnings() {
        errln!("warning: {warning}");
    }
    let target = match &args.pattern {
        Some(p) => Target::new(p, args.full_match)?,
        None => Target::all(),
    }
    .excluding_opt(args.exclude.as_deref())?;
    let items = list::selected(&tree, &args, &target);
    let has_instance = items.iter().any(|i| poni_repo::props::get_path(&i.props, "cloud.instance").is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty())));
    let statuses = if args.query && has_instance { query_statuses(repo, &target)? } else { HashMap::new() };
    out!("{}", list::render(&items, &args, &statuses));
    // The program ends here: freeing 10,000 parsed items would add a tenth to the listing.
    std::mem::forget(tree);
    Ok(())
}

/// `list -q`: every instance's live state, one DescribeInstances per region. Problems (an
/// instance EC2 does not know) are logged on stderr and shown as `unknown`.
fn query_statuses(repo: Repo, target: &Target) -> std::result::Result<HashMap<String, String>, Failure> {
    cloud::runtime()?.block_on(async {
        let engine: Engine = cloud::engine(repo, false).await?;
        let engine = engine.with_events(only_problems());
        let selection = poni_cloud::plan::Selection::from(target.clone());
        let report = engine.status(&selection, &tokio_util::sync::CancellationToken::new()).await?;
        Ok(report
            .nodes
            .into_iter()
            .filter(|n| n.outcome != Outcome::NoInstance)
            .map(|n| (n.node, n.state.map_or("unknown", |s| s.name()).to_owned()))
            .collect())
    })
}

fn only_problems() -> EventSink {
    Arc::new(|event| {
        if matches!(event, EngineEvent::NodeFailed { .. } | EngineEvent::Warning { .. }) {
            for line in crate::log::lines(&event, false) {
                errln!("{line}");
            }
        }
    })
}

/// `set -v`: poni 0.8's log line for each property set on each item, in the order given:
/// `root    INFO    web/a: set x='1' (was None)`, or `(no change)` when the value was there
/// already (a property that was not set counts as None, as in poni).
fn log_set(items: &[ItemChanges], assignments: &[Assignment]) {
    for item in items {
        let mut pending: Vec<Option<&Change>> = item.changes.iter().chain(&item.unchanged).map(Some).collect();
        for assignment in assignments {
            let Some(change) = pending.iter_mut().find(|c| c.is_some_and(|c| c.key == assignment.key)).and_then(Option::take) else { continue };
            log::line("root", "INFO", &set_line(&item.name, change));
        }
    }
}

fn set_line(item: &str, change: &Change) -> String {
    let old = change.old.clone().unwrap_or(Value::Null);
    let new = change.new.clone().unwrap_or(Value::Null);
    let note = if old == new { "no change".to_owned() } else { format!("was {}", repr::python(&old)) };
    format!("{item}: set {}={} ({note})", change.key, repr::python(&new))
}

fn print_changes(changed: &[ItemChanges]) {
    for item in changed {
        for change in &item.changes {
            let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("(unset)".to_string(), repr::value);
            outln!("{}: {} = {} (was {})", item.name, change.key, show(&change.new), show(&change.old));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_lines_are_ponis() {
        let change = |old: Option<Value>, new: Value| Change { key: "a.b".into(), old, new: Some(new) };
        assert_eq!(set_line("web/a", &change(None, json!("1"))), "web/a: set a.b='1' (was None)");
        assert_eq!(set_line("web", &change(Some(json!("1")), json!(5))), "web: set a.b=5 (was '1')");
        assert_eq!(set_line("n", &change(None, Value::Null)), "n: set a.b=None (no change)");
        assert_eq!(set_line("n", &change(Some(json!(80)), json!(80))), "n: set a.b=80 (no change)");
        assert_eq!(set_line("n", &change(Some(json!(1)), json!(1.0))), "n: set a.b=1.0 (was 1)");
        assert_eq!(
            set_line("n", &change(None, json!({"n": [1, 2.5, null, true], "owner": "x"}))),
            "n: set a.b={'n': [1, 2.5, None, True], 'owner': 'x'} (was None)"
        );
    }

    #[test]
    fn config_commands_get_one_line() {
        use crate::args::{Anything, ConfigCommand};
        let deploy = refusal(&ConfigCommand::Deploy(Anything { args: vec![] }));
        assert!(deploy.starts_with("poni deploy: Poni Desktop does not deploy configurations"), "{deploy}");
        assert!(!deploy.contains('\n'));
        let require = refusal(&ConfigCommand::Require(Anything { args: vec!["poni_version >= 0.7".into()] }));
        assert!(require.starts_with("poni require 'poni_version >= 0.7': not in Poni Desktop"), "{require}");
    }
}

//! Carries out a parsed command against the repository core.

use crate::args::{AddNodeArgs, Cli, Command, ListArgs};
use crate::failure::Failure;
use crate::history;
use crate::list;
use crate::repr;
use crate::{account, cloud, credentials, vc};
use poni_cloud::engine::{Engine, EngineEvent, EventSink, Outcome};
use poni_repo::{AddNodes, Assignment, ItemChanges, Repo, Result, Target};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub fn run(cli: Cli) -> std::result::Result<(), Failure> {
    let root = cli.root_dir.clone().unwrap_or_else(Repo::default_root);
    match cli.command {
        Command::Cloud(args) if account::handles(&args.command) => account::run(args.command),
        Command::Cloud(args) => cloud::run(root, args),
        Command::Sso { command } => account::sso(command),
        Command::Credentials { command } => credentials::run(command),
        Command::List(args) => list(root, args),
        Command::Vc { command } => vc::run(&root, command),
        Command::Remote { command } => crate::remote::run(root, command),
        Command::Init => Ok(run_repo(Cli { command: Command::Init, ..cli })?),
        other => Ok(run_repo(Cli { command: other, ..cli })?),
    }
}

/// Opens the repository for the command line's changes: each is committed under git in
/// each-change mode.
pub fn open_repo(root: &std::path::Path) -> Result<Repo> {
    let hooks = poni_repo::ChangeHooks { origin: poni_repo::Origin::CommandLine, after_change: Some(std::sync::Arc::new(crate::vc::commit_change)) };
    Ok(Repo::open(root)?.with_hooks(hooks))
}

fn run_repo(cli: Cli) -> Result<()> {
    let root = cli.root_dir.clone().unwrap_or_else(Repo::default_root);
    match cli.command {
        Command::Init => Repo::init(root).map(drop),
        Command::AddSystem { name } => open_repo(&root)?.add_system(&name),
        Command::AddNode(args) => add_node(root, args),
        Command::Set { target, properties, full_match, verbose } => {
            let assignments = properties.iter().map(|p| Assignment::parse(p)).collect::<Result<Vec<_>>>()?;
            let changed = open_repo(&root)?.set(&Target::new(&target, full_match)?, &assignments)?;
            if verbose {
                print_changes(&changed);
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
        Command::List(_) | Command::Cloud(_) | Command::Credentials { .. } | Command::Sso { .. } | Command::Vc { .. } | Command::Remote { .. } => {
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
    repo.add_nodes(&request).map(drop)
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
    };
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

fn print_changes(changed: &[ItemChanges]) {
    for item in changed {
        for change in &item.changes {
            let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("(unset)".to_string(), repr::value);
            outln!("{}: {} = {} (was {})", item.name, change.key, show(&change.new), show(&change.old));
        }
    }
}

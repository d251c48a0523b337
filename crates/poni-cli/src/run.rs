//! Carries out a parsed command against the repository core.

use crate::args::{AddNodeArgs, Cli, Command, ListArgs};
use crate::list;
use crate::repr;
use poni_repo::{AddNodes, Assignment, ItemChanges, Repo, Result, Target};
use std::collections::HashMap;
use std::path::PathBuf;

pub fn run(cli: Cli) -> Result<()> {
    let root = cli.root_dir.clone().unwrap_or_else(Repo::default_root);
    match cli.command {
        Command::Init => Repo::init(root).map(drop),
        Command::AddSystem { name } => Repo::open(root)?.add_system(&name),
        Command::AddNode(args) => add_node(root, args),
        Command::Set { target, properties, full_match, verbose } => {
            let assignments = properties.iter().map(|p| Assignment::parse(p)).collect::<Result<Vec<_>>>()?;
            let changed = Repo::open(root)?.set(&Target::new(&target, full_match)?, &assignments)?;
            if verbose {
                print_changes(&changed);
            }
            Ok(())
        }
        Command::Unset { target, keys, full_match, verbose } => {
            let changed = Repo::open(root)?.unset(&Target::new(&target, full_match)?, &keys)?;
            if verbose {
                print_changes(&changed);
            }
            Ok(())
        }
        Command::Remove { name } => {
            for orphan in Repo::open(root)?.remove(&name)? {
                eprintln!("warning: '{orphan}' was cloned from a removed node; its 'parent' now names nothing");
            }
            Ok(())
        }
        Command::Move { from, to } => Repo::open(root)?.rename(&from, &to).map(drop),
        Command::List(args) => list(root, args),
    }
}

fn add_node(root: PathBuf, args: AddNodeArgs) -> Result<()> {
    let repo = Repo::open(root)?;
    let request = AddNodes {
        template: args.name,
        ids: poni_repo::repo::parse_ids(&args.count)?,
        host: args.host,
        inherit: args.inherit.as_deref().map(|p| Target::new(p, args.full_match)).transpose()?,
        copy: args.copy,
    };
    repo.add_nodes(&request).map(drop)
}

fn list(root: PathBuf, args: ListArgs) -> Result<()> {
    let repo = Repo::open(root)?;
    let tree = repo.tree()?;
    let target = match &args.pattern {
        Some(p) => Target::new(p, args.full_match)?,
        None => Target::all(),
    };
    let items = list::selected(&tree, &args, &target);
    let statuses = HashMap::new();
    print!("{}", list::render(&items, &args, &statuses));
    Ok(())
}

fn print_changes(changed: &[ItemChanges]) {
    for item in changed {
        for change in &item.changes {
            let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("(unset)".to_string(), repr::value);
            println!("{}: {} = {} (was {})", item.name, change.key, show(&change.new), show(&change.old));
        }
    }
}

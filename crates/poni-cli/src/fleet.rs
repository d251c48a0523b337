//! `poni cloud instances` and `poni cloud import`: the account's whole fleet in a region, and
//! adopting its untracked instances into the repository.

use poni_cloud::engine::import::Tracking;
use poni_cloud::engine::Engine;

use crate::args::CloudCommand;
use crate::failure::{Failure, Result};
use crate::log;

fn tracking(t: Tracking) -> &'static str {
    match t {
        Tracking::Tracked => "tracked",
        Tracking::OtherRepository => "other-repository",
        Tracking::Untracked => "untracked",
    }
}

/// `tag:KEY=VALUE` as the filter takes it.
fn parse_filter(text: &str) -> Result<(String, String)> {
    let bad = || Failure::Input(format!("--filter '{text}' must look like tag:KEY=VALUE (e.g. tag:team=web)"));
    let rest = text.strip_prefix("tag:").ok_or_else(bad)?;
    let (k, v) = rest.split_once('=').ok_or_else(bad)?;
    if k.is_empty() {
        return Err(bad());
    }
    Ok((k.to_owned(), v.to_owned()))
}

pub async fn run(engine: &Engine, command: CloudCommand) -> Result<()> {
    match command {
        CloudCommand::Instances(q) => {
            let fleet = engine.account_instances(&q.region).await?;
            if q.json {
                outln!("{}", serde_json::to_string_pretty(&fleet).map_err(|e| Failure::Message(e.to_string()))?);
                return Ok(());
            }
            for f in &fleet {
                let name = f.instance.tags.get("Name").map(String::as_str).unwrap_or("-");
                let node = f.node.as_deref().unwrap_or("-");
                outln!(
                    "{}  {:<16} {:<13} {:<12} {:<24} {}",
                    f.instance.id,
                    tracking(f.tracking),
                    f.instance.state.name(),
                    f.instance.instance_type.as_deref().unwrap_or("-"),
                    name,
                    node
                );
            }
            Ok(())
        }
        CloudCommand::Import { region, into, filter, dry_run, tag } => {
            let filter = filter.as_deref().map(parse_filter).transpose()?;
            let plan = engine.plan_import(&region, into.as_deref(), filter.as_ref().map(|(k, v)| (k.as_str(), v.as_str()))).await?;
            if plan.nodes.is_empty() {
                log::line("poni", "INFO", &format!("no untracked instances to import in {region}"));
                return Ok(());
            }
            for n in &plan.nodes {
                let renamed = n.renamed_from.as_ref().map(|t| format!(" (Name tag '{t}')")).unwrap_or_default();
                outln!("{}  {}{renamed}", n.instance_id, n.name);
            }
            if dry_run {
                log::line("poni", "INFO", &format!("{} node(s) would be made; nothing written (--dry-run)", plan.nodes.len()));
                return Ok(());
            }
            let made = engine.import(&plan, tag).await?;
            let tagged = if tag { ", instances tagged as this repository's" } else { "" };
            log::line("poni", "INFO", &format!("imported {} node(s){tagged}", made.len()));
            Ok(())
        }
        _ => unreachable!("only instances and import come here"),
    }
}

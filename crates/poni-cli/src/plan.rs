//! `--dry-run`: the plan an operation would carry out, one line per node on stdout, the
//! warnings as log lines on stderr. Exit status 2 when init would be refused (invalid nodes).

use poni_cloud::engine::Operation;
use poni_cloud::plan::{Plan, PlannedNode, Step};

use crate::failure::{Failure, Result};
use crate::log;

pub fn show(plan: &Plan) -> Result<()> {
    let width = plan.nodes.iter().map(|n| n.node.len()).max().unwrap_or(0);
    for node in &plan.nodes {
        outln!("{:<width$}  {}", node.node, describe(plan, node));
    }
    for w in &plan.warnings {
        log::line("poni", "WARNING", &w.message);
    }
    let c = plan.counts;
    let summary = match plan.operation {
        Operation::Init => {
            let calls = plan.batches.len();
            format!(
                "{} to launch in {calls} RunInstances call{}, {} adopted, {} skipped, {} invalid",
                c.launch,
                if calls == 1 { "" } else { "s" },
                c.adopt,
                c.skip,
                c.invalid
            )
        }
        op => format!("{} to {}, {} left alone, {} refused", c.act, verb(op), c.skip, c.refuse),
    };
    log::line("poni", "INFO", &format!("dry run, nothing changed: {summary}"));
    match plan.refusal() {
        Some(refusal) => Err(Failure::Input(refusal.to_string())),
        None => Ok(()),
    }
}

fn verb(operation: Operation) -> &'static str {
    match operation {
        Operation::Terminate => "terminate",
        Operation::Stop => "stop",
        Operation::Start => "start",
        Operation::CreateSnapshot => "snapshot",
        Operation::RevertToSnapshot => "revert",
        Operation::RemoveSnapshot => "remove",
        _ => "act on",
    }
}

fn describe(plan: &Plan, node: &PlannedNode) -> String {
    let id = node.instance_id.as_deref();
    let state = node.state.as_ref().map(|s| format!(" ({s})")).unwrap_or_default();
    match &node.step {
        Step::Launch { batch } => {
            let b = &plan.batches[*batch as usize];
            let mut line = format!(
                "launch   call {} of {}: {} x {} from {} in {}, key pair {}",
                batch + 1,
                plan.batches.len(),
                b.nodes.len(),
                b.instance_types.first().map(String::as_str).unwrap_or_default(),
                b.image,
                b.region,
                b.key_pair
            );
            for setting in node.launch.iter().flat_map(|l| l.settings.described()) {
                line.push_str(&format!(", {setting}"));
            }
            if let Some(eip) = node.launch.as_ref().and_then(|l| l.elastic_ip.as_deref()) {
                line.push_str(&format!(", then Elastic IP {eip}"));
            }
            if let Some(old) = id {
                line.push_str(&format!(" (replaces {old})"));
            }
            line
        }
        Step::Adopt { instance_id } => format!("adopt    {instance_id}, which an interrupted init launched"),
        Step::Act => format!("{:<8} {}{state}", verb(plan.operation), id.unwrap_or_default()),
        Step::Skip { reason } => format!("skip     {}", reason.message(id, node.region.as_deref())),
        Step::Invalid { problems } => {
            format!("invalid  {}", problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))
        }
        Step::Refuse { error } => format!("refused  {}", error.message),
    }
}

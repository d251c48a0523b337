//! `poni cloud ...` and `list -q`: the engine driven from the command line. Events become log
//! lines on stderr as they happen; Ctrl-C cancels the operation (launches already sent are
//! still saved).

use std::path::PathBuf;
use std::sync::Arc;

use poni_cloud::aws::{Ec2Provider, InstanceState, ProviderOptions};
use poni_cloud::credentials::{CredentialChoice, CredentialResolver, CredentialSets, EnvVars, KeyringStore, KEYRING_SERVICE};
use poni_cloud::engine::drift::DriftField;
use poni_cloud::engine::snapshots::snapshot_name;
use poni_cloud::engine::{Engine, EngineOptions, EventSink, InitOptions, Operation, OperationReport, Outcome};
use poni_cloud::plan::Selection;
use poni_repo::{Repo, Target};
use tokio_util::sync::CancellationToken;

use crate::args::{CloudArgs, CloudCommand, CloudTarget};
use crate::failure::{Failure, Result};
use crate::log;

/// Names the keyring service the credential sets live under; tests point it elsewhere so they
/// never touch a developer's real sets.
pub const KEYRING_SERVICE_VAR: &str = "PONI_DESKTOP_KEYRING_SERVICE";

/// A multi-threaded runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Message(format!("cannot start the async runtime: {e}")))
}

/// The credential sets in the system keyring (or the service `PONI_DESKTOP_KEYRING_SERVICE` names, as in the desktop app).
pub fn credential_sets() -> CredentialSets {
    let service = std::env::var(KEYRING_SERVICE_VAR).ok().filter(|s| !s.trim().is_empty());
    CredentialSets::new(Arc::new(KeyringStore::with_service(service.unwrap_or_else(|| KEYRING_SERVICE.to_owned()))))
}

pub fn resolver() -> CredentialResolver {
    CredentialResolver::new(EnvVars::from_process(), credential_sets())
}

/// An engine on `repo` whose events are printed as log lines.
pub async fn engine(repo: Repo, verbose: bool) -> Result<Engine> {
    let credentials = resolver().resolve(&CredentialChoice::Automatic).await?;
    let provider = Ec2Provider::new(credentials, ProviderOptions::default())?;
    let sink: EventSink = Arc::new(move |event| {
        for line in log::lines(&event, verbose) {
            errln!("{line}");
        }
    });
    Ok(Engine::new(repo, provider, sink, EngineOptions::default()))
}

/// Cancels `token` on Ctrl-C, saying `what` happens then.
pub(crate) fn cancel_on_ctrl_c(token: &CancellationToken, what: &'static str) {
    let token = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            log::line("poni", "WARNING", &format!("interrupted: {what}"));
            token.cancel();
        }
    });
}

pub fn run(root: PathBuf, args: CloudArgs) -> Result<()> {
    let repo = crate::run::open_repo(&root)?;
    if let CloudCommand::Status { pattern, full_match, all_regions, region, json } = &args.command {
        // Check the pattern before anything talks to the keyring or EC2.
        let target = pattern.as_deref().map(|p| Target::new(p, *full_match)).transpose()?;
        let request = crate::status::Request { target, all_regions: *all_regions, regions: region.clone(), json: *json };
        return runtime()?.block_on(async move {
            let engine = engine(repo, args.verbose).await?;
            crate::status::run(&engine, request).await
        });
    }
    if matches!(args.command, CloudCommand::Instances(_) | CloudCommand::Import { .. }) {
        return runtime()?.block_on(async move {
            let engine = engine(repo, args.verbose).await?;
            crate::fleet::run(&engine, args.command).await
        });
    }
    let target = |t: &CloudTarget| Target::new(&t.target, t.full_match).and_then(|x| x.excluding_opt(t.exclude.as_deref())).map(Selection::from);
    // Check the pattern before anything talks to the keyring or EC2.
    let selected = match &args.command {
        CloudCommand::Init { target: t, .. }
        | CloudCommand::Update { target: t }
        | CloudCommand::Wait { target: t, .. }
        | CloudCommand::Terminate { target: t, .. }
        | CloudCommand::Stop { target: t, .. }
        | CloudCommand::Start { target: t, .. }
        | CloudCommand::Ip { target: t }
        | CloudCommand::Diff { target: t, .. }
        | CloudCommand::CreateSnapshot { target: t, .. }
        | CloudCommand::RevertToSnapshot { target: t, .. }
        | CloudCommand::RemoveSnapshot { target: t, .. }
        | CloudCommand::Snapshots { target: t, .. }
        | CloudCommand::Unprotect { target: t } => target(t)?,
        _ => unreachable!("account commands are run by account.rs"),
    };
    // A snapshot name is checked before anything talks to the keyring or EC2, too.
    match &args.command {
        CloudCommand::CreateSnapshot { name, .. } | CloudCommand::RevertToSnapshot { name, .. } | CloudCommand::RemoveSnapshot { name, .. } => {
            snapshot_name(name)?;
        }
        CloudCommand::Snapshots { name: Some(name), .. } => {
            snapshot_name(name)?;
        }
        _ => {}
    }
    runtime()?.block_on(async move {
        let mut engine = engine(repo, args.verbose).await?;
        if let CloudCommand::Init { batch_size, .. } = &args.command {
            engine = engine.with_batch_size(usize::from(*batch_size));
        }
        if let CloudCommand::Diff { json, take, .. } = &args.command {
            return match take {
                true => take_drift(&engine, &selected).await,
                false => diff(&engine, &selected, *json).await,
            };
        }
        match &args.command {
            CloudCommand::Snapshots { name, json, .. } => return list_snapshots(&engine, &selected, name.as_deref(), *json).await,
            CloudCommand::Unprotect { .. } => return unprotect(&engine, &selected).await,
            CloudCommand::CreateSnapshot { memory: true, .. } => {
                log::line("poni", "WARNING", "--memory: EC2 snapshots hold disks only (as in poni 0.8, it changes nothing)");
            }
            _ => {}
        }
        let dry_run = match &args.command {
            CloudCommand::Init { dry_run: true, reinit, .. } => Some((Operation::Init, *reinit)),
            CloudCommand::Terminate { dry_run: true, .. } => Some((Operation::Terminate, false)),
            CloudCommand::Stop { dry_run: true, .. } => Some((Operation::Stop, false)),
            CloudCommand::Start { dry_run: true, .. } => Some((Operation::Start, false)),
            CloudCommand::CreateSnapshot { dry_run: true, .. } => Some((Operation::CreateSnapshot, false)),
            CloudCommand::RevertToSnapshot { dry_run: true, .. } => Some((Operation::RevertToSnapshot, false)),
            CloudCommand::RemoveSnapshot { dry_run: true, .. } => Some((Operation::RemoveSnapshot, false)),
            _ => None,
        };
        if let Some((operation, reinit)) = dry_run {
            let plan = engine.plan(&selected, operation, reinit).await?;
            return crate::plan::show(&plan);
        }
        let cancel = CancellationToken::new();
        let on_interrupt = match &args.command {
            CloudCommand::CreateSnapshot { .. } => "no longer waiting (snapshots already started go on in EC2)",
            CloudCommand::RevertToSnapshot { .. } => "stopping (instances whose volumes are being swapped are finished and started again)",
            _ => "stopping (instances already launched are saved)",
        };
        cancel_on_ctrl_c(&cancel, on_interrupt);
        let report = match &args.command {
            CloudCommand::Init { wait, reinit, .. } => engine.init(&selected, InitOptions { wait: *wait, reinit: *reinit }, &cancel).await?,
            CloudCommand::Update { .. } => engine.update(&selected, &cancel).await?,
            CloudCommand::Wait { state, .. } => engine.wait(&selected, &InstanceState::from_name(state), &cancel).await?,
            CloudCommand::Terminate { .. } => engine.terminate(&selected, &cancel).await?,
            CloudCommand::Stop { .. } => engine.stop(&selected, &cancel).await?,
            CloudCommand::Start { .. } => engine.start(&selected, &cancel).await?,
            CloudCommand::Ip { .. } => engine.assign_elastic_ips(&selected, &cancel).await?,
            CloudCommand::CreateSnapshot { name, description, .. } => engine.create_snapshot(&selected, name, description.as_deref(), &cancel).await?,
            CloudCommand::RevertToSnapshot { name, .. } => engine.revert_to_snapshot(&selected, name, &cancel).await?,
            CloudCommand::RemoveSnapshot { name, .. } => engine.remove_snapshot(&selected, name, &cancel).await?,
            _ => unreachable!("diff, snapshots, unprotect and the account commands are run above"),
        };
        outcome(&report)
    })
}

/// `poni cloud diff`: one line per difference on stdout, problems on stderr; exit status 1
/// when anything differs or could not be compared.
async fn diff(engine: &Engine, selected: &Selection, json: bool) -> Result<()> {
    // Nodes that could not be compared are logged by the engine's events as they fail.
    let report = engine.diff(selected).await?;
    if json {
        let text = serde_json::to_string_pretty(&report.drifts).map_err(|e| Failure::Message(e.to_string()))?;
        outln!("{text}");
    } else {
        for d in &report.drifts {
            let shown = |v: &str| if v.is_empty() { "(nothing)".to_owned() } else { v.to_owned() };
            outln!("{}: {} is {}, instance {} has {}", d.node, d.field.property(), shown(&d.node_value), d.instance_id, shown(&d.instance_value));
        }
    }
    if report.drifts.is_empty() && report.failed.is_empty() {
        log::line("poni", "INFO", &format!("{} node(s) match their instances", report.compared));
        return Ok(());
    }
    Err(Failure::Reported)
}

/// `poni cloud diff --take`: every drifting node takes its instance's values (one change per
/// node); the changes are logged as `updated:` lines. Exit status 1 when a node could not.
async fn take_drift(engine: &Engine, selected: &Selection) -> Result<()> {
    let report = engine.diff(selected).await?;
    let mut by_node: std::collections::BTreeMap<&str, Vec<DriftField>> = std::collections::BTreeMap::new();
    for d in &report.drifts {
        by_node.entry(d.node.as_str()).or_default().push(d.field);
    }
    // Nodes that could not be compared are logged by the engine's events as they fail.
    let mut failed = !report.failed.is_empty();
    let mut took = 0;
    for (node, fields) in &by_node {
        match engine.take_instance_values(node, fields).await {
            Ok(changes) => took += usize::from(!changes.is_empty()),
            Err(e) => {
                log::line("poni", "ERROR", &format!("{node}: {}", e));
                failed = true;
            }
        }
    }
    log::line("poni", "INFO", &format!("{took} node(s) took their instance's values"));
    if failed {
        return Err(Failure::Reported);
    }
    Ok(())
}

/// `poni cloud snapshots`: one line per snapshot (node, name, device, id, state, start time,
/// description), or JSON; nodes that could not be asked are ERROR lines and exit status 1.
async fn list_snapshots(engine: &Engine, selected: &Selection, name: Option<&str>, json: bool) -> Result<()> {
    let list = engine.snapshots(selected, name).await?;
    if json {
        let text = serde_json::to_string_pretty(&list.snapshots).map_err(|e| Failure::Message(e.to_string()))?;
        outln!("{text}");
    } else {
        let rows: Vec<[String; 7]> = list
            .snapshots
            .iter()
            .map(|n| {
                let s = &n.snapshot;
                [
                    n.node.clone(),
                    s.name().unwrap_or("-").to_owned(),
                    s.device().unwrap_or("(root)").to_owned(),
                    s.id.clone(),
                    s.state.as_str().to_owned(),
                    s.start_time.clone().unwrap_or_else(|| "-".into()),
                    s.description.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..6).map(width).collect();
        for row in &rows {
            let cells: Vec<String> = (0..6).map(|i| format!("{:<w$}", row[i], w = widths[i])).collect();
            outln!("{}", format!("{}  {}", cells.join("  "), row[6]).trim_end());
        }
    }
    for failed in &list.failed {
        let message = failed.error.as_ref().map_or("could not be asked", |e| e.message.as_str());
        log::line("poni", "ERROR", &format!("{}: {message}", failed.node));
    }
    match list.failed.is_empty() {
        true => Ok(()),
        false => Err(Failure::Reported),
    }
}

/// `poni cloud unprotect`: lifts each matching node's termination protection (on its
/// instance, and its `cloud.disable_api_termination` when that turned it on).
async fn unprotect(engine: &Engine, selected: &Selection) -> Result<()> {
    let tree = engine.repo().tree()?;
    let nodes = selected.select(&tree)?;
    let mut failed = false;
    let mut lifted = 0;
    for node in nodes.iter().filter(|n| n.instance.is_some()) {
        match engine.lift_termination_protection(&node.name).await {
            Ok(done) => {
                lifted += 1;
                let property = if done.property_changed { ", cloud.disable_api_termination set to false" } else { "" };
                log::line("poni", "INFO", &format!("{}: termination protection lifted on {}{property}", done.node, done.instance_id));
            }
            Err(e) => {
                failed = true;
                log::line("poni", "ERROR", &format!("{}: {e}", node.name));
            }
        }
    }
    if lifted == 0 && !failed {
        log::line("poni", "WARNING", "none of the matching nodes has a cloud.instance");
    }
    match failed {
        true => Err(Failure::Reported),
        false => Ok(()),
    }
}

/// Success unless a node failed or the operation was cancelled (both already logged).
fn outcome(report: &OperationReport) -> Result<()> {
    if report.cancelled {
        return Err(Failure::Message("cancelled".into()));
    }
    if report.failures() > 0 {
        return Err(Failure::Reported);
    }
    if report.nodes.iter().all(|n| n.outcome == Outcome::NoInstance) {
        log::line("poni", "WARNING", "none of the matching nodes has a cloud.instance");
    }
    Ok(())
}

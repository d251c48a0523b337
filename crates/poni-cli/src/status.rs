//! `poni cloud status [PATTERN] [--all-regions] [--region R]... [--json]`: every instance's
//! state, status checks, scheduled events, CPU load and price, then what needs doing (the
//! core's alerts, in its words) and the monthly totals. Exit status 1 when an instance is
//! impaired or a region could not be read (both said above it).

use std::path::PathBuf;

use poni_cloud::engine::fleet_status::{
    alert_advice, alert_text, event_window, event_words, hourly_text, totals, AccountStatus, Alert, StatusOptions, StatusRow, Totals,
};
use poni_cloud::engine::Engine;
use poni_cloud::health::{CheckStatus, PriceKind};
use poni_repo::Target;
use serde::Serialize;

use crate::failure::{Failure, Result};
use crate::log;

/// What was asked on the command line.
pub struct Request {
    /// Only the instances of nodes this matches; `None`: every instance.
    pub target: Option<Target>,
    pub all_regions: bool,
    pub regions: Vec<String>,
    pub json: bool,
}

/// The price cache, where the desktop app keeps it too (its cache folder, named by its
/// identifier): `$XDG_CACHE_HOME/io.poni.desktop/prices.json`, else `~/.cache/...`.
fn price_cache() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty() && PathBuf::from(d).is_absolute())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("io.poni.desktop").join("prices.json"))
}

/// The regions to look in: those named, every enabled one, or the ones the nodes use (the
/// environment's region when no node names one).
async fn regions(engine: &Engine, request: &Request) -> Result<Vec<String>> {
    if request.all_regions {
        return Ok(engine.enabled_regions().await?);
    }
    if !request.regions.is_empty() {
        for region in &request.regions {
            if !poni_cloud::spec::is_aws_region(region) {
                return Err(Failure::Input(format!("--region '{region}' is not an AWS region (e.g. us-east-1)")));
            }
        }
        return Ok(request.regions.clone());
    }
    let in_use = engine.regions_in_use()?;
    if !in_use.is_empty() {
        return Ok(in_use);
    }
    let env = poni_cloud::credentials::EnvVars::from_process();
    Ok(vec![env.get("AWS_REGION").or_else(|| env.get("AWS_DEFAULT_REGION")).unwrap_or("us-east-1").to_owned()])
}

/// `--json`: the account's status with its totals.
#[derive(Serialize)]
struct StatusJson<'a> {
    #[serde(flatten)]
    status: &'a AccountStatus,
    totals: Totals,
}

pub async fn run(engine: &Engine, request: Request) -> Result<()> {
    let options = StatusOptions { regions: regions(engine, &request).await?, with_cpu: true, with_prices: true, price_cache: price_cache() };
    let mut status = engine.fleet_status(&options).await?;
    if let Some(target) = &request.target {
        let chosen = |node: &Option<String>| node.as_deref().is_some_and(|n| target.matches(n));
        for region in &mut status.regions {
            region.rows.retain(|r| chosen(&r.fleet.node));
        }
        status.alerts.retain(|a| chosen(&a.node));
    }
    let sums = totals(&status);
    if request.json {
        let text = serde_json::to_string_pretty(&StatusJson { status: &status, totals: sums }).map_err(|e| Failure::Message(e.to_string()))?;
        outln!("{text}");
    } else {
        print_text(&status, &sums);
    }
    let mut failed = false;
    for region in &status.regions {
        if let Some(error) = &region.error {
            log::line("poni", "ERROR", &format!("{}: {} ({})", region.region, error.message, error.code.as_str()));
            failed = true;
        }
    }
    let impaired = status.regions.iter().flat_map(|r| &r.rows).filter(|r| r.impaired()).count();
    if impaired > 0 {
        log::line("poni", "ERROR", &format!("{impaired} instance(s) failing their status checks"));
        failed = true;
    }
    match failed {
        true => Err(Failure::Reported),
        false => Ok(()),
    }
}

fn checks(row: &StatusRow) -> String {
    let Some(health) = &row.health else { return "-".into() };
    if health.system == health.instance {
        return health.system.as_str().to_owned();
    }
    if health.impaired() {
        let failing: Vec<&str> = [("system", health.system), ("instance", health.instance)]
            .into_iter()
            .filter(|(_, c)| *c == CheckStatus::Impaired)
            .map(|(which, _)| which)
            .collect();
        return format!("impaired ({})", failing.join(", "));
    }
    format!("system {}, instance {}", health.system.as_str(), health.instance.as_str())
}

fn events(row: &StatusRow) -> String {
    let all: Vec<String> = row.health.iter().flat_map(|h| &h.events).map(|e| format!("{} {}", event_words(e), event_window(e))).collect();
    if all.is_empty() {
        "-".into()
    } else {
        all.join("; ")
    }
}

fn cpu(row: &StatusRow) -> String {
    row.cpu.as_ref().and_then(|c| c.average).map_or_else(|| "-".into(), |a| format!("{a:.1}%"))
}

/// The hourly and monthly price: `unknown` when there is none, the month `-` when it is not
/// running (a stopped instance pays for its volumes, not its hours).
fn price(row: &StatusRow) -> (String, String) {
    let hourly = match &row.price {
        Some(p) if p.kind == PriceKind::Spot => format!("{}/h spot", hourly_text(p.hourly)),
        Some(p) => format!("{}/h", hourly_text(p.hourly)),
        None => "unknown".into(),
    };
    let monthly = match (row.running(), row.monthly()) {
        (true, Some(m)) => format!("{}/month", m.to_dollars()),
        (true, None) => "unknown".into(),
        (false, _) => "-".into(),
    };
    (hourly, monthly)
}

/// Rows as aligned columns, the last one as it is.
fn aligned(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|row| {
            let last = row.len().saturating_sub(1);
            let cells: Vec<String> = row.iter().enumerate().map(|(i, c)| if i == last { c.clone() } else { format!("{c:<w$}", w = widths[i]) }).collect();
            cells.join("  ").trim_end().to_owned()
        })
        .collect()
}

fn alert_line(alert: &Alert) -> String {
    format!("{}. {}.", alert_text(alert), alert_advice(alert.kind))
}

fn print_text(status: &AccountStatus, sums: &Totals) {
    let mut rows = vec![["NODE", "INSTANCE", "REGION", "STATE", "CHECKS", "EVENTS", "CPU 3H", "PER HOUR", "PER MONTH"].map(String::from).to_vec()];
    for row in status.regions.iter().flat_map(|r| &r.rows) {
        let (hourly, monthly) = price(row);
        rows.push(vec![
            row.fleet.node.clone().unwrap_or_else(|| "-".into()),
            row.fleet.instance.id.clone(),
            row.region.clone(),
            row.fleet.instance.state.name().to_owned(),
            checks(row),
            events(row),
            cpu(row),
            hourly,
            monthly,
        ]);
    }
    for line in aligned(&rows) {
        outln!("{line}");
    }
    if !status.alerts.is_empty() {
        outln!("");
        outln!("Needs attention:");
        for alert in &status.alerts {
            outln!("  {}", alert_line(alert));
        }
    }
    outln!("");
    let as_of = status.prices_as_of.as_deref().map(|d| format!("prices as of {d}")).unwrap_or_else(|| "no prices known".into());
    outln!("Per month, running instances ({as_of}):");
    let mut lines: Vec<Vec<String>> = Vec::new();
    for (system, sum) in &sums.by_system {
        lines.push(vec![format!("  system {system}"), sum.to_dollars()]);
    }
    for (region, sum) in &sums.by_region {
        lines.push(vec![format!("  region {region}"), sum.to_dollars()]);
    }
    lines.push(vec![format!("  account {}", status.account_id), sums.account.to_dollars()]);
    for line in aligned(&lines) {
        outln!("{line}");
    }
    if sums.unknown_price > 0 {
        outln!("  {} running instance(s) with no known price are not counted", sums.unknown_price);
    }
    outln!("  Stopped instances are billed for their volumes, not their hours.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_the_last_one_is_left_as_it_is() {
        let rows = vec![vec!["a".to_owned(), "bbb".to_owned(), "c".to_owned()], vec!["aaaa".to_owned(), "b".to_owned(), "".to_owned()]];
        assert_eq!(aligned(&rows), ["a     bbb  c", "aaaa  b"]);
    }
}

//! The fleet at a glance: every instance of the account in the regions asked, with its status
//! checks and scheduled events, CPU load and price; the alerts they raise (with what to do)
//! and the monthly totals per system, region and account. The command line's `cloud status`
//! and the app's fleet wall show this, in these words.
//!
//! Per region, all regions at once: one paginated DescribeInstances, one paginated
//! DescribeInstanceStatus with every instance included (never a call per instance),
//! GetMetricData for the running ones (`aws/metrics.rs`: two windows per 500 instances),
//! DescribeSpotPriceHistory for spot instances. Then the on-demand prices: one GetProducts per
//! distinct (region, type) that the price cache does not hold from the last week. A region
//! whose instances cannot be listed is its [`RegionStatus::error`] with no rows, and never
//! stops the others; a region whose checks, load or prices fail keeps its rows (without
//! them) and says why in the same field. A price is never made up: without one the row has
//! none ("unknown").

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::identity::existing_repo_id;
use super::import::{classify, instance_nodes, FleetInstance, Tracking};
use super::report::EngineError;
use super::Engine;
use crate::account::Account;
use crate::aws::{CloudError, CloudErrorKind, InstanceInfo, InstanceState};
use crate::error::{Coded, ErrorPayload};
use crate::health::price_cache::{day_number, day_of, PriceCache};
use crate::health::price_list::on_demand_hourly;
use crate::health::{CpuLoad, EventKind, InstanceHealth, Money, Price, PriceKind, ScheduledEvent, IDLE_PEAK_PERCENT};

/// Asked for whose account, and for the regions list, when nothing names a region.
const DEFAULT_REGION: &str = "us-east-1";
const DAY: i64 = 86_400;
/// A stopped instance is worth a word after this many days (its volumes are still billed).
pub const STOPPED_LONG_DAYS: i64 = 7;

/// One instance of the account with its health, load and price.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusRow {
    pub account_id: String,
    pub region: String,
    /// The instance, whose it is (tracked, another repository's, untracked) and its node.
    pub fleet: FleetInstance,
    /// `None`: DescribeInstanceStatus had no row for it.
    pub health: Option<InstanceHealth>,
    /// `None`: CloudWatch had nothing, or was not asked.
    pub cpu: Option<CpuLoad>,
    /// `None`: unknown (never a made-up figure).
    pub price: Option<Price>,
}

impl StatusRow {
    /// What a month of it costs while it runs (pending or running: the price times 730
    /// hours); `None` otherwise: stopped instances pay for their volumes, not their hours.
    pub fn monthly(&self) -> Option<Money> {
        if !self.running() {
            return None;
        }
        self.price.as_ref()?.monthly()
    }

    /// The node's system (`web` for `web/frontend1`); `None` when untracked or at the top.
    pub fn system(&self) -> Option<&str> {
        self.fleet.node.as_deref()?.rsplit_once('/').map(|(system, _)| system)
    }

    /// Billed by the hour now: pending or running.
    pub fn running(&self) -> bool {
        matches!(self.fleet.instance.state, InstanceState::Running | InstanceState::Pending)
    }

    /// Either status check failed while it runs.
    pub fn impaired(&self) -> bool {
        self.fleet.instance.state == InstanceState::Running && self.health.as_ref().is_some_and(InstanceHealth::impaired)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionStatus {
    pub region: String,
    /// Why the region (or a part of it: checks, load, prices) could not be read.
    pub error: Option<ErrorPayload>,
    pub rows: Vec<StatusRow>,
}

/// What needs someone, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename_all = "kebab-case")]
pub enum AlertKind {
    /// Running with a failed status check.
    Impaired,
    /// EC2 has scheduled a retirement, reboot, stop or maintenance.
    ScheduledEvent,
    /// Running, but its CPU peaked under 5% on each of the last days.
    Idle,
    /// Stopped for over a week: its volumes are still billed.
    StoppedLong,
    /// Running, and no node of this repository knows it.
    UntrackedRunning,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub kind: AlertKind,
    pub account_id: String,
    pub region: String,
    pub instance_id: String,
    pub node: Option<String>,
    /// The event, for [`AlertKind::ScheduledEvent`].
    pub event: Option<ScheduledEvent>,
    /// What it costs a month, for [`AlertKind::UntrackedRunning`] (when its price is known).
    pub monthly: Option<Money>,
    /// RFC 3339: stopped since, idle since.
    pub since: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountStatus {
    pub account_id: String,
    pub regions: Vec<RegionStatus>,
    pub alerts: Vec<Alert>,
    /// `YYYY-MM-DD`: the oldest price shown was fetched that day; `None` without prices.
    pub prices_as_of: Option<String>,
}

/// Monthly sums of the running instances.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub by_system: BTreeMap<String, Money>,
    pub by_region: BTreeMap<String, Money>,
    pub account: Money,
    /// Running rows without a price (left out of the sums).
    pub unknown_price: u32,
}

/// How long the wall waits for on-demand prices before showing them as unknown.
const PRICE_LIST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(6);

/// What [`Engine::fleet_status`] reads.
#[derive(Debug, Clone, Default)]
pub struct StatusOptions {
    pub regions: Vec<String>,
    /// CPU load from CloudWatch.
    pub with_cpu: bool,
    /// On-demand prices from the Price List, spot prices from EC2.
    pub with_prices: bool,
    /// The price cache file (the app's cache folder); `None`: prices are not kept.
    pub price_cache: Option<PathBuf>,
}

fn add(total: &mut Money, amount: Money) {
    *total = total.checked_add(amount).unwrap_or(Money(u64::MAX));
}

/// The monthly sums of the running rows, per system, region and the account.
pub fn totals(status: &AccountStatus) -> Totals {
    let mut totals = Totals::default();
    for row in status.regions.iter().flat_map(|r| &r.rows).filter(|r| r.running()) {
        let Some(monthly) = row.monthly() else {
            totals.unknown_price += 1;
            continue;
        };
        add(totals.by_region.entry(row.region.clone()).or_default(), monthly);
        if let Some(system) = row.system() {
            add(totals.by_system.entry(system.to_owned()).or_default(), monthly);
        }
        add(&mut totals.account, monthly);
    }
    totals
}

fn seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// When a stopped instance was stopped, from EC2's reason text `User initiated (2026-11-30
/// 10:00:00 GMT)` (moto writes UTC); `None` when no such date is there.
pub fn reason_time(text: &str) -> Option<i64> {
    let open = text.find('(')?;
    let close = open + text[open..].find(')')?;
    let inside = text[open + 1..close].trim();
    let stamp = inside.strip_suffix(" GMT").or_else(|| inside.strip_suffix(" UTC"))?;
    let bytes = stamp.as_bytes();
    if !stamp.is_ascii() || bytes.len() != 19 || bytes[10] != b' ' || bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let part = |range: std::ops::Range<usize>, max: i64| -> Option<i64> {
        let text = &stamp[range];
        let n: i64 = text.bytes().all(|b| b.is_ascii_digit()).then(|| text.parse().ok()).flatten()?;
        (n <= max).then_some(n)
    };
    let (h, m, s) = (part(11..13, 23)?, part(14..16, 59)?, part(17..19, 60)?);
    Some(day_number(&stamp[..10])? * DAY + h * 3600 + m * 60 + s)
}

fn stopped_at(instance: &InstanceInfo) -> Option<i64> {
    [instance.transition_reason.as_deref(), instance.state_reason.as_deref()].into_iter().flatten().find_map(reason_time)
}

/// The start (midnight UTC) of the quiet days at the end of `cpu.daily_peak`, the last being
/// today's.
fn idle_since(cpu: &CpuLoad, now: i64) -> String {
    let quiet = cpu.daily_peak.iter().rev().take_while(|p| **p < IDLE_PEAK_PERCENT).count().max(1) as i64;
    poni_repo::time::rfc3339(now.div_euclid(DAY) * DAY - (quiet - 1) * DAY)
}

/// What in `rows` needs someone, most urgent kind first: impaired (running with a failed
/// check), each scheduled event, idle for days (running), stopped for over a week (when EC2
/// says since when), untracked and running (with what it costs). Pure: `now` is given.
pub fn alerts(rows: &[StatusRow], now: SystemTime) -> Vec<Alert> {
    let now = seconds(now);
    let mut alerts = Vec::new();
    for row in rows {
        let instance = &row.fleet.instance;
        let alert = |kind| Alert {
            kind,
            account_id: row.account_id.clone(),
            region: row.region.clone(),
            instance_id: instance.id.clone(),
            node: row.fleet.node.clone(),
            event: None,
            monthly: None,
            since: None,
        };
        let running = instance.state == InstanceState::Running;
        if row.impaired() {
            alerts.push(alert(AlertKind::Impaired));
        }
        for event in row.health.iter().flat_map(|h| &h.events).filter(|e| !e.is_done()) {
            alerts.push(Alert { event: Some(event.clone()), ..alert(AlertKind::ScheduledEvent) });
        }
        if let Some(cpu) = row.cpu.as_ref().filter(|cpu| running && cpu.idle_for_days()) {
            alerts.push(Alert { since: Some(idle_since(cpu, now)), ..alert(AlertKind::Idle) });
        }
        if instance.state == InstanceState::Stopped {
            if let Some(stopped) = stopped_at(instance).filter(|at| now - at > STOPPED_LONG_DAYS * DAY) {
                alerts.push(Alert { since: Some(poni_repo::time::rfc3339(stopped)), ..alert(AlertKind::StoppedLong) });
            }
        }
        if running && row.fleet.tracking == Tracking::Untracked {
            alerts.push(Alert { monthly: row.monthly(), ..alert(AlertKind::UntrackedRunning) });
        }
    }
    alerts.sort_by(alert_order);
    alerts
}

/// Most urgent kind first, then by region, node and instance.
fn alert_order(a: &Alert, b: &Alert) -> Ordering {
    (a.kind, &a.region, &a.node, &a.instance_id).cmp(&(b.kind, &b.region, &b.node, &b.instance_id))
}

/// Nodes by name, then instances without one, by id.
fn row_order(a: &StatusRow, b: &StatusRow) -> Ordering {
    (a.fleet.node.is_none(), &a.fleet.node, &a.fleet.instance.id).cmp(&(b.fleet.node.is_none(), &b.fleet.node, &b.fleet.instance.id))
}

/// `2026-12-14T10:00:00Z` as `2026-12-14 10:00 UTC`; other text as it is.
fn when(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    if rfc3339.is_ascii() && b.len() >= 17 && b[10] == b'T' && rfc3339.ends_with('Z') {
        format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16])
    } else {
        rfc3339.to_owned()
    }
}

/// An event in words: `instance retirement`, `system maintenance`, or EC2's description.
pub fn event_words(event: &ScheduledEvent) -> String {
    match event.kind {
        EventKind::InstanceReboot => "instance reboot".into(),
        EventKind::SystemReboot => "system reboot".into(),
        EventKind::SystemMaintenance => "system maintenance".into(),
        EventKind::InstanceRetirement => "instance retirement".into(),
        EventKind::InstanceStop => "instance stop".into(),
        EventKind::Other if event.description.trim().is_empty() => "an event".into(),
        EventKind::Other => event.description.trim().to_owned(),
    }
}

/// An event's window in words: `from 2026-12-14 10:00 UTC to 2026-12-15 10:00 UTC`.
pub fn event_window(event: &ScheduledEvent) -> String {
    match (&event.not_before, &event.not_after) {
        (Some(from), Some(to)) => format!("from {} to {}", when(from), when(to)),
        (Some(from), None) => format!("from {}", when(from)),
        (None, Some(to)) => format!("by {}", when(to)),
        (None, None) => "at a time EC2 has not given".into(),
    }
}

/// `$0.0104`: an hourly price with every decimal it has (at least two).
pub fn hourly_text(hourly: Money) -> String {
    let whole = hourly.0 / Money::NANOS_PER_DOLLAR;
    let mut fraction = format!("{:09}", hourly.0 % Money::NANOS_PER_DOLLAR);
    while fraction.len() > 2 && fraction.ends_with('0') {
        fraction.pop();
    }
    format!("${whole}.{fraction}")
}

/// The one wording of an alert (the command line and the app both show it).
pub fn alert_text(alert: &Alert) -> String {
    let who = match &alert.node {
        Some(node) => format!("{node} ({})", alert.instance_id),
        None => alert.instance_id.clone(),
    };
    let whom = format!("{who} in {}", alert.region);
    let day = |since: &Option<String>| since.as_deref().map(|s| s.get(..10).unwrap_or(s).to_owned());
    match alert.kind {
        AlertKind::Impaired => format!("{whom} fails its status checks"),
        AlertKind::ScheduledEvent => match &alert.event {
            Some(event) => format!("{whom}: {} scheduled {}", event_words(event), event_window(event)),
            None => format!("{whom} has a scheduled event"),
        },
        AlertKind::Idle => match day(&alert.since) {
            Some(day) => format!("{whom} has been idle since {day} (CPU under {IDLE_PEAK_PERCENT}% all day)"),
            None => format!("{whom} has been idle for days (CPU under {IDLE_PEAK_PERCENT}% all day)"),
        },
        AlertKind::StoppedLong => match day(&alert.since) {
            Some(day) => format!("{whom} has been stopped since {day}; its volumes are still billed"),
            None => format!("{whom} has been stopped for over {STOPPED_LONG_DAYS} days; its volumes are still billed"),
        },
        AlertKind::UntrackedRunning => match alert.monthly {
            Some(monthly) => format!("{whom} runs untracked by this repository, costing {} a month", monthly.to_dollars()),
            None => format!("{whom} runs untracked by this repository (its price is unknown)"),
        },
    }
}

/// What to do about it, one line.
pub fn alert_advice(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Impaired => "Stop and start it to move it to another host (a reboot keeps it on the failing one)",
        AlertKind::ScheduledEvent => "Reschedule the event in the EC2 console, or stop and start the instance before then to move it now",
        AlertKind::Idle => "Stop it, or move it to a smaller instance type",
        AlertKind::StoppedLong => "Terminate it if nobody needs it (snapshot its volumes first to keep the data)",
        AlertKind::UntrackedRunning => "Import it as a node (poni cloud import), or terminate it if nobody needs it",
    }
}

impl Engine {
    /// The account's instances in `options.regions` with checks, events, load and prices,
    /// the alerts and the day of the prices. Regions in parallel; a region's failure is its
    /// [`RegionStatus::error`], never the others'. Fails as a whole only when the repository
    /// cannot be read or the credentials cannot say whose account it is.
    pub async fn fleet_status(&self, options: &StatusOptions) -> Result<AccountStatus, EngineError> {
        let now = SystemTime::now();
        let node_of = instance_nodes(&self.repo.tree()?);
        let repo_id = existing_repo_id(&self.repo);
        let mut regions = options.regions.clone();
        regions.sort();
        regions.dedup();
        // STS answers in any region; the global one unless only others are asked.
        let via = if regions.is_empty() || regions.iter().any(|r| r == DEFAULT_REGION) { DEFAULT_REGION } else { regions[0].as_str() };
        let account_id = Account::new(self.provider.clone()).identity(via).await?.account;
        let calls = regions.iter().map(|region| self.region_status(region, &account_id, &node_of, repo_id.as_deref(), options, now));
        let mut statuses = futures_util::future::join_all(calls).await;
        if options.with_prices {
            self.on_demand_prices(&mut statuses, options.price_cache.as_deref(), now).await;
        }
        let mut alerts_found: Vec<Alert> = statuses.iter().flat_map(|s| alerts(&s.rows, now)).collect();
        alerts_found.sort_by(alert_order);
        let prices_as_of = statuses.iter().flat_map(|s| &s.rows).filter_map(|r| r.price.as_ref()).map(|p| p.as_of.clone()).min();
        Ok(AccountStatus { account_id, regions: statuses, alerts: alerts_found, prices_as_of })
    }

    /// Every region the account has enabled (DescribeRegions), by code.
    pub async fn enabled_regions(&self) -> Result<Vec<String>, EngineError> {
        let mut codes: Vec<String> = Account::new(self.provider.clone()).regions(DEFAULT_REGION).await?.into_iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        Ok(codes)
    }

    /// The regions the repository's nodes name (their effective `cloud.region`), sorted.
    pub fn regions_in_use(&self) -> Result<Vec<String>, EngineError> {
        let tree = self.repo.tree()?;
        let mut regions: Vec<String> = tree
            .items()
            .iter()
            .filter(|i| i.kind == poni_repo::Kind::Node)
            .filter_map(|i| tree.effective(&i.name)?.get("cloud")?.get("region")?.as_str().map(|r| r.trim().to_owned()))
            .filter(|r| crate::spec::is_aws_region(r))
            .collect();
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    /// One region's rows: instances and checks (at once), then load and spot prices.
    async fn region_status(
        &self,
        region: &str,
        account_id: &str,
        node_of: &HashMap<String, String>,
        repo_id: Option<&str>,
        options: &StatusOptions,
        now: SystemTime,
    ) -> RegionStatus {
        let mut status = RegionStatus { region: region.to_owned(), error: None, rows: Vec::new() };
        let (instances, health) = futures_util::future::join(self.provider.describe_all(region), self.provider.instance_status(region, None)).await;
        let instances = match instances {
            Ok(instances) => instances,
            Err(e) => {
                status.error = Some(e.payload());
                return status;
            }
        };
        let mut health: HashMap<String, InstanceHealth> = match health {
            Ok(found) => found.into_iter().map(|h| (h.instance_id.clone(), h)).collect(),
            Err(e) => {
                note(&mut status.error, &e);
                HashMap::new()
            }
        };
        let fleet = classify(instances, repo_id, node_of);
        let mut cpu = HashMap::new();
        let running: Vec<String> = fleet.iter().filter(|f| f.instance.state == InstanceState::Running).map(|f| f.instance.id.clone()).collect();
        if options.with_cpu && !running.is_empty() {
            match self.provider.cpu_load(region, &running, now).await {
                Ok(found) => cpu = found,
                Err(e) => note(&mut status.error, &e),
            }
        }
        let spot_of = |f: &FleetInstance| Some((f.instance.instance_type.clone()?, f.instance.availability_zone.clone()?));
        let wanted: Vec<(String, String)> = fleet.iter().filter(|f| f.instance.is_spot()).filter_map(spot_of).collect();
        let mut spot = HashMap::new();
        if options.with_prices && !wanted.is_empty() {
            match self.provider.spot_prices(region, &wanted, now).await {
                Ok(found) => spot = found,
                Err(e) => note(&mut status.error, &e),
            }
        }
        let today = day_of(seconds(now));
        status.rows = fleet
            .into_iter()
            .map(|f| {
                let price = f.instance.is_spot().then(|| spot_of(&f).and_then(|key| spot.get(&key).copied())).flatten().map(|hourly| Price {
                    hourly,
                    kind: PriceKind::Spot,
                    as_of: today.clone(),
                });
                StatusRow {
                    account_id: account_id.to_owned(),
                    region: region.to_owned(),
                    health: health.remove(&f.instance.id),
                    cpu: cpu.remove(&f.instance.id),
                    price,
                    fleet: f,
                }
            })
            .collect();
        status.rows.sort_by(row_order);
        status
    }

    /// On-demand prices for every row that is not spot: the cache's, else one GetProducts per
    /// distinct (region, type), all at once (paced), kept in the cache with today's date.
    async fn on_demand_prices(&self, statuses: &mut [RegionStatus], cache_path: Option<&Path>, now: SystemTime) {
        let today = day_of(seconds(now));
        let mut cache = cache_path.map(PriceCache::load).unwrap_or_default();
        let wanted: BTreeSet<(String, String)> = statuses
            .iter()
            .flat_map(|s| &s.rows)
            .filter(|r| !r.fleet.instance.is_spot())
            .filter_map(|r| Some((r.region.clone(), r.fleet.instance.instance_type.clone()?)))
            .collect();
        let missing: Vec<&(String, String)> = wanted.iter().filter(|(region, t)| cache.fresh(region, t, &today).is_none()).collect();
        let lookups = missing.iter().map(|pair| {
            let (region, instance_type) = (pair.0.as_str(), pair.1.as_str());
            async move { (region, instance_type, self.provider.ec2_price_documents(region, instance_type).await) }
        });
        let mut failed: HashMap<String, CloudError> = HashMap::new();
        // Prices only add to the wall: a Price List that does not answer (an endpoint without
        // it, a slow retry) never holds the instances back. Unknown now, asked again next time.
        let answers = match tokio::time::timeout(PRICE_LIST_DEADLINE, futures_util::future::join_all(lookups)).await {
            Ok(answers) => answers,
            Err(_) => {
                let late = CloudError::new(
                    CloudErrorKind::Timeout,
                    format!("The AWS Price List did not answer within {} s: prices show as unknown until the next refresh.", PRICE_LIST_DEADLINE.as_secs()),
                );
                for pair in &missing {
                    failed.entry(pair.0.clone()).or_insert_with(|| late.clone());
                }
                Vec::new()
            }
        };
        for (region, instance_type, found) in answers {
            match found {
                Ok(documents) => cache.put(region, instance_type, on_demand_hourly(&documents, instance_type, region), &today),
                Err(e) => {
                    failed.entry(region.to_owned()).or_insert(e);
                }
            }
        }
        if let Some(path) = cache_path.filter(|_| !missing.is_empty()) {
            if let Err(e) = cache.save(path) {
                tracing::warn!(path = %path.display(), error = %e, "cannot keep the prices");
            }
        }
        for status in statuses.iter_mut() {
            if let Some(e) = failed.remove(&status.region) {
                note(&mut status.error, &e);
            }
            for row in status.rows.iter_mut().filter(|r| r.price.is_none() && !r.fleet.instance.is_spot()) {
                let Some(instance_type) = row.fleet.instance.instance_type.as_deref() else { continue };
                if let Some(cached) = cache.fresh(&row.region, instance_type, &today) {
                    row.price = cached.hourly.map(|hourly| Price { hourly, kind: PriceKind::OnDemand, as_of: cached.fetched.clone() });
                }
            }
        }
    }
}

/// Keeps the first failure of a region's parts.
fn note(error: &mut Option<ErrorPayload>, e: &CloudError) {
    if error.is_none() {
        *error = Some(e.payload());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::CheckStatus;

    const NOW: i64 = 1_796_209_200; // 2026-12-02T11:00:00Z

    fn now() -> SystemTime {
        UNIX_EPOCH + std::time::Duration::from_secs(NOW as u64)
    }

    fn row(id: &str, node: Option<&str>, state: InstanceState, hourly: Option<&str>) -> StatusRow {
        let instance = InstanceInfo { instance_type: Some("t3.micro".into()), ..InstanceInfo::unseen(id, state) };
        let tracking = if node.is_some() { Tracking::Tracked } else { Tracking::Untracked };
        StatusRow {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            fleet: FleetInstance { instance, tracking, node: node.map(str::to_owned) },
            health: None,
            cpu: None,
            price: hourly.map(|h| Price { hourly: Money::parse_usd(h).unwrap(), kind: PriceKind::OnDemand, as_of: "2026-12-01".into() }),
        }
    }

    fn health(id: &str, system: CheckStatus, events: Vec<ScheduledEvent>) -> Option<InstanceHealth> {
        Some(InstanceHealth { instance_id: id.into(), system, instance: CheckStatus::Ok, events })
    }

    fn retirement() -> ScheduledEvent {
        ScheduledEvent {
            kind: EventKind::InstanceRetirement,
            id: Some("instance-event-0123".into()),
            description: "The instance is running on degraded hardware".into(),
            not_before: Some("2026-12-14T10:00:00Z".into()),
            not_after: Some("2026-12-15T10:00:00Z".into()),
        }
    }

    fn status(rows: Vec<StatusRow>) -> AccountStatus {
        AccountStatus {
            account_id: "123456789012".into(),
            regions: vec![RegionStatus { region: "us-east-1".into(), error: None, rows }],
            alerts: vec![],
            prices_as_of: None,
        }
    }

    #[test]
    fn totals_sum_running_rows_to_the_cent() {
        let mut eu = row("i-4", Some("db/main"), InstanceState::Running, Some("0.107"));
        eu.region = "eu-west-1".into();
        let mut account = status(vec![
            row("i-1", Some("web/a"), InstanceState::Running, Some("0.0104")),
            row("i-2", Some("web/b"), InstanceState::Pending, Some("0.0104")),
            row("i-3", Some("web/c"), InstanceState::Stopped, Some("0.0104")),
            row("i-5", Some("top"), InstanceState::Running, Some("0.768")),
            row("i-6", None, InstanceState::Running, None),
            row("i-7", Some("web/d"), InstanceState::Running, None),
        ]);
        account.regions.push(RegionStatus { region: "eu-west-1".into(), error: None, rows: vec![eu] });
        let t = totals(&account);
        assert_eq!(t.by_system["web"].to_dollars(), "$15.18", "two running t3.micro: 2 x 0.0104 x 730, the stopped one not");
        assert_eq!(t.by_system["web"], Money(15_184_000_000));
        assert_eq!(t.by_system["db"].to_dollars(), "$78.11");
        assert!(!t.by_system.contains_key("top") && t.by_system.len() == 2, "a node at the top has no system");
        assert_eq!(t.by_region["us-east-1"].to_dollars(), "$575.82");
        assert_eq!(t.by_region["eu-west-1"].to_dollars(), "$78.11");
        assert_eq!(t.account, Money(15_184_000_000 + 560_640_000_000 + 78_110_000_000));
        assert_eq!(t.account.to_dollars(), "$653.93");
        assert_eq!(t.unknown_price, 2, "running without a price: left out, counted");
        assert_eq!(totals(&status(vec![])), Totals::default());
    }

    #[test]
    fn a_row_costs_its_hours_only_while_it_runs() {
        let running = row("i-1", Some("web/frontend1"), InstanceState::Running, Some("0.0104"));
        assert_eq!(running.monthly().map(Money::to_dollars).as_deref(), Some("$7.59"));
        assert_eq!(running.system(), Some("web"));
        assert_eq!(row("i-1", Some("a/b/c"), InstanceState::Running, None).system(), Some("a/b"));
        assert_eq!(row("i-1", Some("web/a"), InstanceState::Stopped, Some("0.0104")).monthly(), None);
        assert_eq!(row("i-1", None, InstanceState::Running, None).system(), None);
    }

    #[test]
    fn impaired_running_instances_and_each_event_are_alerts() {
        let mut sick = row("i-1", Some("web/a"), InstanceState::Running, Some("0.0104"));
        sick.health = health("i-1", CheckStatus::Impaired, vec![retirement()]);
        let mut stopped_sick = row("i-2", Some("web/b"), InstanceState::Stopped, None);
        stopped_sick.health = health("i-2", CheckStatus::Impaired, vec![]);
        let mut two_events = row("i-3", Some("web/c"), InstanceState::Running, None);
        let done = ScheduledEvent { description: "[Completed] The instance is running on degraded hardware".into(), ..retirement() };
        let reboot = ScheduledEvent { kind: EventKind::SystemReboot, ..retirement() };
        two_events.health = health("i-3", CheckStatus::Ok, vec![retirement(), reboot, done]);
        let found = alerts(&[two_events, stopped_sick, sick], now());
        let kinds: Vec<(AlertKind, &str)> = found.iter().map(|a| (a.kind, a.instance_id.as_str())).collect();
        assert_eq!(
            kinds,
            [(AlertKind::Impaired, "i-1"), (AlertKind::ScheduledEvent, "i-1"), (AlertKind::ScheduledEvent, "i-3"), (AlertKind::ScheduledEvent, "i-3")]
        );
        assert_eq!(alert_text(&found[0]), "web/a (i-1) in us-east-1 fails its status checks");
        assert_eq!(alert_text(&found[1]), "web/a (i-1) in us-east-1: instance retirement scheduled from 2026-12-14 10:00 UTC to 2026-12-15 10:00 UTC");
        assert_eq!(found[1].event.as_ref().map(|e| e.kind), Some(EventKind::InstanceRetirement));
        assert!(alert_advice(AlertKind::Impaired).starts_with("Stop and start it"));
        assert!(alert_advice(AlertKind::ScheduledEvent).contains("EC2 console"));
    }

    #[test]
    fn idle_for_days_is_an_alert_with_its_first_quiet_day() {
        let load = |peaks: &[f64]| CpuLoad { period_seconds: 300, start: String::new(), recent: vec![], average: Some(1.0), daily_peak: peaks.to_vec() };
        let mut idle = row("i-1", Some("web/a"), InstanceState::Running, None);
        idle.cpu = Some(load(&[80.0, 2.0, 1.0, 0.5]));
        let mut busy = row("i-2", Some("web/b"), InstanceState::Running, None);
        busy.cpu = Some(load(&[1.0, 1.0, 50.0]));
        let mut stopped = row("i-3", Some("web/c"), InstanceState::Stopped, None);
        stopped.cpu = Some(load(&[1.0, 1.0, 1.0]));
        let found = alerts(&[idle, busy, stopped], now());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].kind, found[0].since.as_deref()), (AlertKind::Idle, Some("2026-11-30T00:00:00Z")));
        assert_eq!(alert_text(&found[0]), "web/a (i-1) in us-east-1 has been idle since 2026-11-30 (CPU under 5% all day)");
    }

    #[test]
    fn stopped_for_over_a_week_by_the_reason_date() {
        let stopped = |id: &str, reason: Option<&str>| {
            let mut r = row(id, Some(&format!("web/{id}")), InstanceState::Stopped, None);
            r.fleet.instance.transition_reason = reason.map(str::to_owned);
            r.fleet.instance.state_reason = Some("Client.UserInitiatedShutdown: User initiated shutdown".into());
            r
        };
        let rows = [
            stopped("i-1", Some("User initiated (2026-11-20 10:00:00 GMT)")),
            stopped("i-2", Some("User initiated (2026-11-30 10:00:00 GMT)")),
            stopped("i-3", None),
            stopped("i-4", Some("User initiated (yesterday)")),
            stopped("i-5", Some("User initiated (2026-11-01 10:00:00 UTC)")),
        ];
        let found = alerts(&rows, now());
        let ids: Vec<(&str, Option<&str>)> = found.iter().map(|a| (a.instance_id.as_str(), a.since.as_deref())).collect();
        assert_eq!(ids, [("i-1", Some("2026-11-20T10:00:00Z")), ("i-5", Some("2026-11-01T10:00:00Z"))], "unknown dates: no alert");
        assert!(found.iter().all(|a| a.kind == AlertKind::StoppedLong));
        assert_eq!(alert_text(&found[0]), "web/i-1 (i-1) in us-east-1 has been stopped since 2026-11-20; its volumes are still billed");
    }

    #[test]
    fn reason_dates_are_read_strictly() {
        assert_eq!(reason_time("User initiated (2026-11-30 10:00:00 GMT)"), Some(20_787 * DAY + 36_000));
        for bad in [
            "",
            "User initiated",
            "(2026-11-30 10:00:00)",
            "(2026-11-30 25:00:00 GMT)",
            "(2026-11-30T10:00:00 GMT)",
            "(２０２６-11-30 10:00 GMT)",
            "(2026-11-30 10:00:00 GMT",
        ] {
            assert_eq!(reason_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn untracked_running_instances_say_what_they_cost() {
        let untracked = row("i-9", None, InstanceState::Running, Some("0.768"));
        let unknown = row("i-8", None, InstanceState::Running, None);
        let mut other_repo = row("i-7", None, InstanceState::Running, Some("0.0104"));
        other_repo.fleet.tracking = Tracking::OtherRepository;
        let stopped = row("i-6", None, InstanceState::Stopped, Some("0.0104"));
        let found = alerts(&[untracked, unknown, other_repo, stopped], now());
        let got: Vec<(&str, Option<Money>)> = found.iter().map(|a| (a.instance_id.as_str(), a.monthly)).collect();
        assert_eq!(got, [("i-8", None), ("i-9", Some(Money(560_640_000_000)))]);
        assert_eq!(alert_text(&found[1]), "i-9 in us-east-1 runs untracked by this repository, costing $560.64 a month");
        assert_eq!(alert_text(&found[0]), "i-8 in us-east-1 runs untracked by this repository (its price is unknown)");
    }

    #[test]
    fn hourly_prices_show_every_decimal() {
        assert_eq!(hourly_text(Money::parse_usd("0.0104").unwrap()), "$0.0104");
        assert_eq!(hourly_text(Money::parse_usd("0.096").unwrap()), "$0.096");
        assert_eq!(hourly_text(Money::parse_usd("1").unwrap()), "$1.00");
        assert_eq!(hourly_text(Money(1)), "$0.000000001");
    }

    #[test]
    fn alert_kinds_serialize_as_the_ui_reads_them() {
        assert_eq!(serde_json::to_string(&AlertKind::UntrackedRunning).unwrap(), "\"untracked-running\"");
        let alert = alerts(&[row("i-9", None, InstanceState::Running, Some("0.0104"))], now()).remove(0);
        let json = serde_json::to_value(&alert).unwrap();
        assert_eq!(json["kind"], "untracked-running");
        assert_eq!(json["instanceId"], "i-9");
        assert_eq!(json["monthly"], 7_592_000_000u64);
    }
}

//! The fleet wall, as the Fleet tab, the Overview and the tree show it: every instance of the
//! account with its status checks, scheduled events, CPU load and price, per region (a region
//! that fails says so in its place while the others show), with the alerts and the monthly
//! totals. The engine gathers it (`Engine::fleet_status`) and owns its rules (what an alert
//! is and how it is worded, what a month costs); this module shapes it for the window, one
//! section per account.

use std::collections::BTreeMap;
use std::path::PathBuf;

use poni_cloud::aws::InstanceState;
use poni_cloud::engine::fleet_status::{self, AccountStatus, Alert, AlertKind, StatusOptions, StatusRow};
use poni_cloud::health::{CheckStatus, Money, PriceKind, ScheduledEvent};
use serde::Serialize;
use ts_rs::TS;

use super::credentials::{coded, CredentialChoice};
use super::existing::AccountInstance;
use super::session::CloudSession;
use super::time::now;
use super::wording::{fix_for, for_app, FixAction};
use crate::error::{AppError, AppResult};

/// Event descriptions longer than this are cut (EC2's are one short sentence).
const DESCRIPTION_MAX: usize = 300;

/// What the cost cells say for a row that has no figure.
const UNKNOWN: &str = "unknown";
const VOLUMES_ONLY: &str = "volumes only";

/// The whole wall: one section per account.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FleetWall {
    /// One section per account (today: the credentials in use).
    pub accounts: Vec<WallAccount>,
    /// Every region the account has enabled was asked, not only the regions the nodes use.
    pub all_regions: bool,
    /// RFC 3339: when this was gathered.
    pub fetched_at: String,
}

/// One account's part of the wall.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WallAccount {
    /// The credentials behind it, in words ("AWS profile 'work'", "the practice sandbox").
    pub label: String,
    /// The account's id; null when it could not be reached (see `error`) or nothing was asked.
    pub account_id: Option<String>,
    /// Why nothing of this account could be read (credentials, endpoint); the other sections show regardless.
    pub error: Option<AppError>,
    /// The button that fixes `error`.
    pub fix: Option<FixAction>,
    /// Every region asked, in order, each with its own failure.
    pub regions: Vec<WallRegion>,
    /// Every instance of the regions that answered.
    pub rows: Vec<WallRow>,
    pub alerts: Vec<WallAlert>,
    pub totals: WallTotals,
    /// `YYYY-MM-DD`: the day the prices shown were fetched; null when none is known.
    pub prices_as_of: Option<String>,
}

/// One region of an account.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WallRegion {
    pub region: String,
    /// Why this region (or a part of it: checks, load, prices) could not be read; the other regions show regardless.
    pub error: Option<AppError>,
    pub instances: u32,
}

/// One instance with its health, load and price.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WallRow {
    pub account_id: String,
    /// Region, id, state, tracking, node, Name tag, type and the rest, as the fleet table shows them.
    pub instance: AccountInstance,
    /// The node's system ("web" for "web/frontend1"); null for a top-level node or an untracked instance.
    pub system: Option<String>,
    /// EC2's system status check; null when EC2 reported none (not running).
    pub system_check: Option<CheckStatus>,
    /// EC2's instance status check; null when EC2 reported none (not running).
    pub instance_check: Option<CheckStatus>,
    /// Running with a failed status check.
    pub impaired: bool,
    /// Scheduled events still to come (retirement, reboot, maintenance), with their dates.
    pub events: Vec<ScheduledEvent>,
    /// CPU percent per period over the last 3 hours, oldest first; null where CloudWatch has no point.
    pub cpu_recent: Vec<Option<f64>>,
    /// The average of `cpuRecent`; null without data.
    pub cpu_average: Option<f64>,
    /// Seconds per point of `cpuRecent`.
    pub cpu_period_seconds: Option<u32>,
    /// Running, and its CPU peaked under the idle mark on each of the last days.
    pub idle: bool,
    /// The hourly price; null when unknown (never a made-up figure).
    pub hourly: Option<Money>,
    /// A month of a running instance at `hourly`; null when it does not run (it pays for its volumes, not hours) or the price is unknown.
    pub monthly: Option<Money>,
    pub price_kind: Option<PriceKind>,
    /// The hourly cell: `$0.0104`, `unknown`, `volumes only` (stopped), or empty (terminated).
    pub hourly_text: String,
    /// The monthly cell: `$7.59`, `unknown`, `volumes only` (stopped), or empty (terminated).
    pub monthly_text: String,
    /// Billed by the hour now (the core's rule: pending or running); for the sums' unknown prices.
    #[serde(skip)]
    #[ts(skip)]
    running: bool,
}

/// One alert, with the core's wording and what links to it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WallAlert {
    pub kind: AlertKind,
    pub account_id: String,
    pub region: String,
    pub instance_id: String,
    /// The node to select; null: an untracked instance, whose fleet row is the link.
    pub node: Option<String>,
    /// What is wrong, as the command line says it too.
    pub text: String,
    /// What to do about it, one line.
    pub advice: String,
    /// RFC 3339: when a scheduled event starts.
    pub due: Option<String>,
}

/// Monthly sums of the running instances, exact to the cent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WallTotals {
    /// Per system of the nodes, by name.
    pub by_system: Vec<TotalLine>,
    /// Per region, by name.
    pub by_region: Vec<TotalLine>,
    /// The whole account.
    pub account: TotalLine,
    /// Running instances without a price: not in any sum.
    pub unknown_price: u32,
}

/// One sum.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TotalLine {
    /// The system or region; the account's id for the account's line.
    pub name: String,
    pub monthly: Money,
    /// `$151.84`.
    pub monthly_text: String,
    /// Running instances here without a price (not in `monthly`).
    pub unknown_price: u32,
    /// The average CPU percent of its instances with data over the last 3 hours.
    pub cpu_average: Option<f64>,
}

/// Where prices are kept between runs, with the day each was fetched: the app's cache folder
/// (the command line's `poni cloud status` shares the file).
pub fn price_cache() -> Option<PathBuf> {
    crate::settings::cache_dir().map(|d| d.join("prices.json"))
}

impl CloudSession {
    /// The wall for the regions the nodes use, or with `all_regions` every region the account
    /// has enabled. Regions are asked in parallel by the engine; a region's failure is its
    /// own entry, an account's failure (credentials, the repository) its section's error: this
    /// fails only when the settings cannot be read.
    pub async fn fleet_wall(&self, all_regions: bool, price_cache: Option<PathBuf>) -> AppResult<FleetWall> {
        let settings = self.credentials().settings()?;
        let choice = settings.credential_choice();
        let label = account_label(&choice, self.credentials().sandbox().is_some());
        let section = match self.account_status(all_regions, price_cache).await {
            Ok(Some(status)) => WallAccount::new(label, status),
            Ok(None) => WallAccount::empty(label),
            Err(error) => {
                let error = for_app(error);
                let profile = match &choice {
                    CredentialChoice::Profile { name } => Some(name.clone()),
                    _ => None,
                };
                let fix = fix_for(&error, profile);
                WallAccount { error: Some(error), fix, ..WallAccount::empty(label) }
            }
        };
        Ok(FleetWall { accounts: vec![section], all_regions, fetched_at: now() })
    }

    /// None when there is no region to ask (no node names one, and not all regions).
    async fn account_status(&self, all_regions: bool, price_cache: Option<PathBuf>) -> AppResult<Option<AccountStatus>> {
        let in_use = if all_regions { Vec::new() } else { self.regions_in_use()? };
        if !all_regions && in_use.is_empty() {
            return Ok(None);
        }
        let engine = self.engine().await?;
        let regions = if all_regions { engine.enabled_regions().await.map_err(|e| coded(&e))? } else { in_use };
        let options = StatusOptions { regions, with_cpu: true, with_prices: true, price_cache };
        engine.fleet_status(&options).await.map(Some).map_err(|e| coded(&e))
    }
}

/// The credentials choice in words, for a section's title.
fn account_label(choice: &CredentialChoice, sandbox: bool) -> String {
    if sandbox {
        return "the practice sandbox".to_owned();
    }
    match choice {
        CredentialChoice::Automatic => "the credentials found automatically".to_owned(),
        CredentialChoice::StoredSet { name } => format!("credential set '{}'", clean(name, 100)),
        CredentialChoice::Profile { name } => format!("AWS profile '{}'", clean(name, 100)),
        CredentialChoice::Environment => "the environment's AWS keys".to_owned(),
    }
}

/// Text read from elsewhere, made safe to show: no control characters, at most `max` characters.
fn clean(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

fn average(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.filter(|v| v.is_finite()).fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

impl WallRow {
    fn new(row: StatusRow) -> WallRow {
        let monthly = row.monthly();
        let system = row.system().map(str::to_owned);
        let state = row.fleet.instance.state;
        let running = row.running();
        let impaired = row.impaired();
        let idle = running && row.cpu.as_ref().is_some_and(|c| c.idle_for_days());
        let (hourly_text, monthly_text) = if matches!(state, InstanceState::Stopped | InstanceState::Stopping) {
            (VOLUMES_ONLY.to_owned(), VOLUMES_ONLY.to_owned())
        } else if !running {
            (String::new(), String::new())
        } else {
            match (&row.price, monthly) {
                (Some(price), Some(m)) => (fleet_status::hourly_text(price.hourly), m.to_dollars()),
                (Some(price), None) => (fleet_status::hourly_text(price.hourly), UNKNOWN.to_owned()),
                (None, _) => (UNKNOWN.to_owned(), UNKNOWN.to_owned()),
            }
        };
        let (system_check, instance_check, events) = match &row.health {
            Some(h) => (
                Some(h.system),
                Some(h.instance),
                h.events.iter().filter(|e| !e.is_done()).map(|e| ScheduledEvent { description: clean(&e.description, DESCRIPTION_MAX), ..e.clone() }).collect(),
            ),
            None => (None, None, Vec::new()),
        };
        let (cpu_recent, cpu_average, cpu_period_seconds) = match &row.cpu {
            Some(c) => (c.recent.clone(), c.average, Some(c.period_seconds)),
            None => (Vec::new(), None, None),
        };
        WallRow {
            account_id: row.account_id,
            system,
            system_check,
            instance_check,
            impaired,
            events,
            cpu_recent,
            cpu_average,
            cpu_period_seconds,
            idle,
            hourly: row.price.as_ref().map(|p| p.hourly),
            monthly,
            price_kind: row.price.as_ref().map(|p| p.kind),
            hourly_text,
            monthly_text,
            running,
            instance: AccountInstance::new(&row.region, row.fleet),
        }
    }

    /// Billed by the hour, and its price is not known.
    fn unknown_price(&self) -> bool {
        self.running && self.monthly.is_none()
    }
}

impl WallAlert {
    fn new(alert: &Alert) -> WallAlert {
        WallAlert {
            kind: alert.kind,
            account_id: alert.account_id.clone(),
            region: alert.region.clone(),
            instance_id: alert.instance_id.clone(),
            node: alert.node.clone(),
            text: clean(&fleet_status::alert_text(alert), 500),
            advice: fleet_status::alert_advice(alert.kind).to_owned(),
            due: alert.event.as_ref().and_then(|e| e.not_before.clone()),
        }
    }
}

impl WallAccount {
    fn empty(label: String) -> WallAccount {
        WallAccount {
            label,
            account_id: None,
            error: None,
            fix: None,
            regions: Vec::new(),
            rows: Vec::new(),
            alerts: Vec::new(),
            totals: WallTotals::default(),
            prices_as_of: None,
        }
    }

    fn new(label: String, status: AccountStatus) -> WallAccount {
        let sums = fleet_status::totals(&status);
        let alerts = status.alerts.iter().map(WallAlert::new).collect();
        let mut regions = Vec::new();
        let mut rows = Vec::new();
        for region in status.regions {
            regions.push(WallRegion { region: region.region, error: region.error, instances: region.rows.len() as u32 });
            rows.extend(region.rows.into_iter().map(WallRow::new));
        }
        let totals = WallTotals::new(&sums, &rows, &status.account_id);
        WallAccount { label, account_id: Some(status.account_id), error: None, fix: None, regions, rows, alerts, totals, prices_as_of: status.prices_as_of }
    }
}

impl WallTotals {
    /// The core's sums, with each line's running instances without a price and its CPU average.
    fn new(sums: &fleet_status::Totals, rows: &[WallRow], account_id: &str) -> WallTotals {
        // Every system and region with an instance has a line, priced or not.
        let mut systems: BTreeMap<&str, Money> = rows.iter().filter_map(|r| r.system.as_deref()).map(|s| (s, Money::default())).collect();
        systems.extend(sums.by_system.iter().map(|(k, v)| (k.as_str(), *v)));
        let mut regions: BTreeMap<&str, Money> = rows.iter().map(|r| (r.instance.region.as_str(), Money::default())).collect();
        regions.extend(sums.by_region.iter().map(|(k, v)| (k.as_str(), *v)));
        WallTotals {
            by_system: systems.into_iter().map(|(name, m)| total_line(name, m, rows.iter().filter(|r| r.system.as_deref() == Some(name)))).collect(),
            by_region: regions.into_iter().map(|(name, m)| total_line(name, m, rows.iter().filter(|r| r.instance.region == name))).collect(),
            account: total_line(account_id, sums.account, rows.iter()),
            unknown_price: sums.unknown_price,
        }
    }
}

/// One sum's line: the core's figure, with its rows' unknown prices and CPU average.
/// An empty sum still reads as money (`$0.00`), never as a blank.
impl Default for TotalLine {
    fn default() -> Self {
        total_line("", Money::default(), std::iter::empty())
    }
}

fn total_line<'a>(name: &str, monthly: Money, rows: impl Iterator<Item = &'a WallRow>) -> TotalLine {
    let rows: Vec<&WallRow> = rows.collect();
    TotalLine {
        name: name.to_owned(),
        monthly,
        monthly_text: monthly.to_dollars(),
        unknown_price: rows.iter().filter(|r| r.unknown_price()).count() as u32,
        cpu_average: average(rows.iter().filter_map(|r| r.cpu_average)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_cloud::aws::InstanceInfo;
    use poni_cloud::engine::fleet_status::RegionStatus;
    use poni_cloud::engine::import::{FleetInstance, Tracking};
    use poni_cloud::health::{CpuLoad, EventKind, InstanceHealth, Price};
    use poni_repo::ErrorCode;

    fn row(id: &str, state: InstanceState, node: Option<&str>, price: Option<&str>) -> StatusRow {
        let mut instance = InstanceInfo::unseen(id, state);
        instance.instance_type = Some("t3.micro".into());
        StatusRow {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            fleet: FleetInstance { instance, tracking: if node.is_some() { Tracking::Tracked } else { Tracking::Untracked }, node: node.map(str::to_owned) },
            health: None,
            cpu: None,
            price: price.map(|p| Price { hourly: Money::parse_usd(p).unwrap(), kind: PriceKind::OnDemand, as_of: "2026-12-07".into() }),
        }
    }

    #[test]
    fn cost_cells_say_unknown_and_volumes_only_instead_of_a_figure() {
        let priced = WallRow::new(row("i-1", InstanceState::Running, Some("web/a"), Some("0.0104")));
        assert_eq!((priced.hourly_text.as_str(), priced.monthly_text.as_str()), ("$0.0104", "$7.59"));
        assert_eq!(priced.system.as_deref(), Some("web"));
        let unpriced = WallRow::new(row("i-2", InstanceState::Running, None, None));
        assert_eq!((unpriced.hourly_text.as_str(), unpriced.monthly_text.as_str()), ("unknown", "unknown"));
        assert!(unpriced.unknown_price() && unpriced.hourly.is_none());
        let stopped = WallRow::new(row("i-3", InstanceState::Stopped, Some("web/b"), Some("0.0104")));
        assert_eq!((stopped.monthly_text.as_str(), stopped.monthly), ("volumes only", None));
        assert!(!stopped.unknown_price());
        let gone = WallRow::new(row("i-4", InstanceState::Terminated, None, None));
        assert_eq!(gone.monthly_text, "");
    }

    #[test]
    fn health_and_load_reach_the_row_with_event_text_made_safe() {
        let mut r = row("i-1", InstanceState::Running, Some("web/a"), None);
        let event = |description: &str| ScheduledEvent {
            kind: EventKind::InstanceRetirement,
            id: None,
            description: description.into(),
            not_before: Some("2026-12-14T00:00:00Z".into()),
            not_after: None,
        };
        r.health = Some(InstanceHealth {
            instance_id: "i-1".into(),
            system: CheckStatus::Impaired,
            instance: CheckStatus::Ok,
            events: vec![event("The instance is running on degraded hardware\u{1b}[31m"), event("[Completed] done")],
        });
        r.cpu = Some(CpuLoad {
            period_seconds: 300,
            start: "2026-12-07T09:00:00Z".into(),
            recent: vec![Some(1.0), None, Some(3.0)],
            average: Some(2.0),
            daily_peak: vec![1.0, 2.0, 3.0],
        });
        let w = WallRow::new(r);
        assert!(w.impaired && w.idle);
        assert_eq!((w.system_check, w.instance_check), (Some(CheckStatus::Impaired), Some(CheckStatus::Ok)));
        assert_eq!(w.events.len(), 1, "a finished event needs nothing");
        assert_eq!(w.events[0].description, "The instance is running on degraded hardware[31m");
        assert_eq!((w.cpu_recent.len(), w.cpu_average, w.cpu_period_seconds), (3, Some(2.0), Some(300)));
    }

    #[test]
    fn a_failed_region_keeps_its_place_beside_the_others_and_totals_follow_the_core() {
        let status = AccountStatus {
            account_id: "123456789012".into(),
            regions: vec![
                RegionStatus {
                    region: "eu-west-1".into(),
                    error: Some(poni_cloud::ErrorPayload::new(ErrorCode::CloudUnauthorized, "not allowed")),
                    rows: vec![],
                },
                RegionStatus {
                    region: "us-east-1".into(),
                    error: None,
                    rows: vec![
                        row("i-1", InstanceState::Running, Some("web/a"), Some("0.0104")),
                        row("i-2", InstanceState::Running, Some("web/b"), Some("0.0208")),
                        row("i-3", InstanceState::Running, Some("db/a"), None),
                    ],
                },
            ],
            alerts: vec![],
            prices_as_of: Some("2026-12-07".into()),
        };
        let sums = fleet_status::totals(&status);
        let wall = WallAccount::new("AWS profile 'work'".into(), status);
        assert_eq!(
            wall.regions.iter().map(|r| (r.region.as_str(), r.error.is_some(), r.instances)).collect::<Vec<_>>(),
            [("eu-west-1", true, 0), ("us-east-1", false, 3)]
        );
        assert_eq!(wall.rows.len(), 3);
        let web = wall.totals.by_system.iter().find(|l| l.name == "web").unwrap();
        assert_eq!(Some(&web.monthly), sums.by_system.get("web"));
        assert_eq!(web.monthly_text, web.monthly.to_dollars());
        let db = wall.totals.by_system.iter().find(|l| l.name == "db").unwrap();
        assert_eq!((db.unknown_price, db.monthly_text.as_str()), (1, "$0.00"), "a system without prices has a line that says how many are unknown");
        assert_eq!(wall.totals.account.monthly, sums.account);
        assert_eq!(wall.prices_as_of.as_deref(), Some("2026-12-07"));
    }

    #[test]
    fn sections_are_titled_by_the_credentials_choice() {
        assert_eq!(account_label(&CredentialChoice::Profile { name: "work\u{7}".into() }, false), "AWS profile 'work'");
        assert_eq!(account_label(&CredentialChoice::Automatic, true), "the practice sandbox");
    }
}

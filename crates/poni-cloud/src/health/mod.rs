//! What the fleet wall shows beyond an instance's state: EC2's status checks and scheduled
//! events (DescribeInstanceStatus), CPU load (CloudWatch) and price (Price List, spot history).
//! Plain data, independent of the SDKs, shared by the engine, the app, the command line and the
//! waits of `cloud init --wait`.

pub mod price_cache;
pub mod price_list;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One of EC2's two status checks (`SystemStatus`, `InstanceStatus`), as EC2 names its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename_all = "kebab-case")]
pub enum CheckStatus {
    Ok,
    Impaired,
    Initializing,
    InsufficientData,
    /// Not running (stopped instances have no checks).
    NotApplicable,
}

impl CheckStatus {
    /// EC2's summary text; anything EC2 adds later reads as `insufficient-data`.
    pub fn from_ec2(text: &str) -> CheckStatus {
        match text {
            "ok" => CheckStatus::Ok,
            "impaired" => CheckStatus::Impaired,
            "initializing" => CheckStatus::Initializing,
            "not-applicable" => CheckStatus::NotApplicable,
            _ => CheckStatus::InsufficientData,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Impaired => "impaired",
            CheckStatus::Initializing => "initializing",
            CheckStatus::InsufficientData => "insufficient-data",
            CheckStatus::NotApplicable => "not-applicable",
        }
    }
}

/// The kind of an event EC2 has scheduled for an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename_all = "kebab-case")]
pub enum EventKind {
    InstanceReboot,
    SystemReboot,
    SystemMaintenance,
    InstanceRetirement,
    InstanceStop,
    /// A code EC2 added after this was written; the event's description says what it is.
    Other,
}

impl EventKind {
    pub fn from_ec2(code: &str) -> EventKind {
        match code {
            "instance-reboot" => EventKind::InstanceReboot,
            "system-reboot" => EventKind::SystemReboot,
            "system-maintenance" => EventKind::SystemMaintenance,
            "instance-retirement" => EventKind::InstanceRetirement,
            "instance-stop" => EventKind::InstanceStop,
            _ => EventKind::Other,
        }
    }
}

/// An event EC2 has scheduled (retirement, reboot, maintenance), with its window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ScheduledEvent {
    pub kind: EventKind,
    /// EC2's event id (`instance-event-…`), when given.
    pub id: Option<String>,
    /// EC2's description, cleaned for display by the caller.
    pub description: String,
    /// RFC 3339, UTC.
    pub not_before: Option<String>,
    pub not_after: Option<String>,
}

impl ScheduledEvent {
    /// EC2 keeps finished events for a while with a description starting `[Completed]` or
    /// `[Canceled]`: they need nothing from anyone.
    pub fn is_done(&self) -> bool {
        self.description.starts_with("[Completed]") || self.description.starts_with("[Canceled]")
    }
}

/// One instance's checks and events, as one DescribeInstanceStatus row gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct InstanceHealth {
    pub instance_id: String,
    pub system: CheckStatus,
    pub instance: CheckStatus,
    /// Scheduled events still to come (finished ones are left out).
    pub events: Vec<ScheduledEvent>,
}

impl InstanceHealth {
    /// Either check failed: the instance needs someone.
    pub fn impaired(&self) -> bool {
        self.system == CheckStatus::Impaired || self.instance == CheckStatus::Impaired
    }

    /// Both checks passed (what `cloud init --wait` waits for where poni 0.8 did).
    pub fn passed(&self) -> bool {
        self.system == CheckStatus::Ok && self.instance == CheckStatus::Ok
    }
}

/// An amount of US dollars in billionths, so sums and the monthly figure are exact to the cent
/// (Price List prices have up to 10 decimals; floats would drift).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[ts(type = "number")]
pub struct Money(pub u64);

/// What AWS bills an on-demand hour for, times this, per month (AWS's own calculator uses 730).
pub const HOURS_PER_MONTH: u64 = 730;

impl Money {
    pub const NANOS_PER_DOLLAR: u64 = 1_000_000_000;

    /// A decimal dollar amount as the Price List writes it (`"0.0104000000"`); `None` when it is
    /// not a plain non-negative decimal or needs more than nine decimals to be exact.
    pub fn parse_usd(text: &str) -> Option<Money> {
        let text = text.trim();
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() && frac.is_empty() || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 9 {
            return None;
        }
        let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        let frac_nanos: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().ok()? };
        whole.checked_mul(Self::NANOS_PER_DOLLAR)?.checked_add(frac_nanos).map(Money)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn times(self, n: u64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }

    /// Whole cents, rounded half up (how a bill rounds).
    pub fn cents(self) -> u64 {
        (self.0 + 5_000_000) / 10_000_000
    }

    /// `$7.59`, to the cent.
    pub fn to_dollars(self) -> String {
        let cents = self.cents();
        format!("${}.{:02}", cents / 100, cents % 100)
    }
}

/// Where a price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename_all = "kebab-case")]
pub enum PriceKind {
    /// The Price List API's on-demand Linux price (shared tenancy).
    OnDemand,
    /// The latest spot price in the instance's zone (DescribeSpotPriceHistory).
    Spot,
}

/// An hourly price with its source and the day it was fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Price {
    pub hourly: Money,
    pub kind: PriceKind,
    /// `YYYY-MM-DD`, the day the price was fetched ("prices as of …").
    pub as_of: String,
}

impl Price {
    /// A running instance's month at this hourly price.
    pub fn monthly(&self) -> Option<Money> {
        self.hourly.times(HOURS_PER_MONTH)
    }
}

/// CPU utilisation of one instance from CloudWatch (`AWS/EC2` `CPUUtilization`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CpuLoad {
    /// Seconds per point of `recent` (300: EC2's basic monitoring).
    pub period_seconds: u32,
    /// RFC 3339, UTC: the start of `recent`'s first point.
    pub start: String,
    /// Average percent per period over the last 3 hours, oldest first; `null` where
    /// CloudWatch has no data point.
    pub recent: Vec<Option<f64>>,
    /// The average of `recent`'s points, `null` without any.
    pub average: Option<f64>,
    /// The highest percent of each of the last days, oldest first (one per day with data).
    pub daily_peak: Vec<f64>,
}

/// A running instance is idle when its CPU peaked under this percent on each of the last
/// [`IDLE_DAYS`] days.
pub const IDLE_PEAK_PERCENT: f64 = 5.0;
pub const IDLE_DAYS: usize = 3;

impl CpuLoad {
    /// Idle for days: data for at least [`IDLE_DAYS`] days, and each of the last ones peaked
    /// under [`IDLE_PEAK_PERCENT`].
    pub fn idle_for_days(&self) -> bool {
        self.daily_peak.len() >= IDLE_DAYS && self.daily_peak.iter().rev().take(IDLE_DAYS).all(|p| *p < IDLE_PEAK_PERCENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_price_list_decimals_exactly() {
        assert_eq!(Money::parse_usd("0.0104000000"), Some(Money(10_400_000)));
        assert_eq!(Money::parse_usd("12"), Some(Money(12_000_000_000)));
        assert_eq!(Money::parse_usd(".5"), Some(Money(500_000_000)));
        assert_eq!(Money::parse_usd("0.0000000001"), None, "more than nine decimals is not exact");
        for bad in ["", ".", "-1", "1e3", "1.2.3", "NaN", " 1 2"] {
            assert_eq!(Money::parse_usd(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_month_of_t3_micro_is_exact_to_the_cent() {
        let price = Price { hourly: Money::parse_usd("0.0104").unwrap(), kind: PriceKind::OnDemand, as_of: "2026-12-07".into() };
        assert_eq!(price.monthly().unwrap().to_dollars(), "$7.59");
        assert_eq!(Money(5_000_000).to_dollars(), "$0.01", "half a cent rounds up");
        assert_eq!(Money(4_999_999).to_dollars(), "$0.00");
    }

    #[test]
    fn checks_and_events_read_as_ec2_names_them() {
        assert_eq!(CheckStatus::from_ec2("impaired"), CheckStatus::Impaired);
        assert_eq!(CheckStatus::from_ec2("something-new"), CheckStatus::InsufficientData);
        assert_eq!(EventKind::from_ec2("instance-retirement"), EventKind::InstanceRetirement);
        let done = ScheduledEvent { kind: EventKind::SystemReboot, id: None, description: "[Completed] reboot".into(), not_before: None, not_after: None };
        assert!(done.is_done());
    }

    #[test]
    fn idle_needs_enough_quiet_days() {
        let load = |peaks: &[f64]| CpuLoad { period_seconds: 300, start: String::new(), recent: vec![], average: None, daily_peak: peaks.to_vec() };
        assert!(load(&[50.0, 1.0, 2.0, 3.0]).idle_for_days());
        assert!(!load(&[1.0, 2.0]).idle_for_days(), "two days of data is not days of idling");
        assert!(!load(&[1.0, 9.0, 1.0]).idle_for_days());
    }
}

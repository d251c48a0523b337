//! CPU load from CloudWatch (`AWS/EC2` `CPUUtilization`): GetMetricData, many instances per
//! call, never one call per instance.
//!
//! GetMetricData takes one time range per call, so the two views are two windows: the last
//! 3 hours as 5-minute averages (the sparkline and its average) and the last 7 days as daily
//! maxima (idle for days). Each window asks one query per instance, at most 500 queries a
//! call (CloudWatch's limit), and follows NextToken. Query ids are `r<N>` / `p<N>`, N the
//! instance's place in the call (ids must match `^[a-z][a-zA-Z0-9_]*$`: an instance id never
//! goes into one). Whatever comes back is read as hostile: unknown ids, values that are not
//! finite numbers and points outside the window are dropped.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};

use super::errors::{from_sdk, ErrorContext};
use super::{ActionClass, CloudError, Ec2Provider};
use crate::health::CpuLoad;

/// CloudWatch's most queries in one GetMetricData call.
pub const MAX_QUERIES_PER_CALL: usize = 500;
/// EC2's basic monitoring: one point every 5 minutes.
pub const RECENT_PERIOD: u32 = 300;
/// 3 hours of 5-minute points.
pub const RECENT_POINTS: usize = 36;
const DAY: i64 = 86_400;
/// Days of daily maxima asked for (idle for days needs a few of them).
pub const PEAK_DAYS: i64 = 7;
/// A page count no honest answer reaches (a token loop ends here).
const MAX_PAGES: usize = 100;

/// One GetMetricData time range and the query every instance gets in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// Query ids are this letter and the instance's place in the call.
    pub prefix: char,
    pub period: u32,
    pub stat: &'static str,
    /// Seconds since 1970, the start included, the end not.
    pub start: i64,
    pub end: i64,
}

/// The two windows as of `now` (seconds since 1970): 36 whole 5-minute periods ending at the
/// last period boundary, and the days since midnight (UTC) 7 days ago, today included.
pub(crate) fn windows(now: i64) -> (Window, Window) {
    let period = i64::from(RECENT_PERIOD);
    let end = now - now.rem_euclid(period);
    let recent = Window { prefix: 'r', period: RECENT_PERIOD, stat: "Average", start: end - period * RECENT_POINTS as i64, end };
    let day_start = (now - PEAK_DAYS * DAY).div_euclid(DAY) * DAY;
    let daily = Window { prefix: 'p', period: DAY as u32, stat: "Maximum", start: day_start, end: now };
    (recent, daily)
}

/// `r12` -> 12 for the window with prefix `r`.
fn index_of(prefix: char, id: &str) -> Option<usize> {
    let rest = id.strip_prefix(prefix)?;
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) && rest.len() < 8).then(|| rest.parse().ok()).flatten()
}

fn query(window: &Window, index: usize, instance_id: &str) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .dimensions(Dimension::builder().name("InstanceId").value(instance_id).build())
        .build();
    let stat = MetricStat::builder().metric(metric).period(window.period as i32).stat(window.stat).build();
    MetricDataQuery::builder().id(format!("{}{index}", window.prefix)).metric_stat(stat).return_data(true).build()
}

/// An instance's load from its points in the two windows; `None` when CloudWatch had none.
pub(crate) fn cpu_load_of(recent_window: &Window, recent: &[(i64, f64)], peaks: &[(i64, f64)]) -> Option<CpuLoad> {
    if recent.is_empty() && peaks.is_empty() {
        return None;
    }
    let period = i64::from(recent_window.period);
    let mut slots: Vec<Option<f64>> = vec![None; RECENT_POINTS];
    for &(at, value) in recent {
        let offset = at - recent_window.start;
        if offset >= 0 && at < recent_window.end {
            if let Some(slot) = slots.get_mut((offset / period) as usize) {
                *slot = Some(value);
            }
        }
    }
    let present: Vec<f64> = slots.iter().flatten().copied().collect();
    let average = (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64);
    let mut peaks = peaks.to_vec();
    peaks.sort_by_key(|(at, _)| *at);
    peaks.dedup_by_key(|(at, _)| at.div_euclid(DAY));
    let keep = (PEAK_DAYS + 1) as usize;
    let daily_peak: Vec<f64> = peaks.iter().skip(peaks.len().saturating_sub(keep)).map(|(_, v)| *v).collect();
    Some(CpuLoad { period_seconds: recent_window.period, start: poni_repo::time::rfc3339(recent_window.start), recent: slots, average, daily_peak })
}

/// Points per query, by the instance's place in the call.
type Points = HashMap<usize, Vec<(i64, f64)>>;

impl Ec2Provider {
    /// The CPU load of `ids` in `region` as of `now`, for the instances CloudWatch has data
    /// of: two GetMetricData windows per 500 instances (plus their pages).
    pub async fn cpu_load(&self, region: &str, ids: &[String], now: SystemTime) -> Result<HashMap<String, CpuLoad>, CloudError> {
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let (recent, daily) = windows(now);
        let client = self.cloudwatch(region);
        let mut loads = HashMap::new();
        for chunk in ids.chunks(MAX_QUERIES_PER_CALL) {
            let recent_points = self.metric_window(&client, region, chunk, &recent).await?;
            let peak_points = self.metric_window(&client, region, chunk, &daily).await?;
            for (i, id) in chunk.iter().enumerate() {
                let none = Vec::new();
                let load = cpu_load_of(&recent, recent_points.get(&i).unwrap_or(&none), peak_points.get(&i).unwrap_or(&none));
                if let Some(load) = load {
                    loads.insert(id.clone(), load);
                }
            }
        }
        Ok(loads)
    }

    /// One window for up to 500 instances, every page.
    async fn metric_window(&self, client: &aws_sdk_cloudwatch::Client, region: &str, ids: &[String], window: &Window) -> Result<Points, CloudError> {
        let queries: Vec<MetricDataQuery> = ids.iter().enumerate().map(|(i, id)| query(window, i, id)).collect();
        let ctx = ErrorContext::new("GetMetricData", region);
        let mut points = Points::new();
        let mut next_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .paced(region, ActionClass::GetMetricData, |_| {
                    let request = client
                        .get_metric_data()
                        .set_metric_data_queries(Some(queries.clone()))
                        .start_time(DateTime::from_secs(window.start))
                        .end_time(DateTime::from_secs(window.end))
                        .scan_by(ScanBy::TimestampAscending)
                        .set_next_token(next_token.clone());
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
            for result in page.metric_data_results() {
                let Some(index) = result.id().and_then(|id| index_of(window.prefix, id)).filter(|i| *i < ids.len()) else { continue };
                let found = points.entry(index).or_default();
                for (at, value) in result.timestamps().iter().zip(result.values()) {
                    if value.is_finite() && (window.start..window.end + i64::from(window.period)).contains(&at.secs()) {
                        found.push((at.secs(), *value));
                    }
                }
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => break,
            }
        }
        Ok(points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_end_on_period_boundaries() {
        let now = 1_796_209_317; // 2026-12-02T11:01:57Z
        let (recent, daily) = windows(now);
        assert_eq!(recent.end, 1_796_209_200, "11:00:00, the last whole 5 minutes");
        assert_eq!(recent.end - recent.start, 3 * 3600);
        assert_eq!((recent.period, recent.stat, recent.prefix), (300, "Average", 'r'));
        assert_eq!(poni_repo::time::rfc3339(daily.start), "2026-11-25T00:00:00Z");
        assert_eq!((daily.period, daily.stat, daily.end), (86_400, "Maximum", now));
    }

    #[test]
    fn query_ids_are_indexes_never_instance_ids() {
        let (recent, daily) = windows(1_796_209_317);
        let q = query(&recent, 499, "i-0123456789abcdef0");
        assert_eq!(q.id(), Some("r499"));
        let stat = q.metric_stat().unwrap();
        assert_eq!((stat.period(), stat.stat()), (Some(300), Some("Average")));
        let metric = stat.metric().unwrap();
        assert_eq!((metric.namespace(), metric.metric_name()), (Some("AWS/EC2"), Some("CPUUtilization")));
        assert_eq!(metric.dimensions()[0].value(), Some("i-0123456789abcdef0"));
        assert_eq!(query(&daily, 0, "i-1").id(), Some("p0"));
        let pattern = regex::Regex::new("^[a-z][a-zA-Z0-9_]*$").unwrap();
        assert!(pattern.is_match(q.id().unwrap()));
        assert_eq!(index_of('r', "r12"), Some(12));
        for bad in ["p12", "r", "r-1", "r1x", "r99999999999", "i-0123"] {
            assert_eq!(index_of('r', bad), None, "{bad}");
        }
    }

    #[test]
    fn points_fill_their_slots_and_the_average() {
        let (recent, daily) = windows(1_796_209_317);
        let points = [(recent.start, 10.0), (recent.start + 300, 20.0), (recent.end - 300, 60.0), (recent.end, 99.0), (recent.start - 300, 99.0)];
        let load = cpu_load_of(&recent, &points, &[]).unwrap();
        assert_eq!(load.recent.len(), 36);
        assert_eq!((load.recent[0], load.recent[1], load.recent[2], load.recent[35]), (Some(10.0), Some(20.0), None, Some(60.0)));
        assert_eq!(load.average, Some(30.0), "points outside the window are left out");
        assert_eq!(load.start, poni_repo::time::rfc3339(recent.start));
        assert!(load.daily_peak.is_empty());
        let peaks = [(daily.start + 2 * DAY, 3.0), (daily.start, 1.0), (daily.start + DAY, 2.0), (daily.start + DAY + 60, 9.0)];
        let load = cpu_load_of(&recent, &[], &peaks).unwrap();
        assert_eq!(load.daily_peak, [1.0, 2.0, 3.0], "oldest first, one a day");
        assert_eq!(load.average, None);
        assert!(load.idle_for_days());
        assert_eq!(cpu_load_of(&recent, &[], &[]), None, "no data: no load, not a made-up zero");
    }
}

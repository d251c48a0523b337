//! Waiting until instances reach a state: one DescribeInstances per region per poll for all
//! the instances there, a poll interval that backs off while nothing changes, per-node
//! timeouts and failures, and the address properties saved at the end. A wait for `running`
//! also waits for EC2's two status checks to pass on the nodes whose `cloud.check_health` is
//! not false ([`super::checks`]): one DescribeInstanceStatus per region per poll for the
//! instances that run, their checks reported as they change.

use poni_repo::ErrorCode;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::plan::Selection;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::addresses::Addresses;
use super::checks::{checks_differ, ChecksNotPassed};
use super::events::{EngineEvent, Operation};
use super::report::{EngineError, NodeReport, OperationReport, Outcome};
use super::{identity, now_rfc3339, secs, Engine, EngineIssue};
use crate::aws::{InstanceInfo, InstanceState};
use crate::error::Coded;
use crate::health::InstanceHealth;
use crate::spec::{check_health_of, init_timeout_of};

/// DescribeInstanceStatus takes at most this many instance ids.
const MAX_STATUS_IDS: usize = 100;

/// Polls this many times in a row failing (after the provider's own retries) fail the region's
/// nodes; fewer are reported as warnings and polling goes on.
const FAILED_POLLS_ALLOWED: u32 = 3;

/// How often to poll: `first` after a change, then `factor` times longer each quiet poll, up
/// to `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollSchedule {
    pub first: Duration,
    pub max: Duration,
    pub factor: f64,
}

impl Default for PollSchedule {
    /// 1 s, growing by half up to 15 s: quick while instances move, light on EC2's
    /// DescribeInstances budget (20 a second per region) during a long wait.
    fn default() -> Self {
        PollSchedule { first: Duration::from_secs(1), max: Duration::from_secs(15), factor: 1.5 }
    }
}

impl PollSchedule {
    pub fn next(&self, current: Duration, something_changed: bool) -> Duration {
        if something_changed {
            self.first
        } else {
            current.mul_f64(self.factor).min(self.max).max(self.first)
        }
    }
}

/// One instance being waited for.
#[derive(Debug, Clone)]
pub(crate) struct Watched {
    pub node: String,
    pub region: String,
    pub instance_id: String,
    pub timeout: Duration,
    /// The state already known (e.g. `pending` from the launch answer), so only real changes
    /// are reported.
    pub known: Option<InstanceState>,
    /// `cloud.check_health`: once `running`, also wait until both status checks pass.
    pub check_health: bool,
}

impl Engine {
    /// Waits until the instances of the nodes `target` matches are in `state`, then saves
    /// their address properties (emptied for `terminated`). For `running`, nodes whose
    /// `cloud.check_health` is not false also wait for both status checks to pass, as poni
    /// 0.8's `cloud wait` did. Nodes without an instance are reported as such.
    pub async fn wait(&self, selection: &Selection, state: &InstanceState, cancel: &CancellationToken) -> Result<OperationReport, EngineError> {
        let tree = self.repo.tree()?;
        let nodes = selection.select(&tree)?;
        self.emit(EngineEvent::OperationStarted { operation: Operation::Wait, nodes: nodes.len() as u32 });
        let (reports, by_region) = self.instances_by_region(Operation::Wait, &nodes);
        let mut reports: Vec<NodeReport> = reports.into_iter().flatten().collect();
        let watched = by_region
            .into_iter()
            .flat_map(|(region, list)| list.into_iter().map(move |(i, id)| (region.clone(), i, id)))
            .map(|(region, i, instance_id)| Watched {
                node: nodes[i].name.clone(),
                region,
                instance_id,
                timeout: init_timeout_of(&nodes[i].cloud()),
                known: None,
                check_health: check_health_of(&nodes[i].cloud()),
            })
            .collect();
        let repo_id = identity::existing_repo_id(&self.repo).unwrap_or_default();
        let (waited, cancelled) = self.wait_for(&repo_id, watched, state, cancel).await;
        reports.extend(waited);
        let order: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
        reports.sort_by_key(|r| order.get(r.node.as_str()).copied().unwrap_or(usize::MAX));
        Ok(self.finish(Operation::Wait, reports, cancelled))
    }

    /// The polling loop. Returns a report per watched node and whether it was cancelled.
    pub(crate) async fn wait_for(&self, repo_id: &str, watched: Vec<Watched>, goal: &InstanceState, cancel: &CancellationToken) -> (Vec<NodeReport>, bool) {
        let started = Instant::now();
        let total = watched.len() as u32;
        let mut last: Vec<Option<InstanceState>> = watched.iter().map(|w| w.known).collect();
        let mut seen: Vec<Option<InstanceInfo>> = vec![None; watched.len()];
        let mut done: Vec<Option<NodeReport>> = vec![None; watched.len()];
        let mut failed_polls: HashMap<String, u32> = HashMap::new();
        // The status checks of the instances that run and wait for them, as last reported.
        let mut health: Vec<Option<InstanceHealth>> = vec![None; watched.len()];
        let mut failed_checks: HashMap<String, u32> = HashMap::new();
        let mut interval = self.options.poll.first;
        let mut cancelled = false;

        loop {
            let mut by_region: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (_, w) in watched.iter().enumerate().filter(|(i, _)| done[*i].is_none()) {
                by_region.entry(w.region.clone()).or_default().push(w.instance_id.clone());
            }
            if by_region.is_empty() {
                break;
            }
            let answers = tokio::select! {
                answers = self.describe_regions(repo_id, &by_region) => answers,
                _ = cancel.cancelled() => { cancelled = true; break; }
            };
            let mut changed = false;
            // By region, the instances that run and wait for their status checks.
            let mut checking: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, w) in watched.iter().enumerate() {
                if done[i].is_some() {
                    continue;
                }
                let found = match &answers[&w.region] {
                    Ok(found) => found,
                    Err(e) => {
                        let failures = failed_polls.get(&w.region).copied().unwrap_or(0) + 1;
                        if failures >= FAILED_POLLS_ALLOWED {
                            done[i] = Some(self.fail(&w.node, Some(&w.instance_id), e));
                        }
                        continue;
                    }
                };
                let Some(info) = found.get(&w.instance_id) else {
                    if *goal == InstanceState::Terminated {
                        // EC2 forgets terminated instances after a while: gone is terminated.
                        done[i] = Some(NodeReport::new(&w.node, Outcome::Ready).with_instance(Some(&w.instance_id)).with_state(InstanceState::Terminated));
                        seen[i] = None;
                    } else if started.elapsed() >= w.timeout.min(Duration::from_secs(60)) {
                        let issue = EngineIssue::new(
                            ErrorCode::CloudInstanceNotFound,
                            format!("instance {} does not exist in {} (terminated long ago, or launched with other credentials)", w.instance_id, w.region),
                        );
                        done[i] = Some(self.fail(&w.node, Some(&w.instance_id), &issue));
                    }
                    continue;
                };
                if last[i].as_ref() != Some(&info.state) {
                    changed = true;
                    self.emit(EngineEvent::StateChanged {
                        node: w.node.clone(),
                        instance_id: w.instance_id.clone(),
                        from: last[i],
                        to: info.state,
                        at: now_rfc3339(),
                    });
                    last[i] = Some(info.state);
                }
                seen[i] = Some(info.clone());
                if info.state == *goal && waits_for_checks(w, goal) {
                    checking.entry(w.region.clone()).or_default().push(i);
                } else if info.state == *goal {
                    done[i] = Some(NodeReport::new(&w.node, Outcome::Ready).with_instance(Some(&w.instance_id)).with_state(info.state));
                } else if cannot_reach(&info.state, goal) {
                    let reason = info.state_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
                    let issue = EngineIssue::new(
                        ErrorCode::CloudInstanceState,
                        format!("instance {} is '{}'{reason} and will not become '{goal}'", w.instance_id, info.state),
                    );
                    done[i] = Some(self.fail(&w.node, Some(&w.instance_id), &issue).with_state(info.state));
                }
            }
            for (region, answer) in &answers {
                match answer {
                    Ok(_) => {
                        failed_polls.remove(region);
                    }
                    Err(e) => {
                        let failures = failed_polls.entry(region.clone()).or_default();
                        *failures += 1;
                        self.emit(EngineEvent::Warning {
                            node: None,
                            code: e.code().to_owned(),
                            message: format!("polling {region} failed ({} of {FAILED_POLLS_ALLOWED} allowed in a row): {e}", *failures),
                        });
                    }
                }
            }
            if !checking.is_empty() {
                let asked = tokio::select! {
                    asked = self.status_checks(&watched, &checking) => asked,
                    _ = cancel.cancelled() => { cancelled = true; break; }
                };
                for (region, answer) in asked {
                    let waiting = &checking[&region];
                    match answer {
                        Ok(reported) => {
                            failed_checks.remove(&region);
                            for &i in waiting {
                                let w = &watched[i];
                                let Some(now) = reported.iter().find(|h| h.instance_id == w.instance_id) else { continue };
                                if checks_differ(health[i].as_ref(), now) {
                                    changed = true;
                                    self.emit(EngineEvent::ChecksChanged { node: w.node.clone(), health: now.clone(), at: now_rfc3339() });
                                }
                                if now.passed() {
                                    done[i] =
                                        Some(NodeReport::new(&w.node, Outcome::Ready).with_instance(Some(&w.instance_id)).with_state(InstanceState::Running));
                                }
                                health[i] = Some(now.clone());
                            }
                        }
                        Err(e) => {
                            let failures = failed_checks.entry(region.clone()).or_default();
                            *failures += 1;
                            self.emit(EngineEvent::Warning {
                                node: None,
                                code: e.code().to_owned(),
                                message: format!("reading status checks in {region} failed ({} of {FAILED_POLLS_ALLOWED} allowed in a row): {e}", *failures),
                            });
                            if *failures >= FAILED_POLLS_ALLOWED {
                                for &i in waiting {
                                    done[i] = Some(self.fail(&watched[i].node, Some(&watched[i].instance_id), &e).with_state(InstanceState::Running));
                                }
                            }
                        }
                    }
                }
            }
            // Timeouts, measured from the start of the wait.
            for (i, w) in watched.iter().enumerate() {
                if done[i].is_none() && started.elapsed() >= w.timeout && waits_for_checks(w, goal) && last[i] == Some(InstanceState::Running) {
                    let issue = ChecksNotPassed::new(&w.node, &w.instance_id, health[i].as_ref(), w.timeout);
                    let mut report = self.fail(&w.node, Some(&w.instance_id), &issue);
                    report.outcome = Outcome::TimedOut;
                    report.state = last[i];
                    done[i] = Some(report);
                }
                if done[i].is_none() && started.elapsed() >= w.timeout {
                    let now = last[i].as_ref().map_or("not seen".to_owned(), |s| format!("still '{s}'"));
                    let issue = EngineIssue::new(
                        ErrorCode::CloudWaitTimeout,
                        format!("instance {} is {now} after {} s (cloud.init_timeout); it did not become '{goal}'", w.instance_id, secs(w.timeout)),
                    );
                    let mut report = self.fail(&w.node, Some(&w.instance_id), &issue);
                    report.outcome = Outcome::TimedOut;
                    report.state = last[i];
                    done[i] = Some(report);
                }
            }
            let waiting: Vec<usize> = (0..watched.len()).filter(|i| done[*i].is_none()).collect();
            if waiting.is_empty() {
                break;
            }
            let ready = done.iter().flatten().filter(|r| r.outcome == Outcome::Ready).count() as u32;
            self.emit(EngineEvent::WaitProgress { state: *goal, ready, total });
            // Sleep no longer than the nearest timeout.
            let nearest = waiting.iter().map(|&i| watched[i].timeout.saturating_sub(started.elapsed())).min().unwrap_or(interval);
            let pause = interval.min(nearest.max(Duration::from_millis(50)));
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = cancel.cancelled() => { cancelled = true; break; }
            }
            interval = self.options.poll.next(interval, changed);
        }

        // Save addresses of the nodes that got there, in node order.
        let mut reports = Vec::with_capacity(watched.len());
        for (i, w) in watched.iter().enumerate() {
            let report = match done[i].take() {
                None => NodeReport::new(&w.node, Outcome::Cancelled).with_instance(Some(&w.instance_id)),
                Some(report) if report.outcome == Outcome::Ready => {
                    let addresses = seen[i].as_ref().map_or_else(Addresses::emptied, Addresses::of);
                    match addresses.save(&self.repo, &w.node) {
                        Ok(changes) if changes.is_empty() => report,
                        Ok(changes) => {
                            self.emit(EngineEvent::PropertiesUpdated { node: w.node.clone(), changes });
                            report
                        }
                        Err(e) => self.fail(&w.node, Some(&w.instance_id), &e),
                    }
                }
                Some(report) => report,
            };
            reports.push(report);
        }
        (reports, cancelled)
    }
}

/// Whether this instance, once in `goal`, also waits for its status checks: a wait for
/// `running` of a node whose `cloud.check_health` is not false.
fn waits_for_checks(w: &Watched, goal: &InstanceState) -> bool {
    w.check_health && *goal == InstanceState::Running
}

impl Engine {
    /// One DescribeInstanceStatus per region for the instances waiting for their checks (more
    /// than 100: the region's whole list, a page per 1,000), all regions at once. Built in a loop, not by a closure returning futures, so the wait's
    /// future stays Send.
    async fn status_checks(
        &self,
        watched: &[Watched],
        checking: &BTreeMap<String, Vec<usize>>,
    ) -> Vec<(String, Result<Vec<InstanceHealth>, crate::aws::CloudError>)> {
        let mut calls = Vec::with_capacity(checking.len());
        for (region, list) in checking {
            let ids: Vec<String> = list.iter().map(|&i| watched[i].instance_id.clone()).collect();
            calls.push(async move {
                // EC2 takes at most 100 ids a call; more are cheaper asked as the region's
                // whole list (1,000 a page), from which the waiting ones are picked.
                let answer = match ids.len() <= MAX_STATUS_IDS {
                    true => self.provider.instance_status(region, Some(ids.as_slice())).await,
                    false => self.provider.instance_status(region, None).await,
                };
                (region.clone(), answer)
            });
        }
        futures_util::future::join_all(calls).await
    }
}

/// States an instance does not leave on its own towards `goal`.
fn cannot_reach(state: &InstanceState, goal: &InstanceState) -> bool {
    use InstanceState::*;
    match goal {
        Terminated => false,
        ShuttingDown => matches!(state, Terminated),
        Stopped | Stopping => matches!(state, ShuttingDown | Terminated),
        _ => matches!(state, ShuttingDown | Terminated | Stopping | Stopped),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_backs_off_and_resets_on_change() {
        let s = PollSchedule::default();
        let mut d = s.first;
        let mut seen = vec![];
        for _ in 0..8 {
            d = s.next(d, false);
            seen.push(d.as_millis());
        }
        assert_eq!(seen, [1500, 2250, 3375, 5062, 7593, 11390, 15000, 15000]);
        assert_eq!(s.next(d, true), s.first);
    }

    #[test]
    fn hopeless_states() {
        use InstanceState::*;
        assert!(cannot_reach(&Terminated, &Running) && cannot_reach(&Stopped, &Running));
        assert!(!cannot_reach(&Pending, &Running) && !cannot_reach(&Running, &Terminated));
        assert!(cannot_reach(&Terminated, &Stopped) && !cannot_reach(&Running, &Stopped));
    }
}

//! EC2's two status checks in a wait for `running`, as poni 0.8's `cloud init --wait` does them
//! (cloud_aws.py, `check_instance_status`): a node whose `cloud.check_health` is not false is
//! ready only once its instance runs and both checks say `ok`, within `cloud.init_timeout`
//! (counted from the start of the wait, 300 s unless set). Its addresses are saved only then.
//! Where poni 0.8 then terminated the instance and launched another (on-demand nodes, twice),
//! the node fails with [`ChecksNotPassed`], naming the checks as last seen; the instance is left
//! as it is for the user to look at.

use std::time::Duration;

use poni_repo::ErrorCode;

use super::secs;
use crate::error::Coded;
use crate::health::{CheckStatus, InstanceHealth};

/// A running instance whose status checks did not both pass within `cloud.init_timeout`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct ChecksNotPassed {
    pub node: String,
    pub instance_id: String,
    /// The checks as last reported; None: EC2 never reported them (the calls failed).
    pub checks: Option<(CheckStatus, CheckStatus)>,
    pub waited: Duration,
}

impl ChecksNotPassed {
    pub fn new(node: &str, instance_id: &str, health: Option<&InstanceHealth>, waited: Duration) -> ChecksNotPassed {
        ChecksNotPassed { node: node.to_owned(), instance_id: instance_id.to_owned(), checks: health.map(|h| (h.system, h.instance)), waited }
    }

    fn impaired(&self) -> bool {
        self.checks.is_some_and(|(s, i)| s == CheckStatus::Impaired || i == CheckStatus::Impaired)
    }

    fn message(&self) -> String {
        let seen = match self.checks {
            Some((system, instance)) => checks_words(system, instance),
            None => "EC2 did not report them".to_owned(),
        };
        let advice = match self.impaired() {
            true => {
                "Look at the instance's system log (EC2 console: Actions → Monitor and troubleshoot → Get system log); stop and start it, or launch it again."
            }
            false => "Wait and run `poni cloud wait` again, raise cloud.init_timeout, or set cloud.check_health to false to wait for 'running' only.",
        };
        format!(
            "instance {} of {} runs, but its status checks did not both pass within {} s (cloud.init_timeout): {seen}. Its addresses were not saved. {advice}",
            self.instance_id,
            self.node,
            secs(self.waited)
        )
    }
}

impl Coded for ChecksNotPassed {
    fn code(&self) -> ErrorCode {
        match self.impaired() {
            true => ErrorCode::CloudStatusChecksImpaired,
            false => ErrorCode::CloudStatusChecksTimeout,
        }
    }
}

/// `system ok, instance initializing`: both checks in words, as log lines show them.
pub fn checks_words(system: CheckStatus, instance: CheckStatus) -> String {
    format!("system {}, instance {}", system.as_str(), instance.as_str())
}

/// Whether two reports differ in what a wait shows (the checks; events are not waited on).
pub(crate) fn checks_differ(before: Option<&InstanceHealth>, now: &InstanceHealth) -> bool {
    before.is_none_or(|b| (b.system, b.instance) != (now.system, now.instance))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(system: CheckStatus, instance: CheckStatus) -> InstanceHealth {
        InstanceHealth { instance_id: "i-0abc".into(), system, instance, events: vec![] }
    }

    #[test]
    fn the_error_names_the_node_its_instance_and_both_checks() {
        let waiting = health(CheckStatus::Ok, CheckStatus::Initializing);
        let e = ChecksNotPassed::new("web/frontend1", "i-0abc", Some(&waiting), Duration::from_secs(300));
        assert_eq!(e.code(), ErrorCode::CloudStatusChecksTimeout);
        let message = e.to_string();
        assert!(
            message.starts_with(
                "instance i-0abc of web/frontend1 runs, but its status checks did not both pass within 300 s (cloud.init_timeout): system ok, instance initializing."
            ),
            "{message}"
        );
        assert!(message.contains("cloud.check_health"), "{message}");

        let broken = ChecksNotPassed::new("db/1", "i-1", Some(&health(CheckStatus::Impaired, CheckStatus::Ok)), Duration::from_secs(60));
        assert_eq!(broken.code(), ErrorCode::CloudStatusChecksImpaired);
        assert!(broken.to_string().contains("system impaired, instance ok"), "{broken}");
        let unknown = ChecksNotPassed::new("db/1", "i-1", None, Duration::from_secs(60));
        assert!(unknown.to_string().contains("EC2 did not report them"), "{unknown}");
        assert!(!ErrorCode::CloudStatusChecksTimeout.is_bad_input());
    }

    #[test]
    fn only_the_checks_count_as_a_change() {
        let a = health(CheckStatus::Initializing, CheckStatus::Initializing);
        let mut b = a.clone();
        assert!(checks_differ(None, &a));
        assert!(!checks_differ(Some(&a), &b));
        b.events.push(crate::health::ScheduledEvent {
            kind: crate::health::EventKind::SystemReboot,
            id: None,
            description: "reboot".into(),
            not_before: None,
            not_after: None,
        });
        assert!(!checks_differ(Some(&a), &b));
        b.instance = CheckStatus::Ok;
        assert!(checks_differ(Some(&a), &b));
    }
}

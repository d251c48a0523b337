//! Status checks and scheduled events: DescribeInstanceStatus, every instance of a region
//! included (stopped ones too, as `not-applicable`), 1,000 a page: one call per page per region,
//! never one per instance.

use aws_sdk_ec2::primitives::DateTimeFormat;
use aws_sdk_ec2::types::{InstanceStatus, InstanceStatusSummary};

use super::errors::{from_sdk, ErrorContext};
use super::retry::with_retries;
use super::{ActionClass, CloudError, Ec2Provider};
use crate::health::{CheckStatus, EventKind, InstanceHealth, ScheduledEvent};

impl Ec2Provider {
    /// Checks and events of every instance in `region`, or only of `ids` when given (the waits
    /// of `cloud init --wait` ask for theirs; the fleet wall asks for all).
    pub async fn instance_status(&self, region: &str, ids: Option<&[String]>) -> Result<Vec<InstanceHealth>, CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext { instance_ids: ids.map(<[String]>::to_vec).unwrap_or_default(), ..ErrorContext::new("DescribeInstanceStatus", region) };
        let mut found = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherDescribe, |_| {
                let mut request = client.describe_instance_status().include_all_instances(true).set_next_token(next_token.clone());
                // EC2 refuses MaxResults together with instance ids.
                request = match ids {
                    Some(ids) => request.set_instance_ids(Some(ids.to_vec())),
                    None => request.max_results(1000),
                };
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
            found.extend(page.instance_statuses().iter().filter_map(health_of));
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(found),
            }
        }
    }
}

fn check(summary: Option<&InstanceStatusSummary>) -> CheckStatus {
    summary.and_then(|s| s.status()).map(|s| CheckStatus::from_ec2(s.as_str())).unwrap_or(CheckStatus::InsufficientData)
}

fn health_of(status: &InstanceStatus) -> Option<InstanceHealth> {
    let time = |t: Option<&aws_sdk_ec2::primitives::DateTime>| t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok());
    let events = status
        .events()
        .iter()
        .map(|e| ScheduledEvent {
            kind: e.code().map(|c| EventKind::from_ec2(c.as_str())).unwrap_or(EventKind::Other),
            id: e.instance_event_id().map(str::to_owned),
            description: e.description().unwrap_or_default().to_owned(),
            not_before: time(e.not_before()),
            not_after: time(e.not_after()),
        })
        .filter(|e| !e.is_done())
        .collect();
    Some(InstanceHealth {
        instance_id: status.instance_id()?.to_owned(),
        system: check(status.system_status()),
        instance: check(status.instance_status()),
        events,
    })
}

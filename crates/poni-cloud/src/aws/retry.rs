//! Retries with exponential backoff and jitter for throttling, server errors, time-outs and
//! connection failures (not for a refused connection: nothing listens, and a retry at once
//! would only make the user wait for the same answer). The SDK's own retries are switched off so that every attempt passes
//! the pacer and the policy is one testable piece of code.

use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

use super::errors::CloudError;
use super::pacing::{ActionClass, Pacer, Resource};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: usize,
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// Spreads retries of parallel callers so they do not hit EC2 in step.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// Six attempts, waits from 0.5 s doubling up to 20 s (about 15 s to 30 s in all).
    fn default() -> Self {
        RetryPolicy { max_attempts: 6, min_delay: Duration::from_millis(500), max_delay: Duration::from_secs(20), jitter: true }
    }
}

impl RetryPolicy {
    /// One attempt only.
    pub fn no_retries() -> RetryPolicy {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// The pauses between attempts.
    pub fn delays(&self) -> impl Iterator<Item = Duration> {
        let builder = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1));
        if self.jitter {
            builder.with_jitter().build()
        } else {
            builder.build()
        }
    }
}

/// Runs `attempt` (given the attempt number, from 1) until it succeeds, fails for a reason
/// a retry cannot fix, or the policy runs out. Each attempt first waits for the pacer.
pub(crate) async fn with_retries<T, F, Fut>(policy: &RetryPolicy, pacer: &Pacer, region: &str, class: ActionClass, attempt: F) -> Result<T, CloudError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, CloudError>>,
{
    with_retries_costing(policy, pacer, region, class, None, attempt).await
}

/// [`with_retries`] for a call that also spends instances from a resource bucket.
pub(crate) async fn with_retries_costing<T, F, Fut>(
    policy: &RetryPolicy,
    pacer: &Pacer,
    region: &str,
    class: ActionClass,
    instances: Option<(Resource, u32)>,
    mut attempt: F,
) -> Result<T, CloudError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, CloudError>>,
{
    let mut delays = policy.delays();
    let mut number = 0u32;
    loop {
        number += 1;
        if let Some((resource, count)) = instances {
            pacer.acquire_instances(region, resource, count).await;
        }
        pacer.acquire(region, class).await;
        match attempt(number).await {
            Ok(value) => return Ok(value),
            Err(e) if e.kind.is_retryable() => match delays.next() {
                Some(delay) => {
                    tracing::warn!(code = e.kind.code().as_str(), aws_code = ?e.aws_code, region, attempt = number, ?delay, "retrying EC2 call");
                    tokio::time::sleep(delay).await;
                }
                None => {
                    let mut e = e;
                    if number > 1 {
                        e.message = format!("{} (gave up after {number} attempts)", e.message);
                    }
                    return Err(e);
                }
            },
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use tokio::time::Instant;

    use super::*;
    use crate::aws::errors::CloudErrorKind;
    use crate::aws::pacing::PacingLimits;

    fn failing(kind: CloudErrorKind) -> CloudError {
        CloudError { kind, message: "EC2 said no".into(), aws_code: Some("RequestLimitExceeded".into()) }
    }

    async fn run(policy: &RetryPolicy, fail_first: u32, kind: CloudErrorKind) -> (Result<u32, CloudError>, u32) {
        let calls = AtomicU32::new(0);
        let pacer = Pacer::new(PacingLimits::unpaced());
        let result = with_retries(policy, &pacer, "us-east-1", ActionClass::DescribeInstances, |n| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if n <= fail_first {
                    Err(failing(kind))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn request_limit_exceeded_is_retried_until_it_passes() {
        let started = Instant::now();
        let (result, calls) = run(&RetryPolicy::default(), 3, CloudErrorKind::Throttled).await;
        assert_eq!((result.unwrap(), calls), (4, 4));
        // Backoff 0.5 + 1 + 2 s, each with up to the same again as jitter.
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(3500) && waited < Duration::from_millis(7000), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn every_transient_kind_is_retried() {
        for kind in [CloudErrorKind::ServiceUnavailable, CloudErrorKind::Timeout, CloudErrorKind::Unreachable] {
            let (result, calls) = run(&RetryPolicy::default(), 1, kind).await;
            assert_eq!((result.unwrap(), calls), (2, 2), "{kind:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_are_not_retried() {
        for kind in [CloudErrorKind::KeyPairNotFound, CloudErrorKind::ConnectionRefused] {
            let (result, calls) = run(&RetryPolicy::default(), 10, kind).await;
            assert_eq!(result.unwrap_err().message, "EC2 said no");
            assert_eq!(calls, 1, "{kind:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn giving_up_says_how_often_it_tried() {
        let policy = RetryPolicy { max_attempts: 3, jitter: false, ..RetryPolicy::default() };
        let started = Instant::now();
        let (result, calls) = run(&policy, 10, CloudErrorKind::Throttled).await;
        assert_eq!(calls, 3);
        assert_eq!(started.elapsed(), Duration::from_millis(1500));
        let e = result.unwrap_err();
        assert_eq!(e.kind, CloudErrorKind::Throttled);
        assert_eq!(e.message, "EC2 said no (gave up after 3 attempts)");
    }

    #[test]
    fn delays_double_and_stop_at_the_cap() {
        let policy = RetryPolicy { max_attempts: 8, jitter: false, ..RetryPolicy::default() };
        let delays: Vec<u64> = policy.delays().map(|d| d.as_millis() as u64).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 16000, 20000]);
        assert_eq!(RetryPolicy::no_retries().delays().count(), 0);
    }
}

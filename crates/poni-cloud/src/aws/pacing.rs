//! Client-side pacing so Poni stays inside EC2's request-rate limits instead of collecting
//! RequestLimitExceeded errors. EC2 meters each account and region with token buckets per
//! class of action; we keep one bucket per (region, class) in this process. The other services
//! the fleet wall reads meter their own way, and get their own classes in the same table:
//! CloudWatch allows GetMetricData 50 requests a second per account and region (a service
//! quota), the Price List Query API a bucket of 10 GetProducts refilled at 5 a second.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// EC2's throttling classes that Poni calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionClass {
    RunInstances,
    /// DescribeInstances with a filter or pagination (Poni never calls it unfiltered).
    DescribeInstances,
    TerminateInstances,
    CreateTags,
    /// Everything else that changes state: Start/StopInstances, AssociateAddress.
    OtherMutating,
    /// Other lookups: DescribeSubnets, DescribeSecurityGroups, DescribeAddresses
    /// (EC2's "non-mutating actions" bucket).
    OtherDescribe,
    /// CloudWatch GetMetricData (not an EC2 bucket: CloudWatch's own quota).
    GetMetricData,
    /// The Price List API's GetProducts (its own bucket, in us-east-1).
    GetProducts,
}

/// EC2's resource buckets: besides the request, some actions use up tokens per instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    RunInstances,
    TerminateInstances,
    StartInstances,
    StopInstances,
}

/// A bucket: `burst` calls (or instances) at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub burst: u32,
    pub per_second: u32,
}

/// Bucket sizes per class and resource; a missing one means unpaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacingLimits {
    limits: HashMap<ActionClass, Bucket>,
    resources: HashMap<Resource, Bucket>,
}

impl PacingLimits {
    /// EC2's published limits per account and region (burst / refill per second): the one
    /// table the client paces by (the test proxy enforces the same numbers).
    pub fn ec2_published() -> PacingLimits {
        let b = |burst, per_second| Bucket { burst, per_second };
        PacingLimits {
            limits: HashMap::from([
                (ActionClass::RunInstances, b(5, 2)),
                (ActionClass::DescribeInstances, b(100, 20)),
                (ActionClass::TerminateInstances, b(100, 5)),
                (ActionClass::CreateTags, b(100, 10)),
                (ActionClass::OtherMutating, b(50, 5)),
                (ActionClass::OtherDescribe, b(100, 20)),
                (ActionClass::GetMetricData, b(50, 50)),
                (ActionClass::GetProducts, b(10, 5)),
            ]),
            resources: HashMap::from([
                (Resource::RunInstances, b(1000, 2)),
                (Resource::TerminateInstances, b(1000, 20)),
                (Resource::StartInstances, b(1000, 2)),
                (Resource::StopInstances, b(1000, 20)),
            ]),
        }
    }

    /// No pacing at all, e.g. for a local EC2 emulator in tests.
    pub fn unpaced() -> PacingLimits {
        PacingLimits { limits: HashMap::new(), resources: HashMap::new() }
    }

    pub fn bucket(&self, class: ActionClass) -> Option<Bucket> {
        self.limits.get(&class).copied()
    }

    pub fn resource_bucket(&self, resource: Resource) -> Option<Bucket> {
        self.resources.get(&resource).copied()
    }
}

/// Reads tokio's clock, so paused-time tests see the limiter wait, and production sees real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    type Instant = std::time::Instant;
    fn now(&self) -> Self::Instant {
        tokio::time::Instant::now().into_std()
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<std::time::Instant>>;
/// A bucket is a request class or a resource, in one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Meter {
    Requests(ActionClass),
    Instances(Resource),
}

type Buckets = HashMap<(String, Meter), Arc<Limiter>>;

/// Hands out permission to call EC2, waiting when a bucket is empty. Cheap to clone and share.
#[derive(Clone)]
pub struct Pacer {
    limits: Arc<PacingLimits>,
    buckets: Arc<Mutex<Buckets>>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl Pacer {
    pub fn new(limits: PacingLimits) -> Pacer {
        Pacer { limits: Arc::new(limits), buckets: Arc::default() }
    }

    /// Waits until a call of `class` in `region` fits in its bucket, and takes its token.
    pub async fn acquire(&self, region: &str, class: ActionClass) {
        let Some(limiter) = self.limiter(region, Meter::Requests(class)) else { return };
        loop {
            match limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(TokioClock.now());
                    tracing::debug!(region, ?class, ?wait, "pacing EC2 calls");
                    tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
                }
            }
        }
    }

    /// Waits until `count` instances fit in the resource bucket, and takes them. A count above
    /// the bucket's burst is taken a burst at a time (the caller should not ask for that much).
    pub async fn acquire_instances(&self, region: &str, resource: Resource, count: u32) {
        let Some(limiter) = self.limiter(region, Meter::Instances(resource)) else { return };
        let burst = self.limits.resource_bucket(resource).map_or(1, |b| b.burst.max(1));
        let mut left = count;
        while left > 0 {
            let take = NonZeroU32::new(left.min(burst)).expect("positive");
            match limiter.check_n(take) {
                Ok(Ok(())) => left -= take.get(),
                Ok(Err(not_until)) => {
                    let wait = not_until.wait_time_from(TokioClock.now());
                    tracing::debug!(region, ?resource, count, ?wait, "pacing EC2 instances");
                    tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
                }
                Err(_) => unreachable!("never more than the burst at once"),
            }
        }
    }

    fn limiter(&self, region: &str, meter: Meter) -> Option<Arc<Limiter>> {
        let bucket = match meter {
            Meter::Requests(class) => self.limits.bucket(class)?,
            Meter::Instances(resource) => self.limits.resource_bucket(resource)?,
        };
        let mut buckets = self.buckets.lock().expect("pacer lock never poisoned");
        let limiter = buckets.entry((region.to_owned(), meter)).or_insert_with(|| {
            let rate = NonZeroU32::new(bucket.per_second.max(1)).expect("at least one");
            let burst = NonZeroU32::new(bucket.burst.max(1)).expect("at least one");
            Arc::new(RateLimiter::direct_with_clock(Quota::per_second(rate).allow_burst(burst), TokioClock))
        });
        Some(limiter.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    async fn time_for(pacer: &Pacer, region: &str, class: ActionClass, calls: usize) -> Duration {
        let start = Instant::now();
        for _ in 0..calls {
            pacer.acquire(region, class).await;
        }
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn run_instances_allows_a_burst_of_five_then_two_per_second() {
        let pacer = Pacer::new(PacingLimits::ec2_published());
        assert_eq!(time_for(&pacer, "us-east-1", ActionClass::RunInstances, 5).await, Duration::ZERO);
        // The next four need two more seconds at two per second.
        let waited = time_for(&pacer, "us-east-1", ActionClass::RunInstances, 4).await;
        assert!(waited >= Duration::from_millis(1900) && waited <= Duration::from_millis(2100), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn regions_and_classes_have_separate_buckets() {
        let pacer = Pacer::new(PacingLimits::ec2_published());
        time_for(&pacer, "us-east-1", ActionClass::RunInstances, 5).await;
        assert_eq!(time_for(&pacer, "eu-west-1", ActionClass::RunInstances, 5).await, Duration::ZERO);
        assert_eq!(time_for(&pacer, "us-east-1", ActionClass::DescribeInstances, 100).await, Duration::ZERO);
        let waited = time_for(&pacer, "us-east-1", ActionClass::DescribeInstances, 20).await;
        assert!(waited >= Duration::from_millis(900) && waited <= Duration::from_millis(1100), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn each_published_limit_is_applied() {
        for (class, burst, per_second) in [
            (ActionClass::TerminateInstances, 100, 5),
            (ActionClass::CreateTags, 100, 10),
            (ActionClass::OtherMutating, 50, 5),
            (ActionClass::GetMetricData, 50, 50),
            (ActionClass::GetProducts, 10, 5),
        ] {
            let pacer = Pacer::new(PacingLimits::ec2_published());
            assert_eq!(time_for(&pacer, "r", class, burst).await, Duration::ZERO, "{class:?}");
            let waited = time_for(&pacer, "r", class, per_second).await;
            assert!(waited >= Duration::from_millis(900) && waited <= Duration::from_millis(1100), "{class:?} {waited:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn launches_also_spend_instances_from_their_own_bucket() {
        let pacer = Pacer::new(PacingLimits::ec2_published());
        let start = Instant::now();
        pacer.acquire_instances("r", Resource::RunInstances, 1000).await;
        assert_eq!(start.elapsed(), Duration::ZERO, "a burst of 1,000 instances");
        pacer.acquire_instances("r", Resource::RunInstances, 10).await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(4900) && waited <= Duration::from_millis(5100), "10 more at 2 a second: {waited:?}");
        pacer.acquire_instances("other-region", Resource::RunInstances, 1000).await;
        assert_eq!(start.elapsed(), waited, "regions have their own buckets");
    }

    #[tokio::test(start_paused = true)]
    async fn unpaced_never_waits() {
        let pacer = Pacer::new(PacingLimits::unpaced());
        assert_eq!(time_for(&pacer, "r", ActionClass::RunInstances, 1000).await, Duration::ZERO);
    }
}

//! Spot prices: DescribeSpotPriceHistory asked for the latest price (a start time of now
//! gives each zone's price in effect), one call per instance type and region, for every zone
//! wanted at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_ec2::primitives::DateTime;
use aws_sdk_ec2::types::InstanceType;

use super::errors::{from_sdk, ErrorContext};
use super::{filter, ActionClass, CloudError, Ec2Provider};
use crate::health::Money;

/// The product description of Linux spot instances.
const LINUX: &str = "Linux/UNIX";

impl Ec2Provider {
    /// The latest Linux spot price of each `(instance type, zone)` in `region`; pairs EC2
    /// names no price for are left out.
    pub async fn spot_prices(&self, region: &str, wanted: &[(String, String)], now: SystemTime) -> Result<HashMap<(String, String), Money>, CloudError> {
        let mut zones_by_type: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (instance_type, zone) in wanted {
            zones_by_type.entry(instance_type.as_str()).or_default().insert(zone.as_str());
        }
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let client = self.client(region);
        let mut prices = HashMap::new();
        for (instance_type, zones) in zones_by_type {
            let ctx = ErrorContext { instance_type: Some(instance_type.to_owned()), ..ErrorContext::new("DescribeSpotPriceHistory", region) };
            let out = self
                .paced(region, ActionClass::OtherDescribe, |_| {
                    let request = client
                        .describe_spot_price_history()
                        .instance_types(InstanceType::from(instance_type))
                        .product_descriptions(LINUX)
                        .filters(filter("availability-zone", zones.iter().copied()))
                        .start_time(DateTime::from_secs(now))
                        .max_results(1000);
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
            // The newest price per zone.
            let mut latest: HashMap<String, (i64, Money)> = HashMap::new();
            for price in out.spot_price_history() {
                let (Some(zone), Some(text)) = (price.availability_zone(), price.spot_price()) else { continue };
                let Some(money) = Money::parse_usd(text) else { continue };
                if !zones.contains(zone) || price.instance_type().is_some_and(|t| t.as_str() != instance_type) {
                    continue;
                }
                let at = price.timestamp().map_or(i64::MIN, |t| t.secs());
                let entry = latest.entry(zone.to_owned()).or_insert((at, money));
                if at > entry.0 {
                    *entry = (at, money);
                }
            }
            prices.extend(latest.into_iter().map(|(zone, (_, money))| ((instance_type.to_owned(), zone), money)));
        }
        Ok(prices)
    }
}

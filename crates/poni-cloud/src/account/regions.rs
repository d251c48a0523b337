//! The regions the account has enabled, with the names the AWS console shows.

use serde::Serialize;
use ts_rs::TS;

use super::Account;
use crate::aws::errors::{from_sdk, ErrorContext};
use crate::aws::{ActionClass, CloudError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct RegionInfo {
    pub code: String,
    /// "US East (N. Virginia)"; the code itself for a region this table does not know yet.
    pub name: String,
}

/// The console's names. A region AWS opens later still lists, under its code.
const NAMES: &[(&str, &str)] = &[
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (São Paulo)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("me-central-1", "Middle East (UAE)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("eusc-de-east-1", "AWS European Sovereign Cloud (Germany)"),
];

pub fn region_name(code: &str) -> Option<&'static str> {
    NAMES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

impl RegionInfo {
    pub fn new(code: &str) -> RegionInfo {
        RegionInfo { code: code.to_owned(), name: region_name(code).unwrap_or(code).to_owned() }
    }
}

impl Account {
    /// The regions enabled for the account (DescribeRegions without opted-out ones), sorted by
    /// name. `via` is the region asked (any enabled region answers for all).
    pub async fn regions(&self, via: &str) -> Result<Vec<RegionInfo>, CloudError> {
        let client = self.provider.client(via);
        let ctx = ErrorContext::new("DescribeRegions", via);
        let out = self
            .provider
            .paced(via, ActionClass::OtherDescribe, |_| {
                let request = client.describe_regions();
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        let mut regions: Vec<RegionInfo> =
            out.regions().iter().filter(|r| r.opt_in_status() != Some("not-opted-in")).filter_map(|r| r.region_name()).map(RegionInfo::new).collect();
        regions.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
        regions.dedup();
        Ok(regions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_poni_accepts_has_a_name() {
        for code in crate::spec::regions::AWS_REGIONS {
            assert!(region_name(code).is_some(), "{code} has no display name");
        }
        assert_eq!(RegionInfo::new("xx-new-9").name, "xx-new-9");
        assert_eq!(RegionInfo::new("eu-west-1").name, "Europe (Ireland)");
    }
}

//! Images to launch: the quick-start ones AWS publishes as public SSM parameters (the EC2
//! console's list), and the account's own.

use aws_sdk_ec2::types::Image;
use serde::Serialize;
use ts_rs::TS;

use super::Account;
use crate::aws::errors::{from_sdk, ErrorContext};
use crate::aws::{filter, ActionClass, CloudError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ImageSource {
    QuickStart,
    Owned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImageInfo {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// As EC2 names it: `x86_64`, `arm64`.
    pub architecture: String,
    /// ISO 8601, as EC2 gives it.
    pub creation_date: Option<String>,
    pub source: ImageSource,
    /// "Amazon Linux 2023", "Ubuntu 24.04 LTS", "Debian 12" for quick-start images.
    pub family: Option<String>,
    /// The login user usual for the image; None when it cannot be told.
    pub login_user: Option<String>,
}

/// A quick-start image: its family, architecture, the public parameter naming the current AMI
/// of each region, and its usual login user.
#[derive(Debug, Clone, Copy)]
pub struct QuickStart {
    pub family: &'static str,
    pub architecture: &'static str,
    pub parameter: &'static str,
    pub login_user: &'static str,
}

const fn qs(family: &'static str, architecture: &'static str, parameter: &'static str, login_user: &'static str) -> QuickStart {
    QuickStart { family, architecture, parameter, login_user }
}

/// What the EC2 console offers first, in that order.
pub const QUICK_START: &[QuickStart] = &[
    qs("Amazon Linux 2023", "x86_64", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "ec2-user"),
    qs("Amazon Linux 2023", "arm64", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64", "ec2-user"),
    qs("Ubuntu 24.04 LTS", "x86_64", "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id", "ubuntu"),
    qs("Ubuntu 24.04 LTS", "arm64", "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id", "ubuntu"),
    qs("Debian 12", "x86_64", "/aws/service/debian/release/bookworm/latest/amd64", "admin"),
    qs("Debian 12", "arm64", "/aws/service/debian/release/bookworm/latest/arm64", "admin"),
];

/// GetParameters takes at most ten names per call.
const PARAMETERS_PER_CALL: usize = 10;

/// The login user an image's name suggests (the distributions' documented defaults).
pub fn login_user_for(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    // Earlier rules win: Bitnami stacks are built on other distributions, and Fedora CoreOS
    // is not Fedora's login.
    let rules: &[(&[&str], &str)] = &[
        (&["bitnami"], "bitnami"),
        (&["fedora-coreos", "fedora coreos", "coreos"], "core"),
        (&["ubuntu"], "ubuntu"),
        (&["debian"], "admin"),
        (&["amzn", "al2023", "amazon linux", "amazon-linux", "rhel", "suse", "sles"], "ec2-user"),
        (&["centos"], "centos"),
        (&["fedora"], "fedora"),
        (&["rocky"], "rocky"),
        (&["almalinux"], "ec2-user"),
    ];
    rules.iter().find(|(needles, _)| needles.iter().any(|n| name.contains(n))).map(|(_, user)| *user)
}

fn architecture_name(image: &Image) -> String {
    image.architecture().map(|a| a.as_str().to_owned()).unwrap_or_else(|| "x86_64".into())
}

fn owned_info(image: &Image) -> Option<ImageInfo> {
    let id = image.image_id()?.to_owned();
    let name = image.name().unwrap_or(&id).to_owned();
    Some(ImageInfo {
        login_user: login_user_for(&name).map(str::to_owned),
        description: image.description().map(str::to_owned),
        architecture: architecture_name(image),
        creation_date: image.creation_date().map(str::to_owned),
        source: ImageSource::Owned,
        family: None,
        name,
        id,
    })
}

impl Account {
    /// Quick-start images of the region (those whose parameter exists there) followed by the
    /// account's own images, newest first.
    pub async fn images(&self, region: &str) -> Result<Vec<ImageInfo>, CloudError> {
        let mut found = self.quick_start_images(region).await?;
        let mut owned = self.describe_images(region, None, Some("self")).await?;
        owned.sort_by(|a, b| b.creation_date.cmp(&a.creation_date).then(a.name.cmp(&b.name)));
        found.extend(owned.iter().filter_map(owned_info));
        Ok(found)
    }

    async fn quick_start_images(&self, region: &str) -> Result<Vec<ImageInfo>, CloudError> {
        let ssm = self.provider.ssm(region);
        let ctx = ErrorContext::new("GetParameters", region);
        let mut ids: Vec<(QuickStart, String)> = Vec::new();
        for chunk in QUICK_START.chunks(PARAMETERS_PER_CALL) {
            let names: Vec<String> = chunk.iter().map(|q| q.parameter.to_owned()).collect();
            let out = self
                .provider
                .paced(region, ActionClass::OtherDescribe, |_| {
                    let request = ssm.get_parameters().set_names(Some(names.clone()));
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
            // Names missing in this region come back in InvalidParameters: they are skipped.
            for parameter in out.parameters() {
                let (Some(name), Some(value)) = (parameter.name(), parameter.value()) else { continue };
                if let Some(q) = chunk.iter().find(|q| q.parameter == name) {
                    ids.push((*q, value.to_owned()));
                }
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
        let described = self.describe_images(region, Some(&wanted), None).await?;
        let mut images = Vec::new();
        for q in QUICK_START {
            let Some((_, id)) = ids.iter().find(|(found, _)| found.parameter == q.parameter) else { continue };
            let image = described.iter().find(|i| i.image_id() == Some(id.as_str()));
            images.push(ImageInfo {
                id: id.clone(),
                name: image.and_then(|i| i.name()).unwrap_or(q.family).to_owned(),
                description: image.and_then(|i| i.description()).map(str::to_owned),
                architecture: q.architecture.to_owned(),
                creation_date: image.and_then(|i| i.creation_date()).map(str::to_owned),
                source: ImageSource::QuickStart,
                family: Some(q.family.to_owned()),
                login_user: Some(q.login_user.to_owned()),
            });
        }
        Ok(images)
    }

    /// DescribeImages by an `image-id` filter (unlike ImageIds it tolerates unknown ids) or by owner.
    async fn describe_images(&self, region: &str, ids: Option<&[&str]>, owner: Option<&str>) -> Result<Vec<Image>, CloudError> {
        let client = self.provider.client(region);
        let ctx = ErrorContext::new("DescribeImages", region);
        let out = self
            .provider
            .paced(region, ActionClass::OtherDescribe, |_| {
                let mut request = client.describe_images();
                if let Some(ids) = ids {
                    request = request.filters(filter("image-id", ids.iter().copied()));
                }
                if let Some(owner) = owner {
                    request = request.owners(owner);
                }
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        Ok(out.images().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_users_follow_the_distribution() {
        assert_eq!(login_user_for("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250101"), Some("ubuntu"));
        assert_eq!(login_user_for("debian-12-amd64-20250101-1980"), Some("admin"));
        assert_eq!(login_user_for("al2023-ami-2023.6.20250101.0-kernel-6.1-x86_64"), Some("ec2-user"));
        assert_eq!(login_user_for("amzn2-ami-hvm-2.0"), Some("ec2-user"));
        assert_eq!(login_user_for("my-golden-image"), None);
        assert_eq!(login_user_for("fedora-coreos-40.20240519.3.0-x86_64"), Some("core"));
        assert_eq!(login_user_for("Fedora-Cloud-Base-40-1.14.x86_64-hvm"), Some("fedora"));
        assert_eq!(login_user_for("bitnami-wordpress-6.5.3-0-linux-debian-12-x86_64-hvm-ebs"), Some("bitnami"));
    }

    #[test]
    fn every_family_has_both_architectures() {
        for family in ["Amazon Linux 2023", "Ubuntu 24.04 LTS", "Debian 12"] {
            let arches: Vec<&str> = QUICK_START.iter().filter(|q| q.family == family).map(|q| q.architecture).collect();
            assert_eq!(arches, ["x86_64", "arm64"], "{family}");
        }
    }
}

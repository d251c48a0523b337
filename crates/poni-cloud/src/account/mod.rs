//! What the signed-in AWS account offers, so people pick instead of typing ids they cannot
//! know: enabled regions, quick-start and owned images, instance types, key pairs (and making
//! one), security groups (and opening SSH), subnets, and whose account it is.
//!
//! Every call goes through the [`Ec2Provider`]'s credentials, endpoint, pacing and retries, so
//! AWS, moto and LocalStack run the same code. Lists are sorted for display; nothing here
//! writes to the repository.

mod console;
mod error;
mod identity;
mod images;
mod key_pairs;
mod network;
mod public_address;
mod regions;
mod types;

pub use error::AccountError;
pub use identity::AccountIdentity;
pub use images::{login_user_for, ImageInfo, ImageSource, QUICK_START};
pub use key_pairs::{check_key_pair_name, key_file, local_public_keys, ssh_dir, KeyPairFile, KeyPairInfo, PublicKeyFile};
pub use network::{check_cidr, group_to_open, groups_open_ssh, IngressRule, SecurityGroupInfo, SshAccess, SshAccessTarget, SubnetInfo};
pub use public_address::{public_ipv4, CHECKIP_URL};
pub use regions::{region_name, RegionInfo};
pub use types::InstanceTypeInfo;

use crate::aws::Ec2Provider;

/// The account behind a provider's credentials. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Account {
    provider: Ec2Provider,
}

impl Account {
    pub fn new(provider: Ec2Provider) -> Account {
        Account { provider }
    }

    pub fn provider(&self) -> &Ec2Provider {
        &self.provider
    }
}

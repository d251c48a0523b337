//! Why an account lookup or action failed: a cloud error, or a local reason found before any
//! call was made (an existing key file, a bad name or CIDR).

use crate::aws::CloudError;
use crate::error::Coded;
use poni_repo::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error("{path} already exists, so a new key pair's private key cannot be saved there. Pick another name, or use the existing key with \"Import\".")]
    KeyFileExists { path: String },
    #[error("A key pair named '{name}' already exists in {region}. Pick it from the list, or choose another name.")]
    KeyPairExists { name: String, region: String },
    #[error("'{name}' cannot be a key pair name: {why}.")]
    InvalidKeyPairName { name: String, why: &'static str },
    #[error("{path} is not an SSH public key ({detail}). Pick a .pub file made by ssh-keygen.")]
    BadPublicKey { path: String, detail: String },
    #[error("'{cidr}' is not an address range: write it like 203.0.113.0/24, or 198.51.100.7/32 for one address.")]
    InvalidCidr { cidr: String },
    #[error("A security group named '{name}' already exists in {region}. Pick it instead, or choose another name.")]
    GroupExists { name: String, region: String },
    #[error("{path} could not be written: {detail}.")]
    LocalFile { path: String, detail: String },
    #[error("{region} has no default VPC to put a new security group in. Pick an existing group of your VPC instead.")]
    NoDefaultVpc { region: String },
    #[error("This computer's public address could not be found ({url}: {detail}). Use \"Allow SSH\" in the node's Cloud section and give the address range yourself.")]
    AddressUnknown { url: String, detail: String },
}

impl Coded for AccountError {
    fn code(&self) -> ErrorCode {
        match self {
            AccountError::Cloud(e) => e.code(),
            AccountError::KeyFileExists { .. } => ErrorCode::KeypairFileExists,
            AccountError::KeyPairExists { .. } => ErrorCode::KeypairExists,
            AccountError::InvalidKeyPairName { .. } => ErrorCode::KeypairInvalidName,
            AccountError::BadPublicKey { .. } => ErrorCode::KeypairBadPublicKey,
            AccountError::InvalidCidr { .. } => ErrorCode::SshInvalidCidr,
            AccountError::GroupExists { .. } => ErrorCode::SshGroupExists,
            AccountError::LocalFile { .. } => ErrorCode::LocalWriteFailed,
            AccountError::NoDefaultVpc { .. } => ErrorCode::SshNoDefaultVpc,
            AccountError::AddressUnknown { .. } => ErrorCode::SshAddressUnknown,
        }
    }
}

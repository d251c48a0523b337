//! EC2 failures as coded errors with messages that say what happened and what to do.
//! EC2 errors carry no typed variants: the AWS error code (`ProvideErrorMetadata::code`) decides.

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use poni_repo::ErrorCode;
use serde::Serialize;

use crate::error::Coded;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CloudErrorKind {
    Throttled,
    ServiceUnavailable,
    Timeout,
    Unreachable,
    /// Nothing listens at the endpoint: the request was never sent, and trying again at once
    /// will not change that (a moto or LocalStack that is not running, a wrong port).
    ConnectionRefused,
    ImageNotFound,
    KeyPairNotFound,
    SecurityGroupNotFound,
    SubnetNotFound,
    InstanceNotFound,
    AddressNotFound,
    Unauthorized,
    AuthFailure,
    CredentialsExpired,
    Credentials,
    InsufficientCapacity,
    /// The spot price is above `cloud.spot.max_price`.
    SpotPriceTooLow,
    Unsupported,
    InstanceLimit,
    InvalidInstanceType,
    IdempotencyMismatch,
    InvalidParameter,
    IncorrectState,
    /// TerminateInstances refused: an instance has termination protection on.
    TerminationProtected,
    PlacementGroupNotFound,
    /// A snapshot named by id does not exist (any more).
    SnapshotNotFound,
    /// The private address asked for is taken.
    PrivateIpInUse,
    OptInRequired,
    AccountBlocked,
    InvalidEndpoint,
    Ambiguous,
    BadResponse,
    Other,
}

impl CloudErrorKind {
    pub fn code(self) -> ErrorCode {
        use CloudErrorKind::*;
        match self {
            Throttled => ErrorCode::CloudThrottled,
            ServiceUnavailable => ErrorCode::CloudUnavailable,
            Timeout => ErrorCode::CloudTimeout,
            Unreachable => ErrorCode::CloudUnreachable,
            ConnectionRefused => ErrorCode::CloudConnectionRefused,
            ImageNotFound => ErrorCode::CloudImageNotFound,
            KeyPairNotFound => ErrorCode::CloudKeyPairNotFound,
            SecurityGroupNotFound => ErrorCode::CloudSecurityGroupNotFound,
            SubnetNotFound => ErrorCode::CloudSubnetNotFound,
            InstanceNotFound => ErrorCode::CloudInstanceNotFound,
            AddressNotFound => ErrorCode::CloudAddressNotFound,
            Unauthorized => ErrorCode::CloudUnauthorized,
            AuthFailure => ErrorCode::CloudAuthFailed,
            CredentialsExpired => ErrorCode::CloudCredentialsExpired,
            Credentials => ErrorCode::CloudCredentials,
            InsufficientCapacity => ErrorCode::CloudInsufficientCapacity,
            SpotPriceTooLow => ErrorCode::CloudSpotPriceTooLow,
            Unsupported => ErrorCode::CloudUnsupported,
            InstanceLimit => ErrorCode::CloudInstanceLimit,
            InvalidInstanceType => ErrorCode::CloudInvalidInstanceType,
            IdempotencyMismatch => ErrorCode::CloudIdempotencyMismatch,
            InvalidParameter => ErrorCode::CloudInvalidParameter,
            IncorrectState => ErrorCode::CloudIncorrectState,
            TerminationProtected => ErrorCode::CloudTerminationProtected,
            PlacementGroupNotFound => ErrorCode::CloudPlacementGroupNotFound,
            SnapshotNotFound => ErrorCode::CloudSnapshotNotFound,
            PrivateIpInUse => ErrorCode::CloudPrivateIpInUse,
            OptInRequired => ErrorCode::CloudOptInRequired,
            AccountBlocked => ErrorCode::CloudAccountBlocked,
            InvalidEndpoint => ErrorCode::CloudInvalidEndpoint,
            Ambiguous => ErrorCode::CloudAmbiguous,
            BadResponse => ErrorCode::CloudBadResponse,
            Other => ErrorCode::CloudError,
        }
    }

    /// Worth another attempt after a pause: the cause is load or the network, not the request.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Throttled | Self::ServiceUnavailable | Self::Timeout | Self::Unreachable)
    }

    /// EC2 may have carried out the request even though no answer arrived. For RunInstances
    /// this means: look for the instance before trying again.
    pub fn outcome_unknown(self) -> bool {
        matches!(self, Self::ServiceUnavailable | Self::Timeout | Self::Unreachable | Self::BadResponse)
    }

    /// No capacity for this instance type here: the next type in `cloud.type` may work, and
    /// so may fewer instances at once.
    pub fn is_capacity(self) -> bool {
        matches!(self, Self::InsufficientCapacity | Self::Unsupported)
    }

    /// Worth trying the next type in `cloud.type`: no capacity for this one, or (spot) its
    /// price is above the limit, which another type's may not be.
    pub fn tries_next_type(self) -> bool {
        self.is_capacity() || self == Self::SpotPriceTooLow
    }
}

/// A failed EC2 call. `aws_code` keeps the raw AWS code (e.g. `InvalidAMIID.NotFound`) for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CloudError {
    pub kind: CloudErrorKind,
    pub message: String,
    pub aws_code: Option<String>,
}

impl Coded for CloudError {
    fn code(&self) -> ErrorCode {
        self.kind.code()
    }
}

impl CloudError {
    pub fn new(kind: CloudErrorKind, message: impl Into<String>) -> CloudError {
        CloudError { kind, message: message.into(), aws_code: None }
    }
}

/// What the failed call was about, so messages can name the key pair, image or instances.
#[derive(Debug, Clone, Default)]
pub struct ErrorContext {
    /// The EC2 action, e.g. `RunInstances`.
    pub action: &'static str,
    pub region: String,
    pub image_id: Option<String>,
    pub key_pair: Option<String>,
    pub instance_type: Option<String>,
    pub zone: Option<String>,
    pub security_groups: Vec<String>,
    pub subnet: Option<String>,
    pub instance_ids: Vec<String>,
    pub elastic_ip: Option<String>,
    pub placement_group: Option<String>,
    pub private_ip: Option<String>,
    /// `cloud.spot.max_price` of a spot launch.
    pub spot_max_price: Option<String>,
    /// EBS volumes and snapshots the call is about.
    pub volume_ids: Vec<String>,
    pub snapshot_ids: Vec<String>,
}

impl ErrorContext {
    pub fn new(action: &'static str, region: &str) -> ErrorContext {
        ErrorContext { action, region: region.to_owned(), ..Default::default() }
    }
}

/// Maps any SDK error of an EC2 operation.
pub fn from_sdk<E>(ctx: &ErrorContext, err: SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let region = &ctx.region;
    let action = ctx.action;
    match &err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            from_code(ctx, service.err().code(), service.err().message(), Some(status))
        }
        SdkError::TimeoutError(_) => {
            CloudError::new(CloudErrorKind::Timeout, format!("EC2 in {region} did not answer {action} in time. Check the network and try again."))
        }
        SdkError::DispatchFailure(failure) => {
            if let Some(credentials) = find_credentials_error(&err) {
                return credentials;
            }
            let io = io_cause(&err as &(dyn std::error::Error + 'static));
            if io.is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused) {
                return CloudError::new(
                    CloudErrorKind::ConnectionRefused,
                    format!("The EC2 endpoint for {region} refused the connection ({action}): nothing is listening there. Check the endpoint setting (or AWS_ENDPOINT_URL) and that the server is running."),
                );
            }
            // The innermost cause in words (the connector's own Display is a debug dump).
            let detail = match io {
                Some(e) => e.to_string(),
                None => failure.as_connector_error().map(|c| innermost(c)).unwrap_or_else(|| "no details".into()),
            };
            if failure.is_timeout() {
                CloudError::new(CloudErrorKind::Timeout, format!("EC2 in {region} did not answer {action} in time ({detail})."))
            } else if failure.is_user() {
                CloudError::new(CloudErrorKind::InvalidEndpoint, format!("The EC2 endpoint for {region} cannot be used: {detail}."))
            } else {
                CloudError::new(
                    CloudErrorKind::Unreachable,
                    format!("Could not reach EC2 in {region} for {action} ({detail}). Check the network connection and the endpoint setting."),
                )
            }
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            if status >= 500 {
                from_code(ctx, None, None, Some(status))
            } else {
                CloudError::new(
                    CloudErrorKind::BadResponse,
                    format!("EC2 in {region} sent an answer to {action} that could not be read (HTTP {status}). Is the endpoint really EC2?"),
                )
            }
        }
        _ => find_credentials_error(&err).unwrap_or_else(|| {
            CloudError::new(CloudErrorKind::Other, format!("{action} in {region} failed before it was sent: {}", crate::error::one_line(&err)))
        }),
    }
}

/// The operating system's error behind a failed connection, if there is one.
fn io_cause<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = e.source();
    }
    None
}

/// The message of the deepest error in a chain.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// A credentials provider that failed while signing (expired SSO session, bad profile).
fn find_credentials_error(err: &(dyn std::error::Error + 'static)) -> Option<CloudError> {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(creds) = e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>() {
            return Some(CloudError::new(
                CloudErrorKind::Credentials,
                format!(
                    "The AWS credentials could not be loaded: {}. Check the chosen credential set or profile (for SSO run `aws sso login`).",
                    crate::error::one_line(creds)
                ),
            ));
        }
        source = e.source();
    }
    None
}

/// Ids for a message: `vol-1`, `vol-1, vol-2`, or `given` when none is known.
fn listed(ids: &[String]) -> String {
    match ids {
        [] => "given".to_owned(),
        ids => ids.join(", "),
    }
}

/// The heart of the mapping: an AWS error code (and HTTP status) to a kind and a message.
pub fn from_code(ctx: &ErrorContext, code: Option<&str>, aws_message: Option<&str>, status: Option<u16>) -> CloudError {
    use CloudErrorKind::*;
    let region = ctx.region.as_str();
    let action = ctx.action;
    let said = aws_message.unwrap_or("no details given");
    let quoted = |v: &Option<String>| v.as_deref().map(|s| format!("'{s}'")).unwrap_or_else(|| "given".into());
    let where_ = ctx.zone.clone().unwrap_or_else(|| region.to_owned());
    let itype = ctx.instance_type.as_deref().unwrap_or("this instance type");
    let ids = match ctx.instance_ids.as_slice() {
        [] => "The instance".to_owned(),
        few if few.len() <= 5 => format!("Instance {}", few.join(", ")),
        many => format!("One of instances {} and {} more", many[..5].join(", "), many.len() - 5),
    };

    let (kind, message) = match code.unwrap_or("") {
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" | "EC2ThrottledException"
        | "RequestThrottled" | "TooManyRequestsException" | "SlowDown" => (
            Throttled,
            format!("EC2 is limiting the request rate in {region} ({action}). Poni paces and retries its calls; wait a minute and try again."),
        ),
        "InternalError" | "InternalFailure" | "ServiceUnavailable" | "Unavailable" | "RequestTimeout"
        | "RequestTimeoutException" => (
            ServiceUnavailable,
            format!("EC2 in {region} had a temporary problem with {action} ({said}). Try again shortly."),
        ),
        c if c.starts_with("InvalidAMIID.") => (
            ImageNotFound,
            if c == "InvalidAMIID.Malformed" {
                format!("The image id {} is malformed: an AMI id looks like ami-0123456789abcdef0.", quoted(&ctx.image_id))
            } else {
                format!(
                    "The image {} does not exist in {region} or is not available to this account (AMI ids differ between regions). Pick an AMI of {region}.",
                    quoted(&ctx.image_id)
                )
            },
        ),
        "InvalidKeyPair.NotFound" => (
            KeyPairNotFound,
            format!(
                "The key pair {} does not exist in {region}. Create it in the EC2 console or pick another.",
                quoted(&ctx.key_pair)
            ),
        ),
        "InvalidGroup.NotFound" | "InvalidSecurityGroupID.NotFound" | "InvalidGroupId.Malformed" => (
            SecurityGroupNotFound,
            format!(
                "A security group of {} does not exist in {region} ({said}). Create it, or fix cloud.security_groups (with a subnet, groups must belong to the subnet's VPC).",
                if ctx.security_groups.is_empty() { "this node".to_owned() } else { ctx.security_groups.join(", ") }
            ),
        ),
        "InvalidSubnetID.NotFound" | "InvalidSubnetID.Malformed" | "InvalidSubnet" => (
            SubnetNotFound,
            format!("The subnet {} does not exist in {region}. Fix cloud.subnet or create the subnet.", quoted(&ctx.subnet)),
        ),
        "InvalidInstanceID.NotFound" | "InvalidInstanceID.Malformed" | "InvalidInstanceID" => (
            InstanceNotFound,
            format!("{ids} does not exist in {region} (it may have been terminated long ago, or belong to another region or account)."),
        ),
        "InvalidAddress.NotFound" | "InvalidAllocationID.NotFound" | "InvalidAddressID.NotFound" => (
            AddressNotFound,
            format!("The Elastic IP {} does not exist in {region}. Allocate it in the EC2 console or fix cloud.eip.", quoted(&ctx.elastic_ip)),
        ),
        "UnauthorizedOperation" | "AccessDenied" | "AccessDeniedException" => (
            Unauthorized,
            format!("These AWS credentials may not call {action} in {region}. Ask your AWS administrator for the ec2:{action} permission."),
        ),
        "AuthFailure" | "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException"
        | "MissingAuthenticationToken" | "InvalidAccessKeyId" => (
            AuthFailure,
            format!("AWS did not accept the credentials ({}). Check the access key id and secret, or pick another credential set.", code.unwrap_or_default()),
        ),
        "RequestExpired" | "ExpiredToken" | "ExpiredTokenException" => (
            CredentialsExpired,
            "The AWS credentials have expired, or this computer's clock is wrong. Renew temporary credentials (e.g. `aws sso login`) or store new keys, and check the system clock.".to_owned(),
        ),
        "InsufficientInstanceCapacity" | "InsufficientHostCapacity" | "InsufficientReservedInstanceCapacity" if ctx.spot_max_price.is_some() => (
            InsufficientCapacity,
            format!("EC2 has no spot capacity for {itype} in {where_} right now (cloud.billing is spot). List more types in cloud.type, choose another zone, try later, or launch on demand (cloud.billing=on-demand)."),
        ),
        "InsufficientInstanceCapacity" | "InsufficientHostCapacity" | "InsufficientReservedInstanceCapacity" => (
            InsufficientCapacity,
            format!("EC2 has no capacity for {itype} in {where_} right now. List more types in cloud.type, choose another zone, or try later."),
        ),
        "SpotMaxPriceTooLow" => (
            SpotPriceTooLow,
            format!(
                "The spot price of {itype} in {where_} is above cloud.spot.max_price ({} US dollars an hour). Raise cloud.spot.max_price, list other types in cloud.type, or launch on demand (cloud.billing=on-demand).",
                ctx.spot_max_price.as_deref().unwrap_or("not given")
            ),
        ),
        "Unsupported" | "UnsupportedOperation" => (
            Unsupported,
            format!("{itype} cannot be launched in {where_} with these settings ({said}). List another type in cloud.type or choose another zone."),
        ),
        "InstanceLimitExceeded" | "VcpuLimitExceeded" | "MaxSpotInstanceCountExceeded" | "ResourceLimitExceeded" => (
            InstanceLimit,
            format!("The account's EC2 limit in {region} is reached ({said}). Terminate unused instances or request a limit increase."),
        ),
        "InvalidInstanceType" => (
            InvalidInstanceType,
            format!("The instance type {itype} does not exist in {region}. Fix cloud.type."),
        ),
        "IdempotentParameterMismatch" => (
            IdempotencyMismatch,
            format!("{action} in {region} reused a launch token with different settings. The node's settings changed during a launch: start a new launch."),
        ),
        // EC2 answers OperationNotPermitted to many refusals; for TerminateInstances it is termination protection.
        "OperationNotPermitted" if action == "TerminateInstances" => (
            TerminationProtected,
            format!(
                "{action} in {region} was refused: {} has termination protection turned on. Turn it off first (EC2 console: Actions → Instance settings → Change termination protection), then terminate again.",
                match ctx.instance_ids.as_slice() {
                    [one] => format!("instance {one}"),
                    [] => "an instance".to_owned(),
                    many if many.len() <= 5 => format!("one of instances {}", many.join(", ")),
                    many => format!("one of instances {} and {} more", many[..5].join(", "), many.len() - 5),
                }
            ),
        ),
        "InvalidSnapshot.NotFound" | "InvalidSnapshotID.Malformed" => (
            SnapshotNotFound,
            format!("The snapshot {} does not exist in {region} (it may have been deleted).", listed(&ctx.snapshot_ids)),
        ),
        "InvalidVolume.NotFound" | "InvalidVolumeID.Malformed" => (
            InvalidParameter,
            format!("The volume {} does not exist in {region} (it may have been deleted) ({action}).", listed(&ctx.volume_ids)),
        ),
        "VolumeInUse" | "IncorrectState" if !ctx.volume_ids.is_empty() => (
            IncorrectState,
            format!("The volume {} is not in a state that allows {action} ({said}).", listed(&ctx.volume_ids)),
        ),
        "InvalidPlacementGroup.Unknown" => (
            PlacementGroupNotFound,
            format!("The placement group {} does not exist in {region}. Create it (EC2 console: Network & Security → Placement Groups) or fix cloud.placement_group.", quoted(&ctx.placement_group)),
        ),
        "InvalidIPAddress.InUse" => (
            PrivateIpInUse,
            format!(
                "The private address {} is already used in the subnet {}. Pick a free address for cloud.private_ip_address, or terminate what holds it.",
                quoted(&ctx.private_ip),
                ctx.subnet.as_deref().unwrap_or("of the launch")
            ),
        ),
        "IncorrectInstanceState" | "IncorrectState" => (
            IncorrectState,
            format!("{ids} is not in a state that allows {action} ({said})."),
        ),
        "OptInRequired" => (
            OptInRequired,
            format!("The AWS account is not enabled for this in {region} ({said}). Enable the region or subscribe in the AWS console."),
        ),
        "Blocked" | "AccountDisabled" => (
            AccountBlocked,
            "The AWS account is blocked or disabled. Contact AWS support.".to_owned(),
        ),
        c if c.starts_with("InvalidParameter") || c.starts_with("Invalid") || c == "MissingParameter" => (
            InvalidParameter,
            format!("EC2 refused a setting of {action} in {region}: {said} ({c})."),
        ),
        "" if status.is_some_and(|s| s >= 500) => (
            ServiceUnavailable,
            format!("EC2 in {region} answered {action} with HTTP {}. Try again shortly.", status.unwrap_or_default()),
        ),
        "" => (Other, format!("{action} in {region} failed ({said}).")),
        other => (Other, format!("{action} in {region} failed: {said} ({other}).")),
    };
    CloudError { kind, message, aws_code: code.map(str::to_owned) }
}

#[cfg(test)]
mod tests;

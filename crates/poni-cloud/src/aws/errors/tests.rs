use aws_sdk_ec2::error::ErrorMetadata;
use aws_sdk_ec2::operation::run_instances::RunInstancesError;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

use super::*;

fn launch_ctx() -> ErrorContext {
    ErrorContext {
        image_id: Some("ami-12c6146b".into()),
        key_pair: Some("x".into()),
        instance_type: Some("t3.micro".into()),
        security_groups: vec!["web".into()],
        subnet: Some("subnet-12345678".into()),
        ..ErrorContext::new("RunInstances", "us-east-1")
    }
}

fn service_error(code: &str, message: &str, status: u16) -> SdkError<RunInstancesError, HttpResponse> {
    let meta = ErrorMetadata::builder().code(code).message(message).build();
    let raw = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
    SdkError::service_error(RunInstancesError::generic(meta), raw)
}

#[test]
fn key_pair_not_found_names_the_pair_and_region() {
    let e = from_sdk(&launch_ctx(), service_error("InvalidKeyPair.NotFound", "The key pair 'x' does not exist", 400));
    assert_eq!(e.code(), "cloud.key_pair_not_found");
    assert_eq!(e.message, "The key pair 'x' does not exist in us-east-1. Create it in the EC2 console or pick another.");
    assert_eq!(e.aws_code.as_deref(), Some("InvalidKeyPair.NotFound"));
    assert!(!e.kind.is_retryable());
}

#[test]
fn each_well_known_code_has_its_own_kind() {
    let cases = [
        ("InvalidAMIID.NotFound", "cloud.image_not_found", "The image 'ami-12c6146b' does not exist in us-east-1"),
        ("InvalidAMIID.Malformed", "cloud.image_not_found", "The image id 'ami-12c6146b' is malformed"),
        ("InvalidGroup.NotFound", "cloud.security_group_not_found", "A security group of web does not exist in us-east-1"),
        ("InvalidSubnetID.NotFound", "cloud.subnet_not_found", "The subnet 'subnet-12345678' does not exist in us-east-1"),
        ("UnauthorizedOperation", "cloud.unauthorized", "These AWS credentials may not call RunInstances in us-east-1"),
        ("AuthFailure", "cloud.auth_failed", "AWS did not accept the credentials (AuthFailure)"),
        ("RequestExpired", "cloud.credentials_expired", "The AWS credentials have expired"),
        ("ExpiredToken", "cloud.credentials_expired", "The AWS credentials have expired"),
        ("InsufficientInstanceCapacity", "cloud.insufficient_capacity", "EC2 has no capacity for t3.micro in us-east-1"),
        ("Unsupported", "cloud.unsupported", "t3.micro cannot be launched in us-east-1"),
        ("InstanceLimitExceeded", "cloud.instance_limit", "The account's EC2 limit in us-east-1 is reached"),
        ("VcpuLimitExceeded", "cloud.instance_limit", "The account's EC2 limit"),
        ("IdempotentParameterMismatch", "cloud.idempotency_mismatch", "RunInstances in us-east-1 reused a launch token"),
        ("InvalidParameterValue", "cloud.invalid_parameter", "EC2 refused a setting of RunInstances in us-east-1: why (InvalidParameterValue)."),
        ("OptInRequired", "cloud.opt_in_required", "The AWS account is not enabled"),
        ("RequestLimitExceeded", "cloud.throttled", "EC2 is limiting the request rate in us-east-1"),
        ("Throttling", "cloud.throttled", "EC2 is limiting the request rate"),
        ("InternalError", "cloud.unavailable", "EC2 in us-east-1 had a temporary problem"),
        ("SomethingNew", "cloud.error", "RunInstances in us-east-1 failed: why (SomethingNew)."),
    ];
    for (aws_code, code, start) in cases {
        let e = from_code(&launch_ctx(), Some(aws_code), Some("why"), Some(400));
        assert_eq!(e.code(), code, "{aws_code}");
        assert!(e.message.starts_with(start), "{aws_code}: {}", e.message);
    }
}

#[test]
fn instance_errors_name_the_instances() {
    let ctx = ErrorContext { instance_ids: vec!["i-1".into(), "i-2".into()], ..ErrorContext::new("TerminateInstances", "eu-west-1") };
    let e = from_code(&ctx, Some("InvalidInstanceID.NotFound"), None, Some(400));
    assert_eq!(e.code(), "cloud.instance_not_found");
    assert!(e.message.starts_with("Instance i-1, i-2 does not exist in eu-west-1"), "{}", e.message);
}

#[test]
fn retry_and_capacity_classes() {
    use CloudErrorKind::*;
    for k in [Throttled, ServiceUnavailable, Timeout, Unreachable] {
        assert!(k.is_retryable(), "{k:?}");
    }
    for k in [KeyPairNotFound, AuthFailure, InsufficientCapacity, InvalidParameter, Other] {
        assert!(!k.is_retryable(), "{k:?}");
    }
    assert!(InsufficientCapacity.is_capacity() && Unsupported.is_capacity() && !Throttled.is_capacity());
    assert!(Timeout.outcome_unknown() && !Throttled.outcome_unknown());
}

#[test]
fn a_bare_server_error_is_retryable() {
    // moto answers an unknown filter with HTTP 500 and an HTML body: no AWS code at all.
    let e = from_sdk(&launch_ctx(), service_error("", "", 503));
    assert_eq!(e.code(), "cloud.unavailable");
    let e = from_code(&launch_ctx(), None, None, Some(500));
    assert_eq!(e.kind, CloudErrorKind::ServiceUnavailable);
}

#[test]
fn timeouts_and_connection_failures_map_to_their_codes() {
    let e = from_sdk(&launch_ctx(), SdkError::<RunInstancesError, HttpResponse>::timeout_error("slow"));
    assert_eq!(e.code(), "cloud.timeout");
    let connect = aws_sdk_ec2::error::ConnectorError::io("connection refused".into());
    let e = from_sdk(&launch_ctx(), SdkError::<RunInstancesError, HttpResponse>::dispatch_failure(connect));
    assert_eq!(e.code(), "cloud.unreachable");
    assert!(e.message.contains("Could not reach EC2 in us-east-1 for RunInstances"), "{}", e.message);
    let connect = aws_sdk_ec2::error::ConnectorError::timeout("read timed out".into());
    let e = from_sdk(&launch_ctx(), SdkError::<RunInstancesError, HttpResponse>::dispatch_failure(connect));
    assert_eq!(e.code(), "cloud.timeout");
}

#[test]
fn a_refused_connection_is_one_plain_sentence_and_not_retried() {
    use aws_smithy_runtime_api::client::result::ConnectorError;
    let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused (os error 111)");
    let err: SdkError<RunInstancesError, HttpResponse> = SdkError::dispatch_failure(ConnectorError::io(Box::new(refused)));
    let e = from_sdk(&launch_ctx(), err);
    assert_eq!(e.code(), "cloud.connection_refused");
    assert!(!e.kind.is_retryable() && !e.kind.outcome_unknown());
    assert!(e.message.contains("refused the connection (RunInstances)"), "{}", e.message);
    assert!(!e.message.contains("ConnectorError") && !e.message.contains('{'), "{}", e.message);
    let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "Connection reset by peer");
    let e = from_sdk(&launch_ctx(), SdkError::<RunInstancesError, HttpResponse>::dispatch_failure(ConnectorError::io(Box::new(reset))));
    assert_eq!(e.code(), "cloud.unreachable");
    assert!(e.message.contains("(Connection reset by peer)") && !e.message.contains("ConnectorError"), "{}", e.message);
}

#[test]
fn spot_launches_say_spot_and_the_price_limit() {
    let spot = ErrorContext { spot_max_price: Some("0.05".into()), ..launch_ctx() };
    let e = from_code(&spot, Some("SpotMaxPriceTooLow"), Some("Your Spot request price of 0.05 is lower than the minimum required"), Some(400));
    assert_eq!(e.code(), "cloud.spot_price_too_low");
    assert!(e.message.starts_with("The spot price of t3.micro in us-east-1 is above cloud.spot.max_price (0.05 US dollars an hour)."), "{}", e.message);
    assert!(e.kind.tries_next_type() && !e.kind.is_capacity(), "another type may be cheaper; fewer at once is not");
    let e = from_code(&spot, Some("InsufficientInstanceCapacity"), None, Some(400));
    assert_eq!(e.code(), "cloud.insufficient_capacity");
    assert!(e.message.starts_with("EC2 has no spot capacity for t3.micro in us-east-1 right now (cloud.billing is spot)."), "{}", e.message);
    assert!(e.kind.tries_next_type());
}

#[test]
fn placement_groups_and_private_addresses_are_named() {
    let ctx = ErrorContext { placement_group: Some("my-group".into()), private_ip: Some("10.0.0.25".into()), ..launch_ctx() };
    let e = from_code(&ctx, Some("InvalidPlacementGroup.Unknown"), Some("The Placement Group 'my-group' is unknown."), Some(400));
    assert_eq!(e.code(), "cloud.placement_group_not_found");
    assert!(e.message.starts_with("The placement group 'my-group' does not exist in us-east-1."), "{}", e.message);
    let e = from_code(&ctx, Some("InvalidIPAddress.InUse"), Some("Address 10.0.0.25 is in use."), Some(400));
    assert_eq!(e.code(), "cloud.private_ip_in_use");
    assert!(e.message.starts_with("The private address '10.0.0.25' is already used in the subnet subnet-12345678."), "{}", e.message);
}

#[test]
fn a_refused_terminate_is_termination_protection_and_nothing_else_is() {
    let ctx = ErrorContext { instance_ids: vec!["i-1".into()], ..ErrorContext::new("TerminateInstances", "eu-west-1") };
    let said = "The instance 'i-1' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.";
    let e = from_code(&ctx, Some("OperationNotPermitted"), Some(said), Some(400));
    assert_eq!(e.kind, CloudErrorKind::TerminationProtected);
    assert_eq!(e.code(), "cloud.termination_protected");
    assert!(e.message.starts_with("TerminateInstances in eu-west-1 was refused: instance i-1 has termination protection turned on."), "{}", e.message);
    let stop = ErrorContext { action: "StopInstances", ..ctx };
    assert_eq!(from_code(&stop, Some("OperationNotPermitted"), Some("no"), Some(400)).kind, CloudErrorKind::Other);
}

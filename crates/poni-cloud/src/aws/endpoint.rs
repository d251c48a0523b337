//! Which URL the EC2 client talks to: real AWS, or a local emulator (moto, LocalStack).

use crate::credentials::EnvVars;

use super::errors::{CloudError, CloudErrorKind};

const ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
const ENDPOINT_URL_EC2: &str = "AWS_ENDPOINT_URL_EC2";
const IGNORE_CONFIGURED: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/// The AWS services Poni calls besides EC2 itself, each with the standard variable that points
/// it elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Ec2,
    /// The public image parameters (quick-start AMIs).
    Ssm,
    /// GetCallerIdentity: whose account.
    Sts,
    /// GetMetricData: the instances' CPU load.
    CloudWatch,
    /// The Price List API (GetProducts): on-demand prices.
    Pricing,
}

impl Service {
    fn variable(self) -> &'static str {
        match self {
            Service::Ec2 => ENDPOINT_URL_EC2,
            Service::Ssm => "AWS_ENDPOINT_URL_SSM",
            Service::Sts => "AWS_ENDPOINT_URL_STS",
            Service::CloudWatch => "AWS_ENDPOINT_URL_CLOUDWATCH",
            Service::Pricing => "AWS_ENDPOINT_URL_PRICING",
        }
    }
}

/// The explicit URL (the app's setting) wins, then the standard `AWS_ENDPOINT_URL_EC2`, then
/// `AWS_ENDPOINT_URL`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` switches the variables off.
/// `None` means AWS's own endpoint for the region.
pub fn endpoint_url(explicit: Option<&str>, env: &EnvVars) -> Result<Option<String>, CloudError> {
    service_endpoint_url(Service::Ec2, explicit, env)
}

/// Like [`endpoint_url`] for another service: the app's setting (a local emulator serves every
/// service on one URL), then `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`.
pub fn service_endpoint_url(service: Service, explicit: Option<&str>, env: &EnvVars) -> Result<Option<String>, CloudError> {
    let ignore_env = env.get(IGNORE_CONFIGURED).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let variable = service.variable();
    let chosen = explicit
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| (u, "the endpoint setting"))
        .or_else(|| (!ignore_env).then(|| env.get(variable).map(|u| (u, variable))).flatten())
        .or_else(|| (!ignore_env).then(|| env.get(ENDPOINT_URL).map(|u| (u, ENDPOINT_URL))).flatten());
    let Some((url, from)) = chosen else { return Ok(None) };
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !url.contains(char::is_whitespace) => Ok(Some(url.trim_end_matches('/').to_owned())),
        _ => Err(CloudError::new(
            CloudErrorKind::InvalidEndpoint,
            format!("The EC2 endpoint '{url}' from {from} is not an http:// or https:// URL (e.g. http://127.0.0.1:5000)."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvVars {
        EnvVars::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn explicit_then_service_variable_then_general_variable() {
        let both = env(&[(ENDPOINT_URL, "http://general:1"), (ENDPOINT_URL_EC2, "http://ec2:2/")]);
        assert_eq!(endpoint_url(Some("http://127.0.0.1:5000"), &both).unwrap().as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(endpoint_url(None, &both).unwrap().as_deref(), Some("http://ec2:2"));
        assert_eq!(endpoint_url(Some(" "), &env(&[(ENDPOINT_URL, "https://x")])).unwrap().as_deref(), Some("https://x"));
        assert_eq!(endpoint_url(None, &env(&[])).unwrap(), None);
    }

    #[test]
    fn variables_can_be_switched_off_but_the_setting_still_counts() {
        let e = env(&[(ENDPOINT_URL, "http://general:1"), (IGNORE_CONFIGURED, "true")]);
        assert_eq!(endpoint_url(None, &e).unwrap(), None);
        assert_eq!(endpoint_url(Some("http://local:5"), &e).unwrap().as_deref(), Some("http://local:5"));
    }

    #[test]
    fn malformed_urls_are_refused_with_their_origin() {
        let err = endpoint_url(None, &env(&[(ENDPOINT_URL_EC2, "localhost:5000")])).unwrap_err();
        assert_eq!(err.kind.code(), "cloud.invalid_endpoint");
        assert_eq!(err.message, "The EC2 endpoint 'localhost:5000' from AWS_ENDPOINT_URL_EC2 is not an http:// or https:// URL (e.g. http://127.0.0.1:5000).");
        assert!(endpoint_url(Some("http://"), &env(&[])).is_err());
    }

    #[test]
    fn cloudwatch_and_pricing_have_their_own_standard_variables() {
        let e = env(&[(ENDPOINT_URL, "http://moto:5000"), ("AWS_ENDPOINT_URL_PRICING", "http://prices:7/")]);
        assert_eq!(service_endpoint_url(Service::Pricing, None, &e).unwrap().as_deref(), Some("http://prices:7"));
        assert_eq!(service_endpoint_url(Service::CloudWatch, None, &e).unwrap().as_deref(), Some("http://moto:5000"));
        let e = env(&[("AWS_ENDPOINT_URL_CLOUDWATCH", "http://cw:8")]);
        assert_eq!(service_endpoint_url(Service::CloudWatch, None, &e).unwrap().as_deref(), Some("http://cw:8"));
        assert_eq!(service_endpoint_url(Service::Pricing, Some("http://sandbox:1"), &e).unwrap().as_deref(), Some("http://sandbox:1"));
    }
}

//! The EC2 provider the moto tests share: moto's test keys from the environment, the proxy's
//! endpoint, no pacing, quick retries. Each test adds its own timeouts.

use std::time::Duration;

use poni_cloud::aws::{Ec2Provider, PacingLimits, ProviderOptions, RetryPolicy};
use poni_cloud::credentials::{CredentialChoice, CredentialResolver, CredentialSets, EnvVars};
use poni_e2e::Ec2Proxy;

/// The provider for `proxy`, with `options` changed from the defaults by `adjust`.
pub async fn provider(proxy: &Ec2Proxy, adjust: impl FnOnce(ProviderOptions) -> ProviderOptions) -> Ec2Provider {
    let env = EnvVars::from_pairs([("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")]);
    let credentials = CredentialResolver::new(env, CredentialSets::system()).resolve(&CredentialChoice::Automatic).await.unwrap();
    let options = ProviderOptions {
        endpoint_url: Some(proxy.endpoint_url().to_owned()),
        env: EnvVars::from_pairs([]),
        pacing: PacingLimits::unpaced(),
        retry: RetryPolicy { min_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200), ..RetryPolicy::default() },
        ..ProviderOptions::default()
    };
    Ec2Provider::new(credentials, adjust(options)).unwrap()
}

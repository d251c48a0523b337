//! The environment variables the credential and endpoint logic reads, captured once so that
//! tests can give their own without touching the process environment.

use std::collections::BTreeMap;

pub const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
pub const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
pub const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
pub const PROFILE: &str = "AWS_PROFILE";
pub const ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
pub const ENDPOINT_URL_EC2: &str = "AWS_ENDPOINT_URL_EC2";
pub const IGNORE_CONFIGURED_ENDPOINT_URLS: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

const READ: &[&str] = &[
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    PROFILE,
    ENDPOINT_URL,
    ENDPOINT_URL_EC2,
    IGNORE_CONFIGURED_ENDPOINT_URLS,
    "AWS_ENDPOINT_URL_SSM",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_CLOUDWATCH",
    "AWS_ENDPOINT_URL_PRICING",
    // The region new nodes are offered.
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// A snapshot of the AWS variables above. `Debug` lists names only, never values.
#[derive(Clone, Default)]
pub struct EnvVars(BTreeMap<String, String>);

impl std::fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl EnvVars {
    pub fn from_process() -> EnvVars {
        EnvVars(READ.iter().filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v))).collect())
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> EnvVars {
        EnvVars(pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
    }

    /// The value, when set and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_not_values() {
        let env = EnvVars::from_pairs([(SECRET_ACCESS_KEY, "hush")]);
        assert_eq!(format!("{env:?}"), "{\"AWS_SECRET_ACCESS_KEY\"}");
        assert_eq!(env.get(SECRET_ACCESS_KEY), Some("hush"));
        assert_eq!(EnvVars::from_pairs([(PROFILE, " ")]).get(PROFILE), None);
    }
}

//! The environment a child process (the `poni` binary, the desktop app) needs to talk to a
//! test endpoint and to nothing else.

use std::path::Path;
use std::process::Command;

/// The region tests use unless they say otherwise.
pub const TEST_REGION: &str = "us-east-1";

/// Variables that could point a child at real AWS or at the developer's own configuration;
/// [`AwsEnv::apply`] removes them before setting its own.
const REMOVED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSM",
    "AWS_ENDPOINT_URL_CLOUDWATCH",
    "AWS_ENDPOINT_URL_PRICING",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
];

/// Environment for a child process, with a fresh HOME that lives as long as this value.
pub struct AwsEnv {
    vars: Vec<(String, String)>,
    home: tempfile::TempDir,
}

/// The environment for a child that must use `endpoint` (e.g. [`crate::Ec2Proxy::endpoint_url`])
/// in [`TEST_REGION`].
pub fn env_for(endpoint: &str) -> AwsEnv {
    env_for_region(endpoint, TEST_REGION)
}

/// Like [`env_for`], in another region.
///
/// Sets AWS_ENDPOINT_URL, static test credentials (moto accepts any), AWS_REGION and
/// AWS_DEFAULT_REGION, AWS_EC2_METADATA_DISABLED=true (no wait on the instance metadata
/// service), and a fresh HOME with XDG directories and AWS config/credentials paths inside it,
/// so nothing of the developer's own setup leaks in.
pub fn env_for_region(endpoint: &str, region: &str) -> AwsEnv {
    let home = tempfile::Builder::new().prefix("poni-e2e-home-").tempdir().expect("create a fresh HOME");
    let h = home.path().display().to_string();
    let vars = [
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_REGION", region.to_string()),
        ("AWS_DEFAULT_REGION", region.to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ("AWS_CONFIG_FILE", format!("{h}/.aws/config")),
        ("AWS_SHARED_CREDENTIALS_FILE", format!("{h}/.aws/credentials")),
        ("HOME", h.clone()),
        ("XDG_CONFIG_HOME", format!("{h}/.config")),
        ("XDG_DATA_HOME", format!("{h}/.local/share")),
        ("XDG_CACHE_HOME", format!("{h}/.cache")),
        ("XDG_STATE_HOME", format!("{h}/.local/state")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    AwsEnv { vars, home }
}

impl AwsEnv {
    /// The variables to set, in order.
    pub fn vars(&self) -> &[(String, String)] {
        &self.vars
    }

    /// The value of one variable.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The fresh HOME directory (removed when this value is dropped).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Removes variables that could reach real AWS or the developer's profile, then sets ours.
    pub fn apply<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        for name in REMOVED {
            cmd.env_remove(name);
        }
        cmd.envs(self.vars.iter().map(|(k, v)| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_points_at_the_endpoint_with_a_fresh_home() {
        let env = env_for("http://127.0.0.1:1234");
        assert_eq!(env.get("AWS_ENDPOINT_URL"), Some("http://127.0.0.1:1234"));
        assert_eq!(env.get("AWS_REGION"), Some(TEST_REGION));
        assert_eq!(env.get("AWS_DEFAULT_REGION"), Some(TEST_REGION));
        assert_eq!(env.get("AWS_EC2_METADATA_DISABLED"), Some("true"));
        assert_eq!(env.get("AWS_ACCESS_KEY_ID"), Some("testing"));
        assert_eq!(env.get("HOME"), Some(env.home().to_str().unwrap()));
        assert!(env.home().is_dir());
        assert_ne!(env.home(), env_for("x").home(), "every env gets its own HOME");
    }

    #[test]
    fn apply_sets_and_removes_variables() {
        let env = env_for_region("http://127.0.0.1:1", "eu-west-1");
        let mut cmd = Command::new("env");
        env.apply(&mut cmd);
        let set: Vec<_> = cmd.get_envs().collect();
        let value = |name: &str| set.iter().find(|(k, _)| *k == name).map(|(_, v)| v.map(|v| v.to_str().unwrap()));
        assert_eq!(value("AWS_REGION"), Some(Some("eu-west-1")));
        assert_eq!(value("AWS_PROFILE"), Some(None), "AWS_PROFILE is removed");
        let out = cmd.output().expect("run env");
        let out = String::from_utf8_lossy(&out.stdout);
        assert!(out.contains("AWS_ENDPOINT_URL=http://127.0.0.1:1\n"), "{out}");
    }
}

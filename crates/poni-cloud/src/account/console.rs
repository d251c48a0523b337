//! An instance's console output (GetConsoleOutput): what it printed while booting, where
//! cloud-init writes the SSH host key fingerprints a first connection is checked against.

use crate::aws::errors::{from_sdk, ErrorContext};
use crate::aws::{ActionClass, CloudError};

use super::Account;

/// The most of a console text kept (EC2 returns the last 64 KiB).
const LIMIT: usize = 1024 * 1024;

impl Account {
    /// The instance's console text, decoded (bytes that are not UTF-8 become U+FFFD: the
    /// fingerprints are ASCII); None when EC2 has none yet (it appears a few minutes after boot).
    pub async fn console_output(&self, region: &str, instance: &str) -> Result<Option<String>, CloudError> {
        let client = self.provider.client(region);
        let ctx = ErrorContext::new("GetConsoleOutput", region);
        let out = self
            .provider
            .paced(region, ActionClass::OtherDescribe, |_| {
                let request = client.get_console_output().instance_id(instance);
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        let Some(encoded) = out.output().filter(|o| !o.is_empty() && o.len() <= LIMIT * 2) else { return Ok(None) };
        let bytes = aws_smithy_types::base64::decode(encoded.trim()).ok();
        Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

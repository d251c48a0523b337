//! Whose account the credentials belong to (STS GetCallerIdentity), shown before a launch.

use serde::Serialize;
use ts_rs::TS;

use super::Account;
use crate::aws::errors::{from_sdk, ErrorContext};
use crate::aws::{ActionClass, CloudError, CloudErrorKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AccountIdentity {
    /// The 12-digit account id.
    pub account: String,
    /// e.g. `arn:aws:iam::123456789012:user/ann` or an assumed SSO role.
    pub arn: String,
    pub user_id: String,
}

impl Account {
    /// Asks STS who signs the calls. Doubles as the credentials check: bad or expired
    /// credentials fail here, before anything is launched.
    pub async fn identity(&self, region: &str) -> Result<AccountIdentity, CloudError> {
        let sts = self.provider.sts(region);
        let ctx = ErrorContext::new("GetCallerIdentity", region);
        let out = self
            .provider
            .paced(region, ActionClass::OtherDescribe, |_| {
                let request = sts.get_caller_identity();
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
        match (out.account(), out.arn()) {
            (Some(account), Some(arn)) => {
                Ok(AccountIdentity { account: account.to_owned(), arn: arn.to_owned(), user_id: out.user_id().unwrap_or_default().to_owned() })
            }
            _ => Err(CloudError::new(CloudErrorKind::BadResponse, "STS answered GetCallerIdentity without an account id.")),
        }
    }
}

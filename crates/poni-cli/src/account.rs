//! `poni cloud regions|images|instance-types|key-pairs|security-groups|subnets`, `cloud
//! key-pair create`, `cloud ssh-access` and `poni sso login`: the account's lists and actions,
//! the same core calls the desktop app makes, printed as aligned text or JSON.

use std::path::PathBuf;

use poni_cloud::account::{self, Account, SshAccessTarget};
use poni_cloud::aws::{https_client, Ec2Provider, ProviderOptions};
use poni_cloud::credentials::sso;
use poni_cloud::credentials::{CredentialChoice, EnvVars};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::args::{CloudCommand, KeyPairCommand, SsoCommand};
use crate::cloud::{resolver, runtime};
use crate::failure::{Failure, Result};

/// Whether the command is one of these (they need no repository).
pub fn handles(command: &CloudCommand) -> bool {
    use CloudCommand::*;
    matches!(command, Regions { .. } | Images(_) | InstanceTypes { .. } | KeyPairs(_) | KeyPair { .. } | SecurityGroups(_) | Subnets(_) | SshAccess { .. })
}

async fn account() -> Result<Account> {
    let credentials = resolver().resolve(&CredentialChoice::Automatic).await?;
    Ok(Account::new(Ec2Provider::new(credentials, ProviderOptions::default())?))
}

fn ssh_dir() -> Result<PathBuf> {
    account::ssh_dir().ok_or_else(|| Failure::Message("HOME is not set, so ~/.ssh cannot be found".into()))
}

/// Prints rows as aligned columns, or the values as JSON.
fn print<T: Serialize>(json: bool, values: &[T], rows: Vec<Vec<String>>) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(values).map_err(|e| Failure::Message(e.to_string()))?;
        outln!("{text}");
        return Ok(());
    }
    let widths: Vec<usize> =
        (0..rows.iter().map(Vec::len).max().unwrap_or(0)).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)).collect();
    for row in rows {
        let last = row.len().saturating_sub(1);
        let line: Vec<String> = row.iter().enumerate().map(|(i, c)| if i == last { c.clone() } else { format!("{c:<w$}", w = widths[i]) }).collect();
        outln!("{}", line.join("  ").trim_end());
    }
    Ok(())
}

fn memory(mib: u64) -> String {
    if mib.is_multiple_of(1024) {
        format!("{} GiB", mib / 1024)
    } else {
        format!("{:.1} GiB", mib as f64 / 1024.0)
    }
}

pub fn run(command: CloudCommand) -> Result<()> {
    runtime()?.block_on(async move {
        let account = account().await?;
        match command {
            CloudCommand::Regions { json } => {
                let via = EnvVars::from_process().get("AWS_REGION").unwrap_or("us-east-1").to_owned();
                let regions = account.regions(&via).await?;
                let rows = regions.iter().map(|r| vec![r.code.clone(), r.name.clone()]).collect();
                print(json, &regions, rows)
            }
            CloudCommand::Images(q) => {
                let images = account.images(&q.region).await?;
                let rows = images
                    .iter()
                    .map(|i| {
                        let what = i.family.clone().unwrap_or_else(|| "own".into());
                        vec![i.id.clone(), i.architecture.clone(), what, i.login_user.clone().unwrap_or_else(|| "-".into()), i.name.clone()]
                    })
                    .collect();
                print(q.json, &images, rows)
            }
            CloudCommand::InstanceTypes { query, architecture } => {
                let types = account.instance_types(&query.region, architecture.as_deref()).await?;
                let rows = types.iter().map(|t| vec![t.name.clone(), format!("{} vCPU", t.vcpus), memory(t.memory_mib), t.architectures.join(",")]).collect();
                print(query.json, &types, rows)
            }
            CloudCommand::KeyPairs(q) => {
                let pairs = account.key_pairs(&q.region, &ssh_dir()?).await?;
                let rows = pairs
                    .iter()
                    .map(|k| {
                        let file = if k.file.exists { k.file.path.clone() } else { format!("{} (missing)", k.file.path) };
                        vec![k.name.clone(), k.key_type.clone().unwrap_or_else(|| "-".into()), file]
                    })
                    .collect();
                print(q.json, &pairs, rows)
            }
            CloudCommand::KeyPair { command: KeyPairCommand::Create { name, region } } => {
                let made = account.create_key_pair(&region, &name, &ssh_dir()?).await?;
                outln!("created key pair {} in {region}; private key saved to {}", made.name, made.file.path);
                Ok(())
            }
            CloudCommand::SecurityGroups(q) => {
                let groups = account.security_groups(&q.region).await?;
                let rows = groups
                    .iter()
                    .map(|g| {
                        let rules = if g.summary.is_empty() { "no inbound rules".to_owned() } else { g.summary.join("; ") };
                        vec![g.id.clone(), g.name.clone(), g.vpc_id.clone().unwrap_or_else(|| "-".into()), rules]
                    })
                    .collect();
                print(q.json, &groups, rows)
            }
            CloudCommand::Subnets(q) => {
                let subnets = account.subnets(&q.region).await?;
                let rows = subnets
                    .iter()
                    .map(|s| {
                        let public = if s.public_ip_on_launch { "public IP" } else { "private" };
                        vec![s.id.clone(), s.vpc_id.clone(), s.zone.clone(), s.cidr.clone(), public.into(), s.name.clone().unwrap_or_else(|| "-".into())]
                    })
                    .collect();
                print(q.json, &subnets, rows)
            }
            CloudCommand::SshAccess { name, region, cidr } => {
                let groups = account.security_groups(&region).await?;
                let target = match groups.iter().find(|g| g.name == name || g.id == name) {
                    Some(g) => SshAccessTarget::Existing { group_id: g.id.clone() },
                    None => SshAccessTarget::New { name: name.clone() },
                };
                let done = account.allow_ssh(&region, &target, &cidr).await?;
                if let Some(warning) = &done.warning {
                    errln!("warning: {warning}");
                }
                let verb = if done.created { "created security group" } else { "updated security group" };
                outln!("{verb} {} ({}) in {region}: {}", done.group.name, done.group.id, done.group.summary.join("; "));
                Ok(())
            }
            _ => unreachable!("only account commands come here"),
        }
    })
}

pub fn sso(command: SsoCommand) -> Result<()> {
    let SsoCommand::Login { profile, no_browser } = command;
    let env = EnvVars::from_process();
    let profile = profile.or_else(|| env.get("AWS_PROFILE").map(str::to_owned)).unwrap_or_else(|| "default".into());
    let home = std::env::var_os("HOME").map(PathBuf::from).ok_or_else(|| Failure::Message("HOME is not set".into()))?;
    runtime()?.block_on(async move {
        let set = sso::load_profiles(None).await?;
        let login = sso::start_login(&set, &profile, https_client(), &env).await?;
        let url = login.verification_uri_complete.clone().unwrap_or_else(|| login.verification_uri.clone());
        errln!("To sign in to the AWS profile '{profile}', open {url}");
        errln!("and check that it shows the code {}", login.user_code);
        if !no_browser {
            // Best effort: without a desktop the address above is enough.
            let _ = std::process::Command::new("xdg-open").arg(&url).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn();
        }
        let cancel = CancellationToken::new();
        crate::cloud::cancel_on_ctrl_c(&cancel, "the sign-in is cancelled");
        let expires = login.finish(&home, cancel).await?;
        let until = aws_smithy_types::DateTime::from(expires).fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default();
        errln!("signed in to '{profile}' until {until}");
        Ok(())
    })
}

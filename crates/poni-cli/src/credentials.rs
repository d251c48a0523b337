//! `poni credentials ...`: credential sets in the system keyring. The secret is read from the
//! terminal without echo, or from standard input with `--secret-stdin`; never from an
//! argument (arguments show up in `ps` and shell history). Nothing here prints a secret.

use std::io::{BufRead, IsTerminal};

use poni_cloud::credentials::{AwsKeys, CredentialChoice, CredentialsError};
use secrecy::SecretString;

use crate::args::CredentialsCommand;
use crate::cloud::{credential_sets, resolver, runtime};
use crate::failure::{Failure, Result};

pub fn run(command: CredentialsCommand) -> Result<()> {
    match command {
        CredentialsCommand::Set { name, access_key_id, secret_stdin, session_token } => {
            check_name(&name, &access_key_id)?;
            let (secret, token) = if secret_stdin { from_stdin(session_token)? } else { from_terminal(session_token)? };
            let keys = AwsKeys::new(access_key_id, secret, token)?;
            credential_sets().set(&name, &keys)?;
            outln!("stored credential set '{name}' (access key {})", keys.access_key_id);
            Ok(())
        }
        CredentialsCommand::Show => {
            let resolved = runtime()?.block_on(resolver().resolve(&CredentialChoice::Automatic))?;
            let source = &resolved.source;
            outln!("source: {source}");
            outln!("access key id: {}", source.access_key_id);
            let endpoint = poni_cloud::aws::endpoint::endpoint_url(None, &poni_cloud::credentials::EnvVars::from_process())?;
            outln!("endpoint: {}", endpoint.as_deref().unwrap_or("AWS (the region's standard endpoint)"));
            Ok(())
        }
        CredentialsCommand::List => {
            for name in credential_sets().list()? {
                outln!("{name}");
            }
            Ok(())
        }
        CredentialsCommand::Delete { name } => {
            if credential_sets().delete(&name)? {
                outln!("deleted credential set '{name}'");
                Ok(())
            } else {
                Err(CredentialsError::SetNotFound(name).into())
            }
        }
    }
}

/// The set name is the one positional argument of `credentials set`, so a secret typed where
/// it does not belong (`credentials set --access-key-id AKID <secret>`) would land there: it
/// would be stored as a name and printed by `credentials list`. A name is a short label; one
/// that looks like a secret access key (30 or more characters of the key alphabet, or 16 or
/// more mixing upper and lower case and digits, as part of one does) or holds
/// characters no name may have is refused without being repeated, and nothing is stored.
fn check_name(name: &str, access_key_id: &str) -> Result<()> {
    let key_alphabet = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '+' | '=');
    // A part of a key cut short looks random: long, mixed case and digits, no separator.
    let random_looking = name.len() >= 16
        && name.chars().all(key_alphabet)
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase())
        && name.chars().any(|c| c.is_ascii_digit());
    if (name.len() >= 30 && name.chars().all(key_alphabet)) || random_looking {
        return Err(Failure::Input(
            "the set name looks like a secret access key, so it was not used (and is not shown): a secret is never an argument. \
             Run `poni credentials set [NAME] --access-key-id ID` and type the secret when asked, or pass it on standard input with --secret-stdin. \
             If that was your secret, it is now in your shell history: consider rotating it. \
             If it is a name, give it a '-' or '_' (e.g. 'team-prod')"
                .into(),
        ));
    }
    if name == access_key_id {
        return Err(Failure::Input("the set name is the access key id: name the set (e.g. 'default' or 'work') or leave the name out".into()));
    }
    if poni_cloud::credentials::check_set_name(name).is_err() {
        return Err(Failure::Input(
            "invalid set name (not shown, in case it is a secret): use letters, digits, '.', '_' and '-', at most 64 characters, not starting with '.'".into(),
        ));
    }
    Ok(())
}

fn from_stdin(with_token: bool) -> Result<(SecretString, Option<SecretString>)> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut next = |what: &str| -> Result<SecretString> {
        match lines.next() {
            Some(Ok(line)) => Ok(SecretString::from(line.trim_end_matches(['\r', '\n']).to_owned())),
            _ => Err(Failure::Input(format!("expected the {what} on standard input"))),
        }
    };
    let secret = next("secret access key (first line)")?;
    let token = if with_token { Some(next("session token (second line)")?) } else { None };
    Ok((secret, token))
}

fn from_terminal(with_token: bool) -> Result<(SecretString, Option<SecretString>)> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Input("standard input is not a terminal: pass --secret-stdin to read the secret from it".into()));
    }
    let ask = |prompt: &str| -> Result<SecretString> {
        rpassword::prompt_password(prompt).map(SecretString::from).map_err(|e| Failure::Message(format!("cannot read from the terminal: {e}")))
    };
    let secret = ask("Secret access key: ")?;
    let token = if with_token { Some(ask("Session token: ")?) } else { None };
    Ok((secret, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_look_like_part_of_a_secret_are_refused() {
        for secret in ["wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12", "wJalrXUtnFEMIK7MDE", "abcdefgh12345678XYZ"] {
            assert!(check_name(secret, "AKIA1").is_err(), "{secret}");
        }
        for name in ["default", "work", "team-production-eu-west-1", "MyCompany_Prod2024", "productionaccount", "Staging2"] {
            assert!(check_name(name, "AKIA1").is_ok(), "{name}");
        }
    }
}

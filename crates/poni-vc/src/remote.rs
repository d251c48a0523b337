//! Talking to the remote: fetch and push with the user's own git credentials (ssh-agent for
//! ssh addresses, git's credential helpers for https), and errors that say which remote
//! failed and what to do.

use crate::error::{Result, VcError};
use git2::{Cred, CredentialType, ErrorClass, FetchOptions, PushOptions, Remote, RemoteCallbacks, Repository};
use std::cell::{Cell, RefCell};

/// libgit2 asks for credentials again after each refusal, for ever: give up after this many.
const MAX_ATTEMPTS: u32 = 3;

fn find<'r>(repo: &'r Repository, name: &str, what: &'static str) -> Result<Remote<'r>> {
    match repo.find_remote(name) {
        Ok(remote) => Ok(remote),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Err(VcError::NoRemote(what)),
        Err(e) => Err(e.into()),
    }
}

/// Credentials in the order people have them: the ssh agent, git's credential helper (https),
/// then the system's default (Kerberos/NTLM).
fn callbacks<'a>(config: &'a git2::Config, attempts: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |url, username, allowed| {
        attempts.set(attempts.get() + 1);
        if attempts.get() > MAX_ATTEMPTS {
            return Err(git2::Error::from_str("the remote refused every credential offered"));
        }
        let user = username.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            return Cred::ssh_key_from_agent(user);
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if let Ok(cred) = Cred::credential_helper(config, url, username) {
                return Ok(cred);
            }
        }
        if allowed.contains(CredentialType::DEFAULT) {
            return Cred::default();
        }
        Err(git2::Error::from_str("no credentials available for this remote"))
    });
    callbacks
}

/// A failed fetch or push, as the user needs to hear it.
fn classify(e: git2::Error, remote: &str, url: &str, attempts: u32) -> VcError {
    let message = e.message().to_owned();
    let lower = message.to_lowercase();
    if attempts > MAX_ATTEMPTS || e.code() == git2::ErrorCode::Auth || lower.contains("authentication") || lower.contains("credential") {
        return VcError::AuthFailed { remote: remote.to_owned(), url: url.to_owned() };
    }
    if e.code() == git2::ErrorCode::NotFastForward || lower.contains("non-fast") || lower.contains("not present locally") {
        return rejected(remote, "", "the remote has changes you do not have: pull first, then push again");
    }
    match e.class() {
        ErrorClass::Net | ErrorClass::Ssl | ErrorClass::Ssh | ErrorClass::Http | ErrorClass::Os => {
            VcError::Network { remote: remote.to_owned(), url: url.to_owned(), message }
        }
        _ => VcError::Git(message),
    }
}

fn rejected(remote: &str, branch: &str, reason: &str) -> VcError {
    VcError::Rejected { remote: remote.to_owned(), branch: branch.to_owned(), reason: reason.to_owned() }
}

/// Fetches every branch of `name` into `refs/remotes/<name>/` (the remote's own refspecs).
pub fn fetch(repo: &Repository, name: &str) -> Result<()> {
    let mut remote = find(repo, name, "pull from")?;
    let url = remote.url().unwrap_or_default().to_owned();
    let config = repo.config()?;
    let attempts = Cell::new(0);
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks(&config, &attempts));
    let configured: [&str; 0] = [];
    remote.fetch(&configured, Some(&mut options), None).map_err(|e| classify(e, name, &url, attempts.get()))
}

/// Pushes `branch` to the same branch of `name`. A reference the remote refuses (it moved on)
/// is [`VcError::Rejected`].
pub fn push(repo: &Repository, name: &str, branch: &str) -> Result<()> {
    let mut remote = find(repo, name, "push to")?;
    let url = remote.url().unwrap_or_default().to_owned();
    let config = repo.config()?;
    let attempts = Cell::new(0);
    let refused: RefCell<Option<String>> = RefCell::new(None);
    {
        let mut callbacks = callbacks(&config, &attempts);
        callbacks.push_update_reference(|refname, status| {
            if let Some(status) = status {
                *refused.borrow_mut() = Some(format!("{refname}: {status}"));
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(callbacks);
        let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
        remote.push(&[refspec.as_str()], Some(&mut options)).map_err(|e| match classify(e, name, &url, attempts.get()) {
            VcError::Rejected { remote, reason, .. } => VcError::Rejected { remote, branch: branch.to_owned(), reason },
            other => other,
        })?;
    }
    if let Some(status) = refused.into_inner() {
        let lower = status.to_lowercase();
        let reason = if lower.contains("fast") || lower.contains("fetch first") || lower.contains("rejected") {
            "the remote has changes you do not have: pull first, then push again".to_owned()
        } else {
            status
        };
        return Err(rejected(name, branch, &reason));
    }
    Ok(())
}

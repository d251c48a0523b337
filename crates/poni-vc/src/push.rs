//! Sending the current branch's commits to the remote.

use crate::config::REMOTE;
use crate::crossing;
use crate::error::{Result, VcError};
use crate::git::{head_commit, open, require_branch};
use crate::pending_merge::refuse_pending_merge;
use crate::remote;
use crate::types::PushOutcome;
use git2::{Oid, Repository};
use std::path::Path;

/// Refuses a push whose new commits (those the remote's branch, as last seen, does not have)
/// carry Poni Desktop's private files.
fn check_outgoing(repo: &Repository, branch: &str, head: Oid) -> Result<()> {
    let mut walk = repo.revwalk()?;
    walk.push(head)?;
    if let Ok(seen) = repo.refname_to_id(&format!("refs/remotes/{REMOTE}/{branch}")) {
        walk.hide(seen)?;
    }
    for id in walk {
        crossing::check_outgoing(&repo.find_commit(id?)?.tree()?)?;
    }
    Ok(())
}

/// Sends the current branch's commits to `origin` and makes it the branch's upstream.
/// Refused while a pull's conflicts are unresolved, and by the remote when it has commits
/// this repository does not have ([`VcError::Rejected`]: pull first).
pub fn push(root: &Path) -> Result<PushOutcome> {
    let repo = open(root)?;
    refuse_pending_merge(&repo)?;
    let branch = require_branch(&repo)?;
    let head = head_commit(&repo)?.ok_or_else(|| VcError::Usage("there is nothing to push yet: make a checkpoint first".into()))?;
    check_outgoing(&repo, &branch, head.id())?;
    remote::push(&repo, REMOTE, &branch)?;
    // What the remote now has, for ahead/behind, and the branch's upstream.
    repo.reference(&format!("refs/remotes/{REMOTE}/{branch}"), head.id(), true, "poni vc push")?;
    let mut config = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    config.set_str(&format!("branch.{branch}.remote"), REMOTE)?;
    config.set_str(&format!("branch.{branch}.merge"), &format!("refs/heads/{branch}"))?;
    Ok(PushOutcome { remote: REMOTE.to_owned(), branch })
}

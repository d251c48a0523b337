// Turns backend errors into sentences with a next step. The code picks the advice; the
// backend's message (already in words) says what happened.
import { BackendError } from "./backend";
import type { ErrorCode } from "../bindings/ErrorCode";

const advice: Partial<Record<ErrorCode, string>> = {
  "repo.not_a_repository": "Pick a folder that holds a poni repository, or create a new one there.",
  "repo.already_initialized": "That folder is a repository already: open it instead.",
  "repo.bad_file": "Fix the file in a text editor (or delete it) and the app picks it up by itself.",
  "input.invalid_name": "Names use letters, digits, '-', '_' and '.', with '/' between systems.",
  "input.invalid_range": "Use a count like 3, or a range like 2..4.",
  "input.invalid_template": "Use {id} where the number goes, or {id:02} to pad it to two digits.",
  "input.invalid_property": "Check the property's name and value.",
  "repo.already_exists": "Pick another name, or delete the existing one first.",
  "repo.not_found": "It may have been renamed or removed (perhaps by the command line). The tree shows what exists now.",
  "repo.inherit_no_match": "Pick the parent node from the list.",
  "repo.inherit_ambiguous": "Pick exactly one parent node.",
  "repo.conflict": "The files changed while you worked. The view has been refreshed; try again.",
  "settings.bad_file": "Fix or delete the settings file; the app starts with defaults without it.",
  "app.ipc_failed": "This is a bug in Poni Desktop. Restart the app; if it happens again, report it.",
  io: "Check that the folder exists and that you may write to it.",
  "credentials.missing": "Store a credential set in Settings, pick an AWS profile there (SSO profiles sign in with one click), or start the practice sandbox to try things without AWS.",
  "credentials.not_found": "Pick another source in Settings, or store the set again.",
  "credentials.profile_not_found": "Check the profile's name in ~/.aws/config or ~/.aws/credentials, or pick another source in Settings.",
  "credentials.keyring_corrupt": "Remove the set in Settings and store it again.",
  "credentials.incomplete_environment": "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither.",
  "credentials.invalid_name": "Use letters, digits, '-' and '_' for the set's name.",
  "cloud.credentials_expired": "Sign in again in Settings (SSO profiles have a Sign in button) or store new credentials there; no restart is needed.",
  "cloud.auth_failed": "Check the access key id and secret in Settings.",
  "cloud.unauthorized": "The credentials lack a permission: ask the account's admin, or use other credentials.",
  "cloud.throttled": "AWS asked to slow down; the app retries by itself. Try again in a moment if it gave up.",
  "cloud.unreachable": "Check the network, or the custom EC2 endpoint in Settings.",
  "cloud.invalid_endpoint": "Fix the endpoint in Settings (a web address like http://127.0.0.1:5000), or clear it to use AWS.",
  "cloud.busy": "Another operation is working on these nodes: wait for it (see the activity strip) or cancel it.",
  "cloud.empty_selection": "Select one or more nodes (or a system) in the tree first.",
  "cloud.image_not_found": "Check cloud.image: the AMI must exist in the node's region.",
  "cloud.key_pair_not_found": "Pick a key pair of that region in the node's Cloud section, or create one there.",
  "cloud.instance_limit": "Ask AWS for a higher instance limit, or launch fewer nodes.",
  "cloud.insufficient_capacity": "Try again later, or list another instance type in cloud.type.",
  "cloud.instance_not_found": "The instance is gone: launch the node again (it gets a new instance).",
  "credentials.sso_login_required": "Sign in with the profile (Settings): the browser opens for you to confirm.",
  "credentials.sso_expired": "Sign in again: the browser opens for you to confirm.",
  "sso.denied": "The sign-in was refused in the browser. Start it again and allow it.",
  "sso.timed_out": "The code was not confirmed in time. Start the sign-in again.",
  "sso.cancelled": "The sign-in was cancelled.",
  "sso.not_sso_profile": "This profile does not use single sign-on: pick another profile, or store a credential set.",
  "sso.failed": "Try the sign-in again; if it keeps failing, check the profile's start URL with your AWS administrator.",
  "keypair.file_exists": "A private key file of that name is already in ~/.ssh and is never overwritten: pick another name, or import that key instead.",
  "keypair.exists": "The region has a key pair of that name already: pick it from the list, or choose another name.",
  "keypair.invalid_name": "Use letters, digits, '-', '_' and '.' for the key pair's name.",
  "keypair.bad_public_key": "Pick another .pub file: this one is not a public key EC2 accepts (RSA or ED25519).",
  "ssh.invalid_cidr": "Write an address range like 198.51.100.7/32 (one address) or 203.0.113.0/24.",
  "sandbox.python_missing": "Install the package named above, then start the sandbox again.",
  "sandbox.install_failed": "Check the network and start the sandbox again.",
  "sandbox.start_failed": "Start the sandbox again; if it keeps failing, restart the app.",
  "node.invalid_properties": "Open the launch preview: it names each node and property to fix.",
  "node.missing_property": "Set the property in the node's Cloud section.",
  "node.no_address": "Launch the node, or refresh its instance, to learn its address.",
  "history.nothing_to_undo": "Every change in the history is undone already, or none was made yet.",
  "history.nothing_to_redo": "Only a change that was undone can be redone.",
  "history.changed_since": "Change it back by hand, or undo the later changes first.",
  "vc.not_a_repository": "Start the history with git first (History, Git).",
  "vc.no_remote": "Enter the remote's URL and save it, then try again.",
  "vc.uncommitted": "Make a checkpoint first, then try again.",
  "vc.conflicts_pending": "Settle each conflicted node first: keep yours or take theirs.",
  "vc.rejected": "The remote has commits you do not have: pull first, then push.",
  "vc.auth_failed": "Check that git may reach the remote: an SSH key in your agent, or a credential helper.",
  "vc.network": "Check the network and the remote's URL.",
  "vc.git": "Git refused: the message says why.",
};

export interface Explained {
  code: ErrorCode | "unknown";
  message: string;
  hint?: string;
}

export function explain(error: unknown): Explained {
  if (error instanceof BackendError) {
    const message = error.message.charAt(0).toUpperCase() + error.message.slice(1);
    return { code: error.code, message, hint: advice[error.code] };
  }
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    const e = error as { code: ErrorCode; message: string };
    return { code: e.code, message: e.message.charAt(0).toUpperCase() + e.message.slice(1), hint: advice[e.code] };
  }
  return { code: "unknown", message: error instanceof Error ? error.message : String(error) };
}

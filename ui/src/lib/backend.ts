// The one module that talks to the Rust backend. Every command is typed with the bindings
// generated from Rust (src/bindings, committed; a Rust test fails when they drift), and every
// failure arrives as a BackendError with a stable code and a message for people.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type { AccountStatus } from "../bindings/AccountStatus";
import type { Affected } from "../bindings/Affected";
import type { AccountInstance } from "../bindings/AccountInstance";
import type { EditProblem } from "../bindings/EditProblem";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ErrorPayload as AppError } from "../bindings/ErrorPayload";
import type { Drift } from "../bindings/Drift";
import type { DriftField } from "../bindings/DriftField";
import type { ImportPreviewNode } from "../bindings/ImportPreviewNode";
import type { ImportRequest } from "../bindings/ImportRequest";
import type { CloudEventPayload } from "../bindings/CloudEventPayload";
import type { CloudReference } from "../bindings/CloudReference";
import type { ConfirmAction } from "../bindings/ConfirmAction";
import type { ConnectCommand } from "../bindings/ConnectCommand";
import type { CredentialChoice } from "../bindings/CredentialChoice";
import type { CredentialStatus } from "../bindings/CredentialStatus";
import type { FleetChange } from "../bindings/FleetChange";
import type { FleetOverview } from "../bindings/FleetOverview";
import type { ImageInfo } from "../bindings/ImageInfo";
import type { InstanceTypeInfo } from "../bindings/InstanceTypeInfo";
import type { KeyPairInfo } from "../bindings/KeyPairInfo";
import type { LaunchChecks } from "../bindings/LaunchChecks";
import type { LaunchPreview } from "../bindings/LaunchPreview";
import type { NewCredentialSet } from "../bindings/NewCredentialSet";
import type { NodeLive } from "../bindings/NodeLive";
import type { OperationRequest } from "../bindings/OperationRequest";
import type { OperationStatus } from "../bindings/OperationStatus";
import type { PublicKeyFile } from "../bindings/PublicKeyFile";
import type { RegionList } from "../bindings/RegionList";
import type { SandboxStatus } from "../bindings/SandboxStatus";
import type { Scope } from "../bindings/Scope";
import type { SecurityGroupInfo } from "../bindings/SecurityGroupInfo";
import type { SshAccessRequest } from "../bindings/SshAccessRequest";
import type { SshAccessResult } from "../bindings/SshAccessResult";
import type { SsoLogin } from "../bindings/SsoLogin";
import type { SubnetInfo } from "../bindings/SubnetInfo";
import type { StoredCredentialSet } from "../bindings/StoredCredentialSet";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { NameProblem } from "../bindings/NameProblem";
import type { NodesPlan } from "../bindings/NodesPlan";
import type { NodesRequest } from "../bindings/NodesRequest";
import type { PropertyEdit } from "../bindings/PropertyEdit";
import type { Settings } from "../bindings/Settings";
import type { TreeView } from "../bindings/TreeView";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";
import type { MoveCheck } from "../bindings/MoveCheck";
import type { HistoryView } from "../bindings/HistoryView";
import type { RunningInstance } from "../bindings/RunningInstance";
import type { UndoOutcome } from "../bindings/UndoOutcome";
import type { VcStatus } from "../bindings/VcStatus";
import type { VcMode } from "../bindings/VcMode";
import type { CommitInfo } from "../bindings/CommitInfo";
import type { RepoDiff } from "../bindings/RepoDiff";
import type { PullOutcome } from "../bindings/PullOutcome";
import type { PushOutcome } from "../bindings/PushOutcome";
import type { Conflict } from "../bindings/Conflict";
import type { Choice } from "../bindings/Choice";

export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(error: AppError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
  }
}

function isAppError(value: unknown): value is AppError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    if (isAppError(error)) throw new BackendError(error);
    // Anything else is a bug in the shell (a panic, a missing permission): still coded.
    throw new BackendError({ code: "app.ipc_failed", message: String(error) });
  }
}

export const backend = {
  workspaceInfo: () => call<WorkspaceInfo>("workspace_info"),
  openRepository: (path: string) => call<null>("open_repository", { path }),
  createRepository: (path: string) => call<null>("create_repository", { path }),
  forgetRepository: (path: string) => call<null>("forget_repository", { path }),
  loadTree: () => call<TreeView>("load_tree"),
  getItem: (name: string) => call<ItemDetail>("get_item", { name }),
  addSystem: (name: string) => call<null>("add_system", { name }),
  planNodes: (request: NodesRequest) => call<NodesPlan>("plan_nodes", { request }),
  addNodes: (request: NodesRequest) => call<string[]>("add_nodes", { request }),
  /** Every problem of a save on one item (values set, keys removed), each naming its key; empty: it can be saved. */
  checkEdit: (name: string, set: PropertyEdit[], unset: string[]) => call<EditProblem[]>("check_edit", { name, set, unset }),
  /** Saves values and removals on one item as one change (one write); refused with the first problem checkEdit reports. */
  editProperties: (name: string, set: PropertyEdit[], unset: string[]) => call<number>("edit_properties", { name, set, unset }),
  /** Why `name` cannot be a new system's name, or (with renameFrom) that item's new name; null when it can. */
  checkName: (name: string, renameFrom: string | null = null) => call<NameProblem | null>("check_name", { name, renameFrom }),
  renameItem: (from: string, to: string) => call<null>("rename_item", { from, to }),
  removeItem: (name: string) => call<string[]>("remove_item", { name }),
  getSettings: () => call<Settings>("get_settings"),
  saveSettings: (settings: Settings) => call<null>("save_settings", { settings }),

  // Cloud: what an action will do, running it (returns at once; progress and results arrive
  // as events), the live fleet, the connect helper, and the editor's reference lists.
  cloudReference: () => call<CloudReference>("cloud_reference"),
  /** Which nodes launch (region, image, type, key pair), which are skipped and why, every property problem. */
  cloudPreview: (scope: Scope, reinit = false) => call<LaunchPreview>("cloud_preview", { scope, reinit }),
  /** Exactly which nodes and instances a terminate, stop, start or re-init touches, for its confirmation. */
  cloudAffected: (scope: Scope, action: ConfirmAction) => call<Affected>("cloud_affected", { scope, action }),
  /** Starts an operation; refused with a coded error (node.invalid_properties, cloud.busy, credentials.*) before anything runs. */
  cloudStart: (request: OperationRequest) => call<OperationStatus>("cloud_start", { request }),
  /** False when the operation is not running any more. */
  cancelOperation: (id: string) => call<boolean>("cancel_operation", { id }),
  /** Running operations and the last finished ones, oldest first. */
  listOperations: () => call<OperationStatus[]>("list_operations"),
  fleetOverview: () => call<FleetOverview>("fleet_overview"),
  /** Every node's live state (badge, timeline, addresses, last error). */
  fleetNodes: () => call<NodeLive[]>("fleet_nodes"),
  nodeLive: (name: string) => call<NodeLive | null>("node_live", { name }),
  connectCommand: (node: string) => call<ConnectCommand>("connect_command", { node }),

  // Credentials and cloud settings. The secret is write-only: nothing returns it.
  credentialsStatus: () => call<CredentialStatus>("credentials_status"),
  listCredentialSets: () => call<StoredCredentialSet[]>("list_credential_sets"),
  saveCredentialSet: (set: NewCredentialSet) => call<StoredCredentialSet>("save_credential_set", { set }),
  deleteCredentialSet: (name: string) => call<boolean>("delete_credential_set", { name }),
  chooseCredentials: (choice: CredentialChoice) => call<CredentialStatus>("choose_credentials", { choice }),
  /** Checks and saves the custom EC2 endpoint (null or "" clears it); returns the URL saved. */
  setEc2Endpoint: (url: string | null) => call<string | null>("set_ec2_endpoint", { url }),

  // The account behind the credentials: who it is, and what it has per region (cached by the
  // core; `refresh` asks AWS anew). Errors are coded: credentials.*, account.*, cloud.*.
  /** The account in use in one line, or why it cannot be reached and the button that fixes it. */
  accountStatus: () => call<AccountStatus>("account_status"),
  /** What the launch preview adds: the account the launch goes to, and warnings (SSH closed, key file missing, not in the account). */
  launchChecks: (scope: Scope) => call<LaunchChecks>("launch_checks", { scope }),
  accountRegions: (refresh = false) => call<RegionList>("account_regions", { refresh }),
  accountImages: (region: string, refresh = false) => call<ImageInfo[]>("account_images", { region, refresh }),
  accountInstanceTypes: (region: string, architecture: string | null, refresh = false) =>
    call<InstanceTypeInfo[]>("account_instance_types", { region, architecture, refresh }),
  accountKeyPairs: (region: string, refresh = false) => call<KeyPairInfo[]>("account_key_pairs", { region, refresh }),
  /** Creates the key pair and saves its private key to ~/.ssh/<name>.pem (keypair.exists, keypair.file_exists, keypair.invalid_name). */
  createKeyPair: (region: string, name: string) => call<KeyPairInfo>("create_key_pair", { region, name }),
  importKeyPair: (region: string, name: string, publicKeyPath: string) => call<KeyPairInfo>("import_key_pair", { region, name, publicKeyPath }),
  /** The ~/.ssh/*.pub files, for importing one as a key pair. */
  localPublicKeys: () => call<PublicKeyFile[]>("local_public_keys"),
  accountSecurityGroups: (region: string, refresh = false) => call<SecurityGroupInfo[]>("account_security_groups", { region, refresh }),
  /** Opens TCP 22 from a CIDR in an existing group, or in a new group. */
  allowSsh: (request: SshAccessRequest) => call<SshAccessResult>("allow_ssh", { request }),
  accountSubnets: (region: string, refresh = false) => call<SubnetInfo[]>("account_subnets", { region, refresh }),

  // SSO sign-in (device authorization): start opens the browser itself; finish resolves once
  // signed in (or throws sso.denied, sso.timed_out, sso.cancelled...).
  ssoStart: (profile: string) => call<SsoLogin>("sso_start", { profile }),
  ssoFinish: (loginId: string) => call<CredentialStatus>("sso_finish", { loginId }),
  ssoCancel: (loginId: string) => call<boolean>("sso_cancel", { loginId }),

  // The practice sandbox: a local EC2-compatible server the app installs and runs itself.
  sandboxStatus: () => call<SandboxStatus>("sandbox_status"),
  /** Resolves when running (progress arrives as sandbox-changed events), or throws sandbox.*. */
  sandboxStart: () => call<SandboxStatus>("sandbox_start"),
  sandboxStop: () => call<SandboxStatus>("sandbox_stop"),

  // Existing fleets: every instance of the account (none given: the regions the nodes use),
  // adopting untracked ones as nodes, and where nodes and instances disagree.
  accountInstances: (regions: string[] = []) => call<AccountInstance[]>("account_instances", { regions }),
  importPreview: (request: ImportRequest) => call<ImportPreviewNode[]>("import_preview", { request }),
  importInstances: (request: ImportRequest) => call<string[]>("import_instances", { request }),
  cloudDrift: (scope: Scope) => call<Drift[]>("cloud_drift", { scope }),
  /**
   * "Take the instance's values into the node": launch fields (type, image, key pair, groups,
   * subnet, Name tag) are written into the node's properties as one change; address fields
   * refresh its addresses. Returns how many properties changed (a repo-changed event follows).
   */
  cloudTakeDrift: (node: string, fields: DriftField[]) => call<number>("cloud_take_drift", { node, fields }),

  // Moving items between systems: the core says what a move would do (or why it cannot) and does it.
  /** What moving these items into `toSystem` ("" = the top level) would do: the new names, or every problem. */
  checkMove: (names: string[], toSystem: string) => call<MoveCheck>("check_move", { names, toSystem }),
  /** Moves them as one change; returns their new names. */
  moveItems: (names: string[], toSystem: string) => call<string[]>("move_items", { names, toSystem }),

  // Undo and redo: the core keeps the history of changes (newest first).
  historyList: () => call<HistoryView>("history_list"),
  /** history.nothing_to_undo, history.changed_since (the message names what changed since). */
  historyUndo: () => call<UndoOutcome>("history_undo"),
  historyRedo: () => call<UndoOutcome>("history_redo"),
  /** Terminates instances an undo left running (by id; the repository no longer names them). */
  cloudTerminateInstances: (instances: RunningInstance[]) => call<string[]>("cloud_terminate_instances", { instances }),

  // Version control (git) of the repository.
  vcStatus: () => call<VcStatus>("vc_status"),
  vcInit: () => call<CommitInfo>("vc_init"),
  vcSetMode: (mode: VcMode) => call<null>("vc_set_mode", { mode }),
  vcSetRemote: (url: string) => call<null>("vc_set_remote", { url }),
  /** What changed since the last commit: every item (name null) or one. */
  vcDiff: (name: string | null) => call<RepoDiff>("vc_diff", { name }),
  /** Commits the gathered changes; null when there was nothing to commit. */
  vcCheckpoint: (message: string | null) => call<CommitInfo | null>("vc_checkpoint", { message }),
  vcPull: () => call<PullOutcome>("vc_pull"),
  vcPush: () => call<PushOutcome>("vc_push"),
  vcConflicts: () => call<Conflict[]>("vc_conflicts"),
  vcResolve: (name: string, choice: Choice) => call<VcStatus>("vc_resolve", { name, choice }),
};

export type Backend = typeof backend;

/** Backend events; each handler returns a function that stops listening. */
export const events = {
  onRepoChanged: (handler: () => void): Promise<UnlistenFn> => listen("repo-changed", () => handler()),
  /** Every engine event of an operation (for the activity log). */
  onCloudEvent: (handler: (payload: CloudEventPayload) => void): Promise<UnlistenFn> =>
    listen<CloudEventPayload>("cloud-event", (e) => handler(e.payload)),
  /** An operation started, or its progress (done of total) or phase changed. */
  onOperationProgress: (handler: (status: OperationStatus) => void): Promise<UnlistenFn> =>
    listen<OperationStatus>("operation-progress", (e) => handler(e.payload)),
  /** An operation ended; `reports` says how each node came out. */
  onOperationFinished: (handler: (status: OperationStatus) => void): Promise<UnlistenFn> =>
    listen<OperationStatus>("operation-finished", (e) => handler(e.payload)),
  /** Live state of these nodes changed (diffs only); both lists empty when the automatic refresh started or stopped. */
  onFleetChanged: (handler: (change: FleetChange) => void): Promise<UnlistenFn> =>
    listen<FleetChange>("fleet-changed", (e) => handler(e.payload)),
  /** The practice sandbox moved on (installing, starting, running, off, failed), with its current step. */
  onSandboxChanged: (handler: (status: SandboxStatus) => void): Promise<UnlistenFn> =>
    listen<SandboxStatus>("sandbox-changed", (e) => handler(e.payload)),
  /** Credentials, profile, endpoint or sandbox changed: every cloud view must be refetched, no fleet of the old account kept. */
  onAccountChanged: (handler: () => void): Promise<UnlistenFn> => listen("account-changed", () => handler()),
};

/** The system's own dialogs (the dialog plugin). */
export const systemDialogs = {
  /** A folder picker; null when the person cancels. */
  pickFolder: async (title: string, defaultPath?: string): Promise<string | null> => {
    const picked = await openDialog({ directory: true, multiple: false, title, defaultPath });
    return typeof picked === "string" ? picked : null;
  },
};

// Generated from src-tauri/src/commands/list.rs (`UPDATE_BINDINGS=1 cargo test --workspace bindings`).
// Do not edit: change the declaration, and the test that compares this file follows.
import { call } from "../lib/ipc";
import type { Channel } from "@tauri-apps/api/core";
import type { AccountInstance } from "./AccountInstance";
import type { AccountStatus } from "./AccountStatus";
import type { Affected } from "./Affected";
import type { Choice } from "./Choice";
import type { CloudReference } from "./CloudReference";
import type { CommitInfo } from "./CommitInfo";
import type { ConfirmAction } from "./ConfirmAction";
import type { Conflict } from "./Conflict";
import type { ConnectCommand } from "./ConnectCommand";
import type { ConnectRequest } from "./ConnectRequest";
import type { CopyRequest } from "./CopyRequest";
import type { CredentialChoice } from "./CredentialChoice";
import type { CredentialStatus } from "./CredentialStatus";
import type { Drift } from "./Drift";
import type { DriftField } from "./DriftField";
import type { EditProblem } from "./EditProblem";
import type { FleetOverview } from "./FleetOverview";
import type { FleetWall } from "./FleetWall";
import type { HistoryView } from "./HistoryView";
import type { ImageInfo } from "./ImageInfo";
import type { ImportPreviewNode } from "./ImportPreviewNode";
import type { ImportRequest } from "./ImportRequest";
import type { InstanceTypeInfo } from "./InstanceTypeInfo";
import type { ItemDetail } from "./ItemDetail";
import type { KeyPairInfo } from "./KeyPairInfo";
import type { LaunchChecks } from "./LaunchChecks";
import type { LaunchPreview } from "./LaunchPreview";
import type { MoveCheck } from "./MoveCheck";
import type { NameProblem } from "./NameProblem";
import type { NewCredentialSet } from "./NewCredentialSet";
import type { NodeLive } from "./NodeLive";
import type { NodesPlan } from "./NodesPlan";
import type { NodesRequest } from "./NodesRequest";
import type { OperationRequest } from "./OperationRequest";
import type { OperationStatus } from "./OperationStatus";
import type { PropertyEdit } from "./PropertyEdit";
import type { ProtectionLifted } from "./ProtectionLifted";
import type { PublicKeyFile } from "./PublicKeyFile";
import type { PullOutcome } from "./PullOutcome";
import type { PushOutcome } from "./PushOutcome";
import type { RegionList } from "./RegionList";
import type { RepoDiff } from "./RepoDiff";
import type { RunEvent } from "./RunEvent";
import type { RunRecord } from "./RunRecord";
import type { RunRequest } from "./RunRequest";
import type { RunSummary } from "./RunSummary";
import type { RunningInstance } from "./RunningInstance";
import type { SandboxStatus } from "./SandboxStatus";
import type { Scope } from "./Scope";
import type { SecurityGroupInfo } from "./SecurityGroupInfo";
import type { Settings } from "./Settings";
import type { SnapshotList } from "./SnapshotList";
import type { SshAccessRequest } from "./SshAccessRequest";
import type { SshAccessResult } from "./SshAccessResult";
import type { SshFromHere } from "./SshFromHere";
import type { SsoLogin } from "./SsoLogin";
import type { StoredCredentialSet } from "./StoredCredentialSet";
import type { SubnetInfo } from "./SubnetInfo";
import type { TerminalEnd } from "./TerminalEnd";
import type { TerminalOpened } from "./TerminalOpened";
import type { TreeView } from "./TreeView";
import type { UndoOutcome } from "./UndoOutcome";
import type { VcMode } from "./VcMode";
import type { VcStatus } from "./VcStatus";
import type { WorkspaceInfo } from "./WorkspaceInfo";

export const commands = {
  workspaceInfo: (): Promise<WorkspaceInfo> => call("workspace_info"),
  openRepository: (path: string): Promise<null> => call("open_repository", { path }),
  createRepository: (path: string): Promise<null> => call("create_repository", { path }),
  forgetRepository: (path: string): Promise<null> => call("forget_repository", { path }),
  loadTree: (): Promise<TreeView> => call("load_tree"),
  getItem: (name: string): Promise<ItemDetail> => call("get_item", { name }),
  addSystem: (name: string): Promise<null> => call("add_system", { name }),
  /** What adding these nodes would make (clashes marked), before anything is written. */
  planNodes: (request: NodesRequest): Promise<NodesPlan> => call("plan_nodes", { request }),
  addNodes: (request: NodesRequest): Promise<Array<string>> => call("add_nodes", { request }),
  /** Every problem of a save on one item (values set, keys removed), each naming its key; empty: it can be saved. */
  checkEdit: (name: string, set: Array<PropertyEdit>, unset: Array<string>): Promise<Array<EditProblem>> => call("check_edit", { name, set, unset }),
  /** Saves values and removals on one item as one change (one write); refused with the first problem checkEdit reports. */
  editProperties: (name: string, set: Array<PropertyEdit>, unset: Array<string>): Promise<number> => call("edit_properties", { name, set, unset }),
  /** Why `name` cannot be a new system's name, or (with renameFrom) that item's new name; null when it can. */
  checkName: (name: string, renameFrom?: string | null): Promise<NameProblem | null> => call("check_name", { name, renameFrom }),
  renameItem: (from: string, to: string): Promise<null> => call("rename_item", { from, to }),
  removeItem: (name: string): Promise<Array<string>> => call("remove_item", { name }),
  getSettings: (): Promise<Settings> => call("get_settings"),
  saveSettings: (settings: Settings): Promise<null> => call("save_settings", { settings }),
  cloudReference: (): Promise<CloudReference> => call("cloud_reference"),
  /** Which nodes launch (region, image, type, key pair), which are skipped and why, every property problem. */
  cloudPreview: (scope: Scope, reinit?: boolean | null): Promise<LaunchPreview> => call("cloud_preview", { scope, reinit }),
  /** Exactly which nodes and instances a terminate, stop, start, re-init or snapshot action touches, for its confirmation. */
  cloudAffected: (scope: Scope, action: ConfirmAction): Promise<Affected> => call("cloud_affected", { scope, action }),
  /** The snapshots of the scope's instances (name, device, state, start time), and the nodes EC2 could not be asked about. */
  cloudSnapshots: (scope: Scope): Promise<SnapshotList> => call("cloud_snapshots", { scope }),
  /** Starts an operation; refused with a coded error (node.invalid_properties, cloud.busy, credentials.*) before anything runs. */
  cloudStart: (request: OperationRequest): Promise<OperationStatus> => call("cloud_start", { request }),
  /** False when the operation is not running any more. */
  cancelOperation: (id: string): Promise<boolean> => call("cancel_operation", { id }),
  /** Running operations and the last finished ones, oldest first. */
  listOperations: (): Promise<Array<OperationStatus>> => call("list_operations"),
  fleetOverview: (): Promise<FleetOverview> => call("fleet_overview"),
  /** Every node's live state (badge, timeline, addresses, last error). */
  fleetNodes: (): Promise<Array<NodeLive>> => call("fleet_nodes"),
  nodeLive: (name: string): Promise<NodeLive | null> => call("node_live", { name }),
  connectCommand: (node: string): Promise<ConnectCommand> => call("connect_command", { node }),
  /** Lifts a node's termination protection: off on its instance, then cloud.disable_api_termination false on the node (cloud.busy while an operation works on it). */
  liftTerminationProtection: (node: string): Promise<ProtectionLifted> => call("lift_termination_protection", { node }),
  credentialsStatus: (): Promise<CredentialStatus> => call("credentials_status"),
  listCredentialSets: (): Promise<Array<StoredCredentialSet>> => call("list_credential_sets"),
  saveCredentialSet: (set: NewCredentialSet): Promise<StoredCredentialSet> => call("save_credential_set", { set }),
  deleteCredentialSet: (name: string): Promise<boolean> => call("delete_credential_set", { name }),
  chooseCredentials: (choice: CredentialChoice): Promise<CredentialStatus> => call("choose_credentials", { choice }),
  /** Checks and saves the custom EC2 endpoint (null or "" clears it); returns the URL saved. */
  setEc2Endpoint: (url?: string | null): Promise<string | null> => call("set_ec2_endpoint", { url }),
  /** The account in use in one line, or why it cannot be reached and the button that fixes it. */
  accountStatus: (): Promise<AccountStatus> => call("account_status"),
  /** What the launch preview adds: the account the launch goes to, and warnings (SSH closed, key file missing, not in the account). */
  launchChecks: (scope: Scope): Promise<LaunchChecks> => call("launch_checks", { scope }),
  accountRegions: (refresh?: boolean | null): Promise<RegionList> => call("account_regions", { refresh }),
  accountImages: (region: string, refresh?: boolean | null): Promise<Array<ImageInfo>> => call("account_images", { region, refresh }),
  accountInstanceTypes: (region: string, architecture?: string | null, refresh?: boolean | null): Promise<Array<InstanceTypeInfo>> => call("account_instance_types", { region, architecture, refresh }),
  accountKeyPairs: (region: string, refresh?: boolean | null): Promise<Array<KeyPairInfo>> => call("account_key_pairs", { region, refresh }),
  /** Creates the key pair and saves its private key to ~/.ssh/<name>.pem (keypair.exists, keypair.file_exists, keypair.invalid_name). */
  createKeyPair: (region: string, name: string): Promise<KeyPairInfo> => call("create_key_pair", { region, name }),
  importKeyPair: (region: string, name: string, publicKeyPath: string): Promise<KeyPairInfo> => call("import_key_pair", { region, name, publicKeyPath }),
  /** The ~/.ssh/*.pub files, for importing one as a key pair. */
  localPublicKeys: (): Promise<Array<PublicKeyFile>> => call("local_public_keys"),
  accountSecurityGroups: (region: string, refresh?: boolean | null): Promise<Array<SecurityGroupInfo>> => call("account_security_groups", { region, refresh }),
  /** Opens TCP 22 from a CIDR in an existing group, or in a new group. */
  allowSsh: (request: SshAccessRequest): Promise<SshAccessResult> => call("allow_ssh", { request }),
  /** "Allow SSH from this computer" for the nodes a launch warning named: this computer's address, in each node's first group (none: the VPC's default group). */
  allowSshFromHere: (nodes: Array<string>): Promise<SshFromHere> => call("allow_ssh_from_here", { nodes }),
  accountSubnets: (region: string, refresh?: boolean | null): Promise<Array<SubnetInfo>> => call("account_subnets", { region, refresh }),
  sandboxStatus: (): Promise<SandboxStatus> => call("sandbox_status"),
  /** Resolves when running (progress arrives as sandbox-changed events), or throws sandbox.*. */
  sandboxStart: (): Promise<SandboxStatus> => call("sandbox_start"),
  sandboxStop: (): Promise<SandboxStatus> => call("sandbox_stop"),
  ssoStart: (profile: string): Promise<SsoLogin> => call("sso_start", { profile }),
  ssoFinish: (loginId: string): Promise<CredentialStatus> => call("sso_finish", { loginId }),
  ssoCancel: (loginId: string): Promise<boolean> => call("sso_cancel", { loginId }),
  /** Every instance of the account in these regions (none given: the regions the nodes use). */
  accountInstances: (regions: Array<string>): Promise<Array<AccountInstance>> => call("account_instances", { regions }),
  importPreview: (request: ImportRequest): Promise<Array<ImportPreviewNode>> => call("import_preview", { request }),
  importInstances: (request: ImportRequest): Promise<Array<string>> => call("import_instances", { request }),
  cloudDrift: (scope: Scope): Promise<Array<Drift>> => call("cloud_drift", { scope }),
  /** "Take the instance's values into the node": launch fields (type, image, key pair, groups, subnet, Name tag) are written into the node's properties as one change; address fields refresh its addresses. Returns how many properties changed (a repo-changed event follows). */
  cloudTakeDrift: (node: string, fields: Array<DriftField>): Promise<number> => call("cloud_take_drift", { node, fields }),
  /** Terminates instances an undo left running (by id; the repository no longer names them). */
  cloudTerminateInstances: (instances: Array<RunningInstance>): Promise<Array<string>> => call("cloud_terminate_instances", { instances }),
  /** Every instance with its status checks, scheduled events, CPU load (3 hours) and price, the alerts and the monthly totals, per account; in the regions the nodes use, or with allRegions every region the account has enabled. A region that fails says so in its place; the others show. */
  fleetStatus: (allRegions: boolean): Promise<FleetWall> => call("fleet_status", { allRegions }),
  /** What moving these items into `toSystem` ("" = the top level) would do: the new names, or every problem. */
  checkMove: (names: Array<string>, toSystem: string): Promise<MoveCheck> => call("check_move", { names, toSystem }),
  /** Moves them as one change; returns their new names. */
  moveItems: (names: Array<string>, toSystem: string): Promise<Array<string>> => call("move_items", { names, toSystem }),
  historyList: (): Promise<HistoryView> => call("history_list"),
  /** history.nothing_to_undo, history.changed_since (the message names what changed since). */
  historyUndo: (): Promise<UndoOutcome> => call("history_undo"),
  historyRedo: (): Promise<UndoOutcome> => call("history_redo"),
  vcStatus: (): Promise<VcStatus> => call("vc_status"),
  vcInit: (): Promise<CommitInfo> => call("vc_init"),
  vcSetMode: (mode: VcMode): Promise<null> => call("vc_set_mode", { mode }),
  vcSetRemote: (url: string): Promise<null> => call("vc_set_remote", { url }),
  /** What changed since the last commit: every item (name null) or one. */
  vcDiff: (name?: string | null): Promise<RepoDiff> => call("vc_diff", { name }),
  /** Commits the gathered changes; null when there was nothing to commit. */
  vcCheckpoint: (message?: string | null): Promise<CommitInfo | null> => call("vc_checkpoint", { message }),
  vcPull: (): Promise<PullOutcome> => call("vc_pull"),
  vcPush: (): Promise<PushOutcome> => call("vc_push"),
  vcConflicts: (): Promise<Array<Conflict>> => call("vc_conflicts"),
  vcResolve: (name: string, choice: Choice): Promise<VcStatus> => call("vc_resolve", { name, choice }),
  /** Connects and opens a shell on a terminal of cols x rows; or the question to answer first. */
  terminalOpen: (request: ConnectRequest, cols: number, rows: number, output: Channel<ArrayBuffer>, ended: Channel<TerminalEnd>): Promise<TerminalOpened> => call("terminal_open", { request, cols, rows, output, ended }),
  /** Keys typed or text pasted in the terminal. */
  terminalInput: (id: number, data: string): Promise<null> => call("terminal_input", { id, data }),
  terminalResize: (id: number, cols: number, rows: number): Promise<null> => call("terminal_resize", { id, cols, rows }),
  /** Ends the session; false when it had already ended. */
  terminalClose: (id: number): Promise<boolean> => call("terminal_close", { id }),
  /** The node's ssh in the user's own terminal program; returns the program's name. */
  openInTerminal: (node: string): Promise<string> => call("open_in_terminal", { node }),
  /** Starts a command on the nodes; returns the run as it starts (progress on `events`, `done` last). */
  runCommand: (request: RunRequest, events: Channel<RunEvent>): Promise<RunRecord> => call("run_command", { request, events }),
  /** Copies files and folders into a folder on the nodes (as poni's remote cp). */
  copyFiles: (request: CopyRequest, events: Channel<RunEvent>): Promise<RunRecord> => call("copy_files", { request, events }),
  /** False when the run is not going any more. */
  runCancel: (id: string): Promise<boolean> => call("run_cancel", { id }),
  /** Past runs, newest first (kept in the app's folder, not in the repository). */
  runsList: (): Promise<Array<RunSummary>> => call("runs_list"),
  runGet: (id: string): Promise<RunRecord> => call("run_get", { id }),
};

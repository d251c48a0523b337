// The one declaration of every command the UI may call: `module::name(arguments) -> result;`
// (the function's result is `AppResult<result>`; its first argument, `Ctx`, is not listed).
// From it come the invoke handler, the permissions (build.rs), a compile-time check of each
// function, and the UI's typed client with these doc comments (ui/src/bindings/commands.ts).
// Adding a command: write `module::name`, add its line here, regenerate the bindings
// (`UPDATE_BINDINGS=1 cargo test --workspace bindings`), and call `backend.name` in the UI.
ipc_commands! {
    // The repository the window works on.
    workspace::workspace_info() -> WorkspaceInfo;
    workspace::open_repository(path: String) -> ();
    workspace::create_repository(path: String) -> ();
    workspace::forget_repository(path: String) -> ();
    tree::load_tree() -> TreeView;
    tree::get_item(name: String) -> ItemDetail;

    // Editing: systems and nodes (planned before written), properties, names.
    edit::add_system(name: String) -> ();
    /// What adding these nodes would make (clashes marked), before anything is written.
    edit::plan_nodes(request: NodesRequest) -> NodesPlan;
    edit::add_nodes(request: NodesRequest) -> Vec<String>;
    /// Every problem of a save on one item (values set, keys removed), each naming its key; empty: it can be saved.
    edit::check_edit(name: String, set: Vec<PropertyEdit>, unset: Vec<String>) -> Vec<EditProblem>;
    /// Saves values and removals on one item as one change (one write); refused with the first problem checkEdit reports.
    edit::edit_properties(name: String, set: Vec<PropertyEdit>, unset: Vec<String>) -> usize;
    /// Why `name` cannot be a new system's name, or (with renameFrom) that item's new name; null when it can.
    edit::check_name(name: String, rename_from: Option<String>) -> Option<NameProblem>;
    edit::rename_item(from: String, to: String) -> ();
    edit::remove_item(name: String) -> Vec<String>;
    settings::get_settings() -> Settings;
    settings::save_settings(settings: Settings) -> ();

    // Cloud: what an action will do, running it (returns at once; progress and results arrive
    // as events), the live fleet, the connect helper, and the editor's reference lists.
    cloud::cloud_reference() -> CloudReference;
    /// Which nodes launch (region, image, type, key pair), which are skipped and why, every property problem.
    cloud::cloud_preview(scope: Scope, reinit: Option<bool>) -> LaunchPreview;
    /// Exactly which nodes and instances a terminate, stop, start, re-init or snapshot action touches, for its confirmation.
    cloud::cloud_affected(scope: Scope, action: ConfirmAction) -> Affected;
    /// The snapshots of the scope's instances (name, device, state, start time), and the nodes EC2 could not be asked about.
    cloud::cloud_snapshots(scope: Scope) -> SnapshotList;
    /// Starts an operation; refused with a coded error (node.invalid_properties, cloud.busy, credentials.*) before anything runs.
    cloud::cloud_start(request: OperationRequest) -> OperationStatus;
    /// False when the operation is not running any more.
    cloud::cancel_operation(id: String) -> bool;
    /// Running operations and the last finished ones, oldest first.
    cloud::list_operations() -> Vec<OperationStatus>;
    cloud::fleet_overview() -> FleetOverview;
    /// Every node's live state (badge, timeline, addresses, last error).
    cloud::fleet_nodes() -> Vec<NodeLive>;
    cloud::node_live(name: String) -> Option<NodeLive>;
    cloud::connect_command(node: String) -> ConnectCommand;
    /// Lifts a node's termination protection: off on its instance, then cloud.disable_api_termination false on the node (cloud.busy while an operation works on it).
    cloud::lift_termination_protection(node: String) -> ProtectionLifted;

    // Credentials and cloud settings. The secret is write-only: nothing returns it.
    credentials::credentials_status() -> CredentialStatus;
    credentials::list_credential_sets() -> Vec<StoredCredentialSet>;
    credentials::save_credential_set(set: NewCredentialSet) -> StoredCredentialSet;
    credentials::delete_credential_set(name: String) -> bool;
    credentials::choose_credentials(choice: CredentialChoice) -> CredentialStatus;
    /// Checks and saves the custom EC2 endpoint (null or "" clears it); returns the URL saved.
    credentials::set_ec2_endpoint(url: Option<String>) -> Option<String>;

    // The account behind the credentials: who it is, and what it has per region (cached by the
    // core; `refresh` asks AWS anew). Errors are coded: credentials.*, account.*, cloud.*.
    /// The account in use in one line, or why it cannot be reached and the button that fixes it.
    account::account_status() -> AccountStatus;
    /// What the launch preview adds: the account the launch goes to, and warnings (SSH closed, key file missing, not in the account).
    account::launch_checks(scope: Scope) -> LaunchChecks;
    account::account_regions(refresh: Option<bool>) -> RegionList;
    account::account_images(region: String, refresh: Option<bool>) -> Vec<ImageInfo>;
    account::account_instance_types(region: String, architecture: Option<String>, refresh: Option<bool>) -> Vec<InstanceTypeInfo>;
    account::account_key_pairs(region: String, refresh: Option<bool>) -> Vec<KeyPairInfo>;
    /// Creates the key pair and saves its private key to ~/.ssh/<name>.pem (keypair.exists, keypair.file_exists, keypair.invalid_name).
    account::create_key_pair(region: String, name: String) -> KeyPairInfo;
    account::import_key_pair(region: String, name: String, public_key_path: String) -> KeyPairInfo;
    /// The ~/.ssh/*.pub files, for importing one as a key pair.
    account::local_public_keys() -> Vec<PublicKeyFile>;
    account::account_security_groups(region: String, refresh: Option<bool>) -> Vec<SecurityGroupInfo>;
    /// Opens TCP 22 from a CIDR in an existing group, or in a new group.
    account::allow_ssh(request: SshAccessRequest) -> SshAccess;
    /// "Allow SSH from this computer" for the nodes a launch warning named: this computer's address, in each node's first group (none: the VPC's default group).
    account::allow_ssh_from_here(nodes: Vec<String>) -> SshFromHere;
    account::account_subnets(region: String, refresh: Option<bool>) -> Vec<SubnetInfo>;

    // The practice sandbox: a local EC2-compatible server the app installs and runs itself.
    sandbox::sandbox_status() -> SandboxStatus;
    /// Resolves when running (progress arrives as sandbox-changed events), or throws sandbox.*.
    sandbox::sandbox_start() -> SandboxStatus;
    sandbox::sandbox_stop() -> SandboxStatus;

    // SSO sign-in (device authorization): start opens the browser itself; finish resolves once
    // signed in (or throws sso.denied, sso.timed_out, sso.cancelled...).
    sso::sso_start(profile: String) -> SsoLogin;
    sso::sso_finish(login_id: String) -> CredentialStatus;
    sso::sso_cancel(login_id: String) -> bool;

    // Existing fleets: every instance of the account, adopting untracked ones as nodes, and
    // where nodes and instances disagree.
    /// Every instance of the account in these regions (none given: the regions the nodes use).
    existing::account_instances(regions: Vec<String>) -> Vec<AccountInstance>;
    existing::import_preview(request: ImportRequest) -> Vec<ImportPreviewNode>;
    existing::import_instances(request: ImportRequest) -> Vec<String>;
    existing::cloud_drift(scope: Scope) -> Vec<Drift>;
    /// "Take the instance's values into the node": launch fields (type, image, key pair, groups, subnet, Name tag) are written into the node's properties as one change; address fields refresh its addresses. Returns how many properties changed (a repo-changed event follows).
    existing::cloud_take_drift(node: String, fields: Vec<DriftField>) -> usize;
    /// Terminates instances an undo left running (by id; the repository no longer names them).
    existing::cloud_terminate_instances(instances: Vec<RunningInstance>) -> Vec<String>;
    /// Every instance with its status checks, scheduled events, CPU load (3 hours) and price, the alerts and the monthly totals, per account; in the regions the nodes use, or with allRegions every region the account has enabled. A region that fails says so in its place; the others show.
    wall::fleet_status(all_regions: bool) -> FleetWall;

    // Moving items between systems, and the history of changes (newest first).
    /// What moving these items into `toSystem` ("" = the top level) would do: the new names, or every problem.
    history::check_move(names: Vec<String>, to_system: String) -> MoveCheck;
    /// Moves them as one change; returns their new names.
    history::move_items(names: Vec<String>, to_system: String) -> Vec<String>;
    history::history_list() -> HistoryView;
    /// history.nothing_to_undo, history.changed_since (the message names what changed since).
    history::history_undo() -> UndoOutcome;
    history::history_redo() -> UndoOutcome;

    // Version control (git) of the repository.
    vc::vc_status() -> VcStatus;
    vc::vc_init() -> CommitInfo;
    vc::vc_set_mode(mode: VcMode) -> ();
    vc::vc_set_remote(url: String) -> ();
    /// What changed since the last commit: every item (name null) or one.
    vc::vc_diff(name: Option<String>) -> RepoDiff;
    /// Commits the gathered changes; null when there was nothing to commit.
    vc::vc_checkpoint(message: Option<String>) -> Option<CommitInfo>;
    vc::vc_pull() -> PullOutcome;
    vc::vc_push() -> PushOutcome;
    vc::vc_conflicts() -> Vec<Conflict>;
    vc::vc_resolve(name: String, choice: Choice) -> VcStatus;

    // After launch: a terminal on a node, one command or a copy on many nodes. Output streams
    // back on the channels passed; questions only the user can answer (a new or changed host
    // key, a passphrase) come back typed, to be answered in a new request.
    /// Connects and opens a shell on a terminal of cols x rows; or the question to answer first.
    remote::terminal_open(request: ConnectRequest, cols: u16, rows: u16, output: ByteStream, ended: Stream<TerminalEnd>) -> TerminalOpened;
    /// Keys typed or text pasted in the terminal.
    remote::terminal_input(id: u32, data: String) -> ();
    remote::terminal_resize(id: u32, cols: u16, rows: u16) -> ();
    /// Ends the session; false when it had already ended.
    remote::terminal_close(id: u32) -> bool;
    /// The node's ssh in the user's own terminal program; returns the program's name.
    remote::open_in_terminal(node: String) -> String;
    /// Starts a command on the nodes; returns the run as it starts (progress on `events`, `done` last).
    remote::run_command(request: RunRequest, events: Stream<RunEvent>) -> RunRecord;
    /// Copies files and folders into a folder on the nodes (as poni's remote cp).
    remote::copy_files(request: CopyRequest, events: Stream<RunEvent>) -> RunRecord;
    /// False when the run is not going any more.
    remote::run_cancel(id: String) -> bool;
    /// Past runs, newest first (kept in the app's folder, not in the repository).
    remote::runs_list() -> Vec<RunSummary>;
    remote::run_get(id: String) -> RunRecord;
}

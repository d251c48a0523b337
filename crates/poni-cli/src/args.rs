//! The command-line grammar, as poni 0.8 spells it. Every option may be given more than once,
//! the last one counting, as poni's argparse allows (`list -s -s`).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "poni", version, about = "Manage a repository of nodes and provision them on Amazon EC2", args_override_self = true)]
pub struct Cli {
    /// Repository folder [default: $PONI_ROOT, else ~/.poni/default]. Before the command, as
    /// in poni 0.8 (`remote cp -d` is its own option)
    #[arg(short = 'd', long = "root-dir", value_name = "DIR")]
    pub root_dir: Option<PathBuf>,
    /// Debug output: cloud commands also log each instance's state changes with their times
    /// (as `cloud -v`)
    #[arg(short = 'D', long)]
    pub debug: bool,
    /// Color highlighting, as poni 0.8 takes it (on, off, auto); Poni Desktop's output is plain
    /// text whatever it says (see `output.rs`)
    #[arg(short = 'c', long, value_name = "WHEN", default_value = "auto", value_parser = ["on", "off", "auto"])]
    pub color: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty repository
    Init,
    /// Add a system (a folder of nodes and systems)
    AddSystem {
        /// Full name, e.g. webshop/frontend
        name: String,
    },
    /// Add one or more nodes
    AddNode(AddNodeArgs),
    /// Set properties on the nodes and systems a pattern matches
    Set {
        /// Regular expression searched in full names
        target: String,
        /// name=value or name:conv[:conv...]=value in poni 0.8's property language (int, float,
        /// str, bool, null, json, -json, eval, env, ipv4, ipv6, uuid, uuid4, hex, base64, rot13,
        /// prop, pass); dotted names nest
        #[arg(required = true, value_name = "PROPERTY")]
        properties: Vec<String>,
        /// The pattern must match the whole name
        #[arg(short = 'M', long)]
        full_match: bool,
        /// Apply only to nodes (not systems)
        #[arg(short = 'N', long = "nodes", conflicts_with = "systems_only")]
        nodes_only: bool,
        /// Apply only to systems (not nodes)
        #[arg(short = 'S', long = "systems")]
        systems_only: bool,
        /// Log each property set, as poni 0.8 does: `root    INFO    web/a: set x='1' (was None)`
        #[arg(short, long)]
        verbose: bool,
    },
    /// Remove properties from the nodes and systems a pattern matches
    Unset {
        target: String,
        /// Dotted property names
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
        #[arg(short = 'M', long)]
        full_match: bool,
        #[arg(short, long)]
        verbose: bool,
    },
    /// Delete a node, or a system with everything in it
    Remove {
        /// Exact full name
        name: String,
    },
    /// Rename or move a node or system
    Move { from: String, to: String },
    /// List the changes made to the repository, newest first (by this command line and the app)
    History {
        /// Show the properties each change set, before and after
        #[arg(short, long)]
        verbose: bool,
        /// At most this many changes
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: usize,
    },
    /// Take the newest change back (the repository only: instances keep running)
    Undo,
    /// Make the newest undone change again
    Redo,
    /// History and sharing through git: init, status, diff, checkpoint, pull, push, conflicts
    Vc {
        #[command(subcommand)]
        command: VcCommand,
    },
    /// List nodes and systems
    List(ListArgs),
    /// Launch, wait for, refresh, stop, start and terminate cloud instances; snapshots
    Cloud(CloudArgs),
    /// Store, show, list and delete AWS credentials (kept in the system keyring)
    Credentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
    /// Sign in to AWS SSO (IAM Identity Center)
    Sso {
        #[command(subcommand)]
        command: SsoCommand,
    },
    /// Run commands, shells and copies on nodes over SSH (exec, shell, cp)
    Remote {
        #[command(subcommand)]
        command: RemoteCommand,
    },
    /// Show version information
    Version,
    /// Run poni commands from a script file, one a line, with $name variables
    Script(ScriptArgs),
    /// poni 0.8's configuration and deployment commands, which Poni Desktop does not have:
    /// each says so in one line (exit status 2)
    #[command(flatten)]
    Config(ConfigCommand),
}

/// `poni script FILE [name=[type:]value...]`.
#[derive(Debug, Args)]
pub struct ScriptArgs {
    /// Script file path or "-" (a single minus sign) for standard input
    #[arg(value_name = "FILE")]
    pub script: String,
    /// Variables for $name in the script: name=value or name:conv[:conv...]=value in the
    /// property language of `set`
    #[arg(value_name = "VARIABLE")]
    pub variables: Vec<String>,
    /// Print each command before it runs (`$ set web 'owner=a b'`)
    #[arg(short, long)]
    pub verbose: bool,
}

/// Everything after such a command is taken as it is: scripts written for poni 0.8 get the
/// one-line answer, never a usage error about options we do not define.
#[derive(Debug, Args)]
pub struct Anything {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0.., value_name = "ARGS", hide = true)]
    pub args: Vec<String>,
}

/// poni 0.8's config and deployment system (templates, plugins, settings) is not rebuilt here.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// (poni 0.8) Add a config to nodes: not in Poni Desktop
    AddConfig(Anything),
    /// (poni 0.8) Update files of a config: not in Poni Desktop
    UpdateConfig(Anything),
    /// (poni 0.8) Remove a config from nodes: not in Poni Desktop
    RemoveConfig(Anything),
    /// (poni 0.8) Add a Python library from a config: not in Poni Desktop
    AddLibrary(Anything),
    /// (poni 0.8) Run a config control operation: not in Poni Desktop
    Control(Anything),
    /// (poni 0.8) Deploy node configs: not in Poni Desktop
    Deploy(Anything),
    /// (poni 0.8) Audit deployed node configs: not in Poni Desktop
    Audit(Anything),
    /// (poni 0.8) Verify node configs: not in Poni Desktop
    Verify(Anything),
    /// (poni 0.8) Render and show node config files: not in Poni Desktop
    Show(Anything),
    /// (poni 0.8) List and set config settings: not in Poni Desktop
    Settings(Anything),
    /// (poni 0.8) Import nodes and configs from packages: not in Poni Desktop
    Import(Anything),
    /// (poni 0.8) Check requirements written in Python: not in Poni Desktop
    Require(Anything),
    /// (poni 0.8) Show a timeline of timed commands: not in Poni Desktop
    Report(Anything),
}

impl ConfigCommand {
    /// The command's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            ConfigCommand::AddConfig(_) => "add-config",
            ConfigCommand::UpdateConfig(_) => "update-config",
            ConfigCommand::RemoveConfig(_) => "remove-config",
            ConfigCommand::AddLibrary(_) => "add-library",
            ConfigCommand::Control(_) => "control",
            ConfigCommand::Deploy(_) => "deploy",
            ConfigCommand::Audit(_) => "audit",
            ConfigCommand::Verify(_) => "verify",
            ConfigCommand::Show(_) => "show",
            ConfigCommand::Settings(_) => "settings",
            ConfigCommand::Import(_) => "import",
            ConfigCommand::Require(_) => "require",
            ConfigCommand::Report(_) => "report",
        }
    }

    /// The arguments it was given, as they were.
    pub fn args(&self) -> &[String] {
        match self {
            ConfigCommand::AddConfig(a)
            | ConfigCommand::UpdateConfig(a)
            | ConfigCommand::RemoveConfig(a)
            | ConfigCommand::AddLibrary(a)
            | ConfigCommand::Control(a)
            | ConfigCommand::Deploy(a)
            | ConfigCommand::Audit(a)
            | ConfigCommand::Verify(a)
            | ConfigCommand::Show(a)
            | ConfigCommand::Settings(a)
            | ConfigCommand::Import(a)
            | ConfigCommand::Require(a)
            | ConfigCommand::Report(a) => &a.args,
        }
    }

    /// Whether the command belongs to the config system (the others are poni 0.8's tools
    /// around it: import, require, report).
    pub fn is_config(&self) -> bool {
        !matches!(self, ConfigCommand::Import(_) | ConfigCommand::Require(_) | ConfigCommand::Report(_))
    }
}

/// What `poni remote` subcommands share: which nodes, and how host keys are treated.
#[derive(Debug, Args, Clone)]
pub struct RemoteTarget {
    /// Regular expression searched in node names
    pub nodes: String,
    /// The pattern must match the whole name
    #[arg(short = 'M', long = "full-match")]
    pub full_match: bool,
    /// Leave out the nodes this pattern matches
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Option<String>,
    /// Refuse host keys never seen (default: save them on first use, as OpenSSH's accept-new,
    /// unless the instance's console output contradicts them); a changed key is always refused
    #[arg(long)]
    pub strict_host_keys: bool,
    /// Print each node's progress
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum RemoteCommand {
    /// Run a shell command on every matching node, in parallel
    Exec {
        #[command(flatten)]
        target: RemoteTarget,
        /// The command, run by the remote user's shell
        cmd: String,
        /// Do not show the commands' output
        #[arg(short, long)]
        quiet: bool,
        /// Write each node's output to DIR/<node>.log instead
        #[arg(short = 'o', long = "output-dir", value_name = "DIR")]
        output_dir: Option<PathBuf>,
        /// Nodes at once
        #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 20)]
        jobs: usize,
        /// Seconds a node's command may run (default: no limit)
        #[arg(long, value_name = "S")]
        timeout: Option<u64>,
    },
    /// Start an interactive shell on each matching node, one after another
    Shell {
        #[command(flatten)]
        target: RemoteTarget,
    },
    /// Copy files (and with -r folders) into a folder on every matching node
    #[command(override_usage = "poni remote cp [OPTIONS] SOURCE... NODES DEST_DIR")]
    Cp {
        /// SOURCE... NODES DEST_DIR
        #[arg(required = true, num_args = 3.., value_name = "ARGS")]
        args: Vec<String>,
        /// Copy folders (their contents) recursively
        #[arg(short, long)]
        recursive: bool,
        /// Create missing remote folders
        #[arg(short = 'd', long = "create-dest-dir")]
        create_dest_dir: bool,
        #[arg(short = 'M', long = "full-match")]
        full_match: bool,
        /// Leave out the nodes this pattern matches
        #[arg(long, value_name = "PATTERN")]
        exclude: Option<String>,
        #[arg(short, long)]
        verbose: bool,
        #[arg(long)]
        strict_host_keys: bool,
        /// Nodes at once
        #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 20)]
        jobs: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Sign in with the browser (device code); the token goes to ~/.aws/sso/cache like `aws sso login`
    Login {
        /// The SSO profile; default: $AWS_PROFILE, else `default`
        #[arg(long)]
        profile: Option<String>,
        /// Do not try to open a browser; only print the address and code
        #[arg(long)]
        no_browser: bool,
    },
}

/// Where an account lookup looks, and how it prints.
#[derive(Debug, Args)]
pub struct AccountQuery {
    /// The AWS region, e.g. us-east-1
    #[arg(long)]
    pub region: String,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeyPairCommand {
    /// Make a key pair; its private key is saved to ~/.ssh/NAME.pem (mode 0600, never over a file)
    Create {
        name: String,
        #[arg(long)]
        region: String,
    },
}

#[derive(Debug, Args)]
pub struct CloudArgs {
    #[command(subcommand)]
    pub command: CloudCommand,
    /// Also log each instance's state changes, with their times
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The nodes a cloud command works on.
#[derive(Debug, Args)]
pub struct CloudTarget {
    /// Regular expression searched in full node names
    pub target: String,
    /// The pattern must match the whole name
    #[arg(short = 'M', long)]
    pub full_match: bool,
    /// Leave out the nodes this pattern matches (searched anywhere in the name)
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Launch an instance for each node (nodes with cloud.instance are skipped)
    Init {
        #[command(flatten)]
        target: CloudTarget,
        /// Wait until the instances run and save their addresses
        #[arg(long)]
        wait: bool,
        /// Launch a new instance even for nodes that have one
        #[arg(long)]
        reinit: bool,
        /// Print the plan (what each node would get, in which batches) and change nothing
        #[arg(long)]
        dry_run: bool,
        /// Instances per RunInstances call (nodes with the same launch settings go out together;
        /// 1 launches node by node)
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=1000))]
        batch_size: u16,
    },
    /// Refresh host, private.ip and private.dns from the instances
    Update {
        #[command(flatten)]
        target: CloudTarget,
    },
    /// Wait until the instances reach a state, then save their addresses
    Wait {
        #[command(flatten)]
        target: CloudTarget,
        /// pending, running, stopping, stopped, shutting-down or terminated
        #[arg(long, default_value = "running", value_parser = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"])]
        state: String,
    },
    /// Terminate the instances (cloud.instance is kept)
    Terminate {
        #[command(flatten)]
        target: CloudTarget,
        /// Print the plan (which instances, which are left alone and why) and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Stop the instances (poni 0.8's name; `stop` is the same)
    #[command(name = "power-off", visible_alias = "stop")]
    Stop {
        #[command(flatten)]
        target: CloudTarget,
        /// Print the plan (which instances, which are left alone and why) and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Start stopped instances (poni 0.8's name; `start` is the same)
    #[command(name = "power-on", visible_alias = "start")]
    Start {
        #[command(flatten)]
        target: CloudTarget,
        /// Print the plan (which instances, which are left alone and why) and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Associate each node's Elastic IP (cloud.eip) with its running instance, then save the
    /// addresses; nodes without cloud.eip are left alone
    Ip {
        #[command(flatten)]
        target: CloudTarget,
    },
    /// Snapshot every EBS volume of each node's instance under NAME (poni 0.8: the root volume);
    /// once all complete, the node's older snapshots of that name are deleted
    CreateSnapshot {
        #[command(flatten)]
        target: CloudTarget,
        /// The snapshot's name (tagged poni:snapshot, and Name as poni 0.8 does)
        name: String,
        /// Text stored with each snapshot [default: "NAME: NODE DEVICE"]
        #[arg(long)]
        description: Option<String>,
        /// Accepted as poni 0.8 does; EC2 snapshots no memory, so it changes nothing
        #[arg(long)]
        memory: bool,
        /// Print the plan (which instances, which are left alone and why) and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Stop each node's instance, swap its volumes for new ones made from the snapshot NAME,
    /// start it; the old volumes are deleted once it runs (put back when a step fails)
    RevertToSnapshot {
        #[command(flatten)]
        target: CloudTarget,
        name: String,
        /// Print the plan (which instances, which are left alone and why) and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete each node's snapshots named NAME
    RemoveSnapshot {
        #[command(flatten)]
        target: CloudTarget,
        name: String,
        /// Print the plan (which instances, which are left alone and why) and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// List each node's snapshots (name, device, snapshot, state, start time)
    Snapshots {
        #[command(flatten)]
        target: CloudTarget,
        /// Only the snapshots with this name
        #[arg(long)]
        name: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Lift termination protection (cloud.disable_api_termination, or set in EC2): turned off
    /// on each node's instance, and the node's property set to false, so terminate can follow
    Unprotect {
        #[command(flatten)]
        target: CloudTarget,
    },
    /// Where nodes and their instances disagree (type, image, key pair, groups, subnet, Name
    /// tag, addresses): one line each; exit status 1 when there is any
    Diff {
        #[command(flatten)]
        target: CloudTarget,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
        /// Take the instances' values into the nodes (launch properties) and refresh their
        /// addresses, then say what changed
        #[arg(long)]
        take: bool,
    },
    /// Every instance's state, status checks, scheduled events, CPU load and price, what
    /// needs doing, and the monthly totals; exit status 1 when an instance is impaired
    Status {
        /// Only the instances of the nodes this regular expression matches (searched in full
        /// names); none: every instance of the account, untracked ones too
        pattern: Option<String>,
        /// The pattern must match the whole name
        #[arg(short = 'M', long)]
        full_match: bool,
        /// Every region the account has enabled [default: the regions the nodes use]
        #[arg(long, conflicts_with = "region")]
        all_regions: bool,
        /// A region to look in (repeat for more)
        #[arg(long)]
        region: Vec<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Every instance of the account in a region: tracked by this repository, another
    /// repository's, or untracked
    Instances(AccountQuery),
    /// Adopt the region's untracked instances as nodes (named from their Name tag)
    Import {
        #[arg(long)]
        region: String,
        /// The system to put them in (made if missing)
        #[arg(long)]
        into: Option<String>,
        /// Only instances with this tag, e.g. tag:team=web
        #[arg(long)]
        filter: Option<String>,
        /// Show the nodes that would be made; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Also tag the instances as this repository's (poni:repo, poni:node)
        #[arg(long)]
        tag: bool,
    },
    /// The regions the account has enabled
    Regions {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Quick-start images (Amazon Linux, Ubuntu, Debian) and the account's own
    Images(AccountQuery),
    /// The region's instance types with vCPUs and memory
    InstanceTypes {
        #[command(flatten)]
        query: AccountQuery,
        /// Only types for this architecture (x86_64 or arm64)
        #[arg(long)]
        architecture: Option<String>,
    },
    /// The region's key pairs, and whether ~/.ssh/NAME.pem exists
    KeyPairs(AccountQuery),
    /// Make a key pair
    KeyPair {
        #[command(subcommand)]
        command: KeyPairCommand,
    },
    /// The region's security groups with their inbound rules
    SecurityGroups(AccountQuery),
    /// The region's subnets
    Subnets(AccountQuery),
    /// Let SSH (port 22) in from CIDR: into the group NAME, made in the default VPC if missing
    SshAccess {
        name: String,
        #[arg(long)]
        region: String,
        /// e.g. 198.51.100.7/32 (your address) or 203.0.113.0/24
        #[arg(long)]
        cidr: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Store a credential set in the system keyring (replacing one of the same name)
    Set {
        /// Set name; 'default' is the one used when nothing else is configured
        #[arg(default_value = "default")]
        name: String,
        #[arg(long, value_name = "ID")]
        access_key_id: String,
        /// Read the secret access key (and, with --session-token, the token on the next line)
        /// from standard input instead of asking on the terminal
        #[arg(long)]
        secret_stdin: bool,
        /// Also store a session token (temporary credentials)
        #[arg(long)]
        session_token: bool,
    },
    /// Show which credentials are in effect (the source and access key id, never the secret)
    Show,
    /// List the stored credential sets
    List,
    /// Delete a stored credential set
    Delete { name: String },
}

#[derive(Debug, Args)]
pub struct AddNodeArgs {
    /// Name, may contain {id} (or a padded {id:02})
    pub name: String,
    /// How many: N (ids 1..N) or N..M
    #[arg(short = 'n', long = "count", default_value = "1", value_name = "N|N..M")]
    pub count: String,
    /// Host name, may contain {id}
    #[arg(short = 'H', long = "host")]
    pub host: Option<String>,
    /// Inherit from the one node this pattern matches: it becomes the new nodes' `parent`
    #[arg(short = 'i', long = "inherit-node", visible_alias = "inherit", value_name = "NODE")]
    pub inherit: Option<String>,
    /// Copy the parent node's properties
    #[arg(short = 'c', long = "copy-props")]
    pub copy: bool,
    /// The inherit pattern must match the whole name
    #[arg(short = 'M', long)]
    pub full_match: bool,
    /// Log each node added, as poni 0.8 does: `poni    INFO    node added: web/b1 <= web/a`
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args, Default)]
pub struct ListArgs {
    /// Regular expression searched in full names
    pub pattern: Option<String>,
    /// Leave out what this pattern matches (searched anywhere in the name)
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Option<String>,
    /// Show systems
    #[arg(short = 's', long = "systems")]
    pub systems: bool,
    /// Show nodes (the default when neither -s nor -n is given; -p, -o and -q show them too)
    #[arg(short = 'n', long = "nodes")]
    pub nodes: bool,
    /// Show properties
    #[arg(short = 'p', long = "node-prop")]
    pub props: bool,
    /// Show cloud properties
    #[arg(short = 'o', long = "cloud")]
    pub cloud: bool,
    /// Query each cloud instance's live status
    #[arg(short = 'q', long = "query-status")]
    pub query: bool,
    /// Show as an indented tree (with the systems the nodes are in)
    #[arg(short = 't', long = "tree")]
    pub tree: bool,
    /// One line per property
    #[arg(short = 'l', long = "line-per-prop")]
    pub line_per_prop: bool,
    /// The pattern must match the whole name
    #[arg(short = 'M', long)]
    pub full_match: bool,
}

#[derive(Debug, Subcommand)]
pub enum VcCommand {
    /// Start the history: git init in the repository folder and a first commit of everything
    Init,
    /// The branch, the commit mode, changes not committed yet, the remote and unresolved conflicts
    Status,
    /// What changed since the last commit, as a unified diff
    Diff {
        /// Only this node or system (and, for a system, what is inside it)
        name: Option<String>,
    },
    /// Commit every change (the message defaults to a summary of what changed)
    Checkpoint {
        /// The commit message
        message: Option<String>,
    },
    /// When changes are committed: after each change (each) or only at checkpoints (checkpoint)
    Mode {
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(["each", "checkpoint"]))]
        mode: String,
    },
    /// Set the remote (origin) to pull from and push to: an ssh or https address, or a folder
    Remote { url: String },
    /// Bring in the remote's changes; a node both sides changed becomes a conflict to resolve
    Pull,
    /// Send the commits to the remote
    Push,
    /// Settle a conflict from the last pull by keeping one side
    Resolve {
        /// The conflicted node or system
        name: String,
        /// Keep this repository's version
        #[arg(long, conflicts_with = "theirs", required_unless_present = "theirs")]
        mine: bool,
        /// Take the remote's version
        #[arg(long)]
        theirs: bool,
    },
    /// List the conflicts the last pull left, property by property
    Conflicts,
}

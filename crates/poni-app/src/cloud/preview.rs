//! What a cloud action will do, shown from the core's plan ([`poni_cloud::plan`], the one the
//! engine carries out): the launch preview (which nodes, in which batches, region, image,
//! type, key pair; which are skipped and why; every property problem), the nodes and
//! instances a terminate, stop, start or re-init touches, the ssh command for a node, and the
//! reference lists the editor offers. No rule of what an action does lives here.

use std::path::Path;

use poni_cloud::account::key_file;
use poni_cloud::aws::InstanceState;
use poni_cloud::engine::{Operation, PropertyProblem};
use poni_cloud::plan::{self, Batch, CloudFacts, Plan, PlanOptions, PlannedNode, SkipReason, Step};
use poni_cloud::spec::{InstanceSettings, AWS_REGIONS, DEFAULT_INSTANCE_TYPE};
use poni_cloud::Coded;
use poni_repo::Tree;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::fleet::Fleet;
use super::scope::Scope;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PreviewAction {
    /// An instance will be launched.
    Launch,
    /// The instance an interrupted launch left is recorded instead of launching another.
    Adopt,
    /// Left alone (it already has an instance and re-init was not asked for).
    Skip,
    /// Its properties do not allow a launch: nothing at all is launched while any node is invalid.
    Invalid,
}

/// One node of a launch preview: the plan's node, flattened for the dialog. For invalid nodes
/// the values are what the properties say, so the user sees what is there next to what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PreviewNode {
    pub node: String,
    pub action: PreviewAction,
    /// The batch (RunInstances call) it launches in: an index into `batches`.
    pub batch: Option<u32>,
    pub region: Option<String>,
    pub image: Option<String>,
    /// The first of `instanceTypes` (`t3.micro` when `cloud.type` is not set).
    pub instance_type: Option<String>,
    /// Tried in order when EC2 has no capacity for one.
    pub instance_types: Vec<String>,
    pub key_pair: Option<String>,
    /// Login name (`user`).
    pub user: Option<String>,
    /// The EC2 `Name` tag.
    pub vm_name: Option<String>,
    /// `cloud.eip`, associated once the instance runs.
    pub elastic_ip: Option<String>,
    /// The instance the node has now: skipped, or replaced by a re-init.
    pub instance_id: Option<String>,
    pub skip: Option<SkipReason>,
    /// Why the node is skipped, in words.
    pub skip_reason: Option<String>,
    /// Every property problem, each naming its property (e.g. `cloud.image`).
    pub problems: Vec<PropertyProblem>,
    /// `~/.ssh/<key-pair>.pem` and whether it exists (needed to log in, not to launch).
    pub key_file: Option<String>,
    pub key_file_exists: bool,
    /// Billing (spot and its price limit), IAM instance profile, termination protection,
    /// monitoring, private address, tenancy, placement group, kernel and ramdisk.
    pub settings: InstanceSettings,
    /// `cloud.check_health`: whether waiting also waits for EC2's status checks.
    pub check_health: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RegionCount {
    pub region: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LaunchPreview {
    pub nodes: Vec<PreviewNode>,
    pub launch_count: u32,
    pub skip_count: u32,
    pub invalid_count: u32,
    /// The RunInstances calls: nodes with the same launch parameters go out together.
    pub batches: Vec<Batch>,
    /// Launches per region.
    pub regions: Vec<RegionCount>,
    /// True when at least one node will launch and none has problems.
    pub can_launch: bool,
    /// Things worth knowing that do not stop the launch (e.g. a missing key file).
    pub warnings: Vec<String>,
    pub reinit: bool,
}

impl LaunchPreview {
    /// The error a launch of an invalid selection gives: which nodes, which properties (the
    /// plan's refusal, the same the engine gives).
    pub fn refusal(plan: &Plan) -> Option<AppError> {
        plan.refusal().map(|r| r.payload())
    }
}

/// The plan for launching `scope`, from the tree alone.
pub fn launch_plan(tree: &Tree, scope: &Scope, options: &PlanOptions) -> AppResult<Plan> {
    plan::plan(tree, &scope.selection(), Operation::Init, options, &CloudFacts::default()).map_err(|e| e.payload())
}

pub fn preview(plan: &Plan) -> LaunchPreview {
    let nodes: Vec<PreviewNode> = plan.nodes.iter().map(preview_node).collect();
    let c = plan.counts;
    LaunchPreview {
        can_launch: c.invalid == 0 && c.launch + c.adopt > 0,
        nodes,
        launch_count: c.launch + c.adopt,
        skip_count: c.skip,
        invalid_count: c.invalid,
        batches: plan.batches.clone(),
        regions: plan.launches_by_region().into_iter().map(|(region, count)| RegionCount { region, count }).collect(),
        warnings: plan.warnings.iter().map(|w| w.message.clone()).collect(),
        reinit: plan.reinit,
    }
}

fn preview_node(n: &PlannedNode) -> PreviewNode {
    let values = n.launch.clone().unwrap_or_default();
    let (action, batch, problems) = match &n.step {
        Step::Launch { batch } => (PreviewAction::Launch, Some(*batch), Vec::new()),
        Step::Adopt { .. } => (PreviewAction::Adopt, None, Vec::new()),
        Step::Invalid { problems } => (PreviewAction::Invalid, None, problems.clone()),
        Step::Skip { .. } | Step::Act | Step::Refuse { .. } => (PreviewAction::Skip, None, Vec::new()),
    };
    let skip = n.skip_reason();
    PreviewNode {
        node: n.node.clone(),
        action,
        batch,
        region: n.region.clone(),
        image: values.image,
        instance_type: values.instance_types.first().cloned(),
        instance_types: values.instance_types,
        key_pair: values.key_pair,
        user: values.user,
        vm_name: values.vm_name,
        elastic_ip: values.elastic_ip,
        instance_id: n.instance_id.clone(),
        skip,
        skip_reason: skip.map(|r| r.message(n.instance_id.as_deref(), n.region.as_deref())),
        problems,
        key_file_exists: values.key_file.as_ref().is_some_and(|f| f.exists),
        key_file: values.key_file.map(|f| f.path),
        settings: values.settings,
        check_health: values.check_health,
    }
}

/// Actions that need a confirmation listing what they touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConfirmAction {
    Terminate,
    Stop,
    Start,
    /// Launch a new instance for nodes that have one (the old instance keeps running).
    Reinit,
    /// Snapshot every EBS volume of the instances.
    CreateSnapshot,
    /// Stop the instances, swap their volumes for ones made from a snapshot, start them.
    RevertToSnapshot,
    /// Delete the instances' snapshots of a name.
    RemoveSnapshot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AffectedInstance {
    pub node: String,
    pub instance_id: String,
    pub region: Option<String>,
    /// The state last seen, null when never asked.
    pub state: Option<InstanceState>,
    pub host: Option<String>,
}

/// Exactly which nodes and instances an action touches, for its confirmation dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Affected {
    pub action: ConfirmAction,
    pub instances: Vec<AffectedInstance>,
    /// Nodes in scope with no instance: the action leaves them alone (re-init: launches them).
    pub without_instance: Vec<String>,
    /// E.g. "Terminate 4 instances of system drumbo? This cannot be undone."
    pub summary: String,
}

/// What the fleet last saw, as the planner reads it.
pub fn facts_of(fleet: &Fleet) -> CloudFacts {
    let states = fleet.nodes().filter_map(|l| Some((l.instance_id.clone()?, l.state?))).filter(|(_, state)| !matches!(state, InstanceState::Unknown)).collect();
    CloudFacts { states, ..CloudFacts::default() }
}

pub fn affected(tree: &Tree, fleet: &Fleet, scope: &Scope, action: ConfirmAction, options: &PlanOptions) -> AppResult<Affected> {
    let operation = match action {
        ConfirmAction::Terminate => Operation::Terminate,
        ConfirmAction::Stop => Operation::Stop,
        ConfirmAction::Start => Operation::Start,
        ConfirmAction::Reinit => Operation::Init,
        ConfirmAction::CreateSnapshot => Operation::CreateSnapshot,
        ConfirmAction::RevertToSnapshot => Operation::RevertToSnapshot,
        ConfirmAction::RemoveSnapshot => Operation::RemoveSnapshot,
    };
    let options = PlanOptions { reinit: action == ConfirmAction::Reinit, ..options.clone() };
    let plan = plan::plan(tree, &scope.selection(), operation, &options, &facts_of(fleet)).map_err(|e| e.payload())?;
    let mut instances = Vec::new();
    let mut without_instance = Vec::new();
    for node in &plan.nodes {
        match &node.instance_id {
            None => without_instance.push(node.node.clone()),
            Some(instance_id) => instances.push(AffectedInstance {
                node: node.node.clone(),
                instance_id: instance_id.clone(),
                region: node.region.clone(),
                state: Some(node.state.unwrap_or(InstanceState::Unknown)),
                host: node.host.clone(),
            }),
        }
    }
    let n = instances.len();
    let plural = if n == 1 { "instance" } else { "instances" };
    let label = scope.label();
    let summary = match action {
        ConfirmAction::Terminate => format!("Terminate {n} {plural} of {label}? This cannot be undone."),
        ConfirmAction::Stop => format!("Stop {n} {plural} of {label}?"),
        ConfirmAction::Start => format!("Start {n} {plural} of {label}?"),
        ConfirmAction::Reinit => format!(
            "Launch new instances for {n} nodes of {label} that already have one? Their current {plural} keep running: terminate them first if they are no longer needed."
        ),
        ConfirmAction::CreateSnapshot => format!(
            "Snapshot every EBS volume of {n} {plural} of {label}? Once the new snapshots complete, older snapshots of the same name are deleted."
        ),
        ConfirmAction::RevertToSnapshot => format!(
            "Revert {n} {plural} of {label} to the snapshot? This stops the instance, swaps its volumes for new ones made from the snapshot, and starts it; the old volumes are deleted once it runs."
        ),
        ConfirmAction::RemoveSnapshot => format!("Delete the snapshots of that name of {n} {plural} of {label}? This cannot be undone."),
    };
    Ok(Affected { action, instances, without_instance, summary })
}

/// The ssh command for a node, as the connect helper shows and copies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ConnectCommand {
    /// `ssh -i ~/.ssh/<key-pair>.pem <user>@<host>`
    pub command: String,
    pub user: String,
    pub host: String,
    pub key_pair: Option<String>,
    /// The key file's full path, and whether it is there.
    pub key_file: Option<String>,
    pub key_file_exists: bool,
}

/// `ssh_dir` is where key files are looked for (`~/.ssh`). Who and where come from
/// poni-remote's one rule, which the terminal and the command line use too.
pub fn connect_command(tree: &Tree, node: &str, ssh_dir: Option<&Path>) -> AppResult<ConnectCommand> {
    let item = Scope::Node { name: node.to_owned() }.nodes(tree)?[0];
    let effective = tree.effective(&item.name).unwrap_or_default();
    let home_ssh = poni_remote::TargetEnv::from_process().map(|e| e.ssh_dir);
    let env = poni_remote::TargetEnv { ssh_dir: ssh_dir.map(Path::to_path_buf).or(home_ssh).unwrap_or_else(|| "~/.ssh".into()), default_port: None };
    let target =
        poni_remote::ssh_target(&item.name, &effective, &env, poni_remote::AddressChoice::Public).map_err(|e| crate::remote::connect::remote_error(&e))?;
    let key_pair = match &target.key {
        poni_remote::KeySource::KeyPair { name, .. } => Some(name.clone()),
        _ => None,
    };
    let key_file = ssh_dir.and(target.key.path()).map(Path::to_path_buf);
    Ok(ConnectCommand {
        command: poni_remote::ssh_command(&target, &env),
        user: target.user,
        host: target.host,
        key_pair,
        key_file_exists: key_file.as_ref().is_some_and(|f| f.exists()),
        key_file: key_file.map(|f| f.display().to_string()),
    })
}

/// Common instance types, for the editor's select (any other type may still be typed).
pub const COMMON_INSTANCE_TYPES: &[&str] = &[
    "t3.nano",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t3.large",
    "t3.xlarge",
    "t4g.micro",
    "t4g.small",
    "t4g.medium",
    "t2.micro",
    "t2.small",
    "m5.large",
    "m5.xlarge",
    "m6i.large",
    "m6i.xlarge",
    "m7i.large",
    "c5.large",
    "c5.xlarge",
    "c6i.large",
    "c7i.large",
    "r5.large",
    "r6i.large",
];

/// What the editor's selects offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CloudReference {
    /// Every region poni accepts, with the console's name.
    pub regions: Vec<poni_cloud::account::RegionInfo>,
    pub instance_types: Vec<String>,
    /// Used when `cloud.type` is not set.
    pub default_instance_type: String,
    /// The only `cloud.provider`.
    pub providers: Vec<String>,
    /// Where a key pair's private key is looked for, with `{name}` for the key pair's name
    /// (`/home/me/.ssh/{name}.pem`); null without a home folder.
    pub key_file_template: Option<String>,
}

pub fn reference() -> CloudReference {
    CloudReference {
        regions: AWS_REGIONS.iter().map(|r| poni_cloud::account::RegionInfo::new(r)).collect(),
        instance_types: COMMON_INSTANCE_TYPES.iter().map(|t| t.to_string()).collect(),
        default_instance_type: DEFAULT_INSTANCE_TYPE.to_owned(),
        providers: vec![poni_cloud::spec::PROVIDER_AWS_EC2.to_owned()],
        key_file_template: poni_cloud::account::ssh_dir().map(|dir| key_file(&dir, "{name}").path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_repo::ErrorCode;
    use poni_repo::{AddNodes, Repo};
    use serde_json::json;
    use serde_json::Value;

    fn set(repo: &Repo, name: &str, key: &str, value: Value) {
        repo.update(name, |props| Ok(poni_repo::props::set_path(props, key, value)?.into_iter().collect())).unwrap();
    }

    /// The seed document's drumbo nodes: drumbo1 with every property, 2..4 cloned with -c.
    fn drumbo(dir: &Path) -> Repo {
        let repo = Repo::init(dir.join("r")).unwrap();
        repo.add_nodes(&AddNodes::new("drumbo1")).unwrap();
        for (k, v) in
            [("cloud.provider", "aws-ec2"), ("cloud.region", "us-east-1"), ("cloud.image", "ami-daf615b3"), ("cloud.key-pair", "my-keypair"), ("user", "root")]
        {
            set(&repo, "drumbo1", k, json!(v));
        }
        let mut clones = AddNodes::new("drumbo{id}");
        clones.ids = 2..=4;
        clones.inherit = Some(poni_repo::Target::new("drumbo1", true).unwrap());
        clones.copy = true;
        repo.add_nodes(&clones).unwrap();
        repo
    }

    fn preview_of(tree: &Tree, scope: &Scope, reinit: bool, ssh_dir: Option<&Path>) -> AppResult<LaunchPreview> {
        let options = PlanOptions { reinit, ssh_dir: ssh_dir.map(Path::to_path_buf), ..PlanOptions::default() };
        Ok(preview(&launch_plan(tree, scope, &options)?))
    }

    #[test]
    fn the_seed_walkthrough_previews_four_launches() {
        let dir = tempfile::tempdir().unwrap();
        let repo = drumbo(dir.path());
        std::fs::create_dir_all(dir.path().join("ssh")).unwrap();
        let p = preview_of(&repo.tree().unwrap(), &Scope::All, false, Some(&dir.path().join("ssh"))).unwrap();
        assert_eq!((p.launch_count, p.skip_count, p.invalid_count, p.can_launch), (4, 0, 0, true));
        let first = &p.nodes[0];
        assert_eq!(first.node, "drumbo1");
        assert_eq!(first.region.as_deref(), Some("us-east-1"));
        assert_eq!(first.image.as_deref(), Some("ami-daf615b3"));
        assert_eq!(first.instance_type.as_deref(), Some("t3.micro"));
        assert_eq!(first.key_pair.as_deref(), Some("my-keypair"));
        assert_eq!(first.user.as_deref(), Some("root"));
        assert_eq!(p.regions, [RegionCount { region: "us-east-1".into(), count: 4 }]);
        assert_eq!((p.batches.len(), first.batch), (1, Some(0)), "one RunInstances call for the four");
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("my-keypair.pem does not exist") && p.warnings[0].contains("drumbo1, drumbo2, drumbo3 and 1 more"), "{:?}", p.warnings);
    }

    #[test]
    fn the_preview_shows_poni_settings_and_warns_of_unknown_properties() {
        let dir = tempfile::tempdir().unwrap();
        let repo = drumbo(dir.path());
        set(&repo, "drumbo1", "cloud.billing", json!("spot"));
        set(&repo, "drumbo1", "cloud.spot", json!({"max_price": "0.05"}));
        set(&repo, "drumbo1", "cloud.check_health", json!(false));
        set(&repo, "drumbo2", "cloud.disable_api_termination", json!(true));
        set(&repo, "drumbo3", "cloud.tenacy", json!("dedicated"));
        let p = preview_of(&repo.tree().unwrap(), &Scope::All, false, None).unwrap();
        assert!(p.can_launch);
        assert_eq!(p.nodes[0].settings.billing, poni_cloud::spec::Billing::Spot { max_price: "0.05".into() });
        assert!(!p.nodes[0].check_health && p.nodes[1].check_health);
        assert!(p.nodes[1].settings.disable_api_termination);
        assert_eq!(p.batches.len(), 3, "spot, protected and plain nodes launch apart");
        assert_eq!(p.warnings, ["drumbo3: cloud.tenacy is not a property Poni knows, so it is ignored (did you mean cloud.tenancy?)"]);
        let json = serde_json::to_value(&p.nodes[0]).unwrap();
        assert_eq!(json["settings"]["billing"], json!({"kind": "spot", "maxPrice": "0.05"}));
        assert_eq!(json["checkHealth"], json!(false));
    }

    #[test]
    fn skipped_and_invalid_nodes_say_why_and_block_the_launch() {
        let dir = tempfile::tempdir().unwrap();
        let repo = drumbo(dir.path());
        set(&repo, "drumbo2", "cloud.instance", json!("i-0abc"));
        repo.update("drumbo3", |p| Ok(poni_repo::props::unset_path(p, "cloud.image")?.into_iter().collect())).unwrap();
        set(&repo, "drumbo4", "cloud.region", json!("mars-1"));
        let tree = repo.tree().unwrap();
        let p = preview_of(&tree, &Scope::All, false, None).unwrap();
        assert_eq!((p.launch_count, p.skip_count, p.invalid_count, p.can_launch), (1, 1, 2, false));
        assert_eq!(p.nodes[1].action, PreviewAction::Skip);
        assert_eq!(p.nodes[1].instance_id.as_deref(), Some("i-0abc"));
        assert!(p.nodes[1].skip_reason.as_deref().unwrap().contains("already has instance 'i-0abc'"));
        let d3 = &p.nodes[2];
        assert_eq!(d3.action, PreviewAction::Invalid);
        assert_eq!(
            d3.problems,
            [PropertyProblem {
                property: "cloud.image".into(),
                code: ErrorCode::NodeMissingProperty,
                message: "cloud.image is not set (the AMI id to launch, ami-…)".into()
            }]
        );
        assert_eq!(d3.region.as_deref(), Some("us-east-1"), "what is there is still shown");
        assert_eq!(p.nodes[3].problems[0].property, "cloud.region");
        assert_eq!(p.nodes[3].problems[0].code, "node.invalid_property");
        let no_ssh = PlanOptions { ssh_dir: None, ..PlanOptions::default() };
        let refusal = LaunchPreview::refusal(&launch_plan(&tree, &Scope::All, &no_ssh).unwrap()).unwrap();
        assert_eq!(refusal.code, "node.invalid_properties");
        assert!(
            refusal.message.starts_with("2 of 3 nodes cannot be launched, so nothing was launched: drumbo3 (cloud.image); drumbo4 (cloud.region)."),
            "{}",
            refusal.message
        );

        // Re-init previews a launch that replaces the instance.
        let p = preview_of(&tree, &Scope::Node { name: "drumbo2".into() }, true, None).unwrap();
        assert_eq!((p.nodes[0].action, p.nodes[0].instance_id.as_deref()), (PreviewAction::Launch, Some("i-0abc")));
        let reinit = PlanOptions { reinit: true, ..no_ssh };
        assert!(LaunchPreview::refusal(&launch_plan(&tree, &Scope::Node { name: "drumbo2".into() }, &reinit).unwrap()).is_none());
    }

    #[test]
    fn system_properties_are_inherited() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        repo.add_system("web").unwrap();
        for (k, v) in
            [("cloud.provider", "aws-ec2"), ("cloud.region", "eu-west-1"), ("cloud.image", "ami-12c6146b"), ("cloud.key-pair", "kp"), ("user", "admin")]
        {
            set(&repo, "web", k, json!(v));
        }
        repo.add_nodes(&AddNodes::new("web/http1")).unwrap();
        set(&repo, "web/http1", "cloud.type", json!(["m5.large", "m6i.large"]));
        let p = preview_of(&repo.tree().unwrap(), &Scope::System { name: "web".into() }, false, None).unwrap();
        assert!(p.can_launch);
        assert_eq!(p.nodes[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(p.nodes[0].instance_types, ["m5.large", "m6i.large"]);
    }

    #[test]
    fn affected_lists_exact_instances() {
        let dir = tempfile::tempdir().unwrap();
        let repo = drumbo(dir.path());
        set(&repo, "drumbo1", "cloud.instance", json!("i-1"));
        set(&repo, "drumbo1", "host", json!("ec2-1.compute-1.amazonaws.com"));
        set(&repo, "drumbo3", "cloud.instance", json!("i-3"));
        let tree = repo.tree().unwrap();
        let fleet = Fleet::from_tree(&tree);
        let a = affected(&tree, &fleet, &Scope::All, ConfirmAction::Terminate, &PlanOptions::default()).unwrap();
        assert_eq!(a.instances.iter().map(|i| (i.node.as_str(), i.instance_id.as_str())).collect::<Vec<_>>(), [("drumbo1", "i-1"), ("drumbo3", "i-3")]);
        assert_eq!(a.instances[0].region.as_deref(), Some("us-east-1"));
        assert_eq!(a.instances[0].host.as_deref(), Some("ec2-1.compute-1.amazonaws.com"));
        assert_eq!(a.instances[0].state, Some(InstanceState::Unknown));
        assert_eq!(a.without_instance, ["drumbo2", "drumbo4"]);
        assert_eq!(a.summary, "Terminate 2 instances of all nodes? This cannot be undone.");
        let revert = affected(&tree, &fleet, &Scope::Node { name: "drumbo1".into() }, ConfirmAction::RevertToSnapshot, &PlanOptions::default()).unwrap();
        assert_eq!(revert.instances.iter().map(|i| i.instance_id.as_str()).collect::<Vec<_>>(), ["i-1"]);
        assert!(revert.summary.contains("stops the instance, swaps its volumes") && revert.summary.contains("starts it"), "{}", revert.summary);
        let remove = affected(&tree, &fleet, &Scope::All, ConfirmAction::RemoveSnapshot, &PlanOptions::default()).unwrap();
        assert_eq!((remove.instances.len(), remove.without_instance.len()), (2, 2));
    }

    #[test]
    fn connect_command_uses_key_pair_user_and_host() {
        let dir = tempfile::tempdir().unwrap();
        let repo = drumbo(dir.path());
        let tree = repo.tree().unwrap();
        assert_eq!(connect_command(&tree, "drumbo1", None).unwrap_err().code, "node.no_address");
        set(&repo, "drumbo1", "host", json!("ec2-50-16-65-176.compute-1.amazonaws.com"));
        let c = connect_command(&repo.tree().unwrap(), "drumbo1", Some(dir.path())).unwrap();
        assert_eq!(c.command, "ssh -i ~/.ssh/my-keypair.pem root@ec2-50-16-65-176.compute-1.amazonaws.com");
        assert!(!c.key_file_exists);
        repo.update("drumbo1", |p| Ok(poni_repo::props::unset_path(p, "user")?.into_iter().collect())).unwrap();
        assert_eq!(connect_command(&repo.tree().unwrap(), "drumbo1", None).unwrap_err().code, "node.missing_property");
    }

    #[test]
    fn connect_command_quotes_names_from_the_repository() {
        let env = poni_remote::TargetEnv { ssh_dir: "/home/me/.ssh".into(), default_port: None };
        let command = |props: serde_json::Value| {
            let props = props.as_object().unwrap().clone();
            poni_remote::ssh_command(&poni_remote::ssh_target("n", &props, &env, poni_remote::AddressChoice::Public).unwrap(), &env)
        };
        assert_eq!(command(json!({"user": "root", "host": "h.example"})), "ssh root@h.example");
        let hostile = command(json!({"user": "root", "host": "h;touch /tmp/pwn", "cloud": {"key-pair": "x';touch /tmp/pwn;'"}}));
        assert_eq!(shell_words(&hostile), ["ssh", "-i", "~/.ssh/x';touch /tmp/pwn;'.pem", "root@h;touch /tmp/pwn"], "{hostile}");
        assert!(hostile.starts_with("ssh -i ~/"), "the shell expands ~: {hostile}");
        let dash = command(json!({"user": "-oProxyCommand=touch /tmp/pwn", "host": "h"}));
        assert_eq!(shell_words(&dash), ["ssh", "--", "-oProxyCommand=touch /tmp/pwn@h"], "{dash}");
    }

    /// The words a POSIX shell splits a command into (quotes removed, `~` left as typed).
    fn shell_words(command: &str) -> Vec<String> {
        let script = format!("for w in {command}; do printf '%s\\n' \"$w\"; done");
        let script = script.replacen("~/", "\\~/", 1);
        let out = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
    }

    #[test]
    fn reference_lists_regions_and_types() {
        let r = reference();
        assert!(r.regions.iter().any(|x| x.code == "us-east-1" && x.name == "US East (N. Virginia)") && r.regions.len() == AWS_REGIONS.len());
        assert!(r.instance_types.contains(&r.default_instance_type));
    }
}

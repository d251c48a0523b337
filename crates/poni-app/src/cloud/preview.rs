//! What a cloud action will do, computed from the repository alone (no cloud calls): the
//! launch preview (which nodes, region, image, type, key pair; which are skipped and why;
//! every property problem), the nodes and instances a terminate, stop, start or re-init
//! touches, the ssh command for a node, and the reference lists the editor offers.
//!
//! The preview reads the same inputs as the engine's init: the node's effective properties
//! (systems' `cloud.*` merged under its own), its own `cloud.instance`, and
//! `LaunchSpec::from_node` for validation, so what it shows is what init will do.

use std::path::Path;

use poni_cloud::engine::PropertyProblem;
use poni_cloud::spec::{LaunchSpec, AWS_REGIONS, DEFAULT_INSTANCE_TYPE};
use poni_cloud::Coded;
use poni_repo::{Item, Props, Tree};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::fleet::{Fleet, StateBadge};
use super::scope::Scope;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PreviewAction {
    /// An instance will be launched.
    Launch,
    /// Left alone (it already has an instance and re-init was not asked for).
    Skip,
    /// Its properties do not allow a launch: nothing at all is launched while any node is invalid.
    Invalid,
}

/// One node of a launch preview. For invalid nodes the values are what the properties say, so
/// the user sees what is there next to what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PreviewNode {
    pub node: String,
    pub action: PreviewAction,
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
    /// The instance the node has now: skipped, or replaced by a re-init.
    pub instance_id: Option<String>,
    /// Why the node is skipped.
    pub skip_reason: Option<String>,
    /// Every property problem, each naming its property (e.g. `cloud.image`).
    pub problems: Vec<PropertyProblem>,
    /// `~/.ssh/<key-pair>.pem` and whether it exists (needed to log in, not to launch).
    pub key_file: Option<String>,
    pub key_file_exists: bool,
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
    /// Launches per region.
    pub regions: Vec<RegionCount>,
    /// True when at least one node will launch and none has problems.
    pub can_launch: bool,
    /// Things worth knowing that do not stop the launch (e.g. a missing key file).
    pub warnings: Vec<String>,
    pub reinit: bool,
}

impl LaunchPreview {
    /// The error a launch of an invalid selection gives: which nodes, which properties.
    pub fn refusal(&self) -> Option<AppError> {
        let invalid: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.action == PreviewAction::Invalid)
            .map(|n| format!("{} ({})", n.node, n.problems.iter().map(|p| p.property.as_str()).collect::<Vec<_>>().join(", ")))
            .collect();
        if invalid.is_empty() {
            return None;
        }
        let what = if invalid.len() == 1 { "node cannot" } else { "nodes cannot" };
        Some(AppError::new(
            "node.invalid_properties",
            format!(
                "{} of {} {what} be launched, so nothing was launched: {}. Fix the properties named and try again.",
                invalid.len(),
                self.nodes.len() - self.skip_count as usize,
                invalid.join("; ")
            ),
        ))
    }
}

/// The effective `cloud` object of a node (systems' values under its own).
pub(crate) fn effective_cloud(effective: &Props) -> Map<String, Value> {
    effective.get("cloud").and_then(Value::as_object).cloned().unwrap_or_default()
}

/// The node's own `cloud.instance` (instances belong to nodes, never to systems).
pub(crate) fn own_instance(item: &Item) -> Option<String> {
    poni_repo::props::get_path(&item.props, "cloud.instance")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn text(cloud: &Map<String, Value>, key: &str) -> Option<String> {
    cloud.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

pub fn preview(tree: &Tree, scope: &Scope, reinit: bool, ssh_dir: Option<&Path>) -> AppResult<LaunchPreview> {
    let mut nodes = Vec::new();
    for item in scope.nodes(tree)? {
        nodes.push(preview_node(tree, item, reinit, ssh_dir));
    }
    let count = |a: PreviewAction| nodes.iter().filter(|n| n.action == a).count() as u32;
    let (launch_count, skip_count, invalid_count) = (count(PreviewAction::Launch), count(PreviewAction::Skip), count(PreviewAction::Invalid));
    let mut regions: Vec<RegionCount> = Vec::new();
    for n in nodes.iter().filter(|n| n.action == PreviewAction::Launch) {
        let region = n.region.clone().unwrap_or_default();
        match regions.iter_mut().find(|r| r.region == region) {
            Some(r) => r.count += 1,
            None => regions.push(RegionCount { region, count: 1 }),
        }
    }
    regions.sort_by(|a, b| a.region.cmp(&b.region));
    let mut warnings = Vec::new();
    let mut missing_keys: Vec<(&str, Vec<&str>)> = Vec::new();
    for n in nodes.iter().filter(|n| n.action == PreviewAction::Launch && n.key_file.is_some() && !n.key_file_exists) {
        let file = n.key_file.as_deref().unwrap_or_default();
        match missing_keys.iter_mut().find(|(f, _)| *f == file) {
            Some((_, users)) => users.push(&n.node),
            None => missing_keys.push((file, vec![&n.node])),
        }
    }
    for (file, users) in missing_keys {
        let named = if users.len() > 3 { format!("{} and {} more", users[..3].join(", "), users.len() - 3) } else { users.join(", ") };
        warnings.push(format!("{file} does not exist: it is needed to log in to {named}, not to launch"));
    }
    Ok(LaunchPreview {
        can_launch: invalid_count == 0 && launch_count > 0,
        nodes,
        launch_count,
        skip_count,
        invalid_count,
        regions,
        warnings,
        reinit,
    })
}

fn preview_node(tree: &Tree, item: &Item, reinit: bool, ssh_dir: Option<&Path>) -> PreviewNode {
    let effective = tree.effective(&item.name).unwrap_or_default();
    let cloud = effective_cloud(&effective);
    let instance_id = own_instance(item);
    let user = effective.get("user").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut node = PreviewNode {
        node: item.name.clone(),
        action: PreviewAction::Launch,
        region: text(&cloud, "region"),
        image: text(&cloud, "image"),
        instance_type: None,
        instance_types: Vec::new(),
        key_pair: text(&cloud, "key-pair").or_else(|| text(&cloud, "key_pair")),
        user,
        vm_name: text(&cloud, "vm_name"),
        instance_id: instance_id.clone(),
        skip_reason: None,
        problems: Vec::new(),
        key_file: None,
        key_file_exists: false,
    };
    if let Some(problem) = &item.problem {
        node.action = PreviewAction::Invalid;
        node.problems.push(PropertyProblem { property: "node.json".into(), code: "node.unreadable".into(), message: problem.clone() });
        return node;
    }
    if let (Some(id), false) = (&instance_id, reinit) {
        node.action = PreviewAction::Skip;
        node.skip_reason = Some(format!("already has instance '{id}': skipped (re-init launches a new one)"));
        return node;
    }
    match LaunchSpec::from_node(&item.name, &cloud, effective.get("user")) {
        Ok(spec) => {
            node.region = Some(spec.region.clone());
            node.image = Some(spec.image_id.clone());
            node.instance_type = spec.instance_types.first().cloned();
            node.instance_types = spec.instance_types.clone();
            node.key_pair = Some(spec.key_pair.clone());
            node.user = Some(spec.login_user.clone());
            node.vm_name = Some(spec.vm_name.clone());
            if let Some(dir) = ssh_dir {
                let file = dir.join(format!("{}.pem", spec.key_pair));
                node.key_file_exists = file.is_file();
                node.key_file = Some(file.display().to_string());
            }
        }
        Err(e) => {
            node.action = PreviewAction::Invalid;
            node.problems = e
                .problems
                .iter()
                .map(|p| PropertyProblem { property: p.property.clone(), code: p.code().to_owned(), message: p.message.clone() })
                .collect();
        }
    }
    node
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AffectedInstance {
    pub node: String,
    pub instance_id: String,
    pub region: Option<String>,
    /// The state last seen, null when never asked.
    pub state: Option<StateBadge>,
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

pub fn affected(tree: &Tree, fleet: &Fleet, scope: &Scope, action: ConfirmAction) -> AppResult<Affected> {
    let mut instances = Vec::new();
    let mut without_instance = Vec::new();
    for item in scope.nodes(tree)? {
        match own_instance(item) {
            None => without_instance.push(item.name.clone()),
            Some(instance_id) => {
                let live = fleet.node(&item.name);
                let effective = tree.effective(&item.name).unwrap_or_default();
                instances.push(AffectedInstance {
                    node: item.name.clone(),
                    region: text(&effective_cloud(&effective), "region"),
                    state: live.filter(|l| l.instance_id.as_deref() == Some(instance_id.as_str())).and_then(|l| l.state),
                    host: item.props.get("host").and_then(Value::as_str).filter(|h| !h.is_empty()).map(str::to_owned),
                    instance_id,
                });
            }
        }
    }
    let n = instances.len();
    let plural = if n == 1 { "instance" } else { "instances" };
    let summary = match action {
        ConfirmAction::Terminate => format!("Terminate {n} {plural} of {}? This cannot be undone.", scope.label()),
        ConfirmAction::Stop => format!("Stop {n} {plural} of {}?", scope.label()),
        ConfirmAction::Start => format!("Start {n} {plural} of {}?", scope.label()),
        ConfirmAction::Reinit => format!(
            "Launch new instances for {n} nodes of {} that already have one? Their current {plural} keep running: terminate them first if they are no longer needed.",
            scope.label()
        ),
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

/// `ssh_dir` is where key files are looked for (`~/.ssh`).
pub fn connect_command(tree: &Tree, node: &str, ssh_dir: Option<&Path>) -> AppResult<ConnectCommand> {
    let item = Scope::Node { name: node.to_owned() }.nodes(tree)?[0];
    let effective = tree.effective(&item.name).unwrap_or_default();
    let cloud = effective_cloud(&effective);
    let host = effective.get("host").and_then(Value::as_str).map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned);
    let Some(host) = host else {
        let hint = if own_instance(item).is_some() {
            "wait until its instance runs, or refresh its addresses"
        } else {
            "launch it first, or set its `host` property"
        };
        return Err(AppError::new("node.no_address", format!("'{node}' has no address to connect to yet: {hint}.")));
    };
    let Some(user) = effective.get("user").and_then(Value::as_str).map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned) else {
        return Err(AppError::new(
            "node.missing_property",
            format!("'{node}' has no `user` property: set it to the login name (for example root or ec2-user)."),
        ));
    };
    let key_pair = text(&cloud, "key-pair").or_else(|| text(&cloud, "key_pair"));
    let key_file = match (&key_pair, ssh_dir) {
        (Some(k), Some(dir)) => Some(dir.join(format!("{k}.pem"))),
        _ => None,
    };
    let command = match &key_pair {
        Some(k) => format!("ssh -i ~/.ssh/{k}.pem {user}@{host}"),
        None => format!("ssh {user}@{host}"),
    };
    Ok(ConnectCommand {
        command,
        user,
        host,
        key_pair,
        key_file_exists: key_file.as_ref().is_some_and(|f| f.is_file()),
        key_file: key_file.map(|f| f.display().to_string()),
    })
}

/// Common instance types, for the editor's select (any other type may still be typed).
pub const COMMON_INSTANCE_TYPES: &[&str] = &[
    "t3.nano", "t3.micro", "t3.small", "t3.medium", "t3.large", "t3.xlarge",
    "t4g.micro", "t4g.small", "t4g.medium",
    "t2.micro", "t2.small",
    "m5.large", "m5.xlarge", "m6i.large", "m6i.xlarge", "m7i.large",
    "c5.large", "c5.xlarge", "c6i.large", "c7i.large",
    "r5.large", "r6i.large",
];

/// What the editor's selects offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CloudReference {
    pub regions: Vec<String>,
    pub instance_types: Vec<String>,
    /// Used when `cloud.type` is not set.
    pub default_instance_type: String,
    /// The only `cloud.provider`.
    pub providers: Vec<String>,
}

pub fn reference() -> CloudReference {
    CloudReference {
        regions: AWS_REGIONS.iter().map(|r| r.to_string()).collect(),
        instance_types: COMMON_INSTANCE_TYPES.iter().map(|t| t.to_string()).collect(),
        default_instance_type: DEFAULT_INSTANCE_TYPE.to_owned(),
        providers: vec![poni_cloud::spec::PROVIDER_AWS_EC2.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_repo::{AddNodes, Repo};
    use serde_json::json;

    fn set(repo: &Repo, name: &str, key: &str, value: Value) {
        repo.update(name, |props| Ok(poni_repo::props::set_path(props, key, value)?.into_iter().collect())).unwrap();
    }

    /// The seed document's drumbo nodes: drumbo1 with every property, 2..4 cloned with -c.
    fn drumbo(dir: &Path) -> Repo {
        let repo = Repo::init(dir.join("r")).unwrap();
        repo.add_nodes(&AddNodes::new("drumbo1")).unwrap();
        for (k, v) in [("cloud.provider", "aws-ec2"), ("cloud.region", "us-east-1"), ("cloud.image", "ami-daf615b3"), ("cloud.key-pair", "my-keypair"), ("user", "root")] {
            set(&repo, "drumbo1", k, json!(v));
        }
        let mut clones = AddNodes::new("drumbo{id}");
        clones.ids = 2..=4;
        clones.inherit = Some(poni_repo::Target::new("drumbo1", true).unwrap());
        clones.copy = true;
        repo.add_nodes(&clones).unwrap();
        repo
    }

    #[test]
    fn the_seed_walkthrough_previews_four_launches() {
        let dir = tempfile::tempdir().unwrap();
        let repo = drumbo(dir.path());
        std::fs::create_dir_all(dir.path().join("ssh")).unwrap();
        let p = preview(&repo.tree().unwrap(), &Scope::All, false, Some(&dir.path().join("ssh"))).unwrap();
        assert_eq!((p.launch_count, p.skip_count, p.invalid_count, p.can_launch), (4, 0, 0, true));
        let first = &p.nodes[0];
        assert_eq!(first.node, "drumbo1");
        assert_eq!(first.region.as_deref(), Some("us-east-1"));
        assert_eq!(first.image.as_deref(), Some("ami-daf615b3"));
        assert_eq!(first.instance_type.as_deref(), Some("t3.micro"));
        assert_eq!(first.key_pair.as_deref(), Some("my-keypair"));
        assert_eq!(first.user.as_deref(), Some("root"));
        assert_eq!(p.regions, [RegionCount { region: "us-east-1".into(), count: 4 }]);
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("my-keypair.pem does not exist") && p.warnings[0].contains("drumbo1, drumbo2, drumbo3 and 1 more"), "{:?}", p.warnings);
    }

    #[test]
    fn skipped_and_invalid_nodes_say_why_and_block_the_launch() {
        let dir = tempfile::tempdir().unwrap();
        let repo = drumbo(dir.path());
        set(&repo, "drumbo2", "cloud.instance", json!("i-0abc"));
        repo.update("drumbo3", |p| Ok(poni_repo::props::unset_path(p, "cloud.image")?.into_iter().collect())).unwrap();
        set(&repo, "drumbo4", "cloud.region", json!("mars-1"));
        let tree = repo.tree().unwrap();
        let p = preview(&tree, &Scope::All, false, None).unwrap();
        assert_eq!((p.launch_count, p.skip_count, p.invalid_count, p.can_launch), (1, 1, 2, false));
        assert_eq!(p.nodes[1].action, PreviewAction::Skip);
        assert_eq!(p.nodes[1].instance_id.as_deref(), Some("i-0abc"));
        assert!(p.nodes[1].skip_reason.as_deref().unwrap().contains("already has instance 'i-0abc'"));
        let d3 = &p.nodes[2];
        assert_eq!(d3.action, PreviewAction::Invalid);
        assert_eq!(d3.problems, [PropertyProblem { property: "cloud.image".into(), code: "node.missing_property".into(), message: "cloud.image is not set (the AMI id to launch, ami-…)".into() }]);
        assert_eq!(d3.region.as_deref(), Some("us-east-1"), "what is there is still shown");
        assert_eq!(p.nodes[3].problems[0].property, "cloud.region");
        assert_eq!(p.nodes[3].problems[0].code, "node.invalid_property");
        let refusal = p.refusal().unwrap();
        assert_eq!(refusal.code, "node.invalid_properties");
        assert!(refusal.message.starts_with("2 of 3 nodes cannot be launched, so nothing was launched: drumbo3 (cloud.image); drumbo4 (cloud.region)."), "{}", refusal.message);

        // Re-init previews a launch that replaces the instance.
        let p = preview(&tree, &Scope::Node { name: "drumbo2".into() }, true, None).unwrap();
        assert_eq!((p.nodes[0].action, p.nodes[0].instance_id.as_deref()), (PreviewAction::Launch, Some("i-0abc")));
        assert!(p.refusal().is_none());
    }

    #[test]
    fn system_properties_are_inherited() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path().join("r")).unwrap();
        repo.add_system("web").unwrap();
        for (k, v) in [("cloud.provider", "aws-ec2"), ("cloud.region", "eu-west-1"), ("cloud.image", "ami-12c6146b"), ("cloud.key-pair", "kp"), ("user", "admin")] {
            set(&repo, "web", k, json!(v));
        }
        repo.add_nodes(&AddNodes::new("web/http1")).unwrap();
        set(&repo, "web/http1", "cloud.type", json!(["m5.large", "m6i.large"]));
        let p = preview(&repo.tree().unwrap(), &Scope::System { name: "web".into() }, false, None).unwrap();
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
        let a = affected(&tree, &fleet, &Scope::All, ConfirmAction::Terminate).unwrap();
        assert_eq!(a.instances.iter().map(|i| (i.node.as_str(), i.instance_id.as_str())).collect::<Vec<_>>(), [("drumbo1", "i-1"), ("drumbo3", "i-3")]);
        assert_eq!(a.instances[0].region.as_deref(), Some("us-east-1"));
        assert_eq!(a.instances[0].host.as_deref(), Some("ec2-1.compute-1.amazonaws.com"));
        assert_eq!(a.instances[0].state, Some(StateBadge::Unknown));
        assert_eq!(a.without_instance, ["drumbo2", "drumbo4"]);
        assert_eq!(a.summary, "Terminate 2 instances of all nodes? This cannot be undone.");
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
    fn reference_lists_regions_and_types() {
        let r = reference();
        assert!(r.regions.iter().any(|x| x == "us-east-1") && r.regions.len() == AWS_REGIONS.len());
        assert!(r.instance_types.contains(&r.default_instance_type));
    }
}

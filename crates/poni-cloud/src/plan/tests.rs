use std::path::Path;

use poni_repo::{AddNodes, Repo, Target};
use serde_json::{json, Value};

use super::*;
use crate::ErrorCode;

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
    clones.inherit = Some(Target::new("drumbo1", true).unwrap());
    clones.copy = true;
    repo.add_nodes(&clones).unwrap();
    repo
}

fn init_plan(repo: &Repo, options: &PlanOptions) -> Plan {
    plan(&repo.tree().unwrap(), &Selection::All, Operation::Init, options, &CloudFacts::default()).unwrap()
}

fn no_ssh() -> PlanOptions {
    PlanOptions { ssh_dir: None, ..PlanOptions::default() }
}

#[test]
fn the_seed_walkthrough_plans_one_batch_of_four() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    std::fs::create_dir_all(dir.path().join("ssh")).unwrap();
    let p = init_plan(&repo, &PlanOptions { ssh_dir: Some(dir.path().join("ssh")), ..PlanOptions::default() });
    assert_eq!(p.counts, PlanCounts { launch: 4, ..PlanCounts::default() });
    assert!(p.can_run() && p.refusal().is_none());
    assert_eq!(p.batches.len(), 1);
    assert_eq!(p.batches[0].nodes, ["drumbo1", "drumbo2", "drumbo3", "drumbo4"]);
    assert_eq!((p.batches[0].region.as_str(), p.batches[0].image.as_str()), ("us-east-1", "ami-daf615b3"));
    let first = &p.nodes[0];
    assert_eq!(first.step, Step::Launch { batch: 0 });
    let values = first.launch.as_ref().unwrap();
    assert_eq!(values.instance_types, ["t3.micro"]);
    assert_eq!((values.key_pair.as_deref(), values.user.as_deref()), (Some("my-keypair"), Some("root")));
    assert_eq!(p.launches_by_region(), BTreeMap::from([("us-east-1".to_owned(), 4)]));
    assert_eq!(p.warnings.len(), 1);
    let w = &p.warnings[0];
    assert_eq!((w.code.as_str(), w.node.as_deref()), ("node.key_file_missing", None));
    assert!(w.message.contains("my-keypair.pem does not exist") && w.message.contains("drumbo1, drumbo2, drumbo3 and 1 more"), "{}", w.message);
    // The same plan twice has the same batch key (it feeds the ClientToken).
    assert_eq!(init_plan(&repo, &no_ssh()).batches[0].key, p.batches[0].key);
}

#[test]
fn batches_split_by_parameters_and_size_but_not_by_names_or_tags() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    set(&repo, "drumbo2", "cloud.vm_name", json!("other-name"));
    set(&repo, "drumbo2", "cloud.extra_tags", json!({"team": "web"}));
    set(&repo, "drumbo3", "cloud.type", json!("m5.large"));
    let p = init_plan(&repo, &PlanOptions { batch_size: 2, ..no_ssh() });
    let groups: Vec<Vec<&str>> = p.batches.iter().map(|b| b.nodes.iter().map(String::as_str).collect()).collect();
    assert_eq!(groups, [vec!["drumbo1", "drumbo2"], vec!["drumbo4"], vec!["drumbo3"]]);
    assert_eq!(p.nodes[3].step, Step::Launch { batch: 1 });
    assert_eq!(p.batches[2].instance_types, ["m5.large"]);
    let keys: BTreeSet<&str> = p.batches.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(keys.len(), 3);
}

#[test]
fn skipped_and_invalid_nodes_say_why_and_block_the_launch() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    set(&repo, "drumbo2", "cloud.instance", json!("i-0abc"));
    repo.update("drumbo3", |p| Ok(poni_repo::props::unset_path(p, "cloud.image")?.into_iter().collect())).unwrap();
    set(&repo, "drumbo4", "cloud.region", json!("mars-1"));
    let p = init_plan(&repo, &no_ssh());
    assert_eq!(p.counts, PlanCounts { launch: 1, skip: 1, invalid: 2, ..PlanCounts::default() });
    assert!(!p.can_run());
    assert_eq!(p.nodes[1].skip_reason(), Some(SkipReason::HasInstance));
    assert_eq!(p.nodes[1].instance_id.as_deref(), Some("i-0abc"));
    assert_eq!(SkipReason::HasInstance.message(Some("i-0abc"), None), "already has instance 'i-0abc': skipped (re-init launches a new one)");
    let Step::Invalid { problems } = &p.nodes[2].step else { panic!("{:?}", p.nodes[2].step) };
    assert_eq!(
        problems,
        &[PropertyProblem {
            property: "cloud.image".into(),
            code: ErrorCode::NodeMissingProperty,
            message: "cloud.image is not set (the AMI id to launch, ami-…)".into()
        }]
    );
    assert_eq!(p.nodes[2].region.as_deref(), Some("us-east-1"), "what is there is still shown");
    let Step::Invalid { problems } = &p.nodes[3].step else { panic!() };
    assert_eq!((problems[0].property.as_str(), problems[0].code.as_str()), ("cloud.region", "node.invalid_property"));
    let refusal = p.refusal().unwrap();
    assert_eq!(refusal.code(), "node.invalid_properties");
    assert!(
        refusal.to_string().starts_with("2 of 3 nodes cannot be launched, so nothing was launched: drumbo3 (cloud.image); drumbo4 (cloud.region)."),
        "{refusal}"
    );

    // Re-init plans a launch that replaces the instance, in a batch of its own identity.
    let tree = repo.tree().unwrap();
    let reinit = PlanOptions { reinit: true, ..no_ssh() };
    let p = plan(&tree, &Selection::names(&["drumbo2"]), Operation::Init, &reinit, &CloudFacts::default()).unwrap();
    assert_eq!((&p.nodes[0].step, p.nodes[0].instance_id.as_deref()), (&Step::Launch { batch: 0 }, Some("i-0abc")));
    assert!(p.reinit && p.refusal().is_none());
}

#[test]
fn an_unrecorded_instance_is_adopted_instead_of_launching_another() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    let facts = CloudFacts { unrecorded: HashMap::from([("drumbo2".to_owned(), vec!["i-orphan".to_owned()])]), ..CloudFacts::default() };
    let p = plan(&repo.tree().unwrap(), &Selection::All, Operation::Init, &no_ssh(), &facts).unwrap();
    assert_eq!(p.nodes[1].step, Step::Adopt { instance_id: "i-orphan".into() });
    assert_eq!(p.batches[0].nodes, ["drumbo1", "drumbo3", "drumbo4"]);
}

#[test]
fn system_properties_are_inherited() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path().join("r")).unwrap();
    repo.add_system("web").unwrap();
    for (k, v) in [("cloud.provider", "aws-ec2"), ("cloud.region", "eu-west-1"), ("cloud.image", "ami-12c6146b"), ("cloud.key_pair", "kp"), ("user", "admin")] {
        set(&repo, "web", k, json!(v));
    }
    repo.add_nodes(&AddNodes::new("web/http1")).unwrap();
    set(&repo, "web/http1", "cloud.type", json!(["m5.large", "m6i.large"]));
    set(&repo, "web/http1", "cloud.eip", json!("203.0.113.7"));
    let p = plan(&repo.tree().unwrap(), &Selection::System { name: "web".into() }, Operation::Init, &no_ssh(), &CloudFacts::default()).unwrap();
    assert!(p.can_run());
    assert_eq!(p.nodes[0].region.as_deref(), Some("eu-west-1"));
    let values = p.nodes[0].launch.as_ref().unwrap();
    assert_eq!(values.instance_types, ["m5.large", "m6i.large"]);
    assert_eq!(values.key_pair.as_deref(), Some("kp"), "poni 0.8's spelling");
    assert_eq!(values.elastic_ip.as_deref(), Some("203.0.113.7"));
    assert!(p.nodes[0].elastic_ip().is_some());
}

#[test]
fn state_changes_act_skip_or_refuse_from_what_the_cloud_said() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    set(&repo, "drumbo1", "cloud.instance", json!("i-1"));
    set(&repo, "drumbo1", "host", json!("ec2-1.compute-1.amazonaws.com"));
    set(&repo, "drumbo2", "cloud.instance", json!("i-2"));
    set(&repo, "drumbo3", "cloud.instance", json!("i-3"));
    let tree = repo.tree().unwrap();
    let step =
        |op, facts: &CloudFacts| -> Vec<Step> { plan(&tree, &Selection::All, op, &no_ssh(), facts).unwrap().nodes.into_iter().map(|n| n.step).collect() };

    // Nothing known yet: every instance is acted on.
    let nothing = CloudFacts::default();
    assert_eq!(step(Operation::Terminate, &nothing), [Step::Act, Step::Act, Step::Act, Step::Skip { reason: SkipReason::NoInstance }]);

    let facts = CloudFacts {
        states: HashMap::from([("i-1".to_owned(), InstanceState::Running), ("i-3".to_owned(), InstanceState::Terminated)]),
        described: BTreeSet::from(["us-east-1".to_owned()]),
        ..CloudFacts::default()
    };
    assert_eq!(step(Operation::Terminate, &facts)[..3], [Step::Act, Step::Skip { reason: SkipReason::InstanceGone }, Step::Act]);
    let stop = step(Operation::Stop, &facts);
    assert_eq!(stop[0], Step::Act);
    let code = |s: &Step| match s {
        Step::Refuse { error } => error.code,
        other => panic!("{other:?}"),
    };
    assert_eq!(code(&stop[1]), "cloud.instance_not_found");
    assert_eq!(code(&stop[2]), "cloud.incorrect_state");
    // Snapshots: of a live instance only; removing them needs no instance (they outlive it).
    let create = step(Operation::CreateSnapshot, &facts);
    assert_eq!(create[0], Step::Act);
    assert_eq!((code(&create[1]), code(&create[2])), (ErrorCode::CloudInstanceNotFound, ErrorCode::CloudIncorrectState));
    let revert = step(Operation::RevertToSnapshot, &facts);
    assert!(matches!(&revert[2], Step::Refuse { error } if error.message.ends_with("cannot be reverted")), "{revert:?}");
    assert_eq!(step(Operation::RemoveSnapshot, &facts)[..3], [Step::Act, Step::Act, Step::Act]);
    let p = plan(&tree, &Selection::All, Operation::Terminate, &no_ssh(), &facts).unwrap();
    assert_eq!(p.nodes[0].state, Some(InstanceState::Running));
    assert_eq!(p.nodes[0].host.as_deref(), Some("ec2-1.compute-1.amazonaws.com"));
    assert_eq!(p.counts, PlanCounts { act: 2, skip: 2, ..PlanCounts::default() });
}

#[test]
fn a_thousand_nodes_plan_into_batches_of_a_hundred() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path().join("r")).unwrap();
    repo.add_system("fleet").unwrap();
    for (k, v) in [("cloud.provider", "aws-ec2"), ("cloud.region", "us-east-1"), ("cloud.image", "ami-12c6146b"), ("cloud.key-pair", "kp"), ("user", "root")] {
        set(&repo, "fleet", k, json!(v));
    }
    let mut many = AddNodes::new("fleet/n{id}");
    many.ids = 1..=1000;
    repo.add_nodes(&many).unwrap();
    let p = init_plan(&repo, &no_ssh());
    assert_eq!(p.batches.len(), 10);
    assert!(p.batches.iter().all(|b| b.nodes.len() == 100));
    assert_eq!(p.nodes[999].step, Step::Launch { batch: 9 });
}

#[test]
fn poni_settings_are_in_the_launch_values_and_split_batches() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    set(&repo, "drumbo1", "cloud.billing", json!("spot"));
    set(&repo, "drumbo1", "cloud.spot", json!({"max_price": 0.05}));
    set(&repo, "drumbo1", "cloud.instance_profile_name", json!("web-role"));
    set(&repo, "drumbo2", "cloud.check_health", json!(false));
    let p = init_plan(&repo, &no_ssh());
    let groups: Vec<Vec<&str>> = p.batches.iter().map(|b| b.nodes.iter().map(String::as_str).collect()).collect();
    assert_eq!(groups, [vec!["drumbo1"], vec!["drumbo2", "drumbo3", "drumbo4"]], "check_health only matters after the launch");
    let first = p.nodes[0].launch.as_ref().unwrap();
    assert_eq!(first.settings.billing, crate::spec::Billing::Spot { max_price: "0.05".into() });
    assert_eq!(first.settings.instance_profile.as_deref(), Some("web-role"));
    assert!(first.check_health);
    assert!(!p.nodes[1].launch.as_ref().unwrap().check_health);
    assert_eq!(p.nodes[0].launch_spec().unwrap().settings, first.settings);

    // An invalid node shows what its settings say next to the problem.
    set(&repo, "drumbo3", "cloud.billing", json!("spot"));
    let p = init_plan(&repo, &no_ssh());
    let Step::Invalid { problems } = &p.nodes[2].step else { panic!("{:?}", p.nodes[2].step) };
    assert_eq!((problems[0].property.as_str(), problems[0].code), ("cloud.spot.max_price", ErrorCode::NodeMissingProperty));
    assert_eq!(p.nodes[2].launch.as_ref().unwrap().settings.billing, crate::spec::Billing::Spot { max_price: String::new() });
}

#[test]
fn a_private_address_launches_alone_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    for node in ["drumbo1", "drumbo2"] {
        set(&repo, node, "cloud.private_ip_address", json!("10.0.0.25"));
    }
    set(&repo, "drumbo3", "cloud.private_ip_address", json!("10.0.0.26"));
    let p = init_plan(&repo, &no_ssh());
    for (i, other) in [(0, "drumbo2"), (1, "drumbo1")] {
        let Step::Invalid { problems } = &p.nodes[i].step else { panic!("{:?}", p.nodes[i].step) };
        let message = format!("cloud.private_ip_address 10.0.0.25 is also set for {other}: two instances cannot have one address");
        assert_eq!(problems, &[PropertyProblem { property: "cloud.private_ip_address".into(), code: ErrorCode::NodeInvalidProperty, message }]);
    }
    assert!(!p.can_run());
    let groups: Vec<Vec<&str>> = p.batches.iter().map(|b| b.nodes.iter().map(String::as_str).collect()).collect();
    assert_eq!(groups, [vec!["drumbo3"], vec!["drumbo4"]]);

    // The same address in two regions (two VPCs) is two addresses.
    set(&repo, "drumbo2", "cloud.region", json!("eu-west-1"));
    let p = init_plan(&repo, &no_ssh());
    assert!(p.can_run(), "{:?}", p.refusal());
}

#[test]
fn properties_a_launch_ignores_are_warnings_naming_their_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    for node in ["drumbo1", "drumbo2"] {
        set(&repo, node, "cloud.imgae", json!("ami-12c6146b"));
    }
    set(&repo, "drumbo3", "cloud.deploy_via_eip", json!(true));
    // A skipped node's properties are not read: no warning for it.
    set(&repo, "drumbo4", "cloud.instance", json!("i-4"));
    set(&repo, "drumbo4", "cloud.colour", json!("blue"));
    let p = init_plan(&repo, &no_ssh());
    assert!(p.can_run(), "warnings do not stop a launch");
    let got: Vec<(Option<&str>, &str, &str)> = p.warnings.iter().map(|w| (w.node.as_deref(), w.code.as_str(), w.message.as_str())).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, Some("drumbo3"));
    assert_eq!(got[0].1, "node.ignored_property");
    assert!(got[0].2.starts_with("drumbo3: cloud.deploy_via_eip is ignored: "), "{}", got[0].2);
    assert_eq!(
        got[1],
        (None, "node.unknown_property", "drumbo1, drumbo2: cloud.imgae is not a property Poni knows, so it is ignored (did you mean cloud.image?)")
    );
    // Not for the other operations.
    let tree = repo.tree().unwrap();
    assert!(plan(&tree, &Selection::All, Operation::Terminate, &no_ssh(), &CloudFacts::default()).unwrap().warnings.is_empty());
}

#[test]
fn terminate_refuses_a_protected_node_before_asking_ec2() {
    let dir = tempfile::tempdir().unwrap();
    let repo = drumbo(dir.path());
    set(&repo, "drumbo1", "cloud.instance", json!("i-1"));
    set(&repo, "drumbo1", "cloud.disable_api_termination", json!("true"));
    set(&repo, "drumbo2", "cloud.instance", json!("i-2"));
    set(&repo, "drumbo2", "cloud.disable_api_termination", json!(true));
    set(&repo, "drumbo3", "cloud.instance", json!("i-3"));
    let facts = CloudFacts {
        states: HashMap::from([
            ("i-1".to_owned(), InstanceState::Running),
            ("i-2".to_owned(), InstanceState::Terminated),
            ("i-3".to_owned(), InstanceState::Running),
        ]),
        described: BTreeSet::from(["us-east-1".to_owned()]),
        ..CloudFacts::default()
    };
    let tree = repo.tree().unwrap();
    let p = plan(&tree, &Selection::All, Operation::Terminate, &no_ssh(), &facts).unwrap();
    let Step::Refuse { error } = &p.nodes[0].step else { panic!("{:?}", p.nodes[0].step) };
    assert_eq!(error.code, "cloud.termination_protected");
    assert!(
        error.message.starts_with("drumbo1 is protected from termination (cloud.disable_api_termination is true), so instance i-1 was not terminated."),
        "{}",
        error.message
    );
    assert_eq!(p.nodes[1].step, Step::Act, "an instance already terminated is not protected any more");
    assert_eq!(p.nodes[2].step, Step::Act);
    assert_eq!(p.counts, PlanCounts { act: 2, refuse: 1, skip: 1, ..PlanCounts::default() });
    // Only terminate is refused.
    let stop = plan(&tree, &Selection::All, Operation::Stop, &no_ssh(), &facts).unwrap();
    assert_eq!(stop.nodes[0].step, Step::Act);
}

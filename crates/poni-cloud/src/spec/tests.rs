use super::*;
use serde_json::json;

fn cloud(value: Value) -> Map<String, Value> {
    value.as_object().expect("object").clone()
}

fn seed_node() -> Map<String, Value> {
    cloud(json!({
        "provider": "aws-ec2", "region": "us-east-1",
        "image": "ami-daf615b3", "key-pair": "my-keypair"
    }))
}

fn messages(err: &SpecError) -> Vec<String> {
    err.problems.iter().map(|p| p.message.clone()).collect()
}

#[test]
fn the_seed_documents_node_gets_sensible_defaults() {
    let spec = LaunchSpec::from_node("drumbo1", &seed_node(), Some(&json!("root"))).unwrap();
    assert_eq!(spec.region, "us-east-1");
    assert_eq!(spec.image_id, "ami-daf615b3");
    assert_eq!(spec.key_pair, "my-keypair");
    assert_eq!(spec.vm_name, "drumbo1");
    assert_eq!(spec.login_user, "root");
    assert_eq!(spec.instance_types, vec![DEFAULT_INSTANCE_TYPE]);
    assert_eq!(spec.init_timeout, Duration::from_secs(300));
    assert!(spec.security_groups.is_empty() && spec.disks.is_empty() && spec.subnet.is_none());
}

#[test]
fn every_optional_property_poni_reads_is_taken() {
    let mut c = seed_node();
    c.remove("key-pair");
    c.extend(cloud(json!({
        "key_pair": "kp", "vm_name": "web-1", "type": ["c5.large", "c5a.large"],
        "security_groups": ["default", "sg-0123456789abcdef0"], "subnet": "private-a",
        "extra_tags": {"team": "web", "cost": 42}, "user_data": "#!/bin/sh\necho hi\n",
        "placement": "us-east-1b", "init_timeout": "600", "eip": "eipalloc-12345678",
        "hardware": {"disk0": {"device": "/dev/sda1", "size": 20480}},
        "instance": "i-0123456789abcdef0"
    })));
    let spec = LaunchSpec::from_node("web/http1", &c, Some(&json!("ubuntu"))).unwrap();
    assert_eq!(spec.key_pair, "kp");
    assert_eq!(spec.vm_name, "web-1");
    assert_eq!(spec.instance_types, vec!["c5.large", "c5a.large"]);
    assert_eq!(spec.security_groups, vec![SecurityGroupRef::Name("default".into()), SecurityGroupRef::Id("sg-0123456789abcdef0".into())]);
    assert_eq!(spec.subnet, Some(SubnetRef::NameTag("private-a".into())));
    assert_eq!(spec.extra_tags.get("cost").map(String::as_str), Some("42"));
    assert_eq!(spec.placement.as_deref(), Some("us-east-1b"));
    assert_eq!(spec.init_timeout, Duration::from_secs(600));
    assert_eq!(spec.elastic_ip, Some(ElasticIpRef::AllocationId("eipalloc-12345678".into())));
    assert_eq!(spec.disks[0].size_gib, Some(20));
}

#[test]
fn a_node_with_nothing_set_gets_every_missing_property_named() {
    let err = LaunchSpec::from_node("empty", &Map::new(), None).unwrap_err();
    let props: Vec<&str> = err.problems.iter().map(|p| p.property.as_str()).collect();
    assert_eq!(props, ["cloud.provider", "cloud.region", "cloud.image", "cloud.key-pair", "user"]);
    assert!(err.problems.iter().all(|p| p.missing));
    use crate::error::Coded;
    assert_eq!(err.code(), "node.invalid_property");
    assert_eq!(err.problems[0].code(), "node.missing_property");
    assert!(err.to_string().starts_with("node 'empty' cannot be launched: cloud.provider is not set"));
}

#[test]
fn every_invalid_property_is_reported_with_its_name_and_value() {
    let c = cloud(json!({
        "provider": "openstack", "region": "us-east-9", "image": "foo", "key-pair": "kp.pem",
        "type": ["t3.micro", "huge"], "security_groups": ["sg-web"], "extra_tags": {"Name": "x", "aws:x": "y"},
        "init_timeout": "soon", "eip": "somewhere", "user_data": 5
    }));
    let err = LaunchSpec::from_node("n", &c, Some(&json!("root"))).unwrap_err();
    let got = messages(&err);
    let expected = [
        "cloud.provider 'openstack' is not supported: the only provider is 'aws-ec2'",
        "cloud.region 'us-east-9' is not an AWS region code (such as us-east-1 or eu-west-1)",
        "cloud.image 'foo' is not an AMI id (ami-…)",
        "cloud.key-pair 'kp.pem' must be the key pair name without .pem ('kp')",
        "cloud.type 'huge' is not an EC2 instance type (such as t3.micro)",
        "cloud.security_groups 'sg-web' is not a group id (sg- and 8 or 17 hex digits), and group names cannot start with sg-",
        "cloud.extra_tags.Name: the tag 'Name' is set by Poni itself (use cloud.vm_name for the Name tag)",
        "cloud.extra_tags.aws:x: 'aws:x' is not a valid tag key (1 to 128 characters, not starting with aws:)",
        "cloud.user_data must be text (e.g. a cloud-init script), not 5",
        "cloud.init_timeout 'soon' must be a number of seconds between 1 and 86400",
        "cloud.eip 'somewhere' is neither an Elastic IP address nor an allocation id (eipalloc-…)",
    ];
    assert_eq!(got, expected);
}

#[test]
fn all_current_regions_are_accepted() {
    for region in ["us-east-1", "us-west-1", "eu-west-1", "ap-southeast-1", "eu-central-2", "ap-southeast-7", "mx-central-1"] {
        let mut c = seed_node();
        c.insert("region".into(), json!(region));
        assert!(LaunchSpec::from_node("n", &c, Some(&json!("root"))).is_ok(), "{region}");
    }
}

#[test]
fn both_key_pair_spellings_must_agree() {
    let mut c = seed_node();
    c.insert("key_pair".into(), json!("other"));
    let err = LaunchSpec::from_node("n", &c, Some(&json!("root"))).unwrap_err();
    assert_eq!(messages(&err), ["cloud.key-pair 'my-keypair' and cloud.key_pair 'other' disagree: keep one of them"]);
    c.insert("key_pair".into(), json!("my-keypair"));
    assert!(LaunchSpec::from_node("n", &c, Some(&json!("root"))).is_ok());
}

#[test]
fn placement_must_be_a_zone_of_the_region() {
    let mut c = seed_node();
    c.insert("placement".into(), json!("eu-west-1a"));
    let err = LaunchSpec::from_node("n", &c, Some(&json!("root"))).unwrap_err();
    assert_eq!(messages(&err), ["cloud.placement 'eu-west-1a' is not an availability zone of us-east-1 (such as us-east-1a)"]);
    c.insert("placement".into(), json!("us-east-1-bos-1a"));
    assert!(LaunchSpec::from_node("n", &c, Some(&json!("root"))).is_ok());
}

#[test]
fn a_single_string_type_and_comma_separated_groups_are_accepted() {
    let mut c = seed_node();
    c.insert("type".into(), json!("m5.large"));
    c.insert("security_groups".into(), json!("web,ssh"));
    c.insert("subnet".into(), json!("subnet-0123456789abcdef0"));
    c.insert("eip".into(), json!("203.0.113.7"));
    let spec = LaunchSpec::from_node("n", &c, Some(&json!("root"))).unwrap();
    assert_eq!(spec.instance_types, vec!["m5.large"]);
    assert_eq!(spec.security_groups.len(), 2);
    assert_eq!(spec.subnet, Some(SubnetRef::Id("subnet-0123456789abcdef0".into())));
    assert_eq!(spec.elastic_ip, Some(ElasticIpRef::PublicIp("203.0.113.7".parse().unwrap())));
}

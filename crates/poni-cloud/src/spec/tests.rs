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

fn with(extra: Value) -> Map<String, Value> {
    let mut c = seed_node();
    c.extend(cloud(extra));
    c
}

fn spec_of(c: &Map<String, Value>) -> LaunchSpec {
    LaunchSpec::from_node("n", c, Some(&json!("root"))).unwrap()
}

fn problems_of(c: &Map<String, Value>) -> Vec<(String, bool, String)> {
    let err = LaunchSpec::from_node("n", c, Some(&json!("root"))).unwrap_err();
    err.problems.iter().map(|p| (p.property.clone(), p.missing, p.message.clone())).collect()
}

#[test]
fn poni_settings_default_to_what_poni_does_without_them() {
    let spec = spec_of(&seed_node());
    assert_eq!(spec.settings, InstanceSettings::default());
    assert_eq!(spec.settings.billing, Billing::OnDemand);
    assert!(!spec.settings.disable_api_termination && !spec.settings.monitoring);
    assert_eq!((spec.settings.ebs_optimized, spec.settings.private_ip, spec.settings.tenancy), (None, None, None));
    assert!(spec.check_health, "poni 0.8 checks health unless told not to");
    // Left out of the JSON (the batch key) while they are defaults.
    let json = serde_json::to_value(&spec).unwrap();
    assert!(json.get("settings").is_none() && json.get("check_health").is_none(), "{json}");
    let back: LaunchSpec = serde_json::from_value(json).unwrap();
    assert_eq!(back, spec);
}

#[test]
fn every_poni_setting_is_read() {
    let c = with(json!({
        "billing": "spot", "spot": {"max_price": 0.123}, "instance_profile_name": "web-role",
        "monitoring_enabled": "true", "ebs_optimized": "yes", "private_ip_address": "10.0.0.25",
        "tenancy": "dedicated", "placement_group": "my-group", "kernel": "aki-6eaa4907",
        "ramdisk": "ari-42b95a2b", "check_health": false, "subnet": "subnet-12345678"
    }));
    let spec = spec_of(&c);
    let s = &spec.settings;
    assert_eq!(s.billing, Billing::Spot { max_price: "0.123".into() });
    assert_eq!(s.billing.spot_max_price(), Some("0.123"));
    assert_eq!(s.instance_profile.as_deref(), Some("web-role"));
    assert!(s.monitoring && !s.disable_api_termination);
    assert_eq!(s.ebs_optimized, Some(true));
    assert_eq!(s.private_ip, Some("10.0.0.25".parse::<Ipv4Addr>().unwrap()));
    assert_eq!(s.tenancy, Some(Tenancy::Dedicated));
    assert_eq!(s.placement_group.as_deref(), Some("my-group"));
    assert_eq!((s.kernel_id.as_deref(), s.ramdisk_id.as_deref()), (Some("aki-6eaa4907"), Some("ari-42b95a2b")));
    assert!(!spec.check_health);
    assert_eq!(
        s.described(),
        [
            "spot at most 0.123 USD an hour",
            "IAM instance profile web-role",
            "placement group my-group",
            "kernel aki-6eaa4907",
            "ramdisk ari-42b95a2b",
            "private address 10.0.0.25",
            "dedicated tenancy",
            "detailed monitoring",
            "EBS-optimized",
        ]
    );
    assert!(InstanceSettings::default().described().is_empty());
    let json = serde_json::to_value(&spec).unwrap();
    assert_eq!(json["settings"]["billing"], json!({"kind": "spot", "maxPrice": "0.123"}));
    assert_eq!(json["settings"]["tenancy"], json!("dedicated"));
    assert_eq!(serde_json::from_value::<LaunchSpec>(json).unwrap(), spec);
}

#[test]
fn termination_protection_is_read_as_poni_set_stores_it() {
    for (value, on) in [(json!(true), true), (json!("true"), true), (json!("on"), true), (json!("false"), false), (json!(0), false)] {
        let c = with(json!({"disable_api_termination": value}));
        assert_eq!(spec_of(&c).settings.disable_api_termination, on, "{value}");
        assert_eq!(termination_protected(&c), on, "{value}");
    }
    assert!(!termination_protected(&seed_node()));
    // Read leniently for terminate: a node whose other properties are broken is still protected.
    assert!(termination_protected(&cloud(json!({"disable_api_termination": "yes", "image": 5}))));
    assert!(!termination_protected(&cloud(json!({"disable_api_termination": "maybe"}))));
}

#[test]
fn spot_prices_are_plain_decimals_of_at_least_a_tenth_of_a_cent() {
    for (given, sent) in [(json!(0.05), "0.05"), (json!("0.050"), "0.050"), (json!(1), "1"), (json!(0.001), "0.001"), (json!(" 2.5 "), "2.5")] {
        let c = with(json!({"billing": "spot", "spot": {"max_price": given}}));
        assert_eq!(spec_of(&c).settings.billing.spot_max_price(), Some(sent), "{given}");
    }
    for bad in [json!(0), json!(0.0005), json!("1e-3"), json!("-1"), json!("cheap"), json!(true), json!("1.2.3")] {
        let c = with(json!({"billing": "spot", "spot": {"max_price": bad}}));
        let expected = format!("cloud.spot.max_price {} must be a price in US dollars an hour of at least 0.001 (e.g. 0.05)", values::shown(&bad));
        assert_eq!(problems_of(&c), [("cloud.spot.max_price".to_owned(), false, expected)], "{bad}");
    }
}

#[test]
fn spot_billing_needs_a_price_and_cannot_be_protected() {
    let c = with(json!({"billing": "spot"}));
    let expected = "cloud.spot.max_price is not set: a spot instance (cloud.billing is spot) needs the most it may cost, in US dollars an hour (e.g. 0.05)";
    assert_eq!(problems_of(&c), [("cloud.spot.max_price".to_owned(), true, expected.to_owned())]);
    let c = with(json!({"billing": "spot", "spot": {"max_price": "0.05"}, "disable_api_termination": true}));
    let expected =
        "cloud.disable_api_termination cannot be true for a spot instance (cloud.billing is spot): EC2 does not protect spot instances from termination";
    assert_eq!(problems_of(&c), [("cloud.disable_api_termination".to_owned(), false, expected.to_owned())]);
    // On demand, a spot price is ignored (a warning of the plan, not a problem).
    assert_eq!(spec_of(&with(json!({"billing": "on-demand", "spot": {"max_price": 0.05}}))).settings.billing, Billing::OnDemand);
}

#[test]
fn both_ramdisk_spellings_are_read_and_must_agree() {
    assert_eq!(spec_of(&with(json!({"ramdisk_id": "ari-42b95a2b"}))).settings.ramdisk_id.as_deref(), Some("ari-42b95a2b"));
    let c = with(json!({"ramdisk": "ari-42b95a2b", "ramdisk_id": "ari-12345678"}));
    let expected = "cloud.ramdisk 'ari-42b95a2b' and cloud.ramdisk_id 'ari-12345678' disagree: keep one of them";
    assert_eq!(problems_of(&c), [("cloud.ramdisk".to_owned(), false, expected.to_owned())]);
    assert!(spec_of(&with(json!({"ramdisk": "ari-42b95a2b", "ramdisk_id": "ari-42b95a2b"}))).settings.ramdisk_id.is_some());
}

#[test]
fn every_invalid_poni_setting_is_reported_with_its_name_and_value() {
    let c = with(json!({
        "billing": "reserved", "instance_profile_name": "arn:aws:iam::123456789012:instance-profile/web",
        "disable_api_termination": "maybe", "monitoring_enabled": [], "ebs_optimized": "sometimes",
        "private_ip_address": "10.0.0.256", "tenancy": "shared", "placement_group": "grüppe",
        "kernel": "ami-6eaa4907", "ramdisk": "ari-xyz", "check_health": "often"
    }));
    let got: Vec<String> = problems_of(&c).into_iter().map(|(_, _, m)| m).collect();
    let expected = [
        "cloud.billing 'reserved' is not a billing type: 'on-demand' (the default) or 'spot'",
        "cloud.disable_api_termination 'maybe' must be true or false",
        "cloud.instance_profile_name 'arn:aws:iam::123456789012:instance-profile/web' is an ARN: give the instance profile's name (the part after 'instance-profile/')",
        "cloud.monitoring_enabled [] must be true or false",
        "cloud.ebs_optimized 'sometimes' must be true or false",
        "cloud.private_ip_address '10.0.0.256' is not an IPv4 address an instance can have (e.g. 10.0.0.25, from the subnet's range)",
        "cloud.tenancy 'shared' is not a tenancy: 'default', 'dedicated' or 'host'",
        "cloud.placement_group 'grüppe' is not a placement group name (up to 255 ASCII characters)",
        "cloud.kernel 'ami-6eaa4907' is not a kernel id (aki-…)",
        "cloud.ramdisk 'ari-xyz' is not a ramdisk id (ari-…)",
        "cloud.check_health 'often' must be true or false",
    ];
    assert_eq!(got, expected);
    let c = with(json!({"instance_profile_name": "web role", "private_ip_address": "127.0.0.1", "spot": 0.05, "billing": "spot"}));
    let got: Vec<String> = problems_of(&c).into_iter().map(|(_, _, m)| m).collect();
    assert_eq!(
        got,
        [
            "cloud.spot 0.05 must be an object holding max_price (e.g. {\"max_price\": 0.05})",
            "cloud.instance_profile_name 'web role' is not an IAM instance profile name (up to 128 letters, digits and + = , . @ _ -)",
            "cloud.private_ip_address '127.0.0.1' is not an IPv4 address an instance can have (e.g. 10.0.0.25, from the subnet's range)",
        ]
    );
}

#[test]
fn tenancy_and_flags_accept_poni_spellings() {
    let spec = spec_of(&with(json!({"tenancy": "Host", "monitoring_enabled": "on", "ebs_optimized": false, "check_health": "no"})));
    assert_eq!(spec.settings.tenancy, Some(Tenancy::Host));
    assert_eq!(Tenancy::Host.as_str(), "host");
    assert!(spec.settings.monitoring && !spec.check_health);
    assert_eq!(spec.settings.ebs_optimized, Some(false), "set to false is sent as false");
}

#[test]
fn waits_read_check_health_leniently_with_poni_s_default() {
    assert!(check_health_of(&seed_node()), "not set: poni 0.8 checks");
    for no in [json!(false), json!("false"), json!("no"), json!("off"), json!(0)] {
        assert!(!check_health_of(&cloud(json!({"check_health": no}))), "{no}");
    }
    // Anything that is not a clear no keeps poni's default (the launch reports it as a problem).
    for yes in [json!(true), json!("yes"), json!(null), json!("often"), json!([1])] {
        assert!(check_health_of(&cloud(json!({"check_health": yes}))), "{yes}");
    }
}

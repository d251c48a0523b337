//! A node's `cloud` properties checked and turned into a [`LaunchSpec`], the plain data the
//! provider launches from. Every problem of a node is collected, not just the first.

mod disks;
pub mod ids;
mod keys;
mod problems;
pub mod regions;
mod settings;
mod values;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use disks::DiskSpec;
pub use keys::{notes, same_property, SpecNote, ALIASES, CLOUD_KEYS};
pub use problems::{SpecError, SpecProblem};
pub use regions::{is_aws_region, AWS_REGIONS};
pub use settings::{Billing, InstanceSettings, Tenancy, RAMDISK_KEYS};

use problems::Problems;
use values::{boolean, integer, scalar_text, shown, string_list};

/// The only provider poni (and so this crate) implements.
pub const PROVIDER_AWS_EC2: &str = "aws-ec2";
/// Used when `cloud.type` is not set: small, cheap and offered in every region.
pub const DEFAULT_INSTANCE_TYPE: &str = "t3.micro";
/// poni 0.8's default for `cloud.init_timeout`.
pub const DEFAULT_INIT_TIMEOUT: Duration = Duration::from_secs(300);
/// Tag keys this crate writes itself; `cloud.extra_tags` may not override them.
pub const RESERVED_TAG_KEYS: &[&str] = &["Name", "PoniState"];
pub const RESERVED_TAG_PREFIX: &str = "poni:";
/// EC2 refuses user data over 16 KiB (before base64).
const MAX_USER_DATA_BYTES: usize = 16 * 1024;
/// The property that turns termination protection on.
pub const DISABLE_API_TERMINATION_KEY: &str = "cloud.disable_api_termination";

/// Everything needed to launch one node's instance, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchSpec {
    /// The node's full name, e.g. `webshop/frontend/http1`.
    pub node: String,
    /// Login name for SSH (`user` property).
    pub login_user: String,
    pub region: String,
    pub image_id: String,
    /// Key pair name, without `.pem`.
    pub key_pair: String,
    /// The EC2 `Name` tag.
    pub vm_name: String,
    /// Never empty; tried in order when EC2 has no capacity for one.
    pub instance_types: Vec<String>,
    pub security_groups: Vec<SecurityGroupRef>,
    pub subnet: Option<SubnetRef>,
    pub extra_tags: BTreeMap<String, String>,
    pub user_data: Option<String>,
    /// Availability zone, e.g. `us-east-1a`.
    pub placement: Option<String>,
    pub disks: Vec<DiskSpec>,
    /// How long to wait for the instance to run (`cloud.init_timeout`).
    pub init_timeout: Duration,
    pub elastic_ip: Option<ElasticIpRef>,
    /// Billing, IAM profile, termination protection, monitoring and the other settings poni
    /// 0.8 reads. Left out of the JSON while all are defaults, so batch keys made before
    /// these settings existed stay the same.
    #[serde(default, skip_serializing_if = "InstanceSettings::is_default")]
    pub settings: InstanceSettings,
    /// `cloud.check_health` (poni 0.8's default: true): a wait for the instance also waits
    /// for EC2's status checks to pass.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub check_health: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecurityGroupRef {
    Id(String),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubnetRef {
    Id(String),
    /// A subnet found by its `Name` tag.
    NameTag(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElasticIpRef {
    AllocationId(String),
    PublicIp(Ipv4Addr),
}

impl LaunchSpec {
    /// Checks a node's effective `cloud` object (after inheritance) and its `user` property.
    /// On failure the error lists every problem found, each naming its property.
    pub fn from_node(node: &str, cloud: &Map<String, Value>, user: Option<&Value>) -> Result<LaunchSpec, SpecError> {
        let (spec, problems) = Self::read(node, cloud, user);
        if !problems.0.is_empty() {
            return Err(SpecError { node: node.to_owned(), problems: problems.0 });
        }
        Ok(spec)
    }

    /// What the properties say, read leniently: a missing or invalid value is left empty (or
    /// at its default). For comparing a node that cannot launch as it is (an imported one
    /// without `user`, say) with its instance; never for launching.
    pub fn lenient(node: &str, cloud: &Map<String, Value>, user: Option<&Value>) -> LaunchSpec {
        Self::read(node, cloud, user).0
    }

    fn read(node: &str, cloud: &Map<String, Value>, user: Option<&Value>) -> (LaunchSpec, Problems) {
        let mut p = Problems::default();
        let text = |p: &mut Problems, key: &str| text_of(cloud, p, key);

        match text(&mut p, "provider") {
            None => p.missing("cloud.provider", format!("cloud.provider is not set (it must be '{PROVIDER_AWS_EC2}')")),
            Some(v) if v == PROVIDER_AWS_EC2 || v.is_empty() => {}
            Some(v) => p.invalid("cloud.provider", format!("cloud.provider '{v}' is not supported: the only provider is '{PROVIDER_AWS_EC2}'")),
        }

        let region = match text(&mut p, "region") {
            None => {
                p.missing("cloud.region", "cloud.region is not set (an AWS region code such as us-east-1)");
                String::new()
            }
            Some(r) if r.is_empty() || is_aws_region(&r) => r,
            Some(r) => {
                p.invalid("cloud.region", format!("cloud.region '{r}' is not an AWS region code (such as us-east-1 or eu-west-1)"));
                String::new()
            }
        };

        let image_id = match text(&mut p, "image") {
            None => {
                p.missing("cloud.image", "cloud.image is not set (the AMI id to launch, ami-…)");
                String::new()
            }
            Some(i) if i.is_empty() || ids::is_ami_id(&i) => i,
            Some(i) => {
                p.invalid("cloud.image", format!("cloud.image '{i}' is not an AMI id (ami-…)"));
                String::new()
            }
        };

        let key_pair = parse_key_pair(text(&mut p, "key-pair"), text(&mut p, "key_pair"), &mut p);
        let vm_name = parse_vm_name(node, text(&mut p, "vm_name"), &mut p);
        let instance_types = parse_instance_types(cloud.get("type"), &mut p);
        let security_groups = parse_security_groups(cloud.get("security_groups"), &mut p);
        let subnet = text(&mut p, "subnet").filter(|s| !s.is_empty()).map(|s| if ids::is_subnet_id(&s) { SubnetRef::Id(s) } else { SubnetRef::NameTag(s) });
        let extra_tags = parse_extra_tags(cloud.get("extra_tags"), &mut p);
        let user_data = parse_user_data(cloud.get("user_data"), &mut p);
        let placement = parse_placement(text(&mut p, "placement"), &region, &mut p);
        let disks = disks::parse_disks(cloud.get("hardware"), &mut p);
        let init_timeout = parse_init_timeout(cloud.get("init_timeout"), &mut p);
        let elastic_ip = parse_eip(text(&mut p, "eip"), &mut p);
        let instance_settings = settings::parse_settings(cloud, &mut p);
        let check_health = settings::flag(cloud, "check_health", &mut p).unwrap_or(true);
        let login_user = parse_user(user, &mut p);

        let spec = LaunchSpec {
            node: node.to_owned(),
            login_user,
            region,
            image_id,
            key_pair,
            vm_name,
            instance_types,
            security_groups,
            subnet,
            extra_tags,
            user_data,
            placement,
            disks,
            init_timeout,
            elastic_ip,
            settings: instance_settings,
            check_health,
        };
        (spec, p)
    }
}

/// A text property: `None` when not set, `Some("")` (and a problem) when not a non-empty string.
fn text_of(cloud: &Map<String, Value>, p: &mut Problems, key: &str) -> Option<String> {
    match cloud.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(other) => {
            p.invalid(format!("cloud.{key}"), format!("cloud.{key} {} must be a non-empty string", shown(other)));
            Some(String::new())
        }
    }
}

/// A property poni 0.8 reads under two names (`names`, both `cloud.…`): the one value set, or
/// `Some("")` and a problem when the two disagree.
fn either(names: [&str; 2], first: Option<String>, second: Option<String>, p: &mut Problems) -> Option<String> {
    match (first, second) {
        (Some(a), Some(b)) if a != b && !a.is_empty() && !b.is_empty() => {
            p.invalid(names[0], format!("{} '{a}' and {} '{b}' disagree: keep one of them", names[0], names[1]));
            Some(String::new())
        }
        (Some(a), _) => Some(a),
        (None, b) => b,
    }
}

fn parse_key_pair(dashed: Option<String>, underscored: Option<String>, p: &mut Problems) -> String {
    let Some(name) = either(KEY_PAIR_KEYS, dashed, underscored, p) else {
        p.missing("cloud.key-pair", "cloud.key-pair is not set (the EC2 key pair name, without .pem)");
        return String::new();
    };
    if name.is_empty() {
        return name;
    }
    if let Some(stem) = name.strip_suffix(".pem") {
        p.invalid("cloud.key-pair", format!("cloud.key-pair '{name}' must be the key pair name without .pem ('{stem}')"));
    } else if name.len() > 255 || !name.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        p.invalid("cloud.key-pair", format!("cloud.key-pair '{name}' is not a valid key pair name (up to 255 ASCII characters)"));
    }
    name
}

fn parse_vm_name(node: &str, vm_name: Option<String>, p: &mut Problems) -> String {
    let name = vm_name.unwrap_or_else(|| node.to_owned());
    if name.chars().count() > 256 {
        p.invalid("cloud.vm_name", format!("cloud.vm_name '{name}' is longer than the 256 characters a Name tag may hold"));
    }
    name
}

fn parse_instance_types(value: Option<&Value>, p: &mut Problems) -> Vec<String> {
    let types = match value {
        None | Some(Value::Null) => return vec![DEFAULT_INSTANCE_TYPE.to_owned()],
        Some(Value::String(s)) => vec![s.trim().to_owned()],
        Some(Value::Array(items)) if !items.is_empty() => match items.iter().map(|v| v.as_str().map(|s| s.trim().to_owned())).collect::<Option<Vec<_>>>() {
            Some(types) => types,
            None => {
                p.invalid("cloud.type", format!("cloud.type {} must be an instance type or a list of them", shown(value.unwrap())));
                return Vec::new();
            }
        },
        Some(other) => {
            p.invalid("cloud.type", format!("cloud.type {} must be an instance type (e.g. t3.micro) or a list of them", shown(other)));
            return Vec::new();
        }
    };
    for t in &types {
        if !ids::is_instance_type(t) {
            p.invalid("cloud.type", format!("cloud.type '{t}' is not an EC2 instance type (such as t3.micro)"));
        }
    }
    types
}

fn parse_security_groups(value: Option<&Value>, p: &mut Problems) -> Vec<SecurityGroupRef> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Vec::new();
    };
    let Some(names) = string_list(value) else {
        p.invalid("cloud.security_groups", format!("cloud.security_groups {} must be a list of group names or sg- ids", shown(value)));
        return Vec::new();
    };
    let mut groups = Vec::new();
    for name in names {
        if ids::is_security_group_id(&name) {
            groups.push(SecurityGroupRef::Id(name));
        } else if name.starts_with("sg-") {
            p.invalid(
                "cloud.security_groups",
                format!("cloud.security_groups '{name}' is not a group id (sg- and 8 or 17 hex digits), and group names cannot start with sg-"),
            );
        } else if name.is_empty() || name.len() > 255 {
            p.invalid("cloud.security_groups", format!("cloud.security_groups '{name}' is not a valid group name"));
        } else {
            groups.push(SecurityGroupRef::Name(name));
        }
    }
    groups
}

fn parse_extra_tags(value: Option<&Value>, p: &mut Problems) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let map = match value {
        None | Some(Value::Null) => return tags,
        Some(Value::Object(map)) => map,
        Some(other) => {
            p.invalid("cloud.extra_tags", format!("cloud.extra_tags {} must be an object of tag names to values", shown(other)));
            return tags;
        }
    };
    for (key, value) in map {
        let property = format!("cloud.extra_tags.{key}");
        if RESERVED_TAG_KEYS.contains(&key.as_str()) || key.starts_with(RESERVED_TAG_PREFIX) {
            p.invalid(&property, format!("{property}: the tag '{key}' is set by Poni itself (use cloud.vm_name for the Name tag)"));
        } else if key.is_empty() || key.chars().count() > 128 || key.to_ascii_lowercase().starts_with("aws:") {
            p.invalid(&property, format!("{property}: '{key}' is not a valid tag key (1 to 128 characters, not starting with aws:)"));
        } else {
            match scalar_text(value) {
                Some(text) if text.chars().count() <= 256 => {
                    tags.insert(key.clone(), text);
                }
                _ => p.invalid(&property, format!("{property} {} must be a text of at most 256 characters", shown(value))),
            }
        }
    }
    tags
}

fn parse_user_data(value: Option<&Value>, p: &mut Problems) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.len() <= MAX_USER_DATA_BYTES => Some(s.clone()),
        Some(Value::String(s)) => {
            p.invalid("cloud.user_data", format!("cloud.user_data is {} bytes; EC2 accepts at most 16384", s.len()));
            None
        }
        Some(other) => {
            p.invalid("cloud.user_data", format!("cloud.user_data must be text (e.g. a cloud-init script), not {}", shown(other)));
            None
        }
    }
}

fn parse_placement(zone: Option<String>, region: &str, p: &mut Problems) -> Option<String> {
    let zone = zone.filter(|z| !z.is_empty())?;
    let rest = zone.strip_prefix(region).unwrap_or("");
    let well_formed = !region.is_empty()
        && !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && rest.ends_with(|c: char| c.is_ascii_lowercase());
    if well_formed || region.is_empty() {
        Some(zone)
    } else {
        p.invalid("cloud.placement", format!("cloud.placement '{zone}' is not an availability zone of {region} (such as {region}a)"));
        None
    }
}

/// The key pair a `cloud` object names, read leniently: `cloud.key-pair` (the seed document's
/// spelling) or `cloud.key_pair` (poni 0.8's). The one place that knows both spellings.
pub fn key_pair_name(cloud: &Map<String, Value>) -> Option<String> {
    ["key-pair", "key_pair"].iter().find_map(|k| cloud.get(*k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())).map(str::to_owned)
}

/// The property names a key pair may be set under, the preferred first.
pub const KEY_PAIR_KEYS: [&str; 2] = ["cloud.key-pair", "cloud.key_pair"];

/// The key an item's own `cloud` object keeps its key pair under: poni 0.8's `cloud.key_pair`
/// when that is the one it has, else `cloud.key-pair`. Edits write there, so a node never
/// ends up with both spellings.
pub fn key_pair_key(own_cloud: Option<&Map<String, Value>>) -> &'static str {
    match own_cloud {
        Some(c) if !c.contains_key("key-pair") && c.contains_key("key_pair") => KEY_PAIR_KEYS[1],
        _ => KEY_PAIR_KEYS[0],
    }
}

/// `cloud.init_timeout` read leniently, for waiting on nodes whose other properties need not be
/// valid: anything unusable gives the default.
pub fn init_timeout_of(cloud: &Map<String, Value>) -> Duration {
    let mut ignored = Problems::default();
    parse_init_timeout(cloud.get("init_timeout"), &mut ignored)
}

/// `cloud.check_health` read leniently, for waiting on nodes whose other properties need not be
/// valid: poni 0.8's default (true) unless the value says no (`false`, `no`, `off`, `0`).
pub fn check_health_of(cloud: &Map<String, Value>) -> bool {
    cloud.get("check_health").filter(|v| !v.is_null()).and_then(boolean) != Some(false)
}

/// Whether the node's properties turn termination protection on (`cloud.disable_api_termination`),
/// read leniently: terminate refuses such a node even when its other properties are not valid.
pub fn termination_protected(cloud: &Map<String, Value>) -> bool {
    cloud.get("disable_api_termination").and_then(boolean) == Some(true)
}

/// `cloud.eip` read on its own, for `cloud ip` (which needs no other launch property): None
/// when it is not set, the problem's message when it is neither an Elastic IP address nor an
/// allocation id.
pub fn elastic_ip_of(cloud: &Map<String, Value>) -> Result<Option<ElasticIpRef>, String> {
    let mut p = Problems::default();
    let eip = text_of(cloud, &mut p, "eip");
    let eip = parse_eip(eip, &mut p);
    match p.0.into_iter().next() {
        Some(problem) => Err(problem.message),
        None => Ok(eip),
    }
}

fn parse_init_timeout(value: Option<&Value>, p: &mut Problems) -> Duration {
    match value {
        None | Some(Value::Null) => DEFAULT_INIT_TIMEOUT,
        Some(v) => match integer(v) {
            Some(secs) if (1..=86_400).contains(&secs) => Duration::from_secs(secs as u64),
            _ => {
                p.invalid("cloud.init_timeout", format!("cloud.init_timeout {} must be a number of seconds between 1 and 86400", shown(v)));
                DEFAULT_INIT_TIMEOUT
            }
        },
    }
}

fn parse_eip(eip: Option<String>, p: &mut Problems) -> Option<ElasticIpRef> {
    let eip = eip.filter(|e| !e.is_empty())?;
    if ids::is_allocation_id(&eip) {
        Some(ElasticIpRef::AllocationId(eip))
    } else if let Ok(ip) = eip.parse::<Ipv4Addr>() {
        Some(ElasticIpRef::PublicIp(ip))
    } else {
        p.invalid("cloud.eip", format!("cloud.eip '{eip}' is neither an Elastic IP address nor an allocation id (eipalloc-…)"));
        None
    }
}

fn parse_user(user: Option<&Value>, p: &mut Problems) -> String {
    match user {
        Some(Value::String(u)) if !u.trim().is_empty() => u.trim().to_owned(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            p.missing("user", "user is not set: the login name for SSH (e.g. ec2-user, ubuntu or root)");
            String::new()
        }
        Some(other) => {
            p.invalid("user", format!("user {} must be a login name", shown(other)));
            String::new()
        }
    }
}

#[cfg(test)]
mod tests;

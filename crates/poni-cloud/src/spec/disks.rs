//! `cloud.hardware.disk0` … `disk9`: EBS volumes attached at launch (poni 0.8 names).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids;
use super::problems::Problems;
use super::values::{boolean, integer, shown};

const VOLUME_TYPES: &[&str] = &["gp3", "gp2", "io2", "io1", "st1", "sc1", "standard"];
/// The largest EBS volume (io2 Block Express, gp3): 64 TiB.
const MAX_GIB: i64 = 65_536;

/// One EBS block device mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskSpec {
    /// Which `diskN` property it came from (0..=9).
    pub slot: u8,
    /// Device name as the AMI sees it, e.g. `/dev/sdb` or `/dev/xvdf`.
    pub device: String,
    /// Size in GiB, rounded up from the MB poni stores; `None` takes the snapshot's size.
    pub size_gib: Option<i32>,
    pub volume_type: Option<String>,
    pub iops: Option<i32>,
    pub snapshot_id: Option<String>,
    pub delete_on_termination: bool,
}

pub(crate) fn parse_disks(hardware: Option<&Value>, problems: &mut Problems) -> Vec<DiskSpec> {
    let hardware = match hardware {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Object(map)) => map,
        Some(other) => {
            problems.invalid("cloud.hardware", format!("cloud.hardware must be an object holding disk0..disk9, not {}", shown(other)));
            return Vec::new();
        }
    };
    let disks: Vec<DiskSpec> = (0..=9u8).filter_map(|slot| parse_disk(slot, hardware, problems)).collect();
    for (i, disk) in disks.iter().enumerate() {
        if let Some(earlier) = disks[..i].iter().find(|d| d.device == disk.device) {
            problems.invalid(
                format!("cloud.hardware.disk{}.device", disk.slot),
                format!("cloud.hardware.disk{}.device '{}' is already used by disk{}", disk.slot, disk.device, earlier.slot),
            );
        }
    }
    disks
}

fn parse_disk(slot: u8, hardware: &Map<String, Value>, problems: &mut Problems) -> Option<DiskSpec> {
    let prefix = format!("cloud.hardware.disk{slot}");
    let disk = match hardware.get(&format!("disk{slot}"))? {
        Value::Null => return None,
        Value::Object(map) => map,
        other => {
            problems.invalid(&prefix, format!("{prefix} must be an object (device, size, …), not {}", shown(other)));
            return None;
        }
    };
    let before = problems.0.len();

    let device = match disk.get("device") {
        Some(Value::String(d)) if ids::is_device_name(d) => d.clone(),
        Some(other) => {
            problems.invalid(format!("{prefix}.device"), format!("{prefix}.device {} is not a device name like /dev/sdb or /dev/xvdf", shown(other)));
            String::new()
        }
        None => {
            problems.missing(format!("{prefix}.device"), format!("{prefix}.device is missing (e.g. /dev/sdb)"));
            String::new()
        }
    };

    let snapshot_id = match disk.get("snapshot") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if ids::is_snapshot_id(s) => Some(s.clone()),
        Some(other) => {
            problems.invalid(format!("{prefix}.snapshot"), format!("{prefix}.snapshot {} is not a snapshot id (snap-…)", shown(other)));
            None
        }
    };

    let size_gib = match disk.get("size") {
        None | Some(Value::Null) => {
            if snapshot_id.is_none() && disk.get("snapshot").is_none() {
                problems.missing(format!("{prefix}.size"), format!("{prefix}.size is missing: give the size in MB (e.g. 10240 for 10 GiB) or a snapshot"));
            }
            None
        }
        Some(value) => match integer(value) {
            Some(mb) if mb > 0 && mb_to_gib(mb) <= MAX_GIB => Some(mb_to_gib(mb) as i32),
            _ => {
                problems.invalid(
                    format!("{prefix}.size"),
                    format!("{prefix}.size {} must be a size in MB between 1 and {} (64 TiB)", shown(value), MAX_GIB * 1024),
                );
                None
            }
        },
    };

    let volume_type = match disk.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if VOLUME_TYPES.contains(&t.as_str()) => Some(t.clone()),
        Some(other) => {
            problems.invalid(format!("{prefix}.type"), format!("{prefix}.type {} is not an EBS volume type ({})", shown(other), VOLUME_TYPES.join(", ")));
            None
        }
    };

    let iops = match disk.get("iops") {
        None | Some(Value::Null) => None,
        Some(value) => match integer(value) {
            Some(n) if (100..=256_000).contains(&n) => Some(n as i32),
            _ => {
                problems.invalid(format!("{prefix}.iops"), format!("{prefix}.iops {} must be a number between 100 and 256000", shown(value)));
                None
            }
        },
    };
    match (volume_type.as_deref(), disk.get("iops").is_some()) {
        (Some("io1" | "io2"), false) => {
            problems.missing(format!("{prefix}.iops"), format!("{prefix}.iops is required for volume type {}", volume_type.as_deref().unwrap_or_default()))
        }
        (Some("io1" | "io2" | "gp3"), true) | (_, false) => {}
        (other, true) => problems.invalid(
            format!("{prefix}.iops"),
            format!("{prefix}.iops can only be set for volume types gp3, io1 and io2 (this disk is {})", other.unwrap_or("the default type")),
        ),
    }

    let delete_on_termination = match disk.get("delete_on_termination") {
        None | Some(Value::Null) => true,
        Some(value) => boolean(value).unwrap_or_else(|| {
            problems.invalid(format!("{prefix}.delete_on_termination"), format!("{prefix}.delete_on_termination {} must be true or false", shown(value)));
            true
        }),
    };

    (problems.0.len() == before).then_some(DiskSpec { slot, device, size_gib, volume_type, iops, snapshot_id, delete_on_termination })
}

/// poni stores sizes in MB; EBS takes whole GiB, so round up rather than lose space.
fn mb_to_gib(mb: i64) -> i64 {
    (mb + 1023) / 1024
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(hardware: Value) -> (Vec<DiskSpec>, Vec<String>) {
        let mut problems = Problems::default();
        let disks = parse_disks(Some(&hardware), &mut problems);
        (disks, problems.0.into_iter().map(|p| p.message).collect())
    }

    #[test]
    fn sizes_in_mb_round_up_to_whole_gib() {
        let (disks, problems) = parse(json!({
            "disk0": {"device": "/dev/sda1", "size": 8192},
            "disk1": {"device": "/dev/sdb", "size": "10241", "type": "gp3", "iops": "4000",
                      "delete_on_termination": "false"},
            "disk2": {"device": "/dev/sdc", "snapshot": "snap-0123456789abcdef0"}
        }));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(disks[0].size_gib, Some(8));
        assert_eq!(disks[1].size_gib, Some(11));
        assert_eq!(disks[1].iops, Some(4000));
        assert!(!disks[1].delete_on_termination);
        assert!(disks[0].delete_on_termination);
        assert_eq!(disks[2].size_gib, None);
        assert_eq!(disks[2].snapshot_id.as_deref(), Some("snap-0123456789abcdef0"));
    }

    #[test]
    fn every_bad_disk_property_is_reported() {
        let (disks, problems) = parse(json!({
            "disk0": {"size": 0, "type": "ssd"},
            "disk3": {"device": "/dev/sdb", "size": 1024, "type": "io2"},
            "disk4": {"device": "/dev/sdb", "size": 1024, "iops": 3000},
            "disk5": "big"
        }));
        let text = problems.join("\n");
        assert!(text.contains("cloud.hardware.disk0.device is missing"), "{text}");
        assert!(text.contains("cloud.hardware.disk0.size 0 must be a size in MB"), "{text}");
        assert!(text.contains("cloud.hardware.disk0.type 'ssd' is not an EBS volume type"), "{text}");
        assert!(text.contains("cloud.hardware.disk3.iops is required for volume type io2"), "{text}");
        assert!(text.contains("cloud.hardware.disk4.iops can only be set"), "{text}");
        assert!(text.contains("cloud.hardware.disk5 must be an object"), "{text}");
        assert!(disks.is_empty());
    }

    #[test]
    fn two_disks_on_one_device_are_reported() {
        let (_, problems) = parse(json!({
            "disk0": {"device": "/dev/sdb", "size": 1024},
            "disk1": {"device": "/dev/sdb", "size": 1024}
        }));
        assert_eq!(problems, vec!["cloud.hardware.disk1.device '/dev/sdb' is already used by disk0"]);
    }
}

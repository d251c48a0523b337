//! Shapes of the AWS identifiers a node may hold. Old ids have 8 hex digits, current ones 17.

use std::sync::LazyLock;

use regex::Regex;

fn aws_id(prefix: &str) -> Regex {
    Regex::new(&format!("^{prefix}-(?:[0-9a-f]{{8}}|[0-9a-f]{{17}})$")).expect("valid id pattern")
}

static AMI: LazyLock<Regex> = LazyLock::new(|| aws_id("ami"));
static SECURITY_GROUP: LazyLock<Regex> = LazyLock::new(|| aws_id("sg"));
static SUBNET: LazyLock<Regex> = LazyLock::new(|| aws_id("subnet"));
static SNAPSHOT: LazyLock<Regex> = LazyLock::new(|| aws_id("snap"));
static ALLOCATION: LazyLock<Regex> = LazyLock::new(|| aws_id("eipalloc"));
static KERNEL: LazyLock<Regex> = LazyLock::new(|| aws_id("aki"));
static RAMDISK: LazyLock<Regex> = LazyLock::new(|| aws_id("ari"));
/// Instance types look like `t3.micro`, `m7g.2xlarge`, `u-6tb1.metal`.
static INSTANCE_TYPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$").expect("valid pattern"));
/// Linux device names EC2 accepts for EBS mappings: /dev/sd[a-z], /dev/xvd[a-z], with suffixes.
static DEVICE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^/dev/(?:sd|xvd|hd)[a-z]{1,2}[0-9]{0,2}$|^xvd[a-z]{1,2}$").expect("valid pattern"));

pub fn is_ami_id(s: &str) -> bool {
    AMI.is_match(s)
}
pub fn is_security_group_id(s: &str) -> bool {
    SECURITY_GROUP.is_match(s)
}
pub fn is_subnet_id(s: &str) -> bool {
    SUBNET.is_match(s)
}
pub fn is_snapshot_id(s: &str) -> bool {
    SNAPSHOT.is_match(s)
}
pub fn is_allocation_id(s: &str) -> bool {
    ALLOCATION.is_match(s)
}
pub fn is_kernel_id(s: &str) -> bool {
    KERNEL.is_match(s)
}
pub fn is_ramdisk_id(s: &str) -> bool {
    RAMDISK.is_match(s)
}
pub fn is_instance_type(s: &str) -> bool {
    INSTANCE_TYPE.is_match(s)
}
pub fn is_device_name(s: &str) -> bool {
    DEVICE.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_prefix_and_8_or_17_hex_digits() {
        assert!(is_ami_id("ami-daf615b3"));
        assert!(is_ami_id("ami-0123456789abcdef0"));
        assert!(!is_ami_id("ami-DAF615B3"));
        assert!(!is_ami_id("ami-123"));
        assert!(!is_ami_id("foo"));
        assert!(is_security_group_id("sg-0123456789abcdef0"));
        assert!(!is_security_group_id("sg-web"));
        assert!(is_subnet_id("subnet-12345678"));
        assert!(is_snapshot_id("snap-0123456789abcdef0"));
        assert!(is_allocation_id("eipalloc-12345678"));
        assert!(is_kernel_id("aki-6eaa4907") && !is_kernel_id("ari-42b95a2b"));
        assert!(is_ramdisk_id("ari-42b95a2b") && !is_ramdisk_id("ami-42b95a2b"));
    }

    #[test]
    fn instance_types_and_devices() {
        for t in ["t3.micro", "m7g.2xlarge", "u-6tb1.metal", "c6id.metal-48xl"] {
            assert!(is_instance_type(t), "{t}");
        }
        for t in ["t3", "T3.micro", "t3.micro ", ".micro"] {
            assert!(!is_instance_type(t), "{t}");
        }
        for d in ["/dev/sda1", "/dev/sdb", "/dev/xvdf", "xvdb"] {
            assert!(is_device_name(d), "{d}");
        }
        assert!(!is_device_name("sdb"));
        assert!(!is_device_name("/dev/nvme1n1"));
    }
}

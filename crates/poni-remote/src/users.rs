//! The login names worth trying when a node's `user` is refused: the one its image's
//! distribution documents (by the image's name, the rule of
//! [`poni_cloud::account::login_user_for`]), else the common ones of EC2 images.

use poni_cloud::account::login_user_for;

/// Tried when the image, or its distribution, is not known: Amazon Linux and RHEL-likes,
/// Ubuntu, Debian.
pub const COMMON_USERS: &[&str] = &["ec2-user", "ubuntu", "admin"];

/// The usual login names for an image by its name (`ubuntu/images/…`, `al2023-ami-…`,
/// `fedora-coreos-…`): the distribution's own user when the name tells it, else
/// [`COMMON_USERS`]. `None` (the image is not known) gives the common ones too.
pub fn usual_users(image_name: Option<&str>) -> Vec<&'static str> {
    match image_name.and_then(login_user_for) {
        Some(user) => vec![user],
        None => COMMON_USERS.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_distribution_has_its_documented_user() {
        let cases = [
            ("al2023-ami-2023.6.20250101.0-kernel-6.1-x86_64", "ec2-user"),
            ("amzn2-ami-hvm-2.0.20240306.2-x86_64-gp2", "ec2-user"),
            ("RHEL-9.4.0_HVM-20240605-x86_64-82-Hourly2-GP3", "ec2-user"),
            ("suse-sles-15-sp6-v20240808-hvm-ssd-x86_64", "ec2-user"),
            ("fedora-coreos-40.20240519.3.0-x86_64", "core"),
            ("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250101", "ubuntu"),
            ("debian-12-amd64-20250101-1980", "admin"),
            ("CentOS Stream 9 x86_64 20240520", "centos"),
            ("Fedora-Cloud-Base-40-1.14.x86_64-hvm-us-east-1-gp3-0", "fedora"),
            ("Rocky-9-EC2-Base-9.4-20240523.0.x86_64", "rocky"),
            ("AlmaLinux OS 9.4.20240507 x86_64", "ec2-user"),
            ("bitnami-wordpress-6.5.3-0-linux-debian-12-x86_64-hvm-ebs-nami", "bitnami"),
        ];
        for (name, user) in cases {
            assert_eq!(usual_users(Some(name)), [user], "{name}");
        }
    }

    #[test]
    fn an_unknown_image_gives_the_common_names() {
        assert_eq!(usual_users(None), ["ec2-user", "ubuntu", "admin"]);
        assert_eq!(usual_users(Some("my-golden-image-2024")), ["ec2-user", "ubuntu", "admin"]);
        assert_eq!(usual_users(Some("")), COMMON_USERS);
        // Hostile names (control characters, odd case) never panic and are read as any other.
        assert_eq!(usual_users(Some("\u{1b}[31mUBUNTU\u{7}")), ["ubuntu"]);
    }
}

//! The account lookups and actions against moto behind the harness's proxy (each test has its
//! own moto account): every list the app offers, making a key pair (file mode, never over a
//! file), opening SSH, and whose account it is.

use std::time::Duration;

use poni_cloud::account::{groups_open_ssh, Account, ImageSource, SshAccessTarget};
use poni_cloud::aws::ProviderOptions;
use poni_cloud::spec::SecurityGroupRef;
use poni_cloud::Coded;
use poni_e2e::{Ec2Proxy, ProxyConfig};

const REGION: &str = "us-east-1";

async fn account(proxy: &Ec2Proxy) -> Account {
    let timeouts = |o| ProviderOptions { connect_timeout: Duration::from_secs(5), attempt_timeout: Duration::from_secs(30), ..o };
    Account::new(crate::moto_provider::provider(proxy, timeouts).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regions_images_and_instance_types_come_from_the_account() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let account = account(&proxy).await;

    let regions = account.regions(REGION).await.unwrap();
    let virginia = regions.iter().find(|r| r.code == "us-east-1").expect("us-east-1 listed");
    assert_eq!(virginia.name, "US East (N. Virginia)");
    assert!(regions.iter().any(|r| r.code == "eu-west-1"), "{regions:?}");

    // moto publishes Amazon Linux's public parameters (not Ubuntu's or Debian's, which are skipped).
    let images = account.images(REGION).await.unwrap();
    let al2023: Vec<_> = images.iter().filter(|i| i.family.as_deref() == Some("Amazon Linux 2023")).collect();
    assert_eq!(al2023.iter().map(|i| i.architecture.as_str()).collect::<Vec<_>>(), ["x86_64", "arm64"], "{images:#?}");
    for image in &al2023 {
        assert!(image.id.starts_with("ami-"), "{image:?}");
        assert_eq!((image.source, image.login_user.as_deref()), (ImageSource::QuickStart, Some("ec2-user")));
        assert!(!image.name.is_empty());
    }

    let arm = account.instance_types(REGION, Some("arm64")).await.unwrap();
    assert!(!arm.is_empty());
    assert!(arm.iter().all(|t| t.architectures.iter().any(|a| a == "arm64")), "only arm64 types");
    let micro = arm.iter().find(|t| t.name == "t4g.micro").expect("t4g.micro offered");
    assert_eq!((micro.vcpus, micro.memory_mib), (2, 1024));
    let x86 = account.instance_types(REGION, Some("x86_64")).await.unwrap();
    assert!(x86.iter().any(|t| t.name == "t3.micro") && !x86.iter().any(|t| t.name == "t4g.micro"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_pair_made_here_saves_its_private_key_once_and_privately() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let account = account(&proxy).await;
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");

    let made = account.create_key_pair(REGION, "deploy", &ssh).await.unwrap();
    assert!(made.file.exists, "{made:?}");
    let pem = ssh.join("deploy.pem");
    let text = std::fs::read_to_string(&pem).unwrap();
    assert!(text.contains("PRIVATE KEY"), "the private key is saved");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&pem).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let listed = account.key_pairs(REGION, &ssh).await.unwrap();
    let deploy = listed.iter().find(|k| k.name == "deploy").expect("listed");
    assert!(deploy.file.exists && deploy.key_pair_id.is_some());

    // A second pair of the same name is refused by EC2; the existing key file is untouched.
    let again = account.create_key_pair(REGION, "deploy", &home.path().join("other-ssh")).await.unwrap_err();
    assert_eq!(again.code(), "keypair.exists", "{again}");
    // A file that is already there is never overwritten, and EC2 is not even asked.
    std::fs::write(ssh.join("mine.pem"), "my own key").unwrap();
    let clash = account.create_key_pair(REGION, "mine", &ssh).await.unwrap_err();
    assert_eq!(clash.code(), "keypair.file_exists");
    assert_eq!(std::fs::read_to_string(ssh.join("mine.pem")).unwrap(), "my own key");
    assert!(!account.key_pairs(REGION, &ssh).await.unwrap().iter().any(|k| k.name == "mine"));
    assert_eq!(std::fs::read_to_string(&pem).unwrap(), text);

    // Import: an OpenSSH public key, with a link to its private key under the pem name.
    let public = ssh.join("id_ed25519.pub");
    std::fs::write(&public, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKm2yZ4VbZ7+VbZ1mCBLfQ3J0aJfvq3dEV2mQ3x1Q0cE ann@laptop\n").unwrap();
    std::fs::write(ssh.join("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n").unwrap();
    let imported = account.import_key_pair(REGION, "laptop", &public, &ssh).await.unwrap();
    assert!(imported.file.exists, "linked to the private key: {imported:?}");
    assert!(account.key_pairs(REGION, &ssh).await.unwrap().iter().any(|k| k.name == "laptop"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_access_is_opened_in_a_new_or_an_existing_group() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let account = account(&proxy).await;

    let groups = account.security_groups(REGION).await.unwrap();
    let default = groups.iter().find(|g| g.name == "default").expect("the default VPC's default group");
    // moto's default group has no inbound rules: the launch preview warns that SSH is closed.
    assert_eq!(groups_open_ssh(&groups, &[], default.vpc_id.as_deref()), Some(false));

    let opened = account.allow_ssh(REGION, &SshAccessTarget::New { name: "ssh-office".into() }, "203.0.113.0/24").await.unwrap();
    assert!(opened.created && opened.warning.is_none());
    assert_eq!(opened.group.summary, ["SSH from 203.0.113.0/24"]);
    assert!(opened.group.allows_ssh);

    // Again, into the same group: the rule that is there counts as done; the whole internet is warned about.
    let existing = SshAccessTarget::Existing { group_id: opened.group.id.clone() };
    let same = account.allow_ssh(REGION, &existing, "203.0.113.0/24").await.unwrap();
    assert_eq!(same.group.summary, ["SSH from 203.0.113.0/24"]);
    let open = account.allow_ssh(REGION, &existing, "0.0.0.0/0").await.unwrap();
    assert!(open.warning.unwrap().contains("anyone on the internet"));

    let groups = account.security_groups(REGION).await.unwrap();
    let chosen = [SecurityGroupRef::Name("ssh-office".into())];
    assert_eq!(groups_open_ssh(&groups, &chosen, default.vpc_id.as_deref()), Some(true));

    let taken = account.allow_ssh(REGION, &SshAccessTarget::New { name: "ssh-office".into() }, "10.0.0.0/8").await.unwrap_err();
    assert_eq!(taken.code(), "ssh.group_exists");
    let bad = account.allow_ssh(REGION, &existing, "my office").await.unwrap_err();
    assert_eq!(bad.code(), "ssh.invalid_cidr");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subnets_and_whose_account() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let account = account(&proxy).await;
    let subnets = account.subnets(REGION).await.unwrap();
    assert!(!subnets.is_empty());
    assert!(subnets.iter().all(|s| s.id.starts_with("subnet-") && s.vpc_id.starts_with("vpc-") && s.zone.starts_with(REGION)));
    assert!(subnets.iter().any(|s| s.default_for_zone && s.public_ip_on_launch), "{subnets:#?}");

    // STS answers for the proxy's moto account.
    let me = account.identity(REGION).await.unwrap();
    assert_eq!(me.account, proxy.account_id());
    assert!(me.arn.starts_with(&format!("arn:aws:sts::{}:", proxy.account_id())), "{me:?}");
}

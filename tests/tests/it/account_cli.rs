//! The account from the command line: the lists the app offers (`poni cloud regions`,
//! `images`, `instance-types`, `key-pairs`, `security-groups`, `subnets`), making a key pair
//! and SSH access, and SSO sign-in (`poni sso login`) against the harness's SSO server, with
//! the session expiring and signed in again. moto behind the proxy serves EC2, SSM and STS.

use std::process::Stdio;
use std::time::Duration;

use poni_e2e::{write_aws_config, Ec2Proxy, Poni, ProxyConfig, SsoProfile, SsoServer};
use serde_json::Value;

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

#[test]
fn the_account_lists_and_actions_from_the_command_line() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let repo = tempfile::tempdir().unwrap();
    let poni = Poni::new(&repo.path().join("r"), proxy.endpoint_url());

    let regions = poni.ok(&["cloud", "regions"]).stdout;
    assert!(regions.lines().any(|l| l.starts_with("us-east-1") && l.contains("US East (N. Virginia)")), "{regions}");

    let images = json(&poni.ok(&["cloud", "images", "--region", "us-east-1", "--json"]).stdout);
    let al = images.as_array().unwrap().iter().find(|i| i["family"] == "Amazon Linux 2023" && i["architecture"] == "x86_64").expect("AL2023");
    assert_eq!(al["loginUser"], "ec2-user");
    let text = poni.ok(&["cloud", "images", "--region", "us-east-1"]).stdout;
    assert!(text.contains(al["id"].as_str().unwrap()) && text.contains("Amazon Linux 2023"), "{text}");

    let types = poni.ok(&["cloud", "instance-types", "--region", "us-east-1", "--architecture", "arm64"]).stdout;
    assert!(types.lines().any(|l| l.starts_with("t4g.micro") && l.contains("2 vCPU") && l.contains("1 GiB")), "{types}");

    let made = poni.ok(&["cloud", "key-pair", "create", "deploy", "--region", "us-east-1"]).stdout;
    let pem = poni.home().join(".ssh/deploy.pem");
    assert!(made.contains(&pem.display().to_string()), "{made}");
    assert!(std::fs::read_to_string(&pem).unwrap().contains("PRIVATE KEY"));
    let again = poni.run(&["cloud", "key-pair", "create", "deploy", "--region", "us-east-1"]);
    assert!(!again.success && again.stderr.contains("already exists"), "{}", again.stderr);
    let pairs = poni.ok(&["cloud", "key-pairs", "--region", "us-east-1"]).stdout;
    assert!(pairs.lines().any(|l| l.starts_with("deploy") && !l.contains("(missing)")), "{pairs}");

    let ssh = poni.ok(&["cloud", "ssh-access", "ssh-office", "--region", "us-east-1", "--cidr", "203.0.113.0/24"]);
    assert!(ssh.stdout.contains("created security group ssh-office") && ssh.stdout.contains("SSH from 203.0.113.0/24"), "{}", ssh.stdout);
    let open = poni.ok(&["cloud", "ssh-access", "ssh-office", "--region", "us-east-1", "--cidr", "0.0.0.0/0"]);
    assert!(open.stdout.contains("updated security group") && open.stderr.contains("anyone on the internet"), "{}", open.stderr);
    let bad = poni.run(&["cloud", "ssh-access", "ssh-office", "--region", "us-east-1", "--cidr", "office"]);
    assert!(!bad.success && bad.stderr.contains("is not an address range"), "{}", bad.stderr);
    let groups = json(&poni.ok(&["cloud", "security-groups", "--region", "us-east-1", "--json"]).stdout);
    assert!(groups.as_array().unwrap().iter().any(|g| g["name"] == "ssh-office" && g["allowsSsh"] == true));

    let subnets = poni.ok(&["cloud", "subnets", "--region", "us-east-1"]).stdout;
    assert!(subnets.lines().all(|l| l.starts_with("subnet-")) && subnets.contains("public IP"), "{subnets}");
}

#[test]
fn sso_sign_in_expiry_and_signing_in_again() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let sso = SsoServer::start();
    let repo = tempfile::tempdir().unwrap();
    let mut poni = Poni::new(&repo.path().join("r"), proxy.endpoint_url())
        .without_var("AWS_ACCESS_KEY_ID")
        .without_var("AWS_SECRET_ACCESS_KEY")
        .with_var("AWS_PROFILE", "dev");
    for (k, v) in sso.endpoint_vars() {
        poni = poni.with_var(&k, &v);
    }
    let profile = SsoProfile::new("dev", proxy.account_id(), "Admin");
    write_aws_config(poni.home(), &poni_e2e::sso_config_text(std::slice::from_ref(&profile)));

    // Not signed in yet: one clear line that says how, and no call to the portal.
    let before = poni.run(&["cloud", "regions"]);
    assert!(!before.success);
    assert!(before.stderr.contains("uses SSO and is not signed in") && before.stderr.contains("poni sso login --profile dev"), "{}", before.stderr);
    assert_eq!(sso.calls("GetRoleCredentials"), 0);

    let sign_in = |poni: &Poni| {
        let child = poni.command(&["sso", "login", "--no-browser"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let pending = sso.wait_for_pending(Duration::from_secs(20));
        sso.approve(&pending.user_code);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains(&pending.user_code) && stderr.contains("signed in to 'dev'"), "{stderr}");
    };
    sign_in(&poni);
    let cache = poni.home().join(".aws/sso/cache").join(sso.cache_file_name(profile.token_cache_identifier()));
    let token: Value = json(&std::fs::read_to_string(&cache).unwrap());
    assert!(token["accessToken"].is_string() && token["refreshToken"].is_string() && token["expiresAt"].as_str().unwrap().ends_with('Z'));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Signed in: the profile's role credentials reach the account (the SDK reads the same cache).
    let regions = poni.ok(&["cloud", "regions"]).stdout;
    assert!(regions.contains("us-east-1"), "{regions}");
    assert!(sso.calls("GetRoleCredentials") >= 1);

    // The session ends (revoked at the portal, refresh refused): one clear line, then sign in again.
    sso.expire_session();
    let expired = poni.run(&["cloud", "regions"]);
    assert!(!expired.success);
    assert!(expired.stderr.contains("has expired") && expired.stderr.contains("poni sso login --profile dev"), "{}", expired.stderr);
    sign_in(&poni);
    poni.ok(&["cloud", "key-pairs", "--region", "us-east-1"]);

    // A refused sign-in says so.
    let child = poni.command(&["sso", "login", "--no-browser"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pending = sso.wait_for_pending(Duration::from_secs(20));
    sso.deny(&pending.user_code);
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("was declined"), "{}", String::from_utf8_lossy(&out.stderr));
}

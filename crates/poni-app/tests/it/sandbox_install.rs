//! The practice sandbox's first use, for real: a fresh virtualenv, moto installed into it with
//! pip from PyPI (with progress), started on a free loopback port, answering EC2, stopped.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use poni_app::cloud::{Sandbox, SandboxPace, SandboxPhase};
use poni_e2e::Ec2Client;

fn python() -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join("python3")).find(|p| p.is_file())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_installs_moto_then_it_runs_and_stops() {
    let Some(python) = python() else {
        panic!("python3 is not on PATH: scripts/install-deps installs it");
    };
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::new(dir.path().join("sandbox-venv"), Some(python));
    type Phases = Arc<Mutex<Vec<(SandboxPhase, Option<String>)>>>;
    let seen: Phases = Arc::default();
    let log = seen.clone();
    sandbox.set_listener(Arc::new(move |s| log.lock().unwrap().push((s.phase, s.detail.clone()))));

    let running = sandbox.start(SandboxPace::Usual).await.unwrap_or_else(|e| panic!("{}: {}", e.code, e.message));
    assert_eq!(running.phase, SandboxPhase::Running);
    let url = running.endpoint.clone().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(dir.path().join("sandbox-venv/bin/moto_server").is_file());

    let phases: Vec<SandboxPhase> = seen.lock().unwrap().iter().map(|(p, _)| *p).collect();
    assert_eq!(phases.first(), Some(&SandboxPhase::Installing));
    assert!(phases.contains(&SandboxPhase::Starting) && phases.last() == Some(&SandboxPhase::Running), "{phases:?}");
    let details: Vec<String> = seen.lock().unwrap().iter().filter_map(|(_, d)| d.clone()).collect();
    assert!(details.iter().any(|d| d.contains("Installing moto")), "pip's progress is shown: {details:?}");

    // It is a real EC2 endpoint.
    let answer = std::process::Command::new("curl").args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &format!("{url}/moto-api/data.json")]).output();
    if let Ok(out) = answer {
        assert_eq!(String::from_utf8_lossy(&out.stdout), "200");
    }
    // At EC2's usual pace an instance stays pending a while (moto alone says running at once).
    let ec2 = Ec2Client::new(&url);
    let id = ec2.run_instances(1).remove(0);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let seen = ec2.describe_instances(&[("instance-id", &[id.as_str()])]);
    assert_eq!(seen[0].state, "pending", "held pending: {seen:?}");
    // A second start while running changes nothing; stop ends the servers.
    assert_eq!(sandbox.start(SandboxPace::Usual).await.unwrap().endpoint.as_deref(), Some(url.as_str()));
    assert_eq!(sandbox.stop().await.phase, SandboxPhase::Off);
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let mut gone = false;
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "moto still answers on {port} after stop");

    // "Fast": moto as it is, running at once.
    let fast = sandbox.start(SandboxPace::Fast).await.unwrap().endpoint.unwrap();
    let ec2 = Ec2Client::new(&fast);
    let id = ec2.run_instances(1).remove(0);
    assert_eq!(ec2.describe_instances(&[("instance-id", &[id.as_str()])])[0].state, "running");
    sandbox.stop().await;
}

//! The EC2 test proxy against a real moto: held states, faults, counting, isolation.
//!
//! Every test has its own proxy and so its own moto account in the binary's shared moto.

use std::time::{Duration, Instant};

use poni_e2e::{Ec2Client, Ec2Proxy, FaultKind, InstanceView, Moto, ProxyConfig};

const HOLD: Duration = Duration::from_secs(2);

/// Polls the instance until it shows `state`; returns how long that took since `since`.
fn wait_for_state(ec2: &Ec2Client, id: &str, state: &str, since: Instant) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let view = ec2.describe_instance(id).expect("instance is listed");
        if view.state == state {
            return since.elapsed();
        }
        assert!(Instant::now() < deadline, "{id} still {} after 20 s", view.state);
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn ids(views: &[InstanceView]) -> Vec<String> {
    views.iter().map(|v| v.id.clone()).collect()
}

#[test]
fn launch_shows_pending_without_public_address_until_the_hold_ends() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig { hold_pending: HOLD, ..Default::default() });
    let ec2 = Ec2Client::new(proxy.endpoint_url());

    // Taken before the call: the hold starts when the proxy sees moto's answer.
    let launched_at = Instant::now();
    let run = ec2.call_ok("RunInstances", &[("ImageId", poni_e2e::TEST_AMI), ("MinCount", "2"), ("MaxCount", "2")]);
    let launched = run.instances();
    assert_eq!(launched.len(), 2);
    for view in &launched {
        assert_eq!((view.state.as_str(), view.state_code), ("pending", 0));
        assert_eq!(view.public_dns, None, "RunInstances answer has no public DNS yet");
        assert_eq!(view.public_ip, None);
    }
    let id = &launched[0].id;

    let during = ec2.describe_instance(id).unwrap();
    assert_eq!((during.state.as_str(), during.state_code), ("pending", 0));
    assert_eq!((during.public_dns.clone(), during.public_ip.clone()), (None, None));

    // State filters see the held state, not moto's.
    let pending = ec2.describe_instances(&[("instance-state-name", &["pending"])]);
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(ec2.describe_instances(&[("instance-state-name", &["running"])]).is_empty());
    let by_code = ec2.describe_instances(&[("instance-id", &[id]), ("instance-state-code", &["0"])]);
    assert_eq!(ids(&by_code), vec![id.clone()]);

    // DescribeInstanceStatus lists only running instances unless IncludeAllInstances.
    let status = ec2.call_ok("DescribeInstanceStatus", &[("InstanceId.1", id)]);
    assert!(status.instances().is_empty(), "{}", status.body);
    let status = ec2.call_ok("DescribeInstanceStatus", &[("InstanceId.1", id), ("IncludeAllInstances", "true")]);
    assert_eq!(status.instances()[0].state, "pending");

    let took = wait_for_state(&ec2, id, "running", launched_at);
    assert!(took >= HOLD, "running after {took:?}, before the {HOLD:?} hold ended");
    let after = ec2.describe_instance(id).unwrap();
    assert_eq!(after.state_code, 16);
    assert!(after.public_dns.is_some() && after.public_ip.is_some(), "{after:?}");
    assert_eq!(ec2.describe_instances(&[("instance-state-name", &["running"])]).len(), 2);
}

#[test]
fn terminate_shows_shutting_down_then_terminated() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig { hold_shutting_down: HOLD, ..Default::default() });
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let ids = ec2.run_instances(1);
    assert_eq!(ec2.describe_instance(&ids[0]).unwrap().state, "running", "no pending hold");

    let terminated_at = Instant::now();
    let answer = ec2.change_state("TerminateInstances", &ids);
    assert_eq!(answer[0].state, "shutting-down");
    let during = ec2.describe_instance(&ids[0]).unwrap();
    assert_eq!((during.state.as_str(), during.state_code), ("shutting-down", 32));
    let filtered = ec2.describe_instances(&[("instance-state-name", &["shutting-down"])]);
    assert_eq!(filtered.len(), 1);
    assert!(ec2.describe_instances(&[("instance-state-name", &["terminated"])]).is_empty());

    let took = wait_for_state(&ec2, &ids[0], "terminated", terminated_at);
    assert!(took >= HOLD, "terminated after {took:?}, before the {HOLD:?} hold ended");
    assert_eq!(ec2.describe_instance(&ids[0]).unwrap().state_code, 48);

    // Terminating again changes nothing, as on EC2 (moto alone would say shutting-down).
    let again = ec2.change_state("TerminateInstances", &ids);
    assert_eq!(again[0].state, "terminated");
    assert_eq!(ec2.describe_instance(&ids[0]).unwrap().state, "terminated");
}

#[test]
fn terminating_a_pending_instance_reports_pending_as_previous_state() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_holds(Duration::from_secs(30)));
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let ids = ec2.run_instances(1);
    let resp = ec2.call_ok("TerminateInstances", &[("InstanceId.1", &ids[0])]);
    assert_eq!(resp.values("name"), vec!["shutting-down", "pending"], "{}", resp.body);
    assert_eq!(ec2.describe_instance(&ids[0]).unwrap().state, "shutting-down");
    // A hold set back to 0 releases at once.
    proxy.configure_json(serde_json::json!({"hold_shutting_down": 0}));
    assert_eq!(ec2.describe_instance(&ids[0]).unwrap().state, "terminated");
}

#[test]
fn stop_shows_stopping_then_stopped_and_start_shows_pending() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig { hold_stopping: HOLD, hold_pending: HOLD, ..Default::default() });
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let ids = ec2.run_instances(1);
    let id = &ids[0];
    wait_for_state(&ec2, id, "running", Instant::now());

    let stopped_at = Instant::now();
    assert_eq!(ec2.change_state("StopInstances", &ids)[0].state, "stopping");
    assert_eq!(ec2.describe_instance(id).unwrap().state_code, 64);
    let took = wait_for_state(&ec2, id, "stopped", stopped_at);
    assert!(took >= HOLD, "stopped after {took:?}");

    let started_at = Instant::now();
    assert_eq!(ec2.change_state("StartInstances", &ids)[0].state, "pending");
    assert_eq!(ec2.describe_instance(id).unwrap().state, "pending");
    let took = wait_for_state(&ec2, id, "running", started_at);
    assert!(took >= HOLD, "running again after {took:?}");
}

#[test]
fn full_throttle_answers_request_limit_exceeded_and_does_not_forward() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_faults(1.0, &[FaultKind::Throttle]));
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    for _ in 0..3 {
        let resp = ec2.call("RunInstances", &[("ImageId", poni_e2e::TEST_AMI), ("MinCount", "1"), ("MaxCount", "1")]).expect("an answer");
        assert_eq!(resp.status, 503);
        assert_eq!(resp.error_code().as_deref(), Some("RequestLimitExceeded"));
        assert_eq!(resp.values("Message"), vec!["Request limit exceeded."]);
        assert_eq!(resp.values("RequestID").len(), 1);
    }
    let stats = proxy.full_stats();
    assert_eq!(stats.faults, 3);
    assert_eq!(stats.faults_by_kind.get("throttle"), Some(&3));

    proxy.clear_faults();
    assert!(ec2.describe_instances(&[]).is_empty(), "a throttled call launched nothing");
}

#[test]
fn error_faults_have_their_status_and_code() {
    for (kind, status, code) in [(FaultKind::Http500, 500, "InternalError"), (FaultKind::Http503, 503, "Unavailable")] {
        let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_faults(1.0, &[kind]));
        let resp = Ec2Client::new(proxy.endpoint_url()).call("DescribeInstances", &[]).unwrap();
        assert_eq!((resp.status, resp.error_code().as_deref()), (status, Some(code)));
    }
}

#[test]
fn stats_count_calls_by_action_and_reset() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let ids = ec2.run_instances(3);
    for _ in 0..4 {
        ec2.describe_instances(&[]);
    }
    ec2.change_state("TerminateInstances", &ids);
    let stats = proxy.stats();
    assert_eq!(stats.get("RunInstances"), Some(&1));
    assert_eq!(stats.get("DescribeInstances"), Some(&4));
    assert_eq!(stats.get("TerminateInstances"), Some(&1));
    assert_eq!(stats.len(), 3, "{stats:?}");
    let full = proxy.full_stats();
    assert_eq!((full.requests, full.faults), (6, 0));

    proxy.reset_stats();
    assert!(proxy.stats().is_empty());
    ec2.describe_instances(&[]);
    assert_eq!(proxy.full_stats().count("DescribeInstances"), 1);
}

#[test]
fn drop_after_launches_an_instance_whose_answer_is_lost() {
    let proxy = Ec2Proxy::start_shared(
        ProxyConfig { hold_pending: Duration::from_secs(30), ..Default::default() }
            .with_faults(1.0, &[FaultKind::DropAfter])
            .on_actions(&["RunInstances"])
            .with_budget(1),
    );
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let lost = ec2.call("RunInstances", &[("ImageId", poni_e2e::TEST_AMI), ("MinCount", "1"), ("MaxCount", "1")]);
    assert!(lost.is_err(), "the answer should be lost, got {lost:?}");

    // Only RunInstances is faulted, and the budget is spent: describing works, and shows the
    // instance the client never heard of, still pending.
    let seen = ec2.describe_instances(&[]);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].state, "pending");
    let stats = proxy.full_stats();
    assert_eq!(stats.count("RunInstances"), 1, "the client did not retry the call");
    assert_eq!(stats.faults_by_kind.get("drop_after"), Some(&1));

    // The budget is spent: the next launch is answered.
    assert_eq!(ec2.run_instances(1).len(), 1);
    assert_eq!(ec2.describe_instances(&[]).len(), 2);
}

#[test]
fn drop_loses_the_call_before_it_reaches_moto() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_faults(1.0, &[FaultKind::Drop]).with_budget(1));
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    let lost = ec2.call("RunInstances", &[("ImageId", poni_e2e::TEST_AMI), ("MinCount", "1"), ("MaxCount", "1")]);
    assert!(lost.is_err(), "expected no answer, got {lost:?}");
    assert!(ec2.describe_instances(&[]).is_empty(), "nothing was launched");
    assert_eq!(proxy.faults_injected(), 1);
}

#[test]
fn latency_delays_matching_calls_only() {
    let proxy =
        Ec2Proxy::start_shared(ProxyConfig { latency: Duration::from_millis(400), fault_actions: vec!["DescribeInstances".into()], ..Default::default() });
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    ec2.describe_instances(&[]); // the account's first call may be slow in moto
    let t = Instant::now();
    ec2.describe_instances(&[]);
    assert!(t.elapsed() >= Duration::from_millis(400), "{:?}", t.elapsed());
    let t = Instant::now();
    ec2.call_ok("DescribeInstanceStatus", &[]);
    assert!(t.elapsed() < Duration::from_millis(400), "{:?}", t.elapsed());
}

/// The faults a 50% rate gives over 30 calls, as a pattern of answered (.) and faulted (x).
fn fault_pattern(seed: u64) -> String {
    let proxy = Ec2Proxy::start_shared(ProxyConfig { seed, ..ProxyConfig::default().with_faults(0.5, &[FaultKind::Throttle, FaultKind::Http500]) });
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    (0..30)
        .map(|_| match ec2.call("DescribeInstances", &[]).unwrap() {
            r if r.is_ok() => '.',
            r if r.status == 503 => 't',
            _ => 'e',
        })
        .collect()
}

#[test]
fn faults_are_reproducible_from_the_seed() {
    let a = fault_pattern(7);
    assert_eq!(a, fault_pattern(7));
    assert_ne!(a, fault_pattern(8));
    assert!(a.contains('.') && a.contains('t') && a.contains('e'), "{a}");
}

#[test]
fn each_proxy_has_its_own_account() {
    let a = Ec2Proxy::start_shared(ProxyConfig::default());
    let b = Ec2Proxy::start_shared(ProxyConfig::default());
    assert_ne!(a.account_id(), b.account_id());
    let (ea, eb) = (Ec2Client::new(a.endpoint_url()), Ec2Client::new(b.endpoint_url()));
    let launched = ea.run_instances(2);
    assert_eq!(ids(&ea.describe_instances(&[])).len(), 2);
    assert!(eb.describe_instances(&[]).is_empty(), "b sees a's instances");
    let resp = ea.call_ok("DescribeInstances", &[]);
    assert!(resp.body.contains(&format!("<ownerId>{}</ownerId>", a.account_id())), "{}", resp.body);

    // A proxy configured for a's account sees them.
    let c = Ec2Proxy::start_shared(ProxyConfig { account: Some(a.account_id().to_string()), ..Default::default() });
    let seen = ids(&Ec2Client::new(c.endpoint_url()).describe_instances(&[]));
    assert_eq!(seen.len(), 2);
    assert!(launched.iter().all(|id| seen.contains(id)));
}

#[test]
fn bad_config_is_refused_and_the_old_one_kept() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default());
    let url = format!("{}/_proxy/config", proxy.endpoint_url());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    for bad in [r#"{"fault_kinds": ["nope"]}"#, r#"{"fault_rate": 2}"#, r#"{"bogus": 1}"#] {
        let resp = agent.post(&url).send(bad).unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
    }
    let ec2 = Ec2Client::new(proxy.endpoint_url());
    assert!(ec2.call("DescribeInstances", &[]).unwrap().is_ok());
}

#[test]
fn dropping_the_harness_stops_its_servers() {
    let moto = Moto::start();
    let proxy = Ec2Proxy::start(&moto, ProxyConfig::default());
    let (moto_port, proxy_port) = (moto.port(), proxy.endpoint_url().to_string());
    assert!(Ec2Client::new(&proxy_port).call("DescribeInstances", &[]).unwrap().is_ok());
    moto.reset();
    drop(proxy);
    drop(moto);
    for addr in [format!("127.0.0.1:{moto_port}"), proxy_port.trim_start_matches("http://").to_string()] {
        assert!(std::net::TcpStream::connect(&addr).is_err(), "{addr} still accepts connections");
    }
}

#[test]
fn concurrent_calls_are_all_counted() {
    let proxy = Ec2Proxy::start_shared(ProxyConfig::default().with_faults(0.3, &[FaultKind::Throttle, FaultKind::Http500]));
    let answered: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let ec2 = Ec2Client::new(proxy.endpoint_url());
                    (0..10).filter(|_| ec2.call("DescribeInstances", &[]).unwrap().is_ok()).count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    let stats = proxy.full_stats();
    assert_eq!(stats.requests, 80);
    assert_eq!(stats.count("DescribeInstances"), 80);
    assert_eq!(stats.faults as usize + answered, 80, "{stats:?}");
    assert!(stats.faults > 0 && answered > 0, "{stats:?}");
}

//! Engine events as log lines on stderr, shaped like poni 0.8's Python logging output:
//! `poni    INFO    drumbo1: initialized: ...`, `aws-ec2 INFO    [0/4] instances 'running', waiting...`.

use poni_cloud::engine::checks::checks_words;
use poni_cloud::engine::{EngineEvent, Operation};
use serde_json::Value;

use crate::repr;

const PONI: &str = "poni";
const AWS: &str = "aws-ec2";

/// Writes one line: logger and level each padded to eight columns.
pub fn line(logger: &str, level: &str, message: &str) {
    errln!("{}", format_line(logger, level, message));
}

fn format_line(logger: &str, level: &str, message: &str) -> String {
    format!("{logger:<8}{level:<8}{message}")
}

/// The lines an event becomes; `verbose` adds each instance's state changes.
pub fn lines(event: &EngineEvent, verbose: bool) -> Vec<String> {
    let info = |m: String| format_line(PONI, "INFO", &m);
    let warn = |m: String| format_line(PONI, "WARNING", &m);
    let error = |m: String| format_line(PONI, "ERROR", &m);
    match event {
        EngineEvent::OperationStarted { .. } => vec![],
        EngineEvent::NodeInvalid { node, problems } => problems.iter().map(|p| error(format!("{node}: {}", p.message))).collect(),
        EngineEvent::NodeSkipped { node, message, .. } => vec![warn(format!("{node}: {message}"))],
        EngineEvent::Warning { node: Some(node), message, .. } => vec![warn(format!("{node}: {message}"))],
        EngineEvent::Warning { node: None, message, .. } => vec![warn(message.clone())],
        EngineEvent::Launched { node, instance_id, region, image, key_pair, provider, reused } => {
            let s = repr::string;
            let mut m = format!(
                "{node}: initialized: key-pair={}, region={}, instance={}, image={}, provider={}",
                s(key_pair),
                s(region),
                s(instance_id),
                s(image),
                s(provider)
            );
            if *reused {
                m.push_str(" (found the instance an interrupted init had launched)");
            }
            vec![info(m)]
        }
        EngineEvent::WaitProgress { state, ready, total } => {
            vec![format_line(AWS, "INFO", &format!("[{ready}/{total}] instances {}, waiting...", repr::string(state.name())))]
        }
        EngineEvent::StateChanged { node, instance_id, from, to, at } if verbose => {
            let from = from.map_or("(first seen)", |s| s.name());
            vec![format_line(AWS, "INFO", &format!("{node}: {instance_id} {from} -> {to} at {at}"))]
        }
        EngineEvent::StateChanged { .. } => vec![],
        // One line per change of the checks (the engine reports changes only).
        EngineEvent::ChecksChanged { node, health, .. } => {
            vec![format_line(AWS, "INFO", &format!("{node} {} checks: {}", health.instance_id, checks_words(health.system, health.instance)))]
        }
        EngineEvent::SnapshotProgress { node, instance_id, step, device, volume_id, snapshot_id } => {
            let mut m = format!("{node}: {instance_id} {}", step.words());
            for (what, value) in [("device", device), ("volume", volume_id), ("snapshot", snapshot_id)] {
                if let Some(value) = value {
                    m.push_str(&format!(" {what}={}", repr::string(value)));
                }
            }
            vec![info(m)]
        }
        EngineEvent::PropertiesUpdated { node, changes } => {
            let parts: Vec<String> =
                changes.iter().map(|c| format!("{}={} (from {})", c.key, py(&c.new), c.old.as_ref().map_or("None".to_owned(), py))).collect();
            vec![info(format!("{node}: updated: {}", parts.join(", ")))]
        }
        EngineEvent::StateChangeRequested { node, operation, .. } => vec![info(format!("{}: {node}", operation.done_verb()))],
        EngineEvent::NodeFailed { node, error: e, .. } => vec![error(format!("{node}: {}", e.message))],
        EngineEvent::OperationFinished {
            operation: op @ (Operation::Terminate | Operation::Stop | Operation::Start | Operation::RevertToSnapshot),
            succeeded,
            ..
        } => {
            let noun = if *succeeded == 1 { "instance" } else { "instances" };
            vec![info(format!("{succeeded} {noun} {}", op.done_verb()))]
        }
        EngineEvent::OperationFinished { .. } => vec![],
    }
}

/// Python's repr of a value, as poni's log lines show dicts: `{'ip': '10.0.0.1', 'dns': ''}`.
fn py(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            // The seed document shows addresses as ip first, then dns; other keys follow sorted.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| (k.as_str() != "ip", k.as_str() != "dns", k.as_str()));
            let items: Vec<String> = keys.into_iter().map(|k| format!("{}: {}", repr::string(k), py(&map[k]))).collect();
            format!("{{{}}}", items.join(", "))
        }
        other => repr::value(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_cloud::aws::InstanceState;
    use poni_cloud::engine::PropertyChange;
    use serde_json::json;

    #[test]
    fn lines_look_like_the_seed_document() {
        let launched = EngineEvent::Launched {
            node: "drumbo1".into(),
            instance_id: "i-4c92cd21".into(),
            region: "us-east-1".into(),
            image: "ami-daf615b3".into(),
            key_pair: "my-keypair".into(),
            provider: "aws-ec2".into(),
            reused: false,
        };
        assert_eq!(
            lines(&launched, false),
            ["poni    INFO    drumbo1: initialized: key-pair='my-keypair', region='us-east-1', instance='i-4c92cd21', image='ami-daf615b3', provider='aws-ec2'"]
        );
        let progress = EngineEvent::WaitProgress { state: InstanceState::Running, ready: 1, total: 4 };
        assert_eq!(lines(&progress, false), ["aws-ec2 INFO    [1/4] instances 'running', waiting..."]);
        let updated = EngineEvent::PropertiesUpdated {
            node: "drumbo1".into(),
            changes: vec![
                PropertyChange { key: "host".into(), old: Some(json!("")), new: json!("ec2-50-16-65-176.compute-1.amazonaws.com") },
                PropertyChange { key: "private".into(), old: None, new: json!({"dns": "domU.internal", "ip": "10.253.202.50"}) },
            ],
        };
        assert_eq!(
            lines(&updated, false),
            ["poni    INFO    drumbo1: updated: host='ec2-50-16-65-176.compute-1.amazonaws.com' (from ''), private={'ip': '10.253.202.50', 'dns': 'domU.internal'} (from None)"]
        );
        let emptied = EngineEvent::PropertiesUpdated {
            node: "d".into(),
            changes: vec![PropertyChange { key: "private".into(), old: Some(json!({"ip": "10.0.0.1", "dns": "x"})), new: json!({"ip": null, "dns": ""}) }],
        };
        assert_eq!(lines(&emptied, false), ["poni    INFO    d: updated: private={'ip': None, 'dns': ''} (from {'ip': '10.0.0.1', 'dns': 'x'})"]);
        let finished = EngineEvent::OperationFinished { operation: Operation::Terminate, succeeded: 4, failed: 0, cancelled: false };
        assert_eq!(lines(&finished, false), ["poni    INFO    4 instances terminated"]);
        let requested = EngineEvent::StateChangeRequested {
            node: "drumbo1".into(),
            instance_id: "i-1".into(),
            operation: Operation::Terminate,
            previous: InstanceState::Running,
            current: InstanceState::ShuttingDown,
        };
        assert_eq!(lines(&requested, false), ["poni    INFO    terminated: drumbo1"]);
        let checks = EngineEvent::ChecksChanged {
            node: "web/frontend1".into(),
            health: poni_cloud::health::InstanceHealth {
                instance_id: "i-0abc".into(),
                system: poni_cloud::health::CheckStatus::Ok,
                instance: poni_cloud::health::CheckStatus::Initializing,
                events: vec![],
            },
            at: "2024-01-01T00:00:00Z".into(),
        };
        assert_eq!(lines(&checks, false), ["aws-ec2 INFO    web/frontend1 i-0abc checks: system ok, instance initializing"]);
        let step = EngineEvent::SnapshotProgress {
            node: "web/1".into(),
            instance_id: "i-1".into(),
            step: poni_cloud::engine::SnapshotStep::SnapshotStarted,
            device: Some("/dev/xvda".into()),
            volume_id: Some("vol-1".into()),
            snapshot_id: Some("snap-1".into()),
        };
        assert_eq!(lines(&step, false), ["poni    INFO    web/1: i-1 snapshot started device='/dev/xvda' volume='vol-1' snapshot='snap-1'"]);
        let warning = EngineEvent::Warning { node: None, code: poni_cloud::ErrorCode::NodeKeyFileMissing, message: "careful".into() };
        assert_eq!(lines(&warning, false), ["poni    WARNING careful"]);
    }
}

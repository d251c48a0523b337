//! How an engine event reads in the app's activity log, in the words of poni's INFO output.
//! The core words it once; the UI shows the line it is sent (with the event, for its fields).

use poni_cloud::engine::checks::checks_words;
use poni_cloud::engine::{EngineEvent, Operation};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Tone {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EventLine {
    pub text: String,
    pub tone: Tone,
}

/// The word for an operation in a sentence: an init is a launch.
fn verb(operation: Operation) -> &'static str {
    match operation {
        Operation::Init => "launch",
        Operation::Wait => "wait",
        Operation::Update => "refresh",
        Operation::Terminate => "terminate",
        Operation::Stop => "stop",
        Operation::Start => "start",
        Operation::Status => "status",
        Operation::CreateSnapshot => "snapshot",
        Operation::RevertToSnapshot => "revert to snapshot",
        Operation::RemoveSnapshot => "snapshot removal",
    }
}

fn plural(n: u32, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn shown(value: &Value) -> String {
    match value {
        Value::Null => "(empty)".into(),
        Value::String(s) if s.is_empty() => "(empty)".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn event_line(event: &EngineEvent) -> EventLine {
    let (text, tone) = match event {
        EngineEvent::OperationStarted { operation, nodes } => (format!("{} of {} started", verb(*operation), plural(*nodes, "node")), Tone::Info),
        EngineEvent::NodeInvalid { node, problems } => {
            let problems: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
            (format!("{node} cannot be launched: {}", problems.join("; ")), Tone::Error)
        }
        EngineEvent::NodeSkipped { node, message, .. } => (format!("{node} skipped: {message}"), Tone::Info),
        EngineEvent::Warning { node: Some(node), message, .. } => (format!("{node}: {message}"), Tone::Warn),
        EngineEvent::Warning { node: None, message, .. } => (message.clone(), Tone::Warn),
        EngineEvent::Launched { node, instance_id, region, image, key_pair, reused, .. } => {
            let did = if *reused { "already had" } else { "launched" };
            (format!("{node} {did} {instance_id} in {region} (image {image}, key pair {key_pair})"), Tone::Info)
        }
        EngineEvent::WaitProgress { state, ready, total } => (format!("[{ready}/{total}] instances '{state}'"), Tone::Info),
        EngineEvent::StateChanged { node, instance_id, from, to, .. } => {
            let from = from.map_or_else(|| "new".to_string(), |f| f.to_string());
            (format!("{node} {from} -> {to} ({instance_id})"), Tone::Info)
        }
        EngineEvent::ChecksChanged { node, health, .. } => {
            let tone = if health.impaired() { Tone::Warn } else { Tone::Info };
            (format!("{node} {} checks: {}", health.instance_id, checks_words(health.system, health.instance)), tone)
        }
        EngineEvent::SnapshotProgress { node, instance_id, step, device, volume_id, snapshot_id } => {
            let ids: Vec<&str> = [device, volume_id, snapshot_id].into_iter().flatten().map(String::as_str).collect();
            let ids = if ids.is_empty() { String::new() } else { format!(": {}", ids.join(" ")) };
            (format!("{node} ({instance_id}) {}{ids}", step.words()), Tone::Info)
        }
        EngineEvent::PropertiesUpdated { node, changes } => {
            let changes: Vec<String> = changes.iter().map(|c| format!("{} = {}", c.key, shown(&c.new))).collect();
            (format!("{node}: {}", changes.join(", ")), Tone::Info)
        }
        EngineEvent::StateChangeRequested { node, instance_id, operation, previous, current } => {
            (format!("{node} {} requested: {previous} -> {current} ({instance_id})", verb(*operation)), Tone::Info)
        }
        EngineEvent::NodeFailed { node, instance_id, error } => {
            let instance = instance_id.as_ref().map(|i| format!(" ({i})")).unwrap_or_default();
            (format!("{node} failed{instance}: {}", error.message), Tone::Error)
        }
        EngineEvent::OperationFinished { operation, succeeded, failed, cancelled } => {
            let how = if *cancelled { "cancelled" } else { "finished" };
            let failures = if *failed > 0 { format!(", {failed} failed") } else { String::new() };
            (format!("{} {how}: {succeeded} ok{failures}", verb(*operation)), if *failed > 0 { Tone::Error } else { Tone::Info })
        }
    };
    EventLine { text, tone }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poni_cloud::aws::InstanceState;
    use poni_cloud::engine::PropertyChange;
    use serde_json::json;

    fn text(event: EngineEvent) -> String {
        event_line(&event).text
    }

    #[test]
    fn events_read_like_pionis_info_lines() {
        assert_eq!(text(EngineEvent::OperationStarted { operation: Operation::Init, nodes: 4 }), "launch of 4 nodes started");
        assert_eq!(text(EngineEvent::WaitProgress { state: InstanceState::Running, ready: 1, total: 4 }), "[1/4] instances 'running'");
        assert_eq!(
            text(EngineEvent::StateChanged { node: "drumbo1".into(), instance_id: "i-1".into(), from: None, to: InstanceState::Pending, at: String::new() }),
            "drumbo1 new -> pending (i-1)"
        );
        let updated = EngineEvent::PropertiesUpdated {
            node: "drumbo1".into(),
            changes: vec![
                PropertyChange { key: "host".into(), old: None, new: json!("ec2-1.example") },
                PropertyChange { key: "private.dns".into(), old: None, new: json!("") },
            ],
        };
        assert_eq!(text(updated), "drumbo1: host = ec2-1.example, private.dns = (empty)");
        let checks = EngineEvent::ChecksChanged {
            node: "web/1".into(),
            health: poni_cloud::health::InstanceHealth {
                instance_id: "i-1".into(),
                system: poni_cloud::health::CheckStatus::Impaired,
                instance: poni_cloud::health::CheckStatus::Ok,
                events: vec![],
            },
            at: String::new(),
        };
        assert_eq!(event_line(&checks), EventLine { text: "web/1 i-1 checks: system impaired, instance ok".into(), tone: Tone::Warn });
        let finished = event_line(&EngineEvent::OperationFinished { operation: Operation::Terminate, succeeded: 3, failed: 1, cancelled: false });
        assert_eq!(finished, EventLine { text: "terminate finished: 3 ok, 1 failed".into(), tone: Tone::Error });
    }
}

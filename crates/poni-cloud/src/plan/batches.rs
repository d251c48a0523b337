//! Grouped launches: nodes whose launch parameters are the same apart from names and tags go
//! out in one RunInstances call (with a count), in batches of a configurable size.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{PlannedNode, Step};
use crate::spec::LaunchSpec;

/// AWS advises launching at most 100 instances per RunInstances call.
pub const DEFAULT_BATCH_SIZE: usize = 100;

/// One RunInstances call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Batch {
    pub region: String,
    /// In launch-index order: the instance with `AmiLaunchIndex` i is `nodes[i]`'s.
    pub nodes: Vec<String>,
    pub image: String,
    pub instance_types: Vec<String>,
    pub key_pair: String,
    /// The same for the same nodes, parameters and previous instances, run after run: with
    /// the repository id it makes the ClientToken and the `poni:batch` tag, so a repeated
    /// launch is recognised.
    pub key: String,
}

/// What must be equal for two nodes to launch together: everything but the names, tags and
/// what only matters after the launch. A node with a private address launches alone: an
/// address is one instance's.
fn group_key(spec: &LaunchSpec) -> String {
    let mut shared = spec.clone();
    if spec.settings.private_ip.is_none() {
        shared.node = String::new();
    }
    shared.vm_name = String::new();
    shared.extra_tags.clear();
    shared.login_user = String::new();
    shared.init_timeout = Default::default();
    shared.elastic_ip = None;
    shared.check_health = true;
    serde_json::to_string(&shared).expect("a launch spec always serializes")
}

/// Puts every `Launch` node into a batch (setting its index) and returns the batches, in the
/// order of their first node.
pub(super) fn group(nodes: &mut [PlannedNode], batch_size: usize) -> Vec<Batch> {
    let batch_size = batch_size.max(1);
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        if let (Step::Launch { .. }, Some(spec)) = (&node.step, &node.spec) {
            let key = group_key(spec);
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            groups.entry(key).or_default().push(i);
        }
    }
    let mut batches = Vec::new();
    for key in order {
        for chunk in groups[&key].chunks(batch_size) {
            let first = nodes[chunk[0]].spec.as_ref().expect("launch nodes have a spec");
            let mut hash = Sha256::new();
            hash.update(key.as_bytes());
            for &i in chunk {
                // The previous instance is part of the identity: a re-init is a new launch.
                hash.update(format!("\0{}\0{}", nodes[i].node, nodes[i].instance_id.as_deref().unwrap_or("")).as_bytes());
            }
            let digest = hash.finalize();
            let batch = Batch {
                region: first.region.clone(),
                nodes: chunk.iter().map(|&i| nodes[i].node.clone()).collect(),
                image: first.image_id.clone(),
                instance_types: first.instance_types.clone(),
                key_pair: first.key_pair.clone(),
                key: digest[..12].iter().map(|b| format!("{b:02x}")).collect(),
            };
            let index = batches.len() as u32;
            for &i in chunk {
                nodes[i].step = Step::Launch { batch: index };
            }
            batches.push(batch);
        }
    }
    batches
}

//! Existing fleets in the app: every instance of the account in a region, grouped; adopting
//! untracked ones as nodes (the same plan the command line's `cloud import` makes); and where
//! nodes and their instances disagree.

use poni_cloud::engine::drift::{Drift, DriftField};
pub use poni_cloud::engine::import::Tracking;
use poni_cloud::engine::import::{FleetInstance, ImportPlan};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::credentials::coded;
use super::scope::Scope;
use super::session::CloudSession;
use crate::error::{AppError, AppResult};
use poni_cloud::plan::Selection;
use poni_repo::ErrorCode;

/// One instance of the account, as the fleet table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AccountInstance {
    pub id: String,
    pub region: String,
    pub state: String,
    pub tracking: Tracking,
    /// The node of this repository that has it.
    pub node: Option<String>,
    /// The Name tag.
    pub name: Option<String>,
    pub instance_type: Option<String>,
    pub zone: Option<String>,
    /// RFC 3339.
    pub launch_time: Option<String>,
    pub public_address: Option<String>,
    pub private_ip: Option<String>,
    pub key_pair: Option<String>,
    pub image: Option<String>,
}

impl AccountInstance {
    pub(crate) fn new(region: &str, f: FleetInstance) -> AccountInstance {
        let i = f.instance;
        AccountInstance {
            region: region.to_owned(),
            state: i.state.name().to_owned(),
            tracking: f.tracking,
            node: f.node,
            name: i.tags.get("Name").cloned(),
            instance_type: i.instance_type,
            zone: i.availability_zone,
            launch_time: i.launch_time,
            public_address: i.public_dns.or(i.public_ip),
            private_ip: i.private_ip,
            key_pair: i.key_name,
            image: i.image_id,
            id: i.id,
        }
    }
}

/// What an import is asked to take, as the import dialog sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImportRequest {
    pub region: String,
    /// The untracked instances to adopt (picked in the table).
    pub instance_ids: Vec<String>,
    /// The system to put them in (made if missing); null: the top level.
    pub into: Option<String>,
    /// Also tag them as this repository's (offered, not forced).
    pub tag: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImportPreviewNode {
    pub name: String,
    pub instance_id: String,
    /// The Name tag, when the node's name differs from it (made valid or unique).
    pub renamed_from: Option<String>,
}

impl CloudSession {
    /// Every instance of the account in these regions (none given: the regions the
    /// repository's nodes use), grouped; one paginated call per region.
    pub async fn account_instances(&self, regions: &[String]) -> AppResult<Vec<AccountInstance>> {
        let regions: Vec<String> = if regions.is_empty() { self.regions_in_use()? } else { regions.to_vec() };
        let engine = self.engine().await?;
        let mut all = Vec::new();
        for region in &regions {
            let found = engine.account_instances(region).await.map_err(|e| coded(&e))?;
            all.extend(found.into_iter().map(|f| AccountInstance::new(region, f)));
        }
        Ok(all)
    }

    /// The regions the nodes name (their effective `cloud.region`), sorted.
    pub fn regions_in_use(&self) -> AppResult<Vec<String>> {
        let tree = self.repo().tree()?;
        let mut regions: Vec<String> = tree
            .items()
            .iter()
            .filter(|i| i.kind == poni_repo::Kind::Node)
            .filter_map(|i| {
                let effective = tree.effective(&i.name)?;
                effective.get("cloud")?.get("region")?.as_str().map(|r| r.trim().to_owned())
            })
            .filter(|r| poni_cloud::spec::is_aws_region(r))
            .collect();
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    async fn import_plan(&self, request: &ImportRequest) -> AppResult<ImportPlan> {
        let engine = self.engine().await?;
        let into = request.into.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut plan = engine.plan_import(&request.region, into, None).await.map_err(|e| coded(&e))?;
        plan.nodes.retain(|n| request.instance_ids.contains(&n.instance_id));
        Ok(plan)
    }

    /// The names an import would give, before anything is written.
    pub async fn import_preview(&self, request: &ImportRequest) -> AppResult<Vec<ImportPreviewNode>> {
        let plan = self.import_plan(request).await?;
        Ok(plan.nodes.into_iter().map(|n| ImportPreviewNode { name: n.name, instance_id: n.instance_id, renamed_from: n.renamed_from }).collect())
    }

    /// Writes the nodes (and tags the instances when asked); returns the nodes made.
    pub async fn import_instances(&self, request: &ImportRequest) -> AppResult<Vec<String>> {
        let plan = self.import_plan(request).await?;
        let made = self.engine().await?.import(&plan, request.tag).await.map_err(|e| coded(&e))?;
        self.sync();
        Ok(made)
    }

    /// Where the scope's nodes and their instances disagree.
    pub async fn drift(&self, scope: &Scope) -> AppResult<Vec<Drift>> {
        let tree = self.repo().tree()?;
        let names: Vec<String> = scope.nodes(&tree)?.into_iter().map(|i| i.name.clone()).collect();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let report = self.engine().await?.diff(&Selection::names(&names)).await.map_err(|e| coded(&e))?;
        Ok(report.drifts)
    }

    /// "Take the instance's values into the node": the node's launch properties for `fields`
    /// become what the instance has, and its addresses are refreshed if asked. Returns how
    /// many properties changed.
    /// Terminates instances an undo left running (the repository no longer names them).
    /// Returns the ids EC2 accepted.
    pub async fn terminate_instances(&self, instances: &[poni_repo::RunningInstance]) -> AppResult<Vec<String>> {
        let mut list = Vec::new();
        for i in instances {
            let Some(region) = i.region.clone() else {
                return Err(AppError::new(
                    ErrorCode::NodeMissingProperty,
                    format!("the region of instance {} (once '{}') is not known: terminate it in the AWS console", i.instance_id, i.node),
                ));
            };
            list.push((region, i.instance_id.clone()));
        }
        let changes = self.engine().await?.terminate_instances(&list).await.map_err(|e| coded(&e))?;
        Ok(changes.into_iter().map(|c| c.id).collect())
    }

    pub async fn take_drift(&self, node: &str, fields: &[DriftField]) -> AppResult<usize> {
        let changes = self.engine().await?.take_instance_values(node, fields).await.map_err(|e| coded(&e))?;
        Ok(changes.len())
    }
}

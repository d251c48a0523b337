//! EBS volumes and snapshots, for poni 0.8's `create-snapshot`, `revert-to-snapshot` and
//! `remove-snapshot`: an instance's volumes (DescribeInstances' block device mappings, and
//! DescribeVolumes for their type and state), CreateSnapshot with its tags at creation (a
//! snapshot is never without them, so it can always be found again), DescribeSnapshots by
//! tags (this account's only), CreateVolume (with a ClientToken: a retried call makes one
//! volume), Attach/Detach/DeleteVolume, DeleteSnapshot, and DeleteOnTermination of an attached
//! volume. Every call goes through the pacer and the retries; ids are looked up with filters
//! (200 values a call), which tolerate ids EC2 no longer knows.

use std::collections::BTreeMap;

use aws_sdk_ec2::primitives::DateTimeFormat;
use aws_sdk_ec2::types::{
    DeviceType, EbsInstanceBlockDeviceSpecification, Filter, Instance, InstanceBlockDeviceMappingSpecification, ResourceType, Snapshot, Tag, TagSpecification,
    Volume, VolumeType,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::errors::{from_sdk, ErrorContext};
use super::instances::InstanceState;
use super::retry::with_retries;
use super::tags::{TAG_DEVICE, TAG_INSTANCE, TAG_NAME, TAG_NODE, TAG_PONI08_ORIGINAL_INSTANCE, TAG_SNAPSHOT};
use super::{filter, unique, ActionClass, CloudError, CloudErrorKind, Ec2Provider, MAX_FILTER_VALUES};

/// A snapshot's state, as EC2 names it; a state EC2 adds later reads as `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename_all = "kebab-case")]
pub enum SnapshotState {
    Pending,
    Completed,
    Error,
    Other,
}

impl SnapshotState {
    fn from_ec2(text: &str) -> SnapshotState {
        match text {
            "pending" => SnapshotState::Pending,
            "completed" => SnapshotState::Completed,
            "error" => SnapshotState::Error,
            _ => SnapshotState::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotState::Pending => "pending",
            SnapshotState::Completed => "completed",
            SnapshotState::Error => "error",
            SnapshotState::Other => "other",
        }
    }
}

/// One EBS snapshot, with what its tags say (all of them text from elsewhere: shown, never
/// obeyed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SnapshotInfo {
    pub id: String,
    /// The volume it was made of.
    pub volume_id: Option<String>,
    pub state: SnapshotState,
    /// RFC 3339, UTC: when it was started.
    pub start_time: Option<String>,
    pub description: Option<String>,
    pub size_gib: Option<i32>,
    pub tags: BTreeMap<String, String>,
}

impl SnapshotInfo {
    /// Its name: `poni:snapshot`, or poni 0.8's `Name`.
    pub fn name(&self) -> Option<&str> {
        self.tags.get(TAG_SNAPSHOT).or_else(|| self.tags.get(TAG_NAME)).map(String::as_str)
    }

    /// The instance it was made for: `poni:instance`, or poni 0.8's `Original_instance`.
    pub fn instance_id(&self) -> Option<&str> {
        self.tags.get(TAG_INSTANCE).or_else(|| self.tags.get(TAG_PONI08_ORIGINAL_INSTANCE)).map(String::as_str)
    }

    /// The device its volume was at; None for poni 0.8's snapshots, which are of the root
    /// device.
    pub fn device(&self) -> Option<&str> {
        self.tags.get(TAG_DEVICE).map(String::as_str)
    }

    pub fn node(&self) -> Option<&str> {
        self.tags.get(TAG_NODE).map(String::as_str)
    }
}

impl From<&Snapshot> for SnapshotInfo {
    fn from(s: &Snapshot) -> SnapshotInfo {
        SnapshotInfo {
            id: s.snapshot_id().unwrap_or_default().to_owned(),
            volume_id: s.volume_id().filter(|v| !v.is_empty()).map(str::to_owned),
            state: s.state().map_or(SnapshotState::Other, |st| SnapshotState::from_ec2(st.as_str())),
            start_time: s.start_time().and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
            description: s.description().filter(|d| !d.is_empty()).map(str::to_owned),
            size_gib: s.volume_size(),
            tags: tags_of(s.tags()),
        }
    }
}

/// One EBS volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeInfo {
    pub id: String,
    /// EC2's name: creating, available, in-use, deleting, deleted, error.
    pub state: String,
    pub zone: Option<String>,
    pub volume_type: Option<String>,
    pub iops: Option<i32>,
    pub throughput: Option<i32>,
    pub size_gib: Option<i32>,
    pub snapshot_id: Option<String>,
    /// (instance id, device, attachment state: attaching, attached, detaching, detached).
    pub attachments: Vec<(String, String, String)>,
}

impl From<&Volume> for VolumeInfo {
    fn from(v: &Volume) -> VolumeInfo {
        VolumeInfo {
            id: v.volume_id().unwrap_or_default().to_owned(),
            state: v.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
            zone: v.availability_zone().filter(|z| !z.is_empty()).map(str::to_owned),
            volume_type: v.volume_type().map(|t| t.as_str().to_owned()),
            iops: v.iops(),
            throughput: v.throughput(),
            size_gib: v.size(),
            snapshot_id: v.snapshot_id().filter(|s| !s.is_empty()).map(str::to_owned),
            attachments: v
                .attachments()
                .iter()
                .map(|a| {
                    (
                        a.instance_id().unwrap_or_default().to_owned(),
                        a.device().unwrap_or_default().to_owned(),
                        a.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                    )
                })
                .collect(),
        }
    }
}

impl VolumeInfo {
    /// Attached to `instance` (attaching counts: it is on its way).
    pub fn attached_to(&self, instance: &str) -> bool {
        self.attachments.iter().any(|(i, _, state)| i == instance && (state == "attached" || state == "attaching"))
    }
}

/// A volume attached to an instance, as the instance's block device mapping lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedVolume {
    pub device: String,
    pub volume_id: String,
    pub delete_on_termination: bool,
}

/// An instance's EBS volumes and what a revert needs besides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceVolumes {
    pub instance_id: String,
    pub state: InstanceState,
    pub zone: Option<String>,
    pub root_device: Option<String>,
    /// The root device is an EBS volume (false: instance store, which has no snapshots).
    pub ebs_backed: bool,
    pub volumes: Vec<AttachedVolume>,
}

impl InstanceVolumes {
    fn of(i: &Instance) -> InstanceVolumes {
        let state = match i.state().and_then(|s| s.code()) {
            Some(code) => InstanceState::from_code(code),
            None => i.state().and_then(|s| s.name()).map_or(InstanceState::Unknown, |n| InstanceState::from_name(n.as_str())),
        };
        InstanceVolumes {
            instance_id: i.instance_id().unwrap_or_default().to_owned(),
            state,
            zone: i.placement().and_then(|p| p.availability_zone()).filter(|z| !z.is_empty()).map(str::to_owned),
            root_device: i.root_device_name().filter(|d| !d.is_empty()).map(str::to_owned),
            // EC2 names the type; an answer without one (some emulators) is taken as EBS when
            // the mappings hold volumes.
            ebs_backed: match i.root_device_type() {
                Some(DeviceType::Ebs) => true,
                Some(_) => false,
                None => !i.block_device_mappings().is_empty(),
            },
            volumes: i
                .block_device_mappings()
                .iter()
                .filter_map(|m| {
                    let ebs = m.ebs()?;
                    Some(AttachedVolume {
                        device: m.device_name()?.to_owned(),
                        volume_id: ebs.volume_id().filter(|v| !v.is_empty())?.to_owned(),
                        delete_on_termination: ebs.delete_on_termination().unwrap_or(false),
                    })
                })
                .collect(),
        }
    }

    /// The volume at `device`, if one is attached there.
    pub fn at(&self, device: &str) -> Option<&AttachedVolume> {
        self.volumes.iter().find(|v| v.device == device)
    }
}

fn tags_of(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or_default().to_owned()))).collect()
}

fn tag_list(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

/// A volume or snapshot EC2 does not know: gone already (a retried delete whose first answer
/// was lost, or someone deleted it meanwhile).
fn already_gone(e: &CloudError) -> bool {
    matches!(e.aws_code.as_deref(), Some("InvalidVolume.NotFound" | "InvalidSnapshot.NotFound"))
}

impl Ec2Provider {
    /// The EBS volumes of these instances (DescribeInstances with an `instance-id` filter, 200
    /// ids a call, all pages). Instances EC2 does not know are left out.
    pub async fn instance_volumes(&self, region: &str, instance_ids: &[String]) -> Result<Vec<InstanceVolumes>, CloudError> {
        let client = self.client(region);
        let mut found = Vec::new();
        for chunk in unique(instance_ids).chunks(MAX_FILTER_VALUES) {
            let ctx = ErrorContext { instance_ids: chunk.iter().map(|s| s.to_string()).collect(), ..ErrorContext::new("DescribeInstances", region) };
            let by_id = filter("instance-id", chunk.iter().copied());
            let mut next_token: Option<String> = None;
            loop {
                let page = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::DescribeInstances, |_| {
                    let request = client.describe_instances().filters(by_id.clone()).max_results(1000).set_next_token(next_token.clone());
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
                found.extend(page.reservations().iter().flat_map(|r| r.instances()).map(InstanceVolumes::of));
                match page.next_token() {
                    Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                    _ => break,
                }
            }
        }
        Ok(found)
    }

    /// These volumes as EC2 describes them now (a `volume-id` filter: deleted ones are left out).
    pub async fn describe_volumes(&self, region: &str, volume_ids: &[String]) -> Result<Vec<VolumeInfo>, CloudError> {
        let client = self.client(region);
        let mut found = Vec::new();
        for chunk in unique(volume_ids).chunks(MAX_FILTER_VALUES) {
            let ctx = ErrorContext { volume_ids: chunk.iter().map(|s| s.to_string()).collect(), ..ErrorContext::new("DescribeVolumes", region) };
            let by_id = filter("volume-id", chunk.iter().copied());
            let mut next_token: Option<String> = None;
            loop {
                let page = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherDescribe, |_| {
                    let request = client.describe_volumes().filters(by_id.clone()).max_results(500).set_next_token(next_token.clone());
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
                found.extend(page.volumes().iter().map(VolumeInfo::from));
                match page.next_token() {
                    Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                    _ => break,
                }
            }
        }
        Ok(found)
    }

    /// This account's snapshots that match all of `filters` (DescribeSnapshots, owner `self`:
    /// never the public ones), all pages.
    pub async fn describe_snapshots(&self, region: &str, filters: Vec<Filter>) -> Result<Vec<SnapshotInfo>, CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext::new("DescribeSnapshots", region);
        let mut found = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherDescribe, |_| {
                let request =
                    client.describe_snapshots().owner_ids("self").set_filters(Some(filters.clone())).max_results(1000).set_next_token(next_token.clone());
                let ctx = &ctx;
                async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
            })
            .await?;
            found.extend(page.snapshots().iter().map(SnapshotInfo::from).filter(|s| !s.id.is_empty()));
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => return Ok(found),
            }
        }
    }

    /// The snapshots made for these instances, all of them or only those named `name`: Poni's
    /// (`poni:instance`, `poni:snapshot`) and poni 0.8's (`Original_instance`, `Name`), one
    /// DescribeSnapshots each per 200 instances, without repeats.
    pub async fn instance_snapshots(&self, region: &str, instance_ids: &[String], name: Option<&str>) -> Result<Vec<SnapshotInfo>, CloudError> {
        let mut found: BTreeMap<String, SnapshotInfo> = BTreeMap::new();
        for chunk in unique(instance_ids).chunks(MAX_FILTER_VALUES) {
            for (instance_tag, name_tag) in [(TAG_INSTANCE, TAG_SNAPSHOT), (TAG_PONI08_ORIGINAL_INSTANCE, TAG_NAME)] {
                let mut filters = vec![filter(&format!("tag:{instance_tag}"), chunk.iter().copied())];
                if let Some(name) = name {
                    filters.push(filter(&format!("tag:{name_tag}"), [name]));
                }
                for snapshot in self.describe_snapshots(region, filters).await? {
                    found.entry(snapshot.id.clone()).or_insert(snapshot);
                }
            }
        }
        Ok(found.into_values().collect())
    }

    /// These snapshots as EC2 describes them now (deleted ones are left out).
    pub async fn snapshots_by_id(&self, region: &str, snapshot_ids: &[String]) -> Result<Vec<SnapshotInfo>, CloudError> {
        let mut found = Vec::new();
        for chunk in unique(snapshot_ids).chunks(MAX_FILTER_VALUES) {
            found.extend(self.describe_snapshots(region, vec![filter("snapshot-id", chunk.iter().copied())]).await?);
        }
        Ok(found)
    }

    /// Starts a snapshot of one volume, tagged at creation.
    pub async fn create_snapshot(
        &self,
        region: &str,
        volume_id: &str,
        description: Option<&str>,
        tags: &BTreeMap<String, String>,
    ) -> Result<SnapshotInfo, CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext { volume_ids: vec![volume_id.to_owned()], ..ErrorContext::new("CreateSnapshot", region) };
        let tagged = TagSpecification::builder().resource_type(ResourceType::Snapshot).set_tags(Some(tag_list(tags))).build();
        let out = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request = client.create_snapshot().volume_id(volume_id).set_description(description.map(str::to_owned)).tag_specifications(tagged.clone());
            let ctx = &ctx;
            async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
        })
        .await?;
        let id = out.snapshot_id().filter(|s| !s.is_empty()).ok_or_else(|| {
            CloudError::new(CloudErrorKind::BadResponse, format!("EC2 in {region} accepted a snapshot of {volume_id} but named no snapshot."))
        })?;
        Ok(SnapshotInfo {
            id: id.to_owned(),
            volume_id: Some(volume_id.to_owned()),
            state: out.state().map_or(SnapshotState::Pending, |s| SnapshotState::from_ec2(s.as_str())),
            start_time: out.start_time().and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
            description: description.map(str::to_owned),
            size_gib: out.volume_size(),
            tags: tags.clone(),
        })
    }

    /// Deletes a snapshot; one EC2 no longer knows counts as deleted.
    pub async fn delete_snapshot(&self, region: &str, snapshot_id: &str) -> Result<(), CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext { snapshot_ids: vec![snapshot_id.to_owned()], ..ErrorContext::new("DeleteSnapshot", region) };
        let answer = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request = client.delete_snapshot().snapshot_id(snapshot_id);
            let ctx = &ctx;
            async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
        })
        .await;
        match answer {
            Err(e) if already_gone(&e) => Ok(()),
            other => other,
        }
    }

    /// A new volume made from a snapshot in `zone`, tagged at creation. `client_token` makes a
    /// retried call return the first call's volume instead of making another.
    pub async fn create_volume(&self, region: &str, request: &NewVolume<'_>) -> Result<VolumeInfo, CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext {
            snapshot_ids: vec![request.snapshot_id.to_owned()],
            zone: Some(request.zone.to_owned()),
            ..ErrorContext::new("CreateVolume", region)
        };
        let tagged = TagSpecification::builder().resource_type(ResourceType::Volume).set_tags(Some(tag_list(request.tags))).build();
        let out = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let call = client
                .create_volume()
                .snapshot_id(request.snapshot_id)
                .availability_zone(request.zone)
                .set_volume_type(request.volume_type.map(VolumeType::from))
                .set_iops(request.iops)
                .set_throughput(request.throughput)
                .client_token(request.client_token)
                .tag_specifications(tagged.clone());
            let ctx = &ctx;
            async move { call.send().await.map_err(|e| from_sdk(ctx, e)) }
        })
        .await?;
        let id = out.volume_id().filter(|v| !v.is_empty()).ok_or_else(|| {
            CloudError::new(CloudErrorKind::BadResponse, format!("EC2 in {region} accepted a volume from {} but named no volume.", request.snapshot_id))
        })?;
        Ok(VolumeInfo {
            id: id.to_owned(),
            state: out.state().map(|s| s.as_str().to_owned()).unwrap_or_else(|| "creating".into()),
            zone: Some(request.zone.to_owned()),
            volume_type: out.volume_type().map(|t| t.as_str().to_owned()),
            iops: out.iops(),
            throughput: out.throughput(),
            size_gib: out.size(),
            snapshot_id: Some(request.snapshot_id.to_owned()),
            attachments: Vec::new(),
        })
    }

    /// Attaches a volume to an instance at `device`.
    pub async fn attach_volume(&self, region: &str, volume_id: &str, instance_id: &str, device: &str) -> Result<(), CloudError> {
        let client = self.client(region);
        let ctx =
            ErrorContext { volume_ids: vec![volume_id.to_owned()], instance_ids: vec![instance_id.to_owned()], ..ErrorContext::new("AttachVolume", region) };
        with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request = client.attach_volume().volume_id(volume_id).instance_id(instance_id).device(device);
            let ctx = &ctx;
            async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
        })
        .await
    }

    /// Detaches a volume from an instance (never forced: the instance is stopped first).
    pub async fn detach_volume(&self, region: &str, volume_id: &str, instance_id: &str) -> Result<(), CloudError> {
        let client = self.client(region);
        let ctx =
            ErrorContext { volume_ids: vec![volume_id.to_owned()], instance_ids: vec![instance_id.to_owned()], ..ErrorContext::new("DetachVolume", region) };
        with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request = client.detach_volume().volume_id(volume_id).instance_id(instance_id);
            let ctx = &ctx;
            async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
        })
        .await
    }

    /// Deletes a volume; one EC2 no longer knows counts as deleted.
    pub async fn delete_volume(&self, region: &str, volume_id: &str) -> Result<(), CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext { volume_ids: vec![volume_id.to_owned()], ..ErrorContext::new("DeleteVolume", region) };
        let answer = with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request = client.delete_volume().volume_id(volume_id);
            let ctx = &ctx;
            async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
        })
        .await;
        match answer {
            Err(e) if already_gone(&e) => Ok(()),
            other => other,
        }
    }

    /// Whether the volume attached at `device` is deleted with the instance (AttachVolume
    /// leaves it false; a launched root volume has it true).
    pub async fn set_delete_on_termination(&self, region: &str, instance_id: &str, device: &str, delete: bool) -> Result<(), CloudError> {
        let client = self.client(region);
        let ctx = ErrorContext { instance_ids: vec![instance_id.to_owned()], ..ErrorContext::new("ModifyInstanceAttribute", region) };
        let mapping = InstanceBlockDeviceMappingSpecification::builder()
            .device_name(device)
            .ebs(EbsInstanceBlockDeviceSpecification::builder().delete_on_termination(delete).build())
            .build();
        with_retries(&self.inner.retry, &self.inner.pacer, region, ActionClass::OtherMutating, |_| {
            let request = client.modify_instance_attribute().instance_id(instance_id).block_device_mappings(mapping.clone());
            let ctx = &ctx;
            async move { request.send().await.map(|_| ()).map_err(|e| from_sdk(ctx, e)) }
        })
        .await
    }
}

/// What [`Ec2Provider::create_volume`] makes.
#[derive(Debug, Clone, Copy)]
pub struct NewVolume<'a> {
    pub snapshot_id: &'a str,
    pub zone: &'a str,
    /// The replaced volume's type, IOPS and throughput, kept; None: EC2's default.
    pub volume_type: Option<&'a str>,
    pub iops: Option<i32>,
    pub throughput: Option<i32>,
    pub tags: &'a BTreeMap<String, String>,
    /// At most 64 ASCII characters.
    pub client_token: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{EbsInstanceBlockDevice, InstanceBlockDeviceMapping, Placement};

    #[test]
    fn an_instance_lists_its_ebs_volumes_by_device() {
        let mapping = |device: &str, volume: &str, delete: bool| {
            InstanceBlockDeviceMapping::builder()
                .device_name(device)
                .ebs(EbsInstanceBlockDevice::builder().volume_id(volume).delete_on_termination(delete).build())
                .build()
        };
        let instance = Instance::builder()
            .instance_id("i-1")
            .state(aws_sdk_ec2::types::InstanceState::builder().code(80).build())
            .placement(Placement::builder().availability_zone("us-east-1b").build())
            .root_device_name("/dev/xvda")
            .root_device_type(DeviceType::Ebs)
            .block_device_mappings(mapping("/dev/xvda", "vol-root", true))
            .block_device_mappings(mapping("/dev/sdf", "vol-data", false))
            .block_device_mappings(InstanceBlockDeviceMapping::builder().device_name("/dev/sdz").build())
            .build();
        let v = InstanceVolumes::of(&instance);
        assert_eq!((v.state, v.zone.as_deref(), v.root_device.as_deref(), v.ebs_backed), (InstanceState::Stopped, Some("us-east-1b"), Some("/dev/xvda"), true));
        assert_eq!(v.volumes.len(), 2, "a mapping without a volume is not a volume");
        assert_eq!(v.at("/dev/xvda"), Some(&AttachedVolume { device: "/dev/xvda".into(), volume_id: "vol-root".into(), delete_on_termination: true }));
        let store = Instance::builder().instance_id("i-2").root_device_type(DeviceType::InstanceStore).build();
        assert!(!InstanceVolumes::of(&store).ebs_backed);
    }

    #[test]
    fn snapshot_tags_are_read_from_poni_or_poni_08() {
        let snapshot = |tags: &[(&str, &str)]| {
            let mut s = Snapshot::builder().snapshot_id("snap-1").state(aws_sdk_ec2::types::SnapshotState::Completed).volume_id("vol-1");
            for (k, v) in tags {
                s = s.tags(Tag::builder().key(*k).value(*v).build());
            }
            SnapshotInfo::from(&s.build())
        };
        let ours = snapshot(&[(TAG_SNAPSHOT, "before-upgrade"), (TAG_INSTANCE, "i-1"), (TAG_DEVICE, "/dev/sdf"), (TAG_NODE, "web/1"), (TAG_NAME, "x")]);
        assert_eq!((ours.name(), ours.instance_id(), ours.device(), ours.node()), (Some("before-upgrade"), Some("i-1"), Some("/dev/sdf"), Some("web/1")));
        assert_eq!(ours.state, SnapshotState::Completed);
        let old = snapshot(&[(TAG_NAME, "nightly"), (TAG_PONI08_ORIGINAL_INSTANCE, "i-2")]);
        assert_eq!((old.name(), old.instance_id(), old.device()), (Some("nightly"), Some("i-2"), None));
        assert_eq!(SnapshotState::from_ec2("recoverable"), SnapshotState::Other);
    }
}

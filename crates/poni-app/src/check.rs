//! The checks a front end asks for before it writes: every problem of a save (the keys it sets
//! and removes), each naming its key, and whether a name can be given to a new or moved item.
//! The rules are the cores' (poni-repo for keys and names, poni-cloud for cloud values): the UI
//! keeps no copy of them and decides on these typed problems, never on a message.

use crate::error::{AppError, AppResult};
use crate::view::PropertyEdit;
use poni_cloud::spec::{same_property, LaunchSpec};
use poni_cloud::Coded;
use poni_repo::props::{self, Change, Props};
use poni_repo::ErrorCode;
use poni_repo::{Kind, Repo, RepoError, Tree};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

/// Properties the app manages with its own actions, and why a save may not set or remove them.
pub const MANAGED: &[(&str, &str)] =
    &[("cloud.instance", "cloud.instance is set by Launch; it cannot be edited here."), ("parent", "parent is set by Clone; it cannot be edited here.")];

/// The code of a problem with a managed key.
pub const MANAGED_CODE: ErrorCode = ErrorCode::InputManagedProperty;

/// One reason a save cannot be made as it is, about one of the keys it sets or removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct EditProblem {
    /// The key as the save names it, e.g. `cloud.image`.
    pub key: String,
    /// `input.invalid_property`, `input.managed_property` or `node.invalid_property`.
    pub code: ErrorCode,
    pub message: String,
}

impl EditProblem {
    fn repo(key: &str, error: &RepoError) -> Self {
        Self { key: key.to_string(), code: error.code(), message: error.to_string() }
    }
}

/// Why a name cannot be given to a new or moved item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NameProblem {
    /// `input.invalid_name`, `repo.already_exists`, `repo.conflict` or `repo.not_found`.
    pub code: ErrorCode,
    pub message: String,
}

/// Where one item of a move would go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MovePlan {
    pub from: String,
    pub to: String,
}

/// Why one item of a move cannot go where it was dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveProblem {
    pub name: String,
    pub code: ErrorCode,
    pub message: String,
}

/// What moving items into a system would do (a drop target, asked while dragging): allowed
/// when `problems` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveCheck {
    pub moves: Vec<MovePlan>,
    pub problems: Vec<MoveProblem>,
}

/// The core's checks of a move, item by item, without writing.
pub fn check_move(repo: &Repo, names: &[String], to_system: &str) -> MoveCheck {
    let mut check = MoveCheck { moves: Vec::new(), problems: Vec::new() };
    for (from, outcome) in repo.plan_move(names, to_system) {
        match outcome {
            Ok(to) => check.moves.push(MovePlan { from, to }),
            Err(e) => check.problems.push(MoveProblem { name: from, code: e.code(), message: e.to_string() }),
        }
    }
    check
}

pub(crate) fn not_found(name: &str) -> AppError {
    AppError::new(ErrorCode::RepoNotFound, format!("'{name}' does not exist (it may have been removed or renamed)"))
}

/// Every problem of a save on item `name`: keys that are not valid or may not be changed, values
/// that cannot be stored where the key says, and the cloud problems the node would have after
/// the save, for the keys the save sets. Missing cloud properties are not problems here (a
/// half-filled node may be saved), nor is a problem with a property the save does not touch.
pub fn check_edit(tree: &Tree, name: &str, set: &[PropertyEdit], unset: &[String]) -> AppResult<Vec<EditProblem>> {
    let item = tree.get(name).ok_or_else(|| not_found(name))?;
    let mut problems = Vec::new();
    let mut own = item.props.clone();
    for key in unset {
        match refused(key) {
            Some(problem) => problems.push(problem),
            None => {
                if let Err(e) = props::unset_path(&mut own, key) {
                    problems.push(EditProblem::repo(key, &e));
                }
            }
        }
    }
    for edit in set {
        match refused(&edit.key) {
            Some(problem) => problems.push(problem),
            None => {
                if let Err(e) = props::set_path(&mut own, &edit.key, edit.value.clone()) {
                    problems.push(EditProblem::repo(&edit.key, &e));
                }
            }
        }
    }
    let cloud_keys: Vec<&str> = set.iter().map(|e| e.key.as_str()).filter(|k| is_cloud_key(k) && !problems.iter().any(|p| p.key == *k)).collect();
    if !cloud_keys.is_empty() {
        problems.extend(cloud_problems(tree, name, &own, &cloud_keys));
    }
    Ok(problems)
}

/// Applies a save to an item's properties: the removals first, then the values set (so a key
/// both removed and set ends up set). Fails on the first key that cannot be changed; given to
/// [`Repo::update`], which then writes nothing.
pub fn apply(props: &mut Props, set: &[PropertyEdit], unset: &[String]) -> poni_repo::Result<Vec<Change>> {
    let mut changes = Vec::new();
    for key in unset {
        changes.extend(props::unset_path(props, key)?);
    }
    for edit in set {
        changes.extend(props::set_path(props, &edit.key, edit.value.clone())?);
    }
    Ok(changes)
}

/// Why a key may not be changed at all, if it may not: not a valid key (or a computed one), or
/// one the app manages.
fn refused(key: &str) -> Option<EditProblem> {
    if let Err(e) = props::key_path(key, key) {
        return Some(EditProblem::repo(key, &e));
    }
    MANAGED.iter().find(|(managed, _)| *managed == key).map(|(_, why)| EditProblem { key: key.to_string(), code: MANAGED_CODE, message: why.to_string() })
}

/// Keys the cloud core checks: `cloud` and everything in it, and the login `user`.
fn is_cloud_key(key: &str) -> bool {
    key == props::CLOUD || key.starts_with("cloud.") || key == "user"
}

/// The cloud problems of the node with its own properties `own` (after the save) under its
/// systems' values, kept when they are about one of `keys` (and given that key).
fn cloud_problems(tree: &Tree, name: &str, own: &Props, keys: &[&str]) -> Vec<EditProblem> {
    let mut effective = Props::new();
    for system in tree.ancestors(name) {
        props::deep_merge(&mut effective, &system.props);
    }
    props::deep_merge(&mut effective, own);
    let none = Map::new();
    let cloud = effective.get(props::CLOUD).and_then(Value::as_object).unwrap_or(&none);
    let Err(error) = LaunchSpec::from_node(name, cloud, effective.get("user")) else {
        return Vec::new();
    };
    error
        .problems
        .iter()
        .filter(|p| !p.missing)
        .filter_map(|p| {
            let key = keys.iter().copied().find(|k| concerns(k, &p.property))?;
            Some(EditProblem { key: key.to_string(), code: p.code(), message: p.message.clone() })
        })
        .collect()
}

/// Whether a problem with `property` is about the value set under `key`: the same property
/// (under either spelling, e.g. the key pair's), one inside it (`cloud.extra_tags.Name` for
/// `cloud.extra_tags`), or the one it is inside of.
fn concerns(key: &str, property: &str) -> bool {
    same_property(key, property) || property.starts_with(&format!("{key}.")) || key.starts_with(&format!("{property}."))
}

/// Why `name` cannot be the name of a new system, or (with `rename_from`) the new name of that
/// item; `None` when it can (or when the name is unchanged). Asks the repository core, which
/// makes the same checks before it writes.
pub fn check_name(repo: &Repo, name: &str, rename_from: Option<&str>) -> AppResult<Option<NameProblem>> {
    let checked = match rename_from {
        Some(from) if from == name => return Ok(None),
        Some(from) => repo.check_rename(from, name),
        None => repo.check_new_name(name, Kind::System),
    };
    match checked {
        Ok(()) => Ok(None),
        Err(e) if e.is_bad_input() => Ok(Some(NameProblem { code: e.code(), message: e.to_string() })),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use crate::view::{NodesRequest, PropertyEdit};
    use crate::Workspace;
    use serde_json::{json, Value};

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open_or_create(dir.path().join("repo")).unwrap();
        ws.add_system("web").unwrap();
        ws.add_nodes(&NodesRequest { template: "web/n".into(), count: String::new(), host: None, parent: None, copy: false }).unwrap();
        (dir, ws)
    }

    fn edit(key: &str, value: Value) -> PropertyEdit {
        PropertyEdit { key: key.into(), value }
    }

    fn keys_and_codes(problems: &[super::EditProblem]) -> Vec<(&str, &str)> {
        problems.iter().map(|p| (p.key.as_str(), p.code.as_str())).collect()
    }

    #[test]
    fn a_bad_key_is_a_problem_of_that_key() {
        let (_dir, ws) = workspace();
        let problems = ws.check_edit("web/n", &[edit("a..b", json!(1)), edit("port", json!(80))], &["depth".to_string()]).unwrap();
        assert_eq!(keys_and_codes(&problems), [("depth", "input.invalid_property"), ("a..b", "input.invalid_property")]);
        assert!(problems[0].message.contains("computed"), "{}", problems[0].message);
        assert!(problems[1].message.contains("empty part"), "{}", problems[1].message);
    }

    #[test]
    fn a_value_that_cannot_be_stored_is_a_problem_of_its_key() {
        let (_dir, ws) = workspace();
        ws.edit_properties("web/n", &[edit("port", json!(80))], &[]).unwrap();
        let problems = ws.check_edit("web/n", &[edit("port.sub", json!("x"))], &[]).unwrap();
        assert_eq!(keys_and_codes(&problems), [("port.sub", "input.invalid_property")]);
        assert!(problems[0].message.contains("'port' holds a number"), "{}", problems[0].message);
    }

    #[test]
    fn managed_keys_may_not_be_set_or_removed() {
        let (_dir, ws) = workspace();
        let problems = ws.check_edit("web/n", &[edit("cloud.instance", json!("i-1"))], &["parent".to_string()]).unwrap();
        assert_eq!(keys_and_codes(&problems), [("parent", "input.managed_property"), ("cloud.instance", "input.managed_property")]);
        assert_eq!(problems[0].message, "parent is set by Clone; it cannot be edited here.");
        assert_eq!(problems[1].message, "cloud.instance is set by Launch; it cannot be edited here.");
        let err = ws.edit_properties("web/n", &[edit("cloud.instance", json!("i-1"))], &[]).unwrap_err();
        assert_eq!(err.code, "input.managed_property");
        assert!(ws.item("web/n").unwrap().props.get("cloud").is_none(), "nothing was written");
    }

    #[test]
    fn cloud_values_are_checked_by_the_cloud_core() {
        let (_dir, ws) = workspace();
        let problems = ws
            .check_edit(
                "web/n",
                &[edit("cloud.image", json!("ami-12zz")), edit("cloud.key-pair", json!("ops.pem")), edit("cloud.region", json!("mars-1"))],
                &[],
            )
            .unwrap();
        assert_eq!(
            keys_and_codes(&problems),
            [("cloud.region", "node.invalid_property"), ("cloud.image", "node.invalid_property"), ("cloud.key-pair", "node.invalid_property")]
        );
        assert!(problems[1].message.contains("is not an AMI id"), "{}", problems[1].message);
        assert!(problems[2].message.contains("without .pem"), "{}", problems[2].message);
        // The other spelling of the key pair gets the problem under its own key.
        let problems = ws.check_edit("web/n", &[edit("cloud.key_pair", json!("ops.pem"))], &[]).unwrap();
        assert_eq!(keys_and_codes(&problems), [("cloud.key_pair", "node.invalid_property")]);
        // Valid values: no problem, though the node misses most of what a launch needs.
        let ok = ws
            .check_edit("web/n", &[edit("cloud.image", json!("ami-12c6146b")), edit("cloud.region", json!("eu-west-1")), edit("user", json!("root"))], &[])
            .unwrap();
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn poni_launch_settings_are_checked_too() {
        let (_dir, ws) = workspace();
        let problems = ws.check_edit("web/n", &[edit("cloud.tenancy", json!("shared")), edit("cloud.billing", json!("spot"))], &[]).unwrap();
        // A spot price not set is missing, not wrong: a half-filled node may be saved.
        assert_eq!(keys_and_codes(&problems), [("cloud.tenancy", "node.invalid_property")]);
        let problems = ws.check_edit("web/n", &[edit("cloud.spot", json!({"max_price": "cheap"})), edit("cloud.billing", json!("spot"))], &[]).unwrap();
        assert_eq!(keys_and_codes(&problems), [("cloud.spot", "node.invalid_property")]);
        // poni 0.8's code spelling of the ramdisk gets the problem under its own key.
        let problems = ws.check_edit("web/n", &[edit("cloud.ramdisk_id", json!("aki-6eaa4907"))], &[]).unwrap();
        assert_eq!(keys_and_codes(&problems), [("cloud.ramdisk_id", "node.invalid_property")]);
    }

    #[test]
    fn problems_of_properties_not_being_edited_are_not_this_saves_business() {
        let (_dir, ws) = workspace();
        // A bad image inherited from the system, and one saved on the node by hand before.
        ws.set_properties("web", &[edit("cloud.type", json!("huge"))]).unwrap();
        ws.set_properties("web/n", &[edit("cloud.image", json!("not-an-ami"))]).unwrap();
        let problems = ws.check_edit("web/n", &[edit("cloud.region", json!("us-east-1")), edit("port", json!(22))], &[]).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        // Setting the inherited one on the node is its business.
        let problems = ws.check_edit("web/n", &[edit("cloud.type", json!("t3.micro")), edit("cloud.image", json!("ami-x"))], &[]).unwrap();
        assert_eq!(keys_and_codes(&problems), [("cloud.image", "node.invalid_property")]);
    }

    #[test]
    fn a_save_that_sets_and_removes_is_one_write() {
        let (dir, ws) = workspace();
        ws.edit_properties("web/n", &[edit("host", json!("old")), edit("port", json!(80))], &[]).unwrap();
        let file = dir.path().join("repo/system/web/n/node.json");
        let before = std::fs::read_to_string(&file).unwrap();

        let changed = ws.edit_properties("web/n", &[edit("port", json!(8080)), edit("cloud.image", json!("ami-12c6146b"))], &["host".to_string()]).unwrap();
        assert_eq!(changed, 3);
        let props = ws.item("web/n").unwrap().props;
        assert_eq!(props.get("host"), None);
        assert_eq!(props.get("port"), Some(&json!(8080)));
        assert_eq!(props.get("cloud"), Some(&json!({"image": "ami-12c6146b"})));
        assert_ne!(std::fs::read_to_string(&file).unwrap(), before);

        // Refused as a whole: the valid removal is not made either.
        let err = ws.edit_properties("web/n", &[edit("cloud.image", json!("ami-bad"))], &["port".to_string()]).unwrap_err();
        assert_eq!(err.code, "node.invalid_property");
        assert_eq!(ws.item("web/n").unwrap().props.get("port"), Some(&json!(8080)));
        assert_eq!(ws.check_edit("missing", &[], &[]).unwrap_err().code, "repo.not_found");
    }

    #[test]
    fn names_are_checked_by_the_repository_core() {
        let (_dir, ws) = workspace();
        assert_eq!(ws.check_name("web/cache", None).unwrap(), None);
        let code = |name: &str, from: Option<&str>| ws.check_name(name, from).unwrap().map(|p| p.code.as_str());
        assert_eq!(code("web", None), Some("repo.already_exists"));
        assert_eq!(code("a:b", None), Some("input.invalid_name"));
        assert_eq!(code("", None), Some("input.invalid_name"));
        assert_eq!(code("web/n/inner", None), Some("repo.conflict"));
        // Renames: unchanged is fine, into itself or onto an existing item is not.
        assert_eq!(code("web/n", Some("web/n")), None);
        assert_eq!(code("api/n", Some("web/n")), None);
        assert_eq!(code("web/inside", Some("web")), Some("repo.conflict"));
        assert_eq!(code("web", Some("web/n")), Some("repo.conflict"));
        assert_eq!(code("other", Some("gone")), Some("repo.not_found"));
        let problem = ws.check_name("web", None).unwrap().unwrap();
        assert_eq!(problem.message, "system 'web' already exists");
    }
}

// The commands the UI calls, shared by build.rs (permissions) and the invoke handler's tests.
pub const ALL: &[&str] = &[
    "workspace_info",
    "open_repository",
    "create_repository",
    "forget_repository",
    "load_tree",
    "get_item",
    "add_system",
    "plan_nodes",
    "add_nodes",
    "set_properties",
    "unset_properties",
    "rename_item",
    "remove_item",
    "get_settings",
    "save_settings",
];

//! `poni list`: the layout of poni's listing. Every line is a right-aligned entry type in ten
//! columns, a space, then the entry; property lines sit four columns further in, and `-t`
//! indents four columns per level of the tree.

use crate::args::ListArgs;
use crate::repr;
use poni_repo::props::flatten;
use poni_repo::{Item, Kind, Props, Target, Tree};
use std::collections::HashMap;
use std::fmt::Write;

const PROP_INDENT: &str = "    ";

/// Which kinds `list` shows, by poni 0.8's rules (tool.py `tune_arg_namespace`): nodes when
/// asked for, when their properties, cloud properties or status are, or when neither nodes nor
/// systems are; systems when asked for, and with the nodes in a tree (`-t`).
pub fn kinds(args: &ListArgs) -> Vec<Kind> {
    let nodes = args.nodes || args.props || args.cloud || args.query || !args.systems;
    let systems = args.systems || (args.tree && nodes);
    let mut kinds = Vec::new();
    if nodes {
        kinds.push(Kind::Node);
    }
    if systems {
        kinds.push(Kind::System);
    }
    kinds
}

/// The items `list` shows, in tree order.
pub fn selected<'a>(tree: &'a Tree, args: &ListArgs, target: &'a Target) -> Vec<&'a Item> {
    let kinds = kinds(args);
    tree.items().iter().filter(|i| kinds.contains(&i.kind) && target.matches(&i.name)).collect()
}

/// Renders the listing. `statuses` maps node names to their live instance state (`-q`).
pub fn render(items: &[&Item], args: &ListArgs, statuses: &HashMap<String, String>) -> String {
    // About 40 bytes a line, and no allocation per item: 10,000 lines are quick to render.
    let mut out = String::with_capacity(items.len() * 40);
    let mut indent = String::new();
    let mut sub = String::from(PROP_INDENT);
    for item in items {
        if args.tree {
            indent = "    ".repeat(item.depth.saturating_sub(1));
            sub = format!("{indent}{PROP_INDENT}");
        }
        let shown_name = if args.tree { poni_repo::name::base(&item.name) } else { &item.name };
        match item.parent_node() {
            Some(parent) => line(&mut out, item.kind.label(), &indent, format_args!("{shown_name} <= {parent}")),
            None => line(&mut out, item.kind.label(), &indent, shown_name),
        }
        if let Some(problem) = &item.problem {
            line(&mut out, "problem", &sub, problem);
        }
        if args.props {
            props_lines(&mut out, "prop", &sub, &item.showable(), args.line_per_prop);
        }
        if args.cloud {
            if let Some(cloud) = item.cloud().filter(|c| !c.is_empty()) {
                props_lines(&mut out, "cloud", &sub, cloud, args.line_per_prop);
            }
        }
        if let Some(status) = statuses.get(&item.name) {
            line(&mut out, "status", &sub, status);
        }
    }
    out
}

fn props_lines(out: &mut String, label: &str, indent: &str, props: &Props, one_per_line: bool) {
    if one_per_line {
        for (key, value) in flatten(props) {
            line(out, label, indent, format!("{key}:{}", repr::value(value)));
        }
    } else {
        line(out, label, indent, repr::props_line(props));
    }
}

fn line(out: &mut String, label: &str, indent: &str, text: impl std::fmt::Display) {
    let _ = writeln!(out, "{label:>10} {indent}{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_ponis_rules() {
        let list = |f: fn(&mut ListArgs)| {
            let mut args = ListArgs::default();
            f(&mut args);
            kinds(&args)
        };
        assert_eq!(list(|_| {}), [Kind::Node]);
        assert_eq!(list(|a| a.systems = true), [Kind::System]);
        assert_eq!(list(|a| (a.systems, a.props) = (true, true)), [Kind::Node, Kind::System]);
        assert_eq!(list(|a| (a.systems, a.cloud) = (true, true)), [Kind::Node, Kind::System]);
        assert_eq!(list(|a| (a.systems, a.query) = (true, true)), [Kind::Node, Kind::System]);
        assert_eq!(list(|a| a.tree = true), [Kind::Node, Kind::System]);
        assert_eq!(list(|a| (a.systems, a.tree) = (true, true)), [Kind::System]);
    }
}

//! `poni history`, `poni undo` and `poni redo`: the core's history, printed.

use poni_repo::{HistoryEntryView, HistoryView, ItemChangeKind, Origin, Result, UndoOutcome};
use serde_json::Value;

pub fn print(view: &HistoryView, verbose: bool, limit: usize) -> Result<()> {
    if view.entries.is_empty() {
        outln!("No changes yet.");
        return Ok(());
    }
    for entry in view.entries.iter().take(limit) {
        let origin = match entry.origin {
            Origin::App => "app",
            Origin::CommandLine => "command line",
        };
        let undone = if entry.undone { " (undone)" } else { "" };
        outln!("{}  {}{undone}  [{origin}]", entry.at, entry.label);
        if verbose {
            print_items(entry, "    ");
        }
    }
    if view.entries.len() > limit {
        outln!("… and {} older (poni history -n {})", view.entries.len() - limit, view.entries.len());
    }
    Ok(())
}

fn print_items(entry: &HistoryEntryView, indent: &str) {
    for item in &entry.items {
        let what = match item.change {
            ItemChangeKind::Added => "added".to_string(),
            ItemChangeKind::Removed => "removed".to_string(),
            ItemChangeKind::Changed => "changed".to_string(),
            ItemChangeKind::Moved => format!("moved to {}", item.moved_to.as_deref().unwrap_or("?")),
        };
        outln!("{indent}{} {what}", item.name);
        for p in &item.properties {
            outln!("{indent}  {}: {} -> {}", p.key, shown(&p.before), shown(&p.after));
        }
    }
    if entry.item_count as usize > entry.items.len() {
        outln!("{indent}… and {} more", entry.item_count as usize - entry.items.len());
    }
}

fn shown(value: &Option<Value>) -> String {
    match value {
        None => "(not set)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub fn outcome(verb: &str, outcome: &UndoOutcome) -> Result<()> {
    outln!("{verb}: {}", outcome.entry.label);
    print_items(&outcome.entry, "  ");
    for i in &outcome.still_running {
        let region = i.region.as_deref().map(|r| format!(" in {r}")).unwrap_or_default();
        if !i.launched_here {
            // It ran before the import that made its node: nothing suggests ending it.
            errln!("note: instance {}{region} (node '{}') was imported, not launched here: it keeps running and is not affected", i.instance_id, i.node);
            continue;
        }
        errln!(
            "warning: instance {}{region} was launched for '{}' and still runs: undo changed the repository only. To terminate it, run `poni redo`, then `{}`",
            i.instance_id,
            i.node,
            terminate_command(&i.node)
        );
    }
    Ok(())
}

/// `poni cloud terminate -M <node>`, ready to paste, for exactly that node. The name may come
/// from an EC2 Name tag (`x';touch /tmp/pwn;'`): it is a pattern, so its regex characters are
/// escaped (`web.1` must not also terminate `webx1`), then one shell word. Escaping also puts
/// a `\` before a leading '-', so the pattern is never taken for an option.
fn terminate_command(node: &str) -> String {
    format!("poni cloud terminate -M {}", poni_cloud::shell::word(&regex::escape(node)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `sh` makes of a command, one per line.
    fn sh_words(command: &str) -> Vec<String> {
        let script = format!("for w in {command}; do printf '%s\\n' \"$w\"; done");
        let out = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
    }

    #[test]
    fn the_terminate_hint_is_one_word_matching_only_that_node() {
        for node in ["x';touch /tmp/pwn;'", "web.1", "-M", "a b$(id)`id`", "web/app01", "(x|y)+"] {
            let command = terminate_command(node);
            let words = sh_words(&command);
            assert_eq!(words[..4], ["poni", "cloud", "terminate", "-M"], "{command}");
            assert_eq!(words.len(), 5, "{command}");
            assert!(!words[4].starts_with('-'), "{command}");
            let target = poni_repo::Target::new(&words[4], true).unwrap();
            assert!(target.matches(node), "{command}");
        }
        assert!(!poni_repo::Target::new(&sh_words(&terminate_command("web.1"))[4], true).unwrap().matches("webx1"));
        assert_eq!(terminate_command("web/app01"), "poni cloud terminate -M web/app01");
    }
}

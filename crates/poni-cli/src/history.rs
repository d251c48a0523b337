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
        eprintln!(
            "warning: instance {}{region} was launched for '{}' and still runs: undo changed the repository only. To terminate it, run `poni redo`, then `poni cloud terminate -M '{}'`",
            i.instance_id, i.node, i.node
        );
    }
    Ok(())
}

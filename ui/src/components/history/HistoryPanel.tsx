// The History tab: the core's list of changes (newest first) with undo and redo, and the
// repository's git history (VcPanel).
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ChevronRight, GitBranch, History as HistoryIcon, Loader2, Redo2, Terminal, Undo2 } from "lucide-react";
import type { HistoryEntryView } from "../../bindings/HistoryEntryView";
import type { HistoryItem } from "../../bindings/HistoryItem";
import { explain } from "../../lib/errors";
import { exactTime, nextRedo, nextUndo, relativeTime, undoRedo, useHistory } from "../../lib/history";
import { Button, cx, ErrorNote } from "../ui";
import { PropertyDiffs } from "./Diffs";
import { VcPanel } from "./VcPanel";

export function HistoryArea() {
  const [view, setView] = useState<"changes" | "git">("changes");
  const tab = (v: typeof view) => cx("flex h-7 items-center gap-1.5 rounded px-2.5 text-[12px]", view === v ? "bg-accent-soft text-accent" : "text-muted hover:bg-hover hover:text-fg");
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex shrink-0 items-center gap-1 border-b border-line bg-panel px-3 py-1.5" role="tablist" aria-label="History">
        <button role="tab" aria-selected={view === "changes"} className={tab("changes")} onClick={() => setView("changes")} data-testid="history-tab-changes">
          <HistoryIcon size={13} /> Changes
        </button>
        <button role="tab" aria-selected={view === "git"} className={tab("git")} onClick={() => setView("git")} data-testid="history-tab-git">
          <GitBranch size={13} /> Git
        </button>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto">{view === "changes" ? <HistoryPanel /> : <VcPanel />}</div>
    </div>
  );
}

const CHANGE_LABEL: Record<HistoryItem["change"], string> = { added: "added", removed: "removed", changed: "changed", moved: "moved" };

export function HistoryPanel() {
  const history = useHistory();
  const client = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  const view = history.data;
  const undo = nextUndo(view);
  const redo = nextRedo(view);
  return (
    <section className="flex flex-col gap-3 p-4" data-testid="history-panel">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-[15px] font-semibold">Changes</h2>
        <span className="text-[12px] text-muted">newest first; undo takes back the newest that is not undone</span>
        <span className="ml-auto" />
        <Button size="sm" icon={<Undo2 size={13} />} disabled={!view?.canUndo} title={undo ? `Undo: ${undo}` : "Nothing to undo"} onClick={() => void undoRedo(client, "undo")} data-testid="history-undo">
          Undo
        </Button>
        <Button size="sm" icon={<Redo2 size={13} />} disabled={!view?.canRedo} title={redo ? `Redo: ${redo}` : "Nothing to redo"} onClick={() => void undoRedo(client, "redo")} data-testid="history-redo">
          Redo
        </Button>
      </div>
      {history.error ? (
        <ErrorNote error={explain(history.error)} testId="history-error" />
      ) : !view ? (
        <p className="flex items-center gap-2 text-[12px] text-muted">
          <Loader2 size={14} className="animate-spin" /> Reading the history…
        </p>
      ) : view.entries.length === 0 ? (
        <p className="text-[12px] text-muted" data-testid="history-empty">
          No changes yet. Every change made here or with the poni command line shows up in this list, and can be undone.
        </p>
      ) : (
        <ol className="flex flex-col divide-y divide-line rounded-md border border-line">
          {view.entries.map((entry, index) => (
            <Entry key={entry.id} entry={entry} index={index} open={open === entry.id} onToggle={() => setOpen(open === entry.id ? null : entry.id)} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Entry({ entry, index, open, onToggle }: { entry: HistoryEntryView; index: number; open: boolean; onToggle: () => void }) {
  return (
    <li data-testid={`history-entry-${index}`} data-undone={entry.undone || undefined} className={cx(entry.undone && "opacity-55")}>
      <button className="flex w-full min-w-0 items-center gap-2 px-3 py-2 text-left hover:bg-hover" aria-expanded={open} onClick={onToggle}>
        <ChevronRight size={13} className={cx("shrink-0 text-muted transition-transform", open && "rotate-90")} />
        <span className={cx("min-w-0 flex-1 truncate text-[13px]", entry.undone && "line-through")} title={entry.label} data-testid={`history-label-${index}`}>
          {entry.label}
        </span>
        {entry.undone && <span className="shrink-0 text-[11px] text-faint">undone</span>}
        <span
          className={cx("flex shrink-0 items-center gap-1 rounded px-1.5 py-px text-[11px]", entry.origin === "app" ? "bg-accent-soft text-accent" : "bg-panel-2 text-muted")}
          data-testid={`history-origin-${index}`}
        >
          {entry.origin === "commandLine" && <Terminal size={11} />}
          {entry.origin === "app" ? "App" : "Command line"}
        </span>
        <time dateTime={entry.at} title={exactTime(entry.at)} className="w-[80px] shrink-0 text-right text-[11px] text-muted tabular-nums">
          {relativeTime(entry.at)}
        </time>
      </button>
      {open && (
        <div className="flex flex-col gap-2 border-t border-line bg-panel-2/40 px-8 py-2" data-testid={`history-items-${index}`}>
          {entry.items.map((item) => (
            <div key={item.name}>
              <p className="text-[12px]">
                <span className="font-medium">{item.name}</span> <span className="text-muted">{CHANGE_LABEL[item.change]}</span>
                {item.movedTo && <span className="text-muted"> → {item.movedTo}</span>}
              </p>
              {item.properties.length > 0 && <PropertyDiffs properties={item.properties} />}
            </div>
          ))}
          {entry.itemCount > entry.items.length && <p className="text-[12px] text-muted">and {entry.itemCount - entry.items.length} more</p>}
        </div>
      )}
    </li>
  );
}

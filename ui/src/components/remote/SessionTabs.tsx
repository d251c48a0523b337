// The terminal and run tabs of the main area, beside Overview, Graph and the rest: their
// headers (inside the tab list) and their bodies, which stay mounted while hidden so a
// terminal keeps its scrollback and a run keeps following its events.
import { lazy, Suspense } from "react";
import { Tabs } from "radix-ui";
import { Loader2, RotateCw, TerminalSquare, Upload, X } from "lucide-react";
import { baseName } from "../../lib/treeModel";
import { sessionTab, useSessions, type Session } from "../../lib/sessions";
import { useUi } from "../../lib/store";
import { ErrorBoundary } from "../ErrorBoundary";
import { cx } from "../ui";
import { StateDot } from "../ui/StateDot";
import { RunPanel } from "./RunPanel";

// xterm.js is a big part of the bundle: loaded when the first terminal opens.
const TerminalPane = lazy(() => import("./TerminalPane").then((m) => ({ default: m.TerminalPane })));

const statusDot: Record<Extract<Session, { kind: "terminal" }>["status"], string> = {
  connecting: "pending",
  question: "pending",
  error: "terminated",
  open: "running",
  ended: "stopped",
};

/** The tab headers; `trigger` is the look of the main area's tab triggers. */
export function SessionTriggers({ trigger }: { trigger: string }) {
  const sessions = useSessions((s) => s.sessions);
  return (
    <>
      {sessions.map((s) => (
        <div
          key={s.key}
          className="flex max-w-[220px] shrink-0 items-center"
          data-testid={s.kind === "terminal" ? "terminal-tab" : "run-tab"}
          data-node={s.kind === "terminal" ? s.node : undefined}
          data-status={s.kind === "terminal" ? s.status : undefined}
        >
          <Tabs.Trigger value={sessionTab(s.key)} className={cx(trigger, "min-w-0 pr-1")} title={s.kind === "terminal" ? s.node : s.title}>
            {s.kind === "terminal" ? <StateDot state={statusDot[s.status]} /> : s.mode === "copy" ? <Upload size={13} className="shrink-0" /> : <TerminalSquare size={13} className="shrink-0" />}
            <span className="truncate">{s.kind === "terminal" ? baseName(s.node) : `${s.mode === "copy" ? "Copy" : "Run"} · ${s.title}`}</span>
          </Tabs.Trigger>
          {s.kind === "terminal" && s.status === "ended" && (
            <button
              className="flex h-6 shrink-0 items-center gap-1 rounded px-1.5 text-[12px] text-accent hover:bg-hover"
              onClick={() => {
                useUi.getState().setTab(sessionTab(s.key));
                useSessions.getState().reconnect(s.key);
              }}
              data-testid="terminal-reconnect"
            >
              <RotateCw size={12} /> Reconnect
            </button>
          )}
          <button
            className="flex h-6 w-6 shrink-0 items-center justify-center rounded text-muted hover:bg-hover hover:text-fg"
            aria-label={`Close ${s.kind === "terminal" ? `the terminal on ${s.node}` : "the run tab"}`}
            onClick={() => useSessions.getState().close(s.key)}
            data-testid={s.kind === "terminal" ? "terminal-close" : "run-tab-close"}
          >
            <X size={13} />
          </button>
        </div>
      ))}
    </>
  );
}

/** The tab bodies, every one mounted, the inactive ones hidden. */
export function SessionContents() {
  const sessions = useSessions((s) => s.sessions);
  const tab = useUi((s) => s.tab);
  return (
    <>
      {sessions.map((s) => {
        const value = sessionTab(s.key);
        return (
          <Tabs.Content key={s.key} value={value} forceMount hidden={tab !== value} className="flex min-h-0 flex-1 flex-col outline-none">
            <ErrorBoundary label={s.kind === "terminal" ? "terminal" : "run"}>
              {s.kind === "terminal" ? (
                <Suspense fallback={<Loading />}>
                  <TerminalPane session={s} />
                </Suspense>
              ) : (
                <RunPanel session={s} />
              )}
            </ErrorBoundary>
          </Tabs.Content>
        );
      })}
    </>
  );
}

function Loading() {
  return (
    <div className="flex flex-1 items-center justify-center gap-2 p-4 text-[12px] text-muted">
      <Loader2 size={16} className="animate-spin" /> Loading the terminal…
    </div>
  );
}

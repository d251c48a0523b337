// A terminal tab's body: a header (node, address, how the host key was trusted), the question or
// error that stops the connection, and the terminal itself. It stays mounted while another tab
// shows, so its scrollback survives; Reconnect (in the tab header) opens a new session here.
import { useEffect, useRef } from "react";
import { Keyboard, Loader2, ShieldCheck } from "lucide-react";
import { hostKeyWords } from "../../lib/remote";
import { useSessions, type Session } from "../../lib/sessions";
import { Tooltip } from "../ui";
import { ConnectErrorCard } from "./ConnectErrorCard";
import { ConnectQuestionCard } from "./ConnectQuestionCard";
import { useTerminalConnection, type Connection } from "./useTerminalConnection";
import { XtermView, type XtermHandle } from "./XtermView";

type TerminalSession = Extract<Session, { kind: "terminal" }>;

export function TerminalPane({ session }: { session: TerminalSession }) {
  const { key, node, attempt } = session;
  const term = useRef<XtermHandle>(null);
  const { connection, start, answer, input, resize } = useTerminalConnection(node, term);

  useEffect(() => useSessions.getState().setStatus(key, connection.phase), [key, connection.phase]);

  // Reconnect (the tab header) bumps the attempt.
  const seen = useRef(attempt);
  useEffect(() => {
    if (attempt === seen.current) return;
    seen.current = attempt;
    term.current?.notice(`[connecting to ${node} again]`);
    start();
  }, [attempt, node, start]);

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="terminal-pane" data-node={node} data-phase={connection.phase}>
      <TerminalHeader node={node} connection={connection} />
      {connection.phase === "question" && (
        <div className="shrink-0 border-b border-line p-3">
          <ConnectQuestionCard question={connection.question} onAnswer={(a) => void answer(a)} onCancel={() => useSessions.getState().close(key)} />
        </div>
      )}
      {connection.phase === "error" && (
        <div className="shrink-0 border-b border-line p-3">
          <ConnectErrorCard node={node} error={connection.error} onRetry={start} />
        </div>
      )}
      <XtermView ref={term} onData={input} onResize={resize} onReady={start} />
    </div>
  );
}

function TerminalHeader({ node, connection }: { node: string; connection: Connection }) {
  const info = connection.phase === "open" || connection.phase === "ended" ? connection.info : null;
  const trust = info ? hostKeyWords(info.hostKey) : null;
  return (
    <div className="flex h-9 shrink-0 items-center gap-3 border-b border-line bg-panel px-3 text-[12px]" data-testid="terminal-header">
      <span className="max-w-[40%] shrink-0 truncate text-[13px] font-semibold" title={node}>
        {node}
      </span>
      {info && (
        <span className="shrink-0 font-mono text-muted" data-testid="terminal-address" data-selectable>
          {info.address}
        </span>
      )}
      {connection.phase === "connecting" && (
        <span className="flex items-center gap-1 text-muted">
          <Loader2 size={12} className="animate-spin" /> Connecting…
        </span>
      )}
      {trust && (
        <span className="flex min-w-0 items-center gap-1 text-ok" data-testid="terminal-hostkey" data-outcome={info?.hostKey}>
          <ShieldCheck size={12} className="shrink-0" /> <span className="truncate">{trust}</span>
        </span>
      )}
      <span className="ml-auto" />
      <Tooltip label="Ctrl+Shift+F finds, Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes">
        <span className="flex shrink-0 items-center gap-1 text-faint" tabIndex={0} aria-label="Keys: Ctrl+Shift+F find, Ctrl+Shift+C copy, Ctrl+Shift+V paste">
          <Keyboard size={13} /> Keys
        </span>
      </Tooltip>
    </div>
  );
}

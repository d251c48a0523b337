// One terminal tab's connection: asks the backend to open a shell on the node (with the answers
// to its questions so far), streams the output into the terminal, says when the session ended,
// and closes the session when the tab goes. A passphrase goes into one request and is not kept.
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import type { ConnectQuestion } from "../../bindings/ConnectQuestion";
import type { ConnectRequest } from "../../bindings/ConnectRequest";
import type { TerminalEnd } from "../../bindings/TerminalEnd";
import type { TerminalInfo } from "../../bindings/TerminalInfo";
import { backend, openChannel } from "../../lib/backend";
import { endWords } from "../../lib/remote";
import type { XtermHandle } from "./XtermView";

export type Connection =
  | { phase: "connecting" }
  | { phase: "question"; question: ConnectQuestion }
  | { phase: "error"; error: unknown }
  | { phase: "open"; info: TerminalInfo }
  | { phase: "ended"; info: TerminalInfo | null; end: TerminalEnd };

/** The answers a question can bring: every field of the request but the node. */
export type Answer = Omit<ConnectRequest, "node">;

const ignore = () => undefined;

export function useTerminalConnection(node: string, term: RefObject<XtermHandle | null>) {
  const [connection, setConnection] = useState<Connection>({ phase: "connecting" });
  // Each attempt has a number: what an older one sends or returns is dropped (or closed).
  const attempt = useRef(0);
  const open = useRef<number | null>(null);
  const answers = useRef<Answer>({});

  const close = useCallback(() => {
    if (open.current !== null) void backend.terminalClose(open.current).catch(ignore);
    open.current = null;
  }, []);

  const connect = useCallback(
    async (answer: Answer) => {
      const mine = ++attempt.current;
      close();
      const { passphrase, ...kept } = answer;
      answers.current = { ...answers.current, ...kept };
      const request: ConnectRequest = { node, ...answers.current, ...(passphrase ? { passphrase } : {}) };
      setConnection({ phase: "connecting" });
      const early: { end: TerminalEnd | null } = { end: null };
      const output = openChannel<ArrayBuffer>((bytes) => {
        if (attempt.current === mine) term.current?.write(new Uint8Array(bytes));
      });
      const ended = openChannel<TerminalEnd>((end) => {
        if (attempt.current !== mine) return;
        early.end = end;
        open.current = null;
        term.current?.notice(endWords(end));
        setConnection((c) => ({ phase: "ended", info: c.phase === "open" ? c.info : null, end }));
      });
      const { cols, rows } = term.current?.size() ?? { cols: 80, rows: 24 };
      try {
        const opened = await backend.terminalOpen(request, cols, rows, output, ended);
        if (attempt.current !== mine) {
          if (opened.kind === "open") void backend.terminalClose(opened.terminal.id).catch(ignore);
          return;
        }
        if (opened.kind === "question") {
          setConnection({ phase: "question", question: opened.question });
        } else if (early.end) {
          setConnection({ phase: "ended", info: opened.terminal, end: early.end });
        } else {
          open.current = opened.terminal.id;
          setConnection({ phase: "open", info: opened.terminal });
          term.current?.focus();
        }
      } catch (error) {
        if (attempt.current === mine) setConnection({ phase: "error", error });
      }
    },
    [node, term, close],
  );

  /** A new session from the start: earlier answers are forgotten. */
  const start = useCallback(() => {
    answers.current = {};
    void connect({});
  }, [connect]);

  // Keys go one call after another: concurrent calls could reach the shell out of order.
  const typed = useRef<Promise<unknown>>(Promise.resolve());
  const input = useCallback((data: string) => {
    const id = open.current;
    if (id === null) return;
    typed.current = typed.current.then(() => backend.terminalInput(id, data)).catch(ignore);
  }, []);

  const resize = useCallback((cols: number, rows: number) => {
    if (open.current !== null) void backend.terminalResize(open.current, cols, rows).catch(ignore);
  }, []);

  // The tab went: end its session, and any attempt still on its way.
  useEffect(
    () => () => {
      attempt.current++;
      close();
    },
    [close],
  );

  return { connection, start, answer: connect, input, resize };
}

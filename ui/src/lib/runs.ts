// A run (Run command, Copy files) as its panel follows it: the record the backend returned at the
// start, with the channel's events applied as they come (a node started, printed, finished), until
// `done` brings the final record. Events may arrive before the start's answer: they wait for it.
import type { NodeRun } from "../bindings/NodeRun";
import type { RunEvent } from "../bindings/RunEvent";
import type { RunRecord } from "../bindings/RunRecord";

/** What a row keeps of a node's live output: enough for its last lines. */
const LIVE_KEEP = 8192;

export interface RunState {
  record: RunRecord | null;
  /** Each node's latest output (by index), as it arrives. */
  live: string[];
  /** Events that came before the record. */
  early: RunEvent[];
  done: boolean;
}

export type RunAction = { kind: "clear" } | { kind: "begun"; record: RunRecord } | { kind: "event"; event: RunEvent } | { kind: "show"; record: RunRecord };

export const noRun: RunState = { record: null, live: [], early: [], done: false };

function setNode(record: RunRecord, index: number, change: (node: NodeRun) => NodeRun): RunRecord {
  const node = record.nodes[index];
  if (!node) return record;
  const nodes = record.nodes.slice();
  nodes[index] = change(node);
  return { ...record, nodes };
}

function apply(state: RunState, event: RunEvent): RunState {
  if (event.kind === "done") return { ...state, record: event.run, early: [], done: true };
  if (event.kind === "output") {
    const live = state.live.slice();
    const text = (live[event.index] ?? "") + event.text;
    live[event.index] = text.length > LIVE_KEEP ? text.slice(-LIVE_KEEP) : text;
    return { ...state, live };
  }
  if (!state.record) return { ...state, early: [...state.early, event] };
  if (event.kind === "started") return { ...state, record: setNode(state.record, event.index, (n) => ({ ...n, state: "running" })) };
  return { ...state, record: setNode(state.record, event.index, () => event.node) };
}

export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.kind) {
    case "clear":
      return noRun;
    case "show":
      return { ...noRun, record: action.record, done: action.record.finishedAt !== null };
    case "begun": {
      // `done` may have come first (a run over at once): it has the final record.
      if (state.done) return state;
      return state.early.reduce(apply, { ...state, record: action.record, early: [] });
    }
    case "event":
      return apply(state, action.event);
  }
}

const ANSI = new RegExp(String.raw`\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007]*(?:\u0007|\u001b\\)|[@-Z\\-_])`, "g");

/** The last `count` lines of output as a screen would show them: colours dropped, a line redrawn after `\r` shown as redrawn. */
export function tailLines(text: string, count: number): string[] {
  const lines = text
    .replace(ANSI, "")
    .split("\n")
    .map((line) => {
      const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
      return trimmed.slice(trimmed.lastIndexOf("\r") + 1);
    });
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  return lines.slice(-count);
}

/** "1.2 s", "2 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

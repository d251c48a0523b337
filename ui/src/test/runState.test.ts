import { describe, expect, it } from "vitest";
import type { RunRecord } from "../bindings/RunRecord";
import { noRun, runReducer, tailLines } from "../lib/runs";

describe("a run's live state", () => {
  const record = (state: "waiting" | "succeeded"): RunRecord => ({
    id: "r1",
    kind: "command",
    command: "uptime",
    startedAt: "2026-05-01T10:00:00Z",
    finishedAt: state === "succeeded" ? "2026-05-01T10:00:01Z" : null,
    nodes: [{ node: "web1", host: "203.0.113.7", state, exitStatus: state === "succeeded" ? 0 : null, error: null, durationMs: 5, output: "", truncated: false }],
    groups: [],
  });

  it("applies events that came before the start's answer once it comes", () => {
    let s = runReducer(noRun, { kind: "event", event: { kind: "started", index: 0 } });
    s = runReducer(s, { kind: "event", event: { kind: "output", index: 0, text: "up 3 days\n" } });
    expect(s.record).toBeNull();
    s = runReducer(s, { kind: "begun", record: record("waiting") });
    expect(s.record?.nodes[0].state).toBe("running");
    expect(s.live[0]).toBe("up 3 days\n");
  });

  it("keeps the final record when done came before the start's answer", () => {
    let s = runReducer(noRun, { kind: "event", event: { kind: "done", run: record("succeeded") } });
    s = runReducer(s, { kind: "begun", record: record("waiting") });
    expect(s.done).toBe(true);
    expect(s.record?.nodes[0].state).toBe("succeeded");
  });

  it("shows the last lines as a screen would: colours dropped, a redrawn line once", () => {
    expect(tailLines("one\ntwo\n\x1b[32mthree\x1b[0m\nfour\n\n", 3)).toEqual(["two", "three", "four"]);
    expect(tailLines("copying 10%\rcopying 50%\rcopying 100%\r\n", 3)).toEqual(["copying 100%"]);
  });
});

// The run a panel shows: one it started (followed through its channel) or a past one (read as
// kept). Starting another, or showing a past one, leaves the events of the one before unheard.
import { useCallback, useReducer, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { Channel } from "@tauri-apps/api/core";
import type { RunEvent } from "../../bindings/RunEvent";
import type { RunRecord } from "../../bindings/RunRecord";
import { backend, openChannel } from "../../lib/backend";
import { runKeys } from "../../lib/queryKeys";
import { noRun, runReducer } from "../../lib/runs";

export function useRun() {
  const client = useQueryClient();
  const [state, dispatch] = useReducer(runReducer, noRun);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const attempt = useRef(0);

  const start = useCallback(
    async (begin: (events: Channel<RunEvent>) => Promise<RunRecord>) => {
      const mine = ++attempt.current;
      dispatch({ kind: "clear" });
      setError(null);
      setStarting(true);
      const events = openChannel<RunEvent>((event) => {
        if (attempt.current !== mine) return;
        dispatch({ kind: "event", event });
        if (event.kind === "done") void client.invalidateQueries({ queryKey: runKeys.list });
      });
      try {
        const record = await begin(events);
        if (attempt.current !== mine) return;
        dispatch({ kind: "begun", record });
        void client.invalidateQueries({ queryKey: runKeys.list });
      } catch (e) {
        if (attempt.current === mine) setError(e);
      } finally {
        if (attempt.current === mine) setStarting(false);
      }
    },
    [client],
  );

  const show = useCallback((record: RunRecord) => {
    attempt.current++;
    setError(null);
    setStarting(false);
    dispatch({ kind: "show", record });
  }, []);

  const clear = useCallback(() => {
    attempt.current++;
    setError(null);
    setStarting(false);
    dispatch({ kind: "clear" });
  }, []);

  const cancel = useCallback(async () => {
    if (state.record && !state.done) await backend.runCancel(state.record.id);
  }, [state.record, state.done]);

  return { ...state, starting, error, start, show, clear, cancel };
}

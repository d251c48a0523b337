// Moving items between systems (tree drag and drop, cut and paste, the graph): the core checks
// every target (check_move: the new names, or why not) and does the move (move_items). The UI
// only shows its answer. Checks are debounced while the pointer travels and cached per target.
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { backend } from "./backend";
import { explain } from "./errors";
import { useDebounced } from "./queries";
import { keys } from "./queryKeys";
import { useUi } from "./store";
import type { MoveCheck } from "../bindings/MoveCheck";

/** How long the pointer rests on a target before the core is asked about it. */
export const CHECK_DELAY_MS = 120;

export function fetchMoveCheck(client: QueryClient, names: string[], toSystem: string): Promise<MoveCheck> {
  return client.fetchQuery({ queryKey: keys.checkMove(names, toSystem), queryFn: () => backend.checkMove(names, toSystem), staleTime: 30_000 });
}

/** The core's answer for the target the pointer is on (debounced); `check` is undefined while it is asked. */
export function useMoveCheck(names: string[], target: string | null): { check: MoveCheck | undefined; pending: boolean; error: unknown } {
  const settled = useDebounced(target, CHECK_DELAY_MS);
  const current = settled === target ? target : null;
  const query = useQuery({
    queryKey: keys.checkMove(names, current ?? ""),
    queryFn: () => backend.checkMove(names, current ?? ""),
    enabled: names.length > 0 && current !== null,
    staleTime: 30_000,
  });
  if (target === null || names.length === 0) return { check: undefined, pending: false, error: null };
  if (current === null) return { check: undefined, pending: true, error: null };
  return { check: query.data, pending: query.isPending, error: query.error };
}

/** Whether the core's answer moves anything (no problem, and at least one name changes). */
export function movesSomething(check: MoveCheck): boolean {
  return check.problems.length === 0 && check.moves.some((m) => m.from !== m.to);
}

/** "Move 3 here → web/a, web/b, web/c …": what the drop would do, from the core's answer. */
export function moveSummary(check: MoveCheck): string {
  if (check.problems.length) return check.problems[0].message;
  const moves = check.moves.filter((m) => m.from !== m.to);
  if (moves.length === 0) return "Already here";
  const shown = moves.slice(0, 3).map((m) => m.to);
  return `Move ${moves.length === 1 ? "" : `${moves.length} `}here → ${shown.join(", ")}${moves.length > shown.length ? " …" : ""}`;
}

export type MoveResult = { kind: "moved"; names: string[] } | { kind: "nothing" } | { kind: "refused"; message: string };

/**
 * Checks, then moves `names` into `toSystem` ("" = the top level) and selects them by their new
 * names. A refused or failed move changes nothing and returns why (also logged).
 */
export async function moveInto(client: QueryClient, names: string[], toSystem: string): Promise<MoveResult> {
  const ui = useUi.getState();
  const where = toSystem || "the top level";
  try {
    const check = await fetchMoveCheck(client, names, toSystem);
    if (check.problems.length) return { kind: "refused", message: check.problems[0].message };
    if (!movesSomething(check)) return { kind: "nothing" };
    const moved = await backend.moveItems(names, toSystem);
    useUi.getState().select(moved, moved[moved.length - 1] ?? null);
    ui.log(`Moved ${moved.length === 1 ? names[0] : `${moved.length} items`} to ${where}`);
    void client.invalidateQueries({ queryKey: keys.tree });
    void client.invalidateQueries({ queryKey: keys.history });
    void client.invalidateQueries({ queryKey: keys.checkMoves });
    return { kind: "moved", names: moved };
  } catch (e) {
    const x = explain(e);
    ui.log(`Could not move to ${where}: ${x.message}`, "error");
    return { kind: "refused", message: x.hint ? `${x.message} ${x.hint}` : x.message };
  }
}

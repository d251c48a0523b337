// The fleet wall: every instance of the account with its status checks, scheduled events, CPU
// load and price, per region and account, with the alerts and the monthly totals. The core
// gathers it, words the alerts and sums the money (backend.fleetStatus); this module fetches it
// while a view that shows it is on screen (the Fleet tab, the Overview: they mount only while
// shown), once a minute and never while the window is hidden, and lets the tree's rows read
// their node's mark from the last answer without a query of their own (lib/cachedQuery.ts).
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { EventKind } from "../bindings/EventKind";
import type { FleetWall } from "../bindings/FleetWall";
import type { WallAlert } from "../bindings/WallAlert";
import type { WallRow } from "../bindings/WallRow";
import { backend } from "./backend";
import { useCachedSelect } from "./cachedQuery";
import { fleetKeys } from "./queryKeys";
import { useUi } from "./store";

/** How often the wall is asked again while on screen (each ask is paced by the core like every cloud call). */
export const WALL_REFRESH_MS = 60_000;

/**
 * The wall of the regions the nodes use, or of every enabled region (the store's toggle). Kept
 * after its views unmount, so the tree's marks stay as last seen; polled only while observed.
 */
export function useFleetWall() {
  const allRegions = useUi((s) => s.allRegions);
  return useQuery({
    queryKey: fleetKeys.status(allRegions),
    queryFn: () => backend.fleetStatus(allRegions),
    staleTime: 30_000,
    gcTime: Infinity,
    refetchInterval: WALL_REFRESH_MS,
    refetchIntervalInBackground: false,
    placeholderData: keepPreviousData,
  });
}

const EMPTY_ROWS: WallRow[] = [];
const EMPTY_ALERTS: WallAlert[] = [];
const rowsOf = new WeakMap<FleetWall, WallRow[]>();
const alertsOf = new WeakMap<FleetWall, WallAlert[]>();

/** Every account's rows in one list; the same array for the same answer. */
export function wallRows(wall: FleetWall | undefined): WallRow[] {
  if (!wall) return EMPTY_ROWS;
  let rows = rowsOf.get(wall);
  if (!rows) {
    rows = wall.accounts.length === 1 ? wall.accounts[0].rows : wall.accounts.flatMap((a) => a.rows);
    rowsOf.set(wall, rows);
  }
  return rows;
}

/** Every account's alerts in one list, as the core ordered them. */
export function wallAlerts(wall: FleetWall | undefined): WallAlert[] {
  if (!wall) return EMPTY_ALERTS;
  let alerts = alertsOf.get(wall);
  if (!alerts) {
    alerts = wall.accounts.flatMap((a) => a.alerts);
    alertsOf.set(wall, alerts);
  }
  return alerts;
}

// ---------- the tree's marks ----------

/** What a node's row is marked with: failing status checks win over a scheduled event. */
export interface NodeHealth {
  mark: "impaired" | "event";
  /** The core's words for it, with what to do. */
  title: string;
}

const marksOf = new WeakMap<FleetWall, Map<string, NodeHealth>>();

/** The marks by node, from the core's alerts; the same Map (and entries) for the same answer. */
export function healthMarks(wall: FleetWall | undefined): Map<string, NodeHealth> | undefined {
  if (!wall) return undefined;
  let marks = marksOf.get(wall);
  if (marks) return marks;
  marks = new Map();
  for (const a of wallAlerts(wall)) {
    if (!a.node || (a.kind !== "impaired" && a.kind !== "scheduled-event")) continue;
    const mark = a.kind === "impaired" ? "impaired" : "event";
    const line = `${a.text} ${a.advice}`;
    const had = marks.get(a.node);
    marks.set(a.node, had ? { mark: had.mark === "impaired" ? "impaired" : mark, title: `${had.title}\n${line}` } : { mark, title: line });
  }
  marksOf.set(wall, marks);
  return marks;
}

/**
 * A node's health mark as the wall last found it, for a tree row among thousands: read from the
 * cache (never fetches), re-rendering the row only when its own mark changes.
 */
export function useNodeHealth(name: string): NodeHealth | undefined {
  const allRegions = useUi((s) => s.allRegions);
  return useCachedSelect<FleetWall, NodeHealth | undefined>(fleetKeys.status(allRegions), (wall) => healthMarks(wall)?.get(name));
}

// ---------- sorting, at 10,000 rows ----------

const collator = new Intl.Collator();

/**
 * The order of `rows` by one key, as indices: each key is computed once and the indices sorted
 * once per change of the rows or the sort (fast at 10,000 rows). Numbers compare as numbers;
 * rows without a value (null) come last either way; ties go by instance id.
 */
export function sortOrder(rows: readonly WallRow[], key: (row: WallRow) => string | number | null, desc: boolean): number[] {
  const keys = rows.map(key);
  const ids = rows.map((r) => r.instance.id);
  const dir = desc ? -1 : 1;
  const order = rows.map((_, i) => i);
  order.sort((a, b) => {
    const x = keys[a];
    const y = keys[b];
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else {
      const c = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
      if (c) return dir * c;
    }
    return collator.compare(ids[a], ids[b]);
  });
  return order;
}

// ---------- how cells say it ----------

/** The kind of a scheduled event in a word or two. */
export const EVENT_LABEL: Record<EventKind, string> = {
  "instance-reboot": "Reboot",
  "system-reboot": "System reboot",
  "system-maintenance": "Maintenance",
  "instance-retirement": "Retirement",
  "instance-stop": "Stop",
  other: "Event",
};

/** `2026-12-14` from an RFC 3339 time (the day, as EC2's console shows it); "" without one. */
export function eventDay(at: string | null): string {
  return at ? at.slice(0, 10) : "";
}

/** `3.2%`, `41%`; "" without data. */
export function cpuText(average: number | null): string {
  if (average === null || !Number.isFinite(average)) return "";
  return average < 10 ? `${average.toFixed(1)}%` : `${Math.round(average)}%`;
}

/**
 * The polyline of a sparkline: one `x,y` per point with data (gaps skipped), x spread over
 * `width`, y from 0% at the bottom to 100% at the top of `height`.
 */
export function sparklinePoints(values: readonly (number | null)[], width: number, height: number): string {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const out: string[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    const y = height - (Math.min(100, Math.max(0, v)) / 100) * height;
    out.push(`${+(i * step).toFixed(1)},${+y.toFixed(1)}`);
  });
  return out.join(" ");
}

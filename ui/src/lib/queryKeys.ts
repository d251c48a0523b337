// Every TanStack Query key of the UI, in one place: a query, its invalidations and the tests all
// take their key from here, so two places cannot spell one key differently. The groups follow
// what the keys are about; the values are what the cache and the tests see.
//
// The `repo-changed` event (after every change, undo, pull and resolve) invalidates them all
// (useRepoChangedEvents), so changes made by the CLI show up without a restart.
import type { ConfirmAction } from "../bindings/ConfirmAction";
import type { ImportRequest } from "../bindings/ImportRequest";
import type { NodesRequest } from "../bindings/NodesRequest";
import type { PropertyEdit } from "../bindings/PropertyEdit";
import type { Scope } from "../bindings/Scope";

/** The repository: its tree, items, history and version control, and the app's settings. */
export const keys = {
  workspace: ["workspace"] as const,
  tree: ["tree"] as const,
  item: (name: string) => ["item", name] as const,
  settings: ["settings"] as const,
  cloudReference: ["cloud-reference"] as const,
  plan: (request: NodesRequest) => ["plan", request] as const,
  /** The core's check of a save on one item. */
  checkEdit: (name: string, payload: { set: PropertyEdit[]; unset: string[] }) => ["check-edit", name, payload] as const,
  /** Every check of saves on one item. */
  checkEdits: (name: string) => ["check-edit", name] as const,
  /** The core's check of a name for a new system, or for renaming `from`. */
  checkName: (name: string, from: string | null) => ["check-name", name, from] as const,
  /** The core's check of moving these items into a system ("" = the top level), cached per target. */
  checkMove: (names: string[], toSystem: string) => ["check-move", toSystem, names] as const,
  /** Every check of a move (as a prefix). */
  checkMoves: ["check-move"] as const,
  /** The undo history (newest first). */
  history: ["history"] as const,
  /** Everything about version control; vcStatus, vcDiff and vcConflicts live under it. */
  vc: ["vc"] as const,
  vcStatus: ["vc", "status"] as const,
  vcDiff: (name: string | null) => ["vc", "diff", name] as const,
  vcConflicts: ["vc", "conflicts"] as const,
};

/**
 * The AWS account behind the credentials. Every key that depends on the account starts with
 * "account", so an account change can drop them all at once (see resetForNewAccount).
 */
export const accountKeys = {
  all: ["account"] as const,
  status: ["account", "status"] as const,
  regions: ["account", "regions"] as const,
  images: (region: string) => ["account", "images", region] as const,
  instanceTypes: (region: string, architecture: string | null) => ["account", "instance-types", region, architecture] as const,
  keyPairs: (region: string) => ["account", "key-pairs", region] as const,
  securityGroups: (region: string) => ["account", "security-groups", region] as const,
  subnets: (region: string) => ["account", "subnets", region] as const,
  launchChecks: (scope: Scope) => ["account", "launch-checks", scope] as const,
  launchChecksAll: ["account", "launch-checks"] as const,
  // Local to this machine, not to the account: kept across account changes.
  publicKeys: ["public-keys"] as const,
  sandbox: ["sandbox"] as const,
};

/** The live fleet, operations, credentials, and what a cloud action would do. */
export const cloudKeys = {
  fleetNodes: ["fleet-nodes"] as const,
  fleetOverview: ["fleet-overview"] as const,
  operations: ["operations"] as const,
  credentials: ["credentials"] as const,
  credentialSets: ["credential-sets"] as const,
  /** How to connect to a node; asked again whenever its address changes. */
  connect: (node: string, host: string | null) => ["connect", node, host] as const,
  /** What a launch (or re-launch) of the scope would do. */
  preview: (scope: Scope, reinit: boolean) => ["cloud-preview", scope, reinit] as const,
  /** The instances an action on the scope would touch. */
  affected: (scope: Scope, action: ConfirmAction) => ["cloud-affected", scope, action] as const,
  /** The snapshots of the scope's instances. */
  snapshots: (scope: Scope) => ["cloud-snapshots", scope] as const,
};

/** The Fleet tab: the account's instances with their health, load and cost, drift, and importing instances into the repository. */
export const fleetKeys = {
  /** Every node's drift (the Fleet tab's check). As a prefix it also covers the per-node checks. */
  drift: ["cloud-drift"] as const,
  /** One node's drift (its cloud panel's check). */
  nodeDrift: (node: string) => ["cloud-drift", "node", node] as const,
  /** The fleet wall (health, load, cost) of the nodes' regions, or of every enabled region. */
  status: (allRegions: boolean) => ["fleet-status", allRegions] as const,
  /** Both walls (as a prefix). */
  statusAll: ["fleet-status"] as const,
  /** The names an import would give the picked instances. */
  importPreview: (requests: ImportRequest[]) => ["import-preview", requests] as const,
};

/** Run command and Copy files: the past runs (kept in the app's folder, not in the repository). */
export const runKeys = {
  list: ["runs"] as const,
  one: (id: string) => ["runs", id] as const,
};

// The node / system editor: the cloud section with proper fields, every other property typed,
// inherited and computed values read-only. The core checks the draft as you type (checkEdit) and
// its problems show on the field or row of their key; Save sends the draft as one change
// (editProperties); nothing typed is lost when the backend refuses.
import { useEffect, useMemo, useRef, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowUpRight, CheckCircle2, FileWarning, Loader2, Lock, Plus, Power, Rocket, RotateCcw, Save, Trash2, TriangleAlert } from "lucide-react";
import { CODE_TRAITS, KEY_PAIR_KEYS } from "../../bindings/core";
import type { EditProblem } from "../../bindings/EditProblem";
import type { ItemDetail } from "../../bindings/ItemDetail";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { backend } from "../../lib/backend";
import { useRegions } from "../../lib/account";
import { explain, type Explained } from "../../lib/errors";
import {
  CLOUD_LABELS,
  getPath,
  cloudFieldKey,
  cloudFromProps,
  managedFromProps,
  parseRow,
  PROP_TYPES,
  retype,
  rowId,
  rowsFromProps,
  savePayload,
  showValue,
  CLOUD_FIELDS,
  type CloudField,
  type CloudForm,
  type ManagedKey,
  type PropRow,
  type PropType,
  type Props,
} from "../../lib/props";
import type { CloudReference } from "../../bindings/CloudReference";
import { useCloudReference, useDebounced } from "../../lib/queries";
import { keys } from "../../lib/queryKeys";
import { useUi } from "../../lib/store";
import { cloudActions, useNodeLive } from "../../lib/cloud";
import { Button, cx, ErrorNote, IconButton, Input, SectionTitle, Select, TextArea } from "../ui";
import { EditorLiveBar } from "../cloud/NodeCloud";
import { CloudSection } from "./CloudSection";

interface Draft {
  base: Props;
  rows: PropRow[];
  cloud: CloudForm;
  /** Values the editor suggested (not typed), by field. */
  suggested: Partial<CloudForm>;
  /** Fields already offered a suggestion: each is offered once (Revert does not bring it back). */
  offered: CloudField[];
  /** Where the item keeps its key pair (the core's answer: `cloud.key-pair` or `cloud.key_pair`). */
  keyPairKey: string;
}

const draftFrom = (detail: ItemDetail): Draft => {
  const props = detail.props as Props;
  return { base: props, rows: rowsFromProps(props), cloud: cloudFromProps(props, detail.keyPairKey), suggested: {}, offered: [], keyPairKey: detail.keyPairKey };
};

/** How long typing pauses before the core checks the draft. */
const CHECK_DELAY_MS = 250;

/** Problems the cloud core finds in a value (shown under the value, not the name). */
const isValueProblem = (p: EditProblem) => CODE_TRAITS[p.code].area === "node";

const CLOUD_FIELD_LIST = Object.keys(CLOUD_FIELDS) as CloudField[];

/** New nodes use EC2 unless a system above says otherwise. */
const DEFAULT_PROVIDER = "aws-ec2";

/**
 * Fills the draft of a node that has no provider / region (own or inherited) with a suggestion:
 * aws-ec2, and the region the core suggests. Only the draft: nothing is saved until Save.
 */
function suggest(d: Draft, detail: ItemDetail, region: string | null | undefined): Draft {
  if (detail.kind !== "node" || detail.problem) return d;
  const offers: Partial<CloudForm> = { provider: DEFAULT_PROVIDER, ...(region ? { region } : {}) };
  let next = d;
  for (const [field, value] of Object.entries(offers) as [CloudField, string][]) {
    if (next.offered.includes(field) || next.cloud[field].trim() || detail.inherited.some((i) => i.key === CLOUD_FIELDS[field])) continue;
    next = { ...next, cloud: { ...next.cloud, [field]: value }, suggested: { ...next.suggested, [field]: value }, offered: [...next.offered, field] };
  }
  return next;
}

/** The suggestions still untouched: they do not count as the person's own edits. */
function untouched(d: Draft): CloudField[] {
  return (Object.keys(d.suggested) as CloudField[]).filter((f) => d.cloud[f] === d.suggested[f]);
}

/** The reference until the backend's arrives (one object, so the memos below keep their answers). */
const NO_REFERENCE: CloudReference = { regions: [], instanceTypes: [], defaultInstanceType: "", providers: [], keyFileTemplate: null };

export function ItemEditor({ detail, reference }: { detail: ItemDetail; reference?: CloudReference }) {
  const ref = useCloudReference();
  const cloudRef = reference ?? ref.data ?? NO_REFERENCE;
  const client = useQueryClient();
  const log = useUi((s) => s.log);
  const suggestedRegion = useRegions().data?.suggested;
  const [draft, setDraft] = useState<Draft>(() => suggest(draftFrom(detail), detail, null));
  const [saveError, setSaveError] = useState<Explained | null>(null);
  const justSaved = useRef(false);

  const payload = useMemo(() => savePayload(draft.base, draft.rows, draft.cloud, draft.keyPairKey), [draft]);
  const changeCount = payload.set.length + payload.unset.length;
  const dirty = changeCount > 0;
  const prefilled = untouched(draft);
  // Dirty by the person's own edits (suggestions left as they are do not count).
  const edited = useMemo(() => {
    const own = { ...draft.cloud };
    const orig = cloudFromProps(draft.base, draft.keyPairKey);
    for (const f of untouched(draft)) own[f] = orig[f];
    const p = savePayload(draft.base, draft.rows, own, draft.keyPairKey);
    return p.set.length + p.unset.length > 0;
  }, [draft]);

  // The region suggestion arrives with the account's regions.
  const base = draft.base;
  useEffect(() => {
    setDraft((d) => suggest(d, detail, suggestedRegion));
  }, [base, suggestedRegion, detail]);

  // New data from disk: take it when nothing is typed (or we just saved); else keep the typing.
  const changedOnDisk = JSON.stringify(detail.props) !== JSON.stringify(draft.base);
  useEffect(() => {
    if (changedOnDisk && (!edited || justSaved.current)) {
      justSaved.current = false;
      // A suggestion declined before stays declined.
      setDraft((d) => ({ ...draftFrom(detail), offered: d.offered }));
    }
  }, [changedOnDisk, edited, detail]);

  // The core checks what a save would send, a moment after typing stops. Only problems of keys
  // the draft still sends count (an older answer, kept while the next one comes, may name others).
  const checked = useDebounced(payload, CHECK_DELAY_MS);
  const check = useQuery({
    queryKey: keys.checkEdit(detail.name, checked),
    queryFn: () => backend.checkEdit(detail.name, checked.set, checked.unset),
    enabled: !detail.problem && checked.set.length + checked.unset.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
  const coreProblems = useMemo(() => {
    if (!dirty || !check.data) return [];
    const sent = new Set([...payload.set.map((e) => e.key), ...payload.unset]);
    return check.data.filter((p) => sent.has(p.key));
  }, [check.data, payload, dirty]);

  const cloudErrs = useMemo(() => {
    const out: Partial<Record<CloudField, string>> = {};
    for (const field of CLOUD_FIELD_LIST) {
      const problem = coreProblems.find((p) => p.key === cloudFieldKey(field, draft.keyPairKey));
      if (problem) out[field] = problem.message;
    }
    return out;
  }, [coreProblems, draft.keyPairKey]);
  const rowErrors = useMemo(() => {
    const out = new Map<string, { key?: string; value?: string }>();
    const seen = new Map<string, number>();
    for (const r of draft.rows) seen.set(r.key.trim(), (seen.get(r.key.trim()) ?? 0) + 1);
    for (const r of draft.rows) {
      const key = r.key.trim();
      let k: string | undefined;
      let v = parseRow(r).error;
      if ((seen.get(key) ?? 0) > 1) k = `'${key}' is listed twice.`;
      else if (CLOUD_SECTION_KEYS.has(key)) k = `Set ${key} in the Cloud section above.`;
      else {
        const problem = coreProblems.find((p) => p.key === key);
        if (problem && isValueProblem(problem)) v ??= problem.message;
        else if (problem) k = problem.message;
      }
      if (k || v) out.set(r.id, { key: k, value: v });
    }
    return out;
  }, [draft.rows, coreProblems]);
  // A problem of a key no field or row shows (a removal, say) is listed in the status line.
  const otherProblems = useMemo(() => {
    const shown = new Set([...CLOUD_FIELD_LIST.map((f) => cloudFieldKey(f, draft.keyPairKey)), ...draft.rows.map((r) => r.key.trim())]);
    return coreProblems.filter((p) => !shown.has(p.key));
  }, [coreProblems, draft.keyPairKey, draft.rows]);

  const problems: string[] = [
    ...Object.entries(cloudErrs).map(([f, e]) => `${CLOUD_LABELS[f as CloudField]}: ${e}`),
    ...draft.rows.flatMap((r) => {
      const e = rowErrors.get(r.id);
      const name = r.key.trim() || "new property";
      return e ? [`${name}: ${e.key ?? e.value}`] : [];
    }),
    ...otherProblems.map((p) => `${p.key}: ${p.message}`),
  ];

  // One call, one change: the values set and the keys removed are written together.
  const save = useMutation({
    mutationFn: () => backend.editProperties(detail.name, payload.set, payload.unset),
    onMutate: () => setSaveError(null),
    onSuccess: () => {
      justSaved.current = true;
      log(`Saved ${changeCount} change${changeCount === 1 ? "" : "s"} to ${detail.name}`);
      void client.invalidateQueries({ queryKey: keys.item(detail.name) });
      void client.invalidateQueries({ queryKey: keys.tree });
    },
    onError: (e) => {
      setSaveError(explain(e));
      // What the core refused shows on its field once checked again (the files may have changed).
      void client.invalidateQueries({ queryKey: keys.checkEdits(detail.name) });
      void client.invalidateQueries({ queryKey: keys.item(detail.name) });
    },
  });

  const setCloud = (field: CloudField, value: string) => setDraft((d) => ({ ...d, cloud: { ...d.cloud, [field]: value } }));
  const setRow = (id: string, patch: Partial<PropRow>) => setDraft((d) => ({ ...d, rows: d.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)) }));
  const addRow = (key = "", value: JsonValue = "") =>
    setDraft((d) => ({ ...d, rows: [...d.rows, { id: rowId(), key, type: typeOfValue(value), text: textFor(value) }] }));
  const removeRow = (id: string) => setDraft((d) => ({ ...d, rows: d.rows.filter((r) => r.id !== id) }));

  const inherited = (key: string) => detail.inherited.find((i) => i.key === key);
  const saveBlocked = problems.length > 0;

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="editor">
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto flex max-w-[860px] flex-col gap-4 p-4">
          {detail.problem && (
            <div className="flex gap-2 rounded-md border border-danger/40 bg-danger-soft px-3 py-2" role="alert">
              <FileWarning size={16} className="mt-0.5 shrink-0 text-danger" />
              <div>
                <p className="font-medium">This item's file cannot be read, so its properties cannot be edited here.</p>
                <p className="text-muted" data-selectable>
                  {detail.problem}
                </p>
                <p className="text-muted">Fix the file in a text editor; the app picks up the change by itself.</p>
              </div>
            </div>
          )}
          {detail.kind === "node" && (
            <EditorLiveBar name={detail.name} instance={typeof getPath(detail.props as Props, "cloud.instance") === "string" ? (getPath(detail.props as Props, "cloud.instance") as string) : null} problem={detail.problem} />
          )}
          <CloudSection detail={detail} cloud={draft.cloud} errors={cloudErrs} onChange={setCloud} reference={cloudRef} inherited={inherited} prefilled={prefilled} />
          <PropertiesSection
            name={detail.name}
            kind={detail.kind}
            managed={managedFromProps(detail.props as Props)}
            rows={draft.rows}
            errors={rowErrors}
            onChange={setRow}
            onRemove={removeRow}
            onAdd={() => addRow()}
            base={draft.base}
          />
          <InheritedSection detail={detail} rows={draft.rows} onOverride={(k, v) => addRow(k, v)} />
          <ComputedSection detail={detail} />
        </div>
      </div>
      <div className="flex shrink-0 flex-wrap items-center gap-2 border-t border-line bg-panel px-4 py-2" data-testid="editor-savebar">
        <div className="min-w-0 flex-1 text-[12px]" data-testid="editor-status" aria-live="polite">
          {saveError ? (
            <ErrorNote error={saveError} testId="editor-error" className="py-1" />
          ) : saveBlocked ? (
            <span className="flex items-start gap-1 text-danger">
              <TriangleAlert size={13} className="mt-0.5 shrink-0" />
              <span className="line-clamp-2">{problems.join(" · ")}</span>
            </span>
          ) : changedOnDisk && edited ? (
            <span className="text-warn">
              Changed on disk while you were editing.{" "}
              <button className="underline" onClick={() => setDraft((d) => ({ ...draftFrom(detail), offered: d.offered }))}>
                Load the new values
              </button>{" "}
              (drops your edits)
            </span>
          ) : dirty ? (
            <span className="text-muted">
              {changeCount} unsaved change{changeCount === 1 ? "" : "s"}
            </span>
          ) : (
            <span className="flex items-center gap-1 text-muted">
              <CheckCircle2 size={13} className="text-ok" /> Everything is saved in {detail.file.split("/").slice(-2).join("/")}
            </span>
          )}
        </div>
        <Button icon={<RotateCcw size={14} />} disabled={!dirty || save.isPending} onClick={() => (setDraft((d) => ({ ...draftFrom(detail), offered: d.offered })), setSaveError(null))} data-testid="editor-revert">
          Revert
        </Button>
        <Button
          variant="primary"
          icon={save.isPending ? <Loader2 size={14} className="animate-spin" /> : <Save size={14} />}
          disabled={!dirty || saveBlocked || save.isPending || !!detail.problem}
          onClick={() => save.mutate()}
          title={saveBlocked ? problems.join("\n") : undefined}
          data-testid="editor-save"
        >
          {saveBlocked ? `Fix ${problems.length} field${problems.length === 1 ? "" : "s"} to save` : dirty ? `Save ${changeCount} change${changeCount === 1 ? "" : "s"}` : "Saved"}
        </Button>
      </div>
    </div>
  );
}

/** The properties the Cloud section edits (the key pair under every spelling the core knows). */
const CLOUD_SECTION_KEYS: ReadonlySet<string> = new Set([...Object.values(CLOUD_FIELDS), ...KEY_PAIR_KEYS]);

function typeOfValue(v: JsonValue): PropType {
  if (v === null) return "null";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  return "json";
}
function textFor(v: JsonValue): string {
  if (v === null) return "";
  if (typeof v === "object") return JSON.stringify(v, null, 2);
  return String(v);
}

function Card({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <section className="rounded-lg border border-line bg-panel p-3.5" data-testid={testId}>
      {children}
    </section>
  );
}

function PropertiesSection({
  name,
  kind,
  managed,
  rows,
  errors,
  onChange,
  onRemove,
  onAdd,
  base,
}: {
  name: string;
  kind: ItemDetail["kind"];
  managed: { key: ManagedKey; value: JsonValue }[];
  rows: PropRow[];
  errors: Map<string, { key?: string; value?: string }>;
  onChange: (id: string, patch: Partial<PropRow>) => void;
  onRemove: (id: string) => void;
  onAdd: () => void;
  base: Props;
}) {
  const lastKey = useRef<HTMLInputElement | null>(null);
  const [focusNew, setFocusNew] = useState(false);
  useEffect(() => {
    if (focusNew) {
      lastKey.current?.focus();
      setFocusNew(false);
    }
  }, [focusNew, rows.length]);
  return (
    <Card testId="props-section">
      <SectionTitle
        right={
          <Button size="sm" icon={<Plus size={13} />} onClick={() => (onAdd(), setFocusNew(true))} data-testid="prop-add">
            Add property
          </Button>
        }
      >
        Properties
      </SectionTitle>
      {managed.length > 0 && (
        <ul className="mb-2 flex flex-col divide-y divide-line rounded-md border border-line bg-panel-2/40 text-[12px]" data-testid="props-managed">
          {managed.map((m) => (
            <ManagedRow key={m.key} name={name} kind={kind} prop={m.key} value={m.value} />
          ))}
        </ul>
      )}
      {rows.length === 0 && <p className="text-[12px] text-muted">No other properties. Add one: a name like <code className="font-mono">port</code> or <code className="font-mono">app.version</code> (dots make nested values).</p>}
      {rows.length > 0 && (
        <div className="grid grid-cols-[minmax(110px,1fr)_118px_minmax(140px,2fr)_28px] items-start gap-x-2 gap-y-1.5 text-[12px]">
          <span className="text-muted">Name</span>
          <span className="text-muted">Type</span>
          <span className="text-muted">Value</span>
          <span />
          {rows.map((row, i) => {
            const e = errors.get(row.id);
            const changed = !row.origKey || row.origKey !== row.key || JSON.stringify(parseRow(row).value) !== JSON.stringify(getNested(base, row.key));
            return (
              <Row
                key={row.id}
                index={i}
                row={row}
                error={e}
                changed={changed}
                onChange={(p) => onChange(row.id, p)}
                onRemove={() => onRemove(row.id)}
                keyRef={i === rows.length - 1 ? lastKey : undefined}
              />
            );
          })}
        </div>
      )}
    </Card>
  );
}

const MANAGED_NOTES: Record<ManagedKey, string> = {
  "cloud.instance": "Set by Launch; cleared by re-launch.",
  parent: "Set by Clone.",
};

/** A property the app manages: its value, what manages it, and the action that changes it. Not editable, not removable here. */
function ManagedRow({ name, kind, prop, value }: { name: string; kind: ItemDetail["kind"]; prop: ManagedKey; value: JsonValue }) {
  const live = useNodeLive(kind === "node" ? name : null);
  const text = showValue(value);
  const scope = { kind: "node", name } as const;
  return (
    <li className="flex flex-wrap items-center gap-x-2 gap-y-1 px-2 py-1.5" data-testid={`prop-managed-${prop}`} data-key={prop}>
      <Lock size={12} className="shrink-0 text-faint" aria-label="Managed by the app" />
      <span className="w-32 shrink-0 truncate font-mono">{prop}</span>
      <span className="min-w-0 truncate font-mono" data-selectable data-testid={`prop-managed-${prop}-value`} title={text}>
        {text}
      </span>
      <span className="text-muted" data-testid={`prop-managed-${prop}-note`}>
        {MANAGED_NOTES[prop]}
      </span>
      <span className="ml-auto flex shrink-0 gap-1">
        {prop === "cloud.instance" && kind === "node" && (
          <>
            <Button size="sm" variant="ghost" icon={<Rocket size={12} />} onClick={() => cloudActions.launch(scope, true)} data-testid="prop-managed-relaunch">
              Re-launch…
            </Button>
            {live?.state !== "terminated" && (
              <Button size="sm" variant="ghost" className="text-danger" icon={<Power size={12} />} onClick={() => cloudActions.confirm(scope, "terminate")} data-testid="prop-managed-terminate">
                Terminate…
              </Button>
            )}
          </>
        )}
        {prop === "parent" && typeof value === "string" && value && (
          <Button size="sm" variant="ghost" icon={<ArrowUpRight size={12} />} onClick={() => useUi.getState().open(value)} data-testid="prop-managed-open-parent">
            Open {value}
          </Button>
        )}
      </span>
    </li>
  );
}

function getNested(props: Props, key: string): JsonValue | undefined {
  let cur: JsonValue | undefined = props;
  for (const p of key.split(".")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Props)[p];
  }
  return cur;
}

function Row({
  index,
  row,
  error,
  changed,
  onChange,
  onRemove,
  keyRef,
}: {
  index: number;
  row: PropRow;
  error?: { key?: string; value?: string };
  changed: boolean;
  onChange: (p: Partial<PropRow>) => void;
  onRemove: () => void;
  keyRef?: React.Ref<HTMLInputElement>;
}) {
  return (
    <>
      <div className="relative flex flex-col gap-0.5" data-testid={`prop-row-${index}`} data-key={row.key}>
        {changed && <span className="absolute top-3 -left-2.5 h-1.5 w-1.5 rounded-full bg-accent" title="Changed, not saved yet" />}
        <Input ref={keyRef} value={row.key} onChange={(e) => onChange({ key: e.target.value })} placeholder="name" aria-label="Property name" invalid={!!error?.key} className="font-mono text-[12px]" data-testid={`prop-key-${index}`} />
        {error?.key && (
          <span className="text-danger" role="alert" data-testid={`prop-key-error-${index}`}>
            {error.key}
          </span>
        )}
      </div>
      <Select value={row.type} onChange={(e) => onChange(retype(row, e.target.value as PropType))} aria-label="Type" data-testid={`prop-type-${index}`} className="text-[12px]">
        {PROP_TYPES.map((t) => (
          <option key={t} value={t}>
            {t === "json" ? "object/list" : t}
          </option>
        ))}
      </Select>
      <div className="flex min-w-0 flex-col gap-0.5">
        {row.type === "boolean" ? (
          <Select value={row.text} onChange={(e) => onChange({ text: e.target.value })} aria-label="Value" data-testid={`prop-value-${index}`}>
            <option value="true">true</option>
            <option value="false">false</option>
          </Select>
        ) : row.type === "null" ? (
          <Input value="null" disabled aria-label="Value" className="font-mono text-[12px]" data-testid={`prop-value-${index}`} />
        ) : row.type === "json" ? (
          <TextArea
            value={row.text}
            onChange={(e) => onChange({ text: e.target.value })}
            rows={Math.min(8, Math.max(2, row.text.split("\n").length))}
            aria-label="Value (JSON)"
            invalid={!!error?.value}
            data-testid={`prop-value-${index}`}
          />
        ) : (
          <Input
            value={row.text}
            onChange={(e) => onChange({ text: e.target.value })}
            inputMode={row.type === "number" ? "decimal" : undefined}
            aria-label="Value"
            invalid={!!error?.value}
            className={cx(row.type === "number" && "font-mono tabular-nums", "text-[12px]")}
            data-testid={`prop-value-${index}`}
          />
        )}
        {error?.value && (
          <span className="text-danger" role="alert" data-testid={`prop-value-error-${index}`}>
            {error.value}
          </span>
        )}
      </div>
      <IconButton label={`Remove ${row.key || "property"}`} size="sm" icon={<Trash2 size={13} />} onClick={onRemove} className="mt-0.5 text-muted hover:text-danger" data-testid={`prop-remove-${index}`} />
    </>
  );
}

function InheritedSection({ detail, rows, onOverride }: { detail: ItemDetail; rows: PropRow[]; onOverride: (key: string, value: JsonValue) => void }) {
  const open = useUi((s) => s.open);
  const shown = detail.inherited.filter((i) => !CLOUD_SECTION_KEYS.has(i.key));
  if (!shown.length) return null;
  return (
    <Card testId="inherited-section">
      <SectionTitle>Inherited from systems above</SectionTitle>
      <ul className="flex flex-col divide-y divide-line text-[12px]">
        {shown.map((i) => {
          const overridden = rows.some((r) => r.key.trim() === i.key);
          return (
            <li key={i.key} className="flex items-center gap-2 py-1" data-testid={`inherited-${i.key}`}>
              <span className="w-40 shrink-0 truncate font-mono">{i.key}</span>
              <span className="min-w-0 flex-1 truncate font-mono text-muted" data-selectable title={showValue(i.value)}>
                {showValue(i.value)}
              </span>
              <button className="flex shrink-0 items-center gap-0.5 text-accent hover:underline" onClick={() => open(i.from)} title={`Open ${i.from}`}>
                from {i.from} <ArrowUpRight size={12} />
              </button>
              <Button size="sm" variant="ghost" disabled={overridden} onClick={() => onOverride(i.key, i.value)} data-testid={`override-${i.key}`}>
                {overridden ? "Overridden" : "Override"}
              </Button>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function ComputedSection({ detail }: { detail: ItemDetail }) {
  const entries = Object.entries(detail.computed);
  return (
    <Card testId="computed-section">
      <SectionTitle>Computed by poni (read-only)</SectionTitle>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-[12px]">
        {entries.map(([k, v]) => (
          <div key={k} className="flex gap-1.5" data-testid={`computed-${k}`}>
            <dt className="font-mono text-muted">{k}</dt>
            <dd className="font-mono tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

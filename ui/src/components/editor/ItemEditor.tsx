// The node / system editor: the cloud section with proper fields, every other property typed,
// inherited and computed values read-only. Validates as you type; Save says what is missing;
// nothing typed is lost when the backend refuses.
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowUpRight, CheckCircle2, Cloud, FileWarning, KeyRound, Loader2, Plus, RotateCcw, Save, Trash2, TriangleAlert } from "lucide-react";
import type { ItemDetail } from "../../bindings/ItemDetail";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { backend } from "../../lib/backend";
import { explain, type Explained } from "../../lib/errors";
import {
  CLOUD_LABELS,
  getPath,
  cloudErrors,
  cloudFromProps,
  keyError,
  parseRow,
  PROP_TYPES,
  retype,
  rowId,
  rowsFromProps,
  savePayload,
  showValue,
  type CloudField,
  type CloudForm,
  type PropRow,
  type PropType,
  type Props,
} from "../../lib/props";
import { keys, useCloudReference, type CloudReference } from "../../lib/queries";
import { useUi } from "../../lib/store";
import { Button, cx, ErrorNote, Field, IconButton, Input, SectionTitle, Select, TextArea } from "../ui";
import { EditorLiveBar } from "../cloud/NodeCloud";

interface Draft {
  base: Props;
  rows: PropRow[];
  cloud: CloudForm;
}

const draftFrom = (props: Props): Draft => ({ base: props, rows: rowsFromProps(props), cloud: cloudFromProps(props) });

export function ItemEditor({ detail, reference }: { detail: ItemDetail; reference?: CloudReference }) {
  const ref = useCloudReference();
  const cloudRef = reference ?? ref.data ?? { regions: [], instanceTypes: [], providers: [] };
  const client = useQueryClient();
  const log = useUi((s) => s.log);
  const [draft, setDraft] = useState<Draft>(() => draftFrom(detail.props as Props));
  const [saveError, setSaveError] = useState<Explained | null>(null);
  const justSaved = useRef(false);

  const payload = useMemo(() => savePayload(draft.base, draft.rows, draft.cloud), [draft]);
  const changeCount = payload.set.length + payload.unset.length;
  const dirty = changeCount > 0;

  // New data from disk: take it when nothing is typed (or we just saved); else keep the typing.
  const changedOnDisk = JSON.stringify(detail.props) !== JSON.stringify(draft.base);
  useEffect(() => {
    if (changedOnDisk && (!dirty || justSaved.current)) {
      justSaved.current = false;
      setDraft(draftFrom(detail.props as Props));
    }
  }, [changedOnDisk, dirty, detail.props]);

  const regionCodes = cloudRef.regions.map((r) => r.code);
  const cloudErrs = cloudErrors(draft.cloud, regionCodes);
  const rowErrors = useMemo(() => {
    const out = new Map<string, { key?: string; value?: string }>();
    const seen = new Map<string, number>();
    for (const r of draft.rows) seen.set(r.key.trim(), (seen.get(r.key.trim()) ?? 0) + 1);
    for (const r of draft.rows) {
      let k = keyError(r.key);
      const key = r.key.trim();
      if (!k && (seen.get(key) ?? 0) > 1) k = `'${key}' is listed twice.`;
      if (!k && cloudKeys.has(key)) k = `Set ${key} in the Cloud section above.`;
      const v = parseRow(r).error;
      if (k || v) out.set(r.id, { key: k, value: v });
    }
    return out;
  }, [draft.rows]);

  const problems: string[] = [
    ...Object.entries(cloudErrs).map(([f, e]) => `${CLOUD_LABELS[f as CloudField]}: ${e}`),
    ...draft.rows.flatMap((r) => {
      const e = rowErrors.get(r.id);
      const name = r.key.trim() || "new property";
      return e ? [`${name}: ${e.key ?? e.value}`] : [];
    }),
  ];

  const save = useMutation({
    mutationFn: async () => {
      if (payload.set.length) await backend.setProperties(detail.name, payload.set);
      if (payload.unset.length) await backend.unsetProperties(detail.name, payload.unset);
    },
    onMutate: () => setSaveError(null),
    onSuccess: () => {
      justSaved.current = true;
      log(`Saved ${changeCount} change${changeCount === 1 ? "" : "s"} to ${detail.name}`);
      void client.invalidateQueries({ queryKey: keys.item(detail.name) });
      void client.invalidateQueries({ queryKey: keys.tree });
    },
    onError: (e) => {
      setSaveError(explain(e));
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
  const errorKey = saveError ? draft.rows.find((r) => r.key.trim() && saveError.message.includes(`'${r.key.trim()}'`))?.id : undefined;

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
          <CloudSection detail={detail} cloud={draft.cloud} errors={cloudErrs} onChange={setCloud} reference={cloudRef} inherited={inherited} />
          <PropertiesSection rows={draft.rows} errors={rowErrors} errorRow={errorKey} onChange={setRow} onRemove={removeRow} onAdd={() => addRow()} base={draft.base} />
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
          ) : changedOnDisk && dirty ? (
            <span className="text-warn">
              Changed on disk while you were editing.{" "}
              <button className="underline" onClick={() => setDraft(draftFrom(detail.props as Props))}>
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
        <Button icon={<RotateCcw size={14} />} disabled={!dirty || save.isPending} onClick={() => (setDraft(draftFrom(detail.props as Props)), setSaveError(null))} data-testid="editor-revert">
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

const cloudKeys = new Set(["cloud.provider", "cloud.region", "cloud.image", "cloud.key-pair", "cloud.key_pair", "cloud.type", "cloud.security_groups", "cloud.subnet", "user"]);

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

function CloudSection({
  detail,
  cloud,
  errors,
  onChange,
  reference,
  inherited,
}: {
  detail: ItemDetail;
  cloud: CloudForm;
  errors: Partial<Record<CloudField, string>>;
  onChange: (f: CloudField, v: string) => void;
  reference: CloudReference;
  inherited: (key: string) => { value: JsonValue; from: string } | undefined;
}) {
  const id = useId();
  const from = (key: string) => {
    const i = inherited(key);
    return i ? `${showValue(i.value)} (from ${i.from})` : undefined;
  };
  const effective = (field: CloudField, key: string) => cloud[field].trim() || (inherited(key) ? String(inherited(key)!.value ?? "") : "");
  const isNode = detail.kind === "node";
  const provider = effective("provider", "cloud.provider");
  const missing = [
    ["region", "cloud.region"],
    ["image", "cloud.image"],
    ["keyPair", "cloud.key-pair"],
    ["user", "user"],
  ]
    .filter(([f, k]) => !effective(f as CloudField, k) && !(f === "keyPair" && inherited("cloud.key_pair")))
    .map(([f]) => CLOUD_LABELS[f as CloudField].toLowerCase());
  const anyCloud = Object.values(cloud).some((v) => v.trim()) || detail.inherited.some((i) => i.key.startsWith("cloud."));
  const regionKnown = !cloud.region || reference.regions.some((r) => r.code === cloud.region);

  const input = (field: CloudField, key: string, placeholder: string, extra?: Partial<React.ComponentProps<typeof Input>>) => (
    <Input
      id={`${id}-${field}`}
      value={cloud[field]}
      onChange={(e) => onChange(field, e.target.value)}
      placeholder={from(key) ?? placeholder}
      invalid={!!errors[field]}
      data-testid={`cloud-${field === "keyPair" ? "key-pair" : field === "securityGroups" ? "security-groups" : field}`}
      {...extra}
    />
  );

  return (
    <Card testId="cloud-section">
      <SectionTitle
        right={
          isNode && (provider || anyCloud) ? (
            missing.length || !provider ? (
              <span className="text-[12px] text-warn" data-testid="launch-readiness">
                To launch, set: {[...(!provider ? ["provider"] : []), ...missing].join(", ")}
              </span>
            ) : (
              <span className="flex items-center gap-1 text-[12px] text-ok" data-testid="launch-readiness">
                <CheckCircle2 size={13} /> Ready to launch
              </span>
            )
          ) : null
        }
      >
        <span className="flex items-center gap-1.5">
          <Cloud size={13} /> Cloud
        </span>
      </SectionTitle>
      {!isNode && <p className="mb-3 text-[12px] text-muted">Values set on a system apply to every node inside it that does not set its own.</p>}
      <div className="grid grid-cols-1 gap-x-3 gap-y-2.5 md:grid-cols-2">
        <Field label="Provider" htmlFor={`${id}-provider`}>
          {reference.providers.length ? (
            <Select id={`${id}-provider`} value={cloud.provider} onChange={(e) => onChange("provider", e.target.value)} data-testid="cloud-provider">
              <option value="">{from("cloud.provider") ? `(inherit: ${from("cloud.provider")})` : "(none)"}</option>
              {reference.providers.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
              {cloud.provider && !reference.providers.includes(cloud.provider) && <option value={cloud.provider}>{cloud.provider} (unknown)</option>}
            </Select>
          ) : (
            input("provider", "cloud.provider", "aws-ec2")
          )}
        </Field>
        <Field label="Region" htmlFor={`${id}-region`} error={errors.region} hint={!reference.regions.length ? "Type a region code, e.g. us-east-1." : undefined} testId="cloud-region">
          {reference.regions.length ? (
            <Select id={`${id}-region`} value={cloud.region} onChange={(e) => onChange("region", e.target.value)} invalid={!!errors.region} data-testid="cloud-region">
              <option value="">{from("cloud.region") ? `(inherit: ${from("cloud.region")})` : "(not set)"}</option>
              {!regionKnown && <option value={cloud.region}>{cloud.region} (unknown)</option>}
              {reference.regions.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name ? `${r.code} — ${r.name}` : r.code}
                </option>
              ))}
            </Select>
          ) : (
            input("region", "cloud.region", "us-east-1")
          )}
        </Field>
        <Field label="Image (AMI)" htmlFor={`${id}-image`} error={errors.image} testId="cloud-image">
          {input("image", "cloud.image", "ami-0abc1234")}
        </Field>
        <Field label="Key pair" htmlFor={`${id}-keyPair`} error={errors.keyPair} testId="cloud-key-pair">
          {input("keyPair", "cloud.key-pair", "my-keypair")}
          {isNode && <KeyPairStatus detail={detail} typed={cloud.keyPair.trim()} />}
        </Field>
        <Field label="Instance type" htmlFor={`${id}-type`} hint="Several, separated by commas, are tried in order." testId="cloud-type">
          {input("type", "cloud.type", reference.defaultInstanceType ? `${reference.defaultInstanceType} (default)` : "t3.micro", { list: `${id}-types` })}
          <datalist id={`${id}-types`}>
            {reference.instanceTypes.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </Field>
        <Field label="Security groups" htmlFor={`${id}-securityGroups`} hint="Names or ids, separated by commas. Empty uses the default group." testId="cloud-security-groups">
          {input("securityGroups", "cloud.security_groups", "default, web")}
        </Field>
        <Field label="Subnet" htmlFor={`${id}-subnet`} error={errors.subnet} testId="cloud-subnet">
          {input("subnet", "cloud.subnet", "subnet-0abc1234 or its Name tag")}
        </Field>
        <Field label="Login user" htmlFor={`${id}-user`} error={errors.user} hint="The user name for SSH, e.g. ec2-user, ubuntu or root." testId="cloud-user">
          {input("user", "user", "ec2-user")}
        </Field>
      </div>
    </Card>
  );
}

function KeyPairStatus({ detail, typed }: { detail: ItemDetail; typed: string }) {
  const kp = detail.keyPair;
  if (typed && kp?.name !== typed) {
    return (
      <p className="text-[12px] text-muted" data-testid="key-pair-status" data-status="unsaved">
        Save to check for ~/.ssh/{typed}.pem
      </p>
    );
  }
  if (!kp) return null;
  return kp.exists ? (
    <p className="flex items-center gap-1 text-[12px] text-ok" data-testid="key-pair-status" data-status="found">
      <KeyRound size={12} /> Private key found: {kp.path}
    </p>
  ) : (
    <p className="flex items-start gap-1 text-[12px] text-warn" data-testid="key-pair-status" data-status="missing">
      <TriangleAlert size={12} className="mt-0.5 shrink-0" /> No private key at {kp.path}. Copy the key pair's .pem file there before launching.
    </p>
  );
}

function PropertiesSection({
  rows,
  errors,
  errorRow,
  onChange,
  onRemove,
  onAdd,
  base,
}: {
  rows: PropRow[];
  errors: Map<string, { key?: string; value?: string }>;
  errorRow?: string;
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
                backendError={errorRow === row.id}
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
  backendError,
  changed,
  onChange,
  onRemove,
  keyRef,
}: {
  index: number;
  row: PropRow;
  error?: { key?: string; value?: string };
  backendError: boolean;
  changed: boolean;
  onChange: (p: Partial<PropRow>) => void;
  onRemove: () => void;
  keyRef?: React.Ref<HTMLInputElement>;
}) {
  return (
    <>
      <div className="relative flex flex-col gap-0.5" data-testid={`prop-row-${index}`} data-key={row.key}>
        {changed && <span className="absolute top-3 -left-2.5 h-1.5 w-1.5 rounded-full bg-accent" title="Changed, not saved yet" />}
        <Input ref={keyRef} value={row.key} onChange={(e) => onChange({ key: e.target.value })} placeholder="name" aria-label="Property name" invalid={!!error?.key || backendError} className="font-mono text-[12px]" data-testid={`prop-key-${index}`} />
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
  const shown = detail.inherited.filter((i) => !cloudKeys.has(i.key));
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

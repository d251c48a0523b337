// New node and Clone from parent: one form, a live preview of the names that will be made
// (backend.planNodes, clashes marked) before anything is written.
import { useId, useMemo, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Loader2 } from "lucide-react";
import type { NodesRequest } from "../../bindings/NodesRequest";
import { backend } from "../../lib/backend";
import { explain } from "../../lib/errors";
import { useDebounced } from "../../lib/queries";
import { keys } from "../../lib/queryKeys";
import { useUi } from "../../lib/store";
import { ancestors, baseName, type TreeModel } from "../../lib/treeModel";
import { type FormState, useSubmitWhenReady } from "../../lib/useSubmitWhenReady";
import { Button, cx, ErrorNote, Field, Input, Modal, Select, Switch } from "../ui";

const PREVIEW_LIMIT = 200;

/**
 * A template and a range that continue the parent's name: drumbo1 -> drumbo{id}, 2..4; past the
 * highest number its siblings already use, so the suggestion does not clash.
 */
export function cloneDefaults(parent: string, siblings: string[] = []): { template: string; count: string } {
  const label = baseName(parent);
  const m = /^(.*?)(\d+)$/.exec(label);
  const stem = m ? m[1] : label;
  const digits = m?.[2] ?? "";
  const template = digits.length > 1 && digits.startsWith("0") ? `${stem}{id:0${digits.length}}` : `${stem}{id}`;
  let highest = m ? Number(digits) : 0;
  const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const same = new RegExp(`^${escaped}(\\d+)$`);
  for (const s of siblings) {
    const n = same.exec(baseName(s));
    if (n) highest = Math.max(highest, Number(n[1]));
  }
  return { template, count: `${highest + 1}..${highest + 3}` };
}

function siblingsOf(model: TreeModel, name: string): string[] {
  return model.children.get(model.byName.get(name)?.system ?? "\u0000root") ?? [];
}

function joinName(system: string, template: string) {
  const t = template.trim();
  return system && t ? `${system}/${t}` : t;
}

export function NodesDialog({ mode, model, initialSystem, initialParent }: { mode: "new" | "clone"; model: TreeModel; initialSystem?: string | null; initialParent?: string | null }) {
  const id = useId();
  const close = useUi((s) => s.closeDialog);
  const log = useUi((s) => s.log);
  const client = useQueryClient();
  const parentItem = initialParent ? model.byName.get(initialParent) : undefined;
  const defaults = mode === "clone" && parentItem ? cloneDefaults(parentItem.name, siblingsOf(model, parentItem.name)) : { template: "", count: "" };

  const [parent, setParent] = useState(mode === "clone" ? (initialParent ?? "") : "");
  const [system, setSystem] = useState((mode === "clone" ? parentItem?.system : initialSystem) ?? "");
  const [template, setTemplate] = useState(defaults.template);
  const [count, setCount] = useState(defaults.count);
  const [host, setHost] = useState("");
  const [copy, setCopy] = useState(true);
  const [touched, setTouched] = useState(false);

  const pickParent = (name: string) => {
    setParent(name);
    const item = model.byName.get(name);
    if (item?.kind === "node") {
      const d = cloneDefaults(name, siblingsOf(model, name));
      setSystem(item.system ?? "");
      if (!touched) {
        setTemplate(d.template);
        setCount(d.count);
      }
    }
  };

  const parentProblem =
    mode === "clone" ? (!parent.trim() ? "Pick the node to clone from." : model.byName.get(parent.trim())?.kind !== "node" ? `There is no node named '${parent.trim()}'.` : undefined) : undefined;

  const request: NodesRequest = useMemo(
    () => ({
      template: joinName(system, template),
      count: count.trim(),
      host: host.trim() ? host.trim() : null,
      parent: mode === "clone" ? parent.trim() || null : null,
      copy: mode === "clone" ? copy : false,
    }),
    [system, template, count, host, parent, copy, mode],
  );
  const debounced = useDebounced(request, 150);
  const ready = !!debounced.template && !parentProblem;
  const plan = useQuery({
    queryKey: keys.plan(debounced),
    queryFn: () => backend.planNodes(debounced),
    enabled: ready,
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
  const planError = plan.error ? explain(plan.error) : null;
  const stale = plan.isFetching || debounced !== request;

  const add = useMutation({
    mutationFn: () => backend.addNodes(request),
    onSuccess: async (names) => {
      log(mode === "clone" ? `Cloned ${names.length} node${names.length === 1 ? "" : "s"} from ${request.parent}: ${names.join(", ")}` : `Created ${names.join(", ")}`);
      // The dialog closes once the tree holds the new nodes, so they are selected (and scrolled
      // to) at once; the fleet overview waits for the same read (fetchOverviewWithTree). A read
      // the repository's change event already started is reused, not restarted.
      await client.invalidateQueries({ queryKey: keys.tree }, { cancelRefetch: false }).catch(() => undefined);
      const ui = useUi.getState();
      if (names[0]) {
        ui.expand(ancestors(names[0]));
        // A new node opens in the editor (its cloud section is the next step); a clone family
        // stays selected with its parent, so the next action (Launch) covers all of it.
        if (mode === "clone" && request.parent) ui.select([request.parent, ...names], names[0]);
        else if (names.length === 1) ui.open(names[0]);
        else ui.select(names, names[0]);
      }
      close();
      void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== keys.tree[0] }, { cancelRefetch: false });
    },
  });

  const nodes = plan.data?.nodes ?? [];
  const clashes = nodes.filter((n) => n.clash);
  const fieldFor = (code: string | undefined) =>
    code === "input.invalid_range" ? "count" : code === "repo.inherit_no_match" || code === "repo.inherit_ambiguous" ? "parent" : code ? "template" : undefined;
  const errorField = planError ? fieldFor(planError.code) : undefined;
  const templateMissing = !template.trim() ? "Give the node a name." : undefined;

  // While the names are being checked, an earlier answer (an error, a clash) is not the
  // answer for what is typed now.
  const typedProblem = parentProblem ?? templateMissing;
  const checking = !typedProblem && (stale || (!plan.data && !plan.error));
  const answered =
    (planError ? "Fix the highlighted field." : undefined) ??
    (clashes.length ? `${clashes.length} of these names ${clashes.length === 1 ? "exists" : "exist"} already.` : undefined);
  const blocker = typedProblem ?? (checking ? "Checking the names…" : answered);
  const formState: FormState = typedProblem || (!checking && answered) ? "blocked" : checking ? "checking" : "ready";
  const submit = useSubmitWhenReady(formState, () => add.mutate());

  const title = mode === "clone" ? "Clone from a parent node" : "New node";
  const submitLabel = nodes.length > 1 ? `Create ${nodes.length} nodes` : "Create node";
  const testId = mode === "clone" ? "clone-dialog" : "new-node-dialog";

  return (
    <Modal
      open
      onOpenChange={(o) => !o && close()}
      title={title}
      testId={testId}
      wide
      description={
        mode === "clone"
          ? "New nodes are marked as cloned from the parent (shown as “<= parent”), and can start with a copy of its properties."
          : "A node is one machine. Put it in a system to group it with others."
      }
      footer={
        <>
          {blocker && !add.isPending && (
            <span className="mr-auto text-[12px] text-muted" data-testid="nodes-blocker">
              {blocker}
            </span>
          )}
          <Button onClick={close} data-testid="nodes-cancel">
            Cancel
          </Button>
          <Button variant="primary" disabled={formState === "blocked" || add.isPending || submit.waiting} onClick={submit.request} data-testid="nodes-submit">
            {(add.isPending || submit.waiting) && <Loader2 size={14} className="animate-spin" />}
            {submitLabel}
          </Button>
        </>
      }
    >
      <form
        className="grid grid-cols-1 gap-3 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!add.isPending) submit.request();
        }}
      >
        {/* Enter in any field submits: implicit submission needs a submit button in the form. */}
        <button type="submit" className="sr-only" tabIndex={-1} aria-hidden="true" />
        {mode === "clone" && (
          <Field label="Parent node" htmlFor={`${id}-parent`} className="sm:col-span-2" error={parentProblem ?? (errorField === "parent" ? planError?.message : undefined)} testId="nodes-parent">
            <Input id={`${id}-parent`} list={`${id}-nodes`} value={parent} onChange={(e) => pickParent(e.target.value)} placeholder="e.g. webshop/frontend/http1" data-testid="nodes-parent" invalid={!!parentProblem} />
            <datalist id={`${id}-nodes`}>
              {model.nodes.slice(0, 2000).map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          </Field>
        )}
        <Field label="In system" htmlFor={`${id}-system`}>
          <Select id={`${id}-system`} value={system} onChange={(e) => setSystem(e.target.value)} data-testid="nodes-system">
            <option value="">(top level)</option>
            {model.systems.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label="Name"
          htmlFor={`${id}-template`}
          hint={<>Use <code className="font-mono">{"{id}"}</code> for the number, <code className="font-mono">{"{id:02}"}</code> to pad it: web{"{id:02}"} → web01.</>}
          error={errorField === "template" ? planError?.message : undefined}
          testId="nodes-template"
        >
          <Input id={`${id}-template`} autoFocus value={template} onChange={(e) => (setTemplate(e.target.value), setTouched(true))} placeholder={mode === "clone" ? "web{id}" : "web1"} data-testid="nodes-template" invalid={errorField === "template"} />
        </Field>
        <Field
          label="How many"
          htmlFor={`${id}-count`}
          hint="Empty makes one node. 3 makes ids 1 to 3; 2..4 makes 2, 3 and 4."
          error={errorField === "count" ? planError?.message : undefined}
          testId="nodes-count"
        >
          <Input id={`${id}-count`} value={count} onChange={(e) => (setCount(e.target.value), setTouched(true))} placeholder="1" data-testid="nodes-count" invalid={errorField === "count"} />
        </Field>
        <Field label="Host (optional)" htmlFor={`${id}-host`} hint="Can use {id} too. Filled in by the cloud after launch if left empty.">
          <Input id={`${id}-host`} value={host} onChange={(e) => setHost(e.target.value)} placeholder="web{id}.example.com" data-testid="nodes-host" />
        </Field>
        {mode === "clone" && (
          <div className="flex items-center sm:col-span-2">
            <Switch id={`${id}-copy`} checked={copy} onChange={setCopy} label="Start with a copy of the parent's properties (cloud settings included)" testId="nodes-copy" />
          </div>
        )}
        <div className="sm:col-span-2">
          <div className="mb-1 flex items-center justify-between">
            <span className="text-[12px] font-medium text-muted">Will create</span>
            {stale && ready && <Loader2 size={13} className="animate-spin text-faint" aria-label="Checking" />}
          </div>
          <ul
            data-testid="nodes-preview"
            aria-live="polite"
            className={cx("max-h-44 min-h-10 overflow-y-auto rounded-md border border-line bg-bg p-1 font-mono text-[12px]", stale && "opacity-70")}
          >
            {!ready && <li className="px-2 py-1.5 font-sans text-faint">Type a name to see the nodes that will be made.</li>}
            {ready && planError && <li className="px-2 py-1.5 font-sans text-faint">Nothing, until the form is fixed.</li>}
            {ready &&
              !planError &&
              nodes.slice(0, PREVIEW_LIMIT).map((n) => (
                <li
                  key={n.name}
                  data-testid={`preview-row-${n.name}`}
                  data-clash={n.clash ? "true" : undefined}
                  className={cx("flex items-center gap-2 rounded px-2 py-0.5", n.clash && "bg-danger-soft")}
                >
                  {n.clash ? <AlertTriangle size={13} className="shrink-0 text-danger" aria-label="Clash" /> : <CheckCircle2 size={13} className="shrink-0 text-ok" aria-hidden />}
                  <span className="truncate">{n.name}</span>
                  {n.host && <span className="truncate text-faint">host {n.host}</span>}
                  {n.clash && <span className="ml-auto truncate font-sans text-danger">{n.clash}</span>}
                </li>
              ))}
            {nodes.length > PREVIEW_LIMIT && <li className="px-2 py-1 font-sans text-faint">…and {nodes.length - PREVIEW_LIMIT} more</li>}
          </ul>
        </div>
        <ErrorNote error={add.error ? explain(add.error) : null} className="sm:col-span-2" testId="nodes-error" />
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </form>
    </Modal>
  );
}

// Copy files' form: local files and folders (picked, or a path typed), the remote folder they go
// into, and whether to create it when it is missing.
import { useId, useState } from "react";
import { FilePlus, FolderPlus, Plus, Upload, X } from "lucide-react";
import type { CopyRequest } from "../../bindings/CopyRequest";
import { systemDialogs } from "../../lib/backend";
import { Button, Field, Input } from "../ui";

export interface CopyFields {
  sources: string[];
  destination: string;
  create: boolean;
}

export const emptyCopy: CopyFields = { sources: [], destination: "", create: false };

export function copyRequest(fields: CopyFields, nodes: string[]): CopyRequest | null {
  const destination = fields.destination.trim();
  if (fields.sources.length === 0 || !destination || nodes.length === 0) return null;
  return { nodes, sources: fields.sources, destination, createDestination: fields.create };
}

export function CopyForm({ fields, nodes, busy, onChange, onStart }: { fields: CopyFields; nodes: string[]; busy: boolean; onChange: (fields: CopyFields) => void; onStart: (request: CopyRequest) => void }) {
  const id = useId();
  const [typed, setTyped] = useState("");
  const request = copyRequest(fields, nodes);
  const set = (patch: Partial<CopyFields>) => onChange({ ...fields, ...patch });
  const add = (paths: string[]) => set({ sources: [...fields.sources, ...paths.filter((p) => p && !fields.sources.includes(p))] });
  const pick = async (folders: boolean) => add(await systemDialogs.pickPaths(folders ? "Folders to copy" : "Files to copy", folders));
  return (
    <form
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (request && !busy) onStart(request);
      }}
      data-testid="copy-form"
    >
      <div className="flex flex-col gap-1">
        <span className="text-[12px] font-medium text-muted">Local files and folders</span>
        {fields.sources.length > 0 && (
          <ul className="flex flex-col rounded-md border border-line" data-testid="copy-sources">
            {fields.sources.map((s) => (
              <li key={s} className="flex items-center gap-2 border-b border-line px-2 py-1 last:border-b-0">
                <span className="min-w-0 flex-1 truncate font-mono text-[12px]" title={s} data-selectable>
                  {s}
                </span>
                <Button size="sm" variant="ghost" iconOnly aria-label={`Remove ${s}`} icon={<X size={13} />} onClick={() => set({ sources: fields.sources.filter((x) => x !== s) })} />
              </li>
            ))}
          </ul>
        )}
        <div className="flex flex-wrap items-center gap-1.5">
          <Button size="sm" icon={<FilePlus size={13} />} onClick={() => void pick(false)} data-testid="copy-add-files">
            Add files…
          </Button>
          <Button size="sm" icon={<FolderPlus size={13} />} onClick={() => void pick(true)} data-testid="copy-add-folder">
            Add folders…
          </Button>
          <span className="text-[12px] text-faint">or</span>
          <Input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                add([typed.trim()]);
                setTyped("");
              }
            }}
            placeholder="/path/on/this/computer"
            aria-label="A local path to copy"
            className="h-7 w-60 font-mono text-[12px]"
            data-testid="copy-source-input"
          />
          <Button
            size="sm"
            variant="ghost"
            icon={<Plus size={13} />}
            disabled={!typed.trim()}
            onClick={() => {
              add([typed.trim()]);
              setTyped("");
            }}
            data-testid="copy-source-add"
          >
            Add
          </Button>
        </div>
      </div>
      <Field label="Into this folder on each node" htmlFor={`${id}-dest`}>
        <Input id={`${id}-dest`} value={fields.destination} onChange={(e) => set({ destination: e.target.value })} placeholder="/home/ubuntu/app" className="font-mono" data-testid="copy-destination" />
      </Field>
      <label className="inline-flex items-center gap-2 text-[13px]">
        <input type="checkbox" checked={fields.create} onChange={(e) => set({ create: e.target.checked })} className="h-3.5 w-3.5 accent-[var(--accent)]" data-testid="copy-create" />
        Create missing folders
      </label>
      <div>
        <Button type="submit" variant="primary" icon={<Upload size={13} />} disabled={!request || busy} data-testid="copy-start">
          Copy to {nodes.length} node{nodes.length === 1 ? "" : "s"}
        </Button>
      </div>
    </form>
  );
}

// Run command's form: the command, how many nodes at once (20 unless said), a time limit per
// node and when to stop starting nodes (both none when empty).
import { useId } from "react";
import { Play } from "lucide-react";
import type { RunRequest } from "../../bindings/RunRequest";
import { Button, Field, Input } from "../ui";

export interface CommandFields {
  command: string;
  concurrency: string;
  timeout: string;
  stopAfter: string;
}

export const emptyCommand: CommandFields = { command: "", concurrency: "20", timeout: "", stopAfter: "" };

type Problems = Partial<Record<keyof CommandFields, string>>;

/** A whole number of at least 1; empty is none (undefined). */
function count(text: string): number | undefined | "bad" {
  const t = text.trim();
  if (t === "") return undefined;
  return /^\d+$/.test(t) && Number(t) >= 1 ? Number(t) : "bad";
}

/** The request the fields make on these nodes, or what is wrong with them. */
export function commandRequest(fields: CommandFields, nodes: string[]): { request: RunRequest | null; problems: Problems } {
  const problems: Problems = {};
  const concurrency = count(fields.concurrency);
  const timeout = count(fields.timeout);
  const stopAfter = count(fields.stopAfter);
  if (concurrency === "bad" || concurrency === undefined) problems.concurrency = "A whole number, 1 or more.";
  if (timeout === "bad") problems.timeout = "Seconds, 1 or more (empty: no limit).";
  if (stopAfter === "bad") problems.stopAfter = "A whole number, 1 or more (empty: never).";
  if (Object.keys(problems).length || !fields.command.trim() || nodes.length === 0) return { request: null, problems };
  return {
    request: {
      nodes,
      command: fields.command,
      concurrency: concurrency as number,
      ...(timeout !== undefined ? { timeoutSeconds: timeout as number } : {}),
      ...(stopAfter !== undefined ? { stopAfterFailures: stopAfter as number } : {}),
    },
    problems,
  };
}

export function CommandForm({ fields, nodes, busy, onChange, onStart }: { fields: CommandFields; nodes: string[]; busy: boolean; onChange: (fields: CommandFields) => void; onStart: (request: RunRequest) => void }) {
  const id = useId();
  const { request, problems } = commandRequest(fields, nodes);
  const set = (patch: Partial<CommandFields>) => onChange({ ...fields, ...patch });
  return (
    <form
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (request && !busy) onStart(request);
      }}
      data-testid="run-command-form"
    >
      <Field label="Command" htmlFor={`${id}-command`} hint="Runs on each node over SSH, as the node's login user.">
        <Input id={`${id}-command`} autoFocus value={fields.command} onChange={(e) => set({ command: e.target.value })} placeholder="uptime" className="font-mono" data-testid="run-command-input" />
      </Field>
      <div className="grid grid-cols-3 gap-3">
        <Field label="Nodes at once" htmlFor={`${id}-concurrency`} error={problems.concurrency}>
          <Input id={`${id}-concurrency`} inputMode="numeric" value={fields.concurrency} invalid={!!problems.concurrency} onChange={(e) => set({ concurrency: e.target.value })} data-testid="run-concurrency" />
        </Field>
        <Field label="Time limit (seconds)" htmlFor={`${id}-timeout`} error={problems.timeout}>
          <Input id={`${id}-timeout`} inputMode="numeric" value={fields.timeout} invalid={!!problems.timeout} placeholder="none" onChange={(e) => set({ timeout: e.target.value })} data-testid="run-timeout" />
        </Field>
        <Field label="Stop after failures" htmlFor={`${id}-stop`} error={problems.stopAfter}>
          <Input id={`${id}-stop`} inputMode="numeric" value={fields.stopAfter} invalid={!!problems.stopAfter} placeholder="never" onChange={(e) => set({ stopAfter: e.target.value })} data-testid="run-stop-after" />
        </Field>
      </div>
      <div>
        <Button type="submit" variant="primary" icon={<Play size={13} />} disabled={!request || busy} data-testid="run-command-start">
          Run on {nodes.length} node{nodes.length === 1 ? "" : "s"}
        </Button>
      </div>
    </form>
  );
}

// The practice sandbox: one button starts a local imitation of EC2 that the app installs and
// runs by itself (progress from sandbox-changed events), and "Back to AWS" stops it.
import { forwardRef, useId } from "react";
import { useSettings, useUpdateSettings } from "../../../lib/queries";
import { ArrowLeftRight, FlaskConical, Loader2 } from "lucide-react";
import { useSandbox, type useSandboxControls } from "../../../lib/account";
import { explain } from "../../../lib/errors";
import { Button, ErrorNote, SectionTitle, Switch } from "../../ui";

/** The sandbox's pace: EC2's usual (instances pending, stopping and shutting down for tens of
 * seconds, as on AWS) or fast. Takes effect at the next start. */
function PaceSwitch({ running }: { running: boolean }) {
  const id = useId();
  const settings = useSettings();
  const save = useUpdateSettings();
  const fast = !!settings.data?.sandboxFast;
  return (
    <div className="flex flex-col gap-0.5">
      <Switch id={id} checked={fast} onChange={(sandboxFast) => save.mutate({ sandboxFast })} label="Fast: instances change state at once" testId="sandbox-fast" />
      <p className="text-[12px] text-muted" data-testid="sandbox-pace">
        {fast
          ? "Instances are running the moment they are launched."
          : "Instances take EC2's usual time: about 20 seconds pending, stopping or shutting down, so you can watch them change."}
        {running && " Applies the next time the sandbox starts."}
      </p>
    </div>
  );
}

export const SandboxSection = forwardRef<HTMLElement, { controls: ReturnType<typeof useSandboxControls> }>(function SandboxSection({ controls }, ref) {
  const sandbox = useSandbox();
  const s = sandbox.data;
  const { start, stop } = controls;
  const busy = start.isPending || s?.phase === "installing" || s?.phase === "starting";
  const running = s?.phase === "running";
  const error = start.error ?? stop.error ?? (s?.phase === "failed" ? s.error : null);
  return (
    <section ref={ref} data-testid="settings-sandbox" data-phase={s?.phase ?? "unknown"} tabIndex={-1} className="outline-none">
      <SectionTitle>
        <span className="flex items-center gap-1.5">
          <FlaskConical size={13} /> Practice sandbox
        </span>
      </SectionTitle>
      <div className="flex flex-col gap-2 text-[13px]">
        {running ? (
          <p className="rounded-md bg-warn-soft px-2.5 py-1.5" data-testid="sandbox-state">
            Running{s?.endpoint ? <> at <span className="font-mono">{s.endpoint}</span></> : null}: everything the app does now goes to the sandbox, nothing touches AWS.
          </p>
        ) : (
          <p className="text-muted">
            Try launching and terminating without an AWS account: the app runs a local imitation of EC2 on this computer. Nothing done there reaches AWS or costs anything; it is
            all gone when you go back.
          </p>
        )}
        {busy && (
          <p className="flex items-center gap-2 text-[12px] text-muted" data-testid="sandbox-detail" aria-live="polite">
            <Loader2 size={13} className="animate-spin" /> {s?.detail ?? "Starting the practice sandbox…"}
          </p>
        )}
        <PaceSwitch running={running} />
        <ErrorNote error={error ? explain(error) : null} testId="sandbox-error" />
        <div className="flex gap-2">
          {running ? (
            <Button icon={stop.isPending ? <Loader2 size={14} className="animate-spin" /> : <ArrowLeftRight size={14} />} disabled={stop.isPending} onClick={() => stop.mutate()} data-testid="sandbox-stop">
              Back to AWS
            </Button>
          ) : (
            <Button variant="primary" icon={busy ? <Loader2 size={14} className="animate-spin" /> : <FlaskConical size={14} />} disabled={busy} onClick={() => start.mutate()} data-testid="sandbox-start">
              Start practice sandbox
            </Button>
          )}
        </div>
      </div>
    </section>
  );
});

// "Lift protection…" where a terminate was refused because the node is protected from
// termination (cloud.termination_protected): a confirmation naming the node, then the core
// turns the protection off on the instance and on the node (Engine::lift_termination_protection,
// as `poni cloud unprotect` does), and the node can be terminated.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2, ShieldOff } from "lucide-react";
import { backend } from "../../lib/backend";
import { cloudActions } from "../../lib/cloud";
import { explain } from "../../lib/errors";
import { keys } from "../../lib/queryKeys";
import { useUi } from "../../lib/store";
import type { ErrorCode } from "../../bindings/ErrorCode";
import type { ProtectionLifted } from "../../bindings/ProtectionLifted";
import { Button, ErrorNote, Modal } from "../ui";

/** Whether an error is the refusal that lifting the protection answers (decided on its code). */
export const isProtectedError = (error: { code: ErrorCode } | null | undefined): boolean => error?.code === "cloud.termination_protected";

/** What lifting did, in one line. */
export function liftedLine(lifted: ProtectionLifted): string {
  const where = lifted.propertyChanged ? `instance ${lifted.instanceId} and cloud.disable_api_termination of the node` : `instance ${lifted.instanceId}`;
  return `Termination protection of ${lifted.node} lifted (${where}): it can be terminated now.`;
}

/** The button, and its confirmation: names the node, and says what changes on both sides. */
export function LiftProtectionButton({ node }: { node: string }) {
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [lifted, setLifted] = useState<ProtectionLifted | null>(null);
  const lift = useMutation({
    mutationFn: () => backend.liftTerminationProtection(node),
    onSuccess: (done) => {
      setLifted(done);
      setAsking(false);
      useUi.getState().log(liftedLine(done), "info");
      void client.invalidateQueries({ queryKey: keys.tree });
      void client.invalidateQueries({ queryKey: keys.item(node) });
    },
  });
  if (lifted) {
    return (
      <span className="flex flex-wrap items-center gap-1.5 text-fg" data-testid="lift-protection-done">
        <span>Protection lifted.</span>
        <Button size="sm" variant="ghost" className="text-danger" onClick={() => cloudActions.confirm({ kind: "node", name: node }, "terminate")} data-testid="lift-protection-terminate">
          Terminate…
        </Button>
      </span>
    );
  }
  const close = () => {
    if (lift.isPending) return;
    setAsking(false);
    lift.reset();
  };
  return (
    <>
      <Button size="sm" variant="secondary" icon={<ShieldOff size={12} />} onClick={() => setAsking(true)} data-testid="lift-protection">
        Lift protection…
      </Button>
      {asking && (
        <Modal
          open
          onOpenChange={(o) => !o && close()}
          title={`Lift termination protection of ${node}?`}
          testId="lift-protection-dialog"
          footer={
            <>
              <Button onClick={close} autoFocus data-testid="lift-protection-cancel">
                Cancel
              </Button>
              <Button variant="danger" disabled={lift.isPending} onClick={() => lift.mutate()} data-testid="lift-protection-confirm">
                {lift.isPending && <Loader2 size={14} className="animate-spin" />}
                Lift protection
              </Button>
            </>
          }
        >
          <div className="flex flex-col gap-2 text-[13px]" data-selectable>
            <p>
              Termination protection is turned off on the instance of <span className="font-medium">{node}</span>, and the node&apos;s cloud.disable_api_termination is set to false
              if its properties turn it on. Nothing is terminated: terminate the node afterwards.
            </p>
            <ErrorNote error={lift.error ? explain(lift.error) : null} testId="lift-protection-error" />
          </div>
        </Modal>
      )}
    </>
  );
}

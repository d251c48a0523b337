// Enter (or the primary button) pressed while a form is still being checked is not lost: it is
// remembered and carried out as soon as the check answers, if the answer finds nothing wrong.
// A newcomer types a name and presses Enter at once; the check answers a moment later.
import { useEffect, useRef, useState } from "react";

/** Where a form stands: ready to submit, waiting for a check, or blocked by a problem. */
export type FormState = "ready" | "checking" | "blocked";

/**
 * Returns `request`, to call on Enter and on the primary button, and whether a request is
 * waiting for the check. `submit` runs at once when the form is ready, once the check answers
 * when it is checking, and never when it is blocked (a waiting request is dropped then: the
 * problem is shown instead).
 */
export function useSubmitWhenReady(state: FormState, submit: () => void): { request: () => void; waiting: boolean } {
  const [waiting, setWaiting] = useState(false);
  const latest = useRef(submit);
  latest.current = submit;
  useEffect(() => {
    if (!waiting || state === "checking") return;
    setWaiting(false);
    if (state === "ready") latest.current();
  }, [waiting, state]);
  const request = () => {
    if (state === "ready") submit();
    else if (state === "checking") setWaiting(true);
  };
  return { request, waiting };
}

import { useSyncExternalStore } from "react";

export function useMediaQuery(query: string, fallback = true): boolean {
  return useSyncExternalStore(
    (cb) => {
      if (!window.matchMedia) return () => {};
      const mq = window.matchMedia(query);
      mq.addEventListener?.("change", cb);
      return () => mq.removeEventListener?.("change", cb);
    },
    () => (window.matchMedia ? window.matchMedia(query).matches : fallback),
    () => fallback,
  );
}

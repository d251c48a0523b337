// Light and dark: follows the system unless Settings.theme overrides it; the choice is saved.
import { useEffect, useSyncExternalStore } from "react";
import { useSettings, useUpdateSettings } from "./queries";

export type ThemeChoice = "system" | "light" | "dark";

const query = "(prefers-color-scheme: dark)";

function subscribe(cb: () => void) {
  if (typeof window === "undefined" || !window.matchMedia) return () => {};
  const mq = window.matchMedia(query);
  mq.addEventListener?.("change", cb);
  return () => mq.removeEventListener?.("change", cb);
}

export function systemDark() {
  return typeof window !== "undefined" && !!window.matchMedia?.(query).matches;
}

export function useTheme() {
  const settings = useSettings();
  const prefersDark = useSyncExternalStore(subscribe, systemDark, () => false);
  const raw = settings.data?.theme;
  const choice: ThemeChoice = raw === "light" || raw === "dark" ? raw : "system";
  const resolved: "light" | "dark" = choice === "system" ? (prefersDark ? "dark" : "light") : choice;
  const save = useUpdateSettings();
  const setChoice = (theme: ThemeChoice) => save.mutate({ theme });
  return { choice, resolved, setChoice };
}

/** Puts a theme on <html> as a class: the one place the palette is chosen (index.css). */
export function applyThemeClass(resolved: "light" | "dark") {
  const root = document.documentElement;
  root.classList.toggle("dark", resolved === "dark");
  root.classList.toggle("light", resolved === "light");
}

/** Keeps <html>'s theme class on the resolved theme. */
export function useApplyTheme() {
  const { resolved } = useTheme();
  useEffect(() => applyThemeClass(resolved), [resolved]);
  return resolved;
}

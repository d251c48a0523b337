// One xterm.js terminal: fitted to its box (refit when the box changes; the new size goes to
// `onResize`), 10,000 lines of scrollback, search (Ctrl+Shift+F), copy (Ctrl+Shift+C) and paste
// (Ctrl+Shift+V). Keys typed go to `onData`. The parent writes through the handle.
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from "react";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import "@xterm/xterm/css/xterm.css";
import { TerminalSearch } from "./TerminalSearch";

export interface XtermHandle {
  write: (data: Uint8Array | string) => void;
  /** A dim line of the app's own (not the remote's), on a line of its own. */
  notice: (text: string) => void;
  size: () => { cols: number; rows: number };
  focus: () => void;
}

interface Props {
  onData: (data: string) => void;
  onResize: (cols: number, rows: number) => void;
  /** The terminal exists and has its first size: the session can start. */
  onReady: () => void;
}

function colours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { background: v("--panel", "#ffffff"), foreground: v("--fg", "#1b1e24"), cursor: v("--accent", "#2563eb"), selectionBackground: v("--line-strong", "#cdd2db") };
}

export const XtermView = forwardRef<XtermHandle, Props>(function XtermView({ onData, onResize, onReady }, ref) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const search = useRef<SearchAddon | null>(null);
  const [searching, setSearching] = useState(false);
  // The latest callbacks, so the terminal is made once.
  const callbacks = useRef({ onData, onResize, onReady });
  useEffect(() => {
    callbacks.current = { onData, onResize, onReady };
  });

  useImperativeHandle(ref, () => ({
    write: (data) => term.current?.write(data),
    notice: (text) => term.current?.write(`\r\n\x1b[2m${text}\x1b[0m\r\n`),
    size: () => ({ cols: term.current?.cols ?? 80, rows: term.current?.rows ?? 24 }),
    focus: () => term.current?.focus(),
  }));

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const t = new Terminal({ scrollback: 10000, fontSize: 13, fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace', cursorBlink: true, theme: colours() });
    const fit = new FitAddon();
    const find = new SearchAddon();
    t.loadAddon(fit);
    t.loadAddon(find);
    t.open(el);
    term.current = t;
    search.current = find;
    const refit = () => {
      // A hidden tab has no size: keep the last one until it shows again.
      if (el.clientWidth > 0 && el.clientHeight > 0 && fit.proposeDimensions()) fit.fit();
    };
    refit();
    t.attachCustomKeyEventHandler((e) => {
      if (e.type !== "keydown" || !e.ctrlKey || !e.shiftKey || e.altKey) return true;
      const key = e.code === "KeyC" ? "c" : e.code === "KeyV" ? "v" : e.code === "KeyF" ? "f" : e.key.toLowerCase();
      if (key === "c") {
        if (t.hasSelection()) void navigator.clipboard?.writeText(t.getSelection()).catch(() => undefined);
      } else if (key === "v") {
        void navigator.clipboard?.readText().then((text) => text && t.paste(text), () => undefined);
      } else if (key === "f") {
        setSearching(true);
      } else {
        return true;
      }
      e.preventDefault();
      return false;
    });
    const data = t.onData((d) => callbacks.current.onData(d));
    const resized = t.onResize(({ cols, rows }) => callbacks.current.onResize(cols, rows));
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(refit);
    });
    observer.observe(el);
    // The theme follows the app's (a class on <html>).
    const themed = new MutationObserver(() => (t.options.theme = colours()));
    themed.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    callbacks.current.onReady();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      themed.disconnect();
      data.dispose();
      resized.dispose();
      term.current = null;
      search.current = null;
      t.dispose();
    };
  }, []);

  return (
    // Keys typed here are the remote's: the window's shortcuts (Ctrl+N, Ctrl+D, Ctrl+Z...) stay out.
    <div className="relative flex min-h-0 flex-1 flex-col" onKeyDown={(e) => e.stopPropagation()}>
      {searching && (
        <TerminalSearch
          find={(text, back) => (back ? search.current?.findPrevious(text) : search.current?.findNext(text)) ?? false}
          onClose={() => {
            search.current?.clearDecorations();
            setSearching(false);
            term.current?.focus();
          }}
        />
      )}
      <div ref={box} className="min-h-0 flex-1 overflow-hidden bg-panel px-2 py-1" data-testid="terminal-view" />
    </div>
  );
});

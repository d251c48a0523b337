import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

afterEach(cleanup);

// Tauri's Channel needs the app's IPC; tests drive a fake one (fakeChannel.ts).
vi.mock("@tauri-apps/api/core", async (orig) => {
  const actual = await orig<typeof import("@tauri-apps/api/core")>();
  const { FakeChannel } = await import("./fakeChannel");
  return { ...actual, Channel: FakeChannel };
});

// A busy 2-core machine (the whole suite beside a Rust build) renders the full App in over a
// second: findBy and waitFor wait up to 5 s rather than 1 s, so a test fails on a wrong answer,
// not on a slow one.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no layout: give elements a size so the virtualized tree renders a window of rows,
// and stub the browser APIs the components use.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
Object.defineProperty(HTMLElement.prototype, "offsetHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "offsetWidth", { configurable: true, get: () => 300 });
Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 300 });
HTMLElement.prototype.getBoundingClientRect = function () {
  return { x: 0, y: 0, top: 0, left: 0, bottom: 600, right: 300, width: 300, height: 600, toJSON: () => ({}) } as DOMRect;
};
HTMLElement.prototype.scrollIntoView ??= function () {};
// xterm.js measures with a canvas, which jsdom has not: it falls back to the DOM without one.
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
HTMLElement.prototype.scrollTo ??= function () {} as typeof HTMLElement.prototype.scrollTo;
HTMLElement.prototype.hasPointerCapture ??= () => false;
HTMLElement.prototype.releasePointerCapture ??= () => {};
window.matchMedia ??= ((query: string) => ({
  matches: query.includes("min-width"),
  media: query,
  onchange: null,
  addEventListener: () => {},
  removeEventListener: () => {},
  addListener: () => {},
  removeListener: () => {},
  dispatchEvent: () => false,
})) as typeof window.matchMedia;

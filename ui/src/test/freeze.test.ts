// The window runs with a frozen Object.prototype (Tauri's freezePrototype). The graph's
// libraries must load there: d3-color is patched at build time, ELK runs in a worker.
import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { patchD3Color, patchXterm } from "../build/freezeSafeD3Color";
import original from "../../node_modules/d3-color/dist/d3-color.mjs?raw";
import xterm from "../../node_modules/@xterm/xterm/lib/xterm.mjs?raw";

/** Runs d3-color's module body as a strict script in a realm whose Object.prototype is frozen. */
function runFrozen(source: string) {
  const body = source.replace(/^export\s*\{[^}]*\};?\s*$/m, "");
  const context = vm.createContext<{ rgbString?: string }>({});
  vm.runInContext("Object.freeze(Object.prototype);", context);
  vm.runInContext(`"use strict";\n${body}\nthis.rgbString = String(rgb(10, 20, 30));`, context);
  return context;
}

describe("frozen Object.prototype", () => {
  it("breaks d3-color as published", () => {
    expect(() => runFrozen(original)).toThrow(/read.only|readonly/i);
  });

  it("works with the build's patch, which keeps d3-color's behaviour", () => {
    expect(runFrozen(patchD3Color(original)).rgbString).toBe("rgb(10, 20, 30)");
  });
});

describe("xterm.js under a frozen Object.prototype", () => {
  /** The namespace xterm.js builds at load (KeyCodeUtils), run frozen. */
  const namespace = (code: string) => {
    const context = vm.createContext<{ named?: string }>({});
    vm.runInContext("Object.freeze(Object.prototype);", context);
    vm.runInContext(`"use strict";\nvar Qn;${code}\nthis.named = Qn.toString(65);`, context);
    return context.named;
  };
  const snippet = "(o=>{function s(l){return String.fromCharCode(l)}o.toString=s;})(Qn||={});";

  it("breaks as published, and the build's patch fixes it", () => {
    expect(() => namespace(snippet)).toThrow(/read.only|readonly/i);
    expect(namespace(patchXterm(snippet))).toBe("A");
  });

  it("finds the one assignment in the installed xterm.js", () => {
    const patched = patchXterm(xterm);
    expect(patched).not.toMatch(/\.toString=[A-Za-z_$][\w$]*;/);
    expect(patched.length).toBeGreaterThan(xterm.length);
  });
});

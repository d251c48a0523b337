// The window runs with a frozen Object.prototype (Tauri's freezePrototype). The graph's
// libraries must load there: d3-color is patched at build time, ELK runs in a worker.
import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { patchD3Color } from "../build/freezeSafeD3Color";
import original from "../../node_modules/d3-color/dist/d3-color.mjs?raw";

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

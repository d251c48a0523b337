// Build plugin (used by vite.config.ts), kept in src so it is type-checked and tested.
//
// Tauri freezes Object.prototype (security.freezePrototype). d3-color (under React Flow's zoom)
// assigns `constructor` and `toString` onto objects that inherit them; with a frozen prototype
// that is a TypeError in strict code, and the graph view fails to load. The patch defines those
// properties instead of assigning them: same result, and it works with the frozen prototype.
import type { Plugin } from "vite";

const DEFINE = `function define(constructor, factory, prototype) {
  constructor.prototype = factory.prototype = prototype;
  prototype.constructor = constructor;
}`;
const EXTEND = `function extend(parent, definition) {
  var prototype = Object.create(parent.prototype);
  for (var key in definition) prototype[key] = definition[key];
  return prototype;
}`;

const own = (target: string, key: string, value: string) =>
  `Object.defineProperty(${target}, ${key}, { value: ${value}, writable: true, configurable: true, enumerable: true })`;

/** The patched source; throws when d3-color's code is not the one this patch knows. */
export function patchD3Color(code: string): string {
  if (!code.includes(DEFINE) || !code.includes(EXTEND)) {
    throw new Error("d3-color changed: update the freeze-safe patch in src/build/freezeSafeD3Color.ts");
  }
  return code
    .replace(DEFINE, `function define(constructor, factory, prototype) {\n  constructor.prototype = factory.prototype = prototype;\n  ${own("prototype", '"constructor"', "constructor")};\n}`)
    .replace(EXTEND, `function extend(parent, definition) {\n  var prototype = Object.create(parent.prototype);\n  for (var key in definition) ${own("prototype", "key", "definition[key]")};\n  return prototype;\n}`);
}

// xterm.js has the same pattern once: its KeyCodeUtils namespace assigns `toString` onto a
// plain object (`o.toString=s;`), so opening a terminal fails with a frozen prototype.
const XTERM_TO_STRING = /([A-Za-z_$][\w$]*)\.toString=([A-Za-z_$][\w$]*);/g;

/** xterm.js with its one `toString` assignment made a definition; throws when that changed. */
export function patchXterm(code: string): string {
  const found = code.match(XTERM_TO_STRING) ?? [];
  if (found.length !== 1) {
    throw new Error(`xterm.js changed (${found.length} toString assignments): update the freeze-safe patch in src/build/freezeSafeD3Color.ts`);
  }
  return code.replace(XTERM_TO_STRING, (_, target: string, value: string) => `${own(target, '"toString"', value)};`);
}

export function freezeSafeD3Color(): Plugin {
  return {
    name: "freeze-safe-d3-color",
    enforce: "pre",
    transform(code, id) {
      if (/d3-color[\\/]dist[\\/]d3-color\.mjs$/.test(id)) return patchD3Color(code);
      if (/@xterm[\\/]xterm[\\/]lib[\\/]xterm\.mjs$/.test(id)) return patchXterm(code);
      return null;
    },
  };
}

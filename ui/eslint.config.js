// ESLint 9 flat config: `npm run lint`. The type check is separate (`npm run typecheck`).
// typescript-eslint parses with the `typescript` package, which package.json aliases to
// @typescript/typescript6 (TypeScript 7 has no JS API for it yet); `tsc` itself is TypeScript 7.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  // dist: the build; src/bindings: generated from the Rust types by ts-rs.
  { ignores: ["dist/", "node_modules/", "src/bindings/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      // The two classic rules of the plugin's recommended set (its React Compiler rules are not on).
      "react-hooks/rules-of-hooks": "error",
      // An error rather than the preset's warning, so `npm run lint` fails on a missing dependency.
      "react-hooks/exhaustive-deps": "error",
    },
  },
);

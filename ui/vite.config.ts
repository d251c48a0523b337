/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { freezeSafeD3Color } from "./src/build/freezeSafeD3Color";

// Tauri serves ui/dist in builds and points the window at this dev server in `tauri dev`.
export default defineConfig({
  plugins: [freezeSafeD3Color(), react(), tailwindcss()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 2000 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // The slowest test takes 3 to 5 s on a loaded machine (see setup.ts): a hang still fails.
    testTimeout: 20_000,
  },
});

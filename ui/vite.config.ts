/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The UI tests run the real core: the workspace's debug build of ringdesk-cli, unless told.
const cli =
  process.env.RINGDESK_CLI ??
  `${process.env.CARGO_TARGET_DIR ?? fileURLToPath(new URL("../target", import.meta.url))}/debug/ringdesk-cli`;

// Tauri expects a fixed dev port and a relative base so the bundled assets load from the app's
// custom protocol. JSX is compiled by Vite's built-in esbuild (no React plugin).
export default defineConfig({
  base: "./",
  clearScreen: false,
  esbuild: {
    jsx: "automatic",
  },
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    sourcemap: false,
    rollupOptions: {
      onwarn(warning, warn) {
        // lucide-react ships "use client" directives, meaningless outside React Server Components.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    env: { RINGDESK_CLI: cli },
  },
});

/// <reference types="vitest/config" />
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createReadStream, mkdirSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

// The UI tests run the real core (the workspace's debug build of ringdesk-cli, unless told) and,
// as SignalWire, the team backend and the far end of a SIP call, the Rust stand-ins of
// crates/testkit.
const debugBuild = `${process.env.CARGO_TARGET_DIR ?? fileURLToPath(new URL("../target", import.meta.url))}/debug`;
const cli = process.env.RINGDESK_CLI ?? `${debugBuild}/ringdesk-cli`;
const emulator = process.env.RINGDESK_SIGNALWIRE_EMULATOR ?? `${debugBuild}/signalwire-emulator`;
const teamBackend = process.env.RINGDESK_TEAM_BACKEND ?? `${debugBuild}/team-backend`;
const sipPeer = process.env.RINGDESK_SIP_PEER ?? `${debugBuild}/sip-peer`;

/**
 * `npm run dev` in a plain browser talks to a real core: this dev-server plugin runs
 * `ringdesk-cli serve --stdio` on a development database (RINGDESK_DEV_DB, default
 * ../target/dev-core/ringdesk.db; secrets in memory) and bridges the window's IPC to it:
 * POST /__ringdesk/invoke answers one command, /__ringdesk/events streams its events, and
 * /__ringdesk/recording serves files of its recordings and voicemail folders. Development only (`apply: "serve"`).
 */
function ringdeskCore(): Plugin {
  return {
    name: "ringdesk-core",
    apply: "serve",
    configureServer(server) {
      const db = resolve(process.env.RINGDESK_DEV_DB ?? fileURLToPath(new URL("../target/dev-core/ringdesk.db", import.meta.url)));
      const pending = new Map<number, ServerResponse>();
      const listeners = new Set<ServerResponse>();
      let core: ChildProcessWithoutNullStreams | null = null;
      let nextId = 1;
      const start = () => {
        if (core) return core;
        mkdirSync(dirname(db), { recursive: true });
        const child = spawn(cli, ["--db", db, "serve", "--stdio", "--memory-secrets"], { stdio: ["pipe", "pipe", "inherit"] });
        createInterface({ input: child.stdout }).on("line", (line) => {
          const message = JSON.parse(line) as { id?: number; event?: string };
          if (message.event) {
            for (const listener of listeners) listener.write(`data: ${line}\n\n`);
          } else if (message.id != null) {
            pending.get(message.id)?.setHeader("content-type", "application/json").end(line);
            pending.delete(message.id);
          }
        });
        child.on("exit", (code) => {
          server.config.logger.error(`ringdesk-cli serve exited (${code}); it restarts on the next command.`);
          core = null;
        });
        core = child;
        return child;
      };
      server.middlewares.use("/__ringdesk/invoke", (req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          const id = nextId++;
          pending.set(id, res);
          const { cmd, args } = JSON.parse(body) as { cmd: string; args: unknown };
          start().stdin.write(`${JSON.stringify({ id, cmd, args })}\n`);
        });
      });
      server.middlewares.use("/__ringdesk/events", (req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        listeners.add(res);
        req.on("close", () => listeners.delete(res));
      });
      server.middlewares.use("/__ringdesk/recording", (req, res) => {
        const folders = ["recordings", "voicemail"].map((f) => join(dirname(db), f));
        const path = resolve(new URL(req.url ?? "", "http://dev").searchParams.get("path") ?? "");
        if (!folders.some((folder) => path.startsWith(`${folder}/`))) return void res.writeHead(403).end("Only files of the recordings and voicemail folders.");
        createReadStream(path).on("error", () => res.writeHead(404).end()).pipe(res);
      });
      server.httpServer?.on("close", () => core?.stdin.end());
    },
  };
}

// Tauri expects a fixed dev port and a relative base so the bundled assets load from the app's
// custom protocol. JSX is compiled by Vite's built-in esbuild (no React plugin).
export default defineConfig({
  base: "./",
  clearScreen: false,
  plugins: [ringdeskCore()],
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
    // Each test starts a core process (and some a SignalWire emulator): generous on a slow 2-core CI.
    testTimeout: 15_000,
    env: { RINGDESK_CLI: cli, RINGDESK_SIGNALWIRE_EMULATOR: emulator, RINGDESK_TEAM_BACKEND: teamBackend, RINGDESK_SIP_PEER: sipPeer },
  },
});

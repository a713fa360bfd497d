/// <reference types="node" />
// The team's backend in the UI tests: crates/testkit's `team-backend`, a throwaway PostgreSQL
// cluster with Ringdesk's backend migrations, each test's database behind the Supabase stand-in
// and a fault proxy. One process per test file (started on first use, stopped after the file);
// a fresh database per test.
import { LineProcess, cliPath } from "./process";

/** One test's backend: its URLs, the agent's account, and the faults a test can cause. */
export type TeamBackend = {
  backend: number;
  database: string;
  agentId: string;
  postgresUrl: string;
  supabaseUrl: string;
  apikey: string;
  email: string;
  password: string;
  /** Runs SQL as the web CRM's service side (no RLS); psql's unaligned output. */
  sql(sql: string): Promise<string>;
  /** The backend cannot be reached (new connections refused, open ones cut) while on. */
  offline(on: boolean): Promise<void>;
  /** Every byte between desktop and backend waits while on (a sync in flight stalls). */
  hold(on: boolean): Promise<void>;
};

let shared: Promise<LineProcess> | null = null;

function server(): Promise<LineProcess> {
  if (!shared) {
    shared = LineProcess.start("RINGDESK_TEAM_BACKEND", "cargo build -p ringdesk-testkit --bin team-backend", [cliPath()]).then(
      ({ process }) => process,
    );
  }
  return shared;
}

/** Ends this file's backend process, if one started (setup.ts, after each file). */
export async function stopTeamBackend(): Promise<void> {
  const started = shared;
  shared = null;
  if (started) (await started.catch(() => null))?.stop();
}

/** A fresh backend database: migrated (the default) or empty (no Ringdesk tables). */
export async function newTeamBackend(options: { migrated?: boolean } = {}): Promise<TeamBackend> {
  const process = await server();
  const info = await process.call<Omit<TeamBackend, "sql" | "offline" | "hold">>("new_backend", { migrated: options.migrated ?? true });
  const backend = info.backend;
  return {
    ...info,
    sql: (sql) => process.call<string>("sql", { backend, sql }),
    offline: async (on) => {
      await process.call("refuse", { backend, on });
      if (on) await process.call("cut", { backend });
    },
    hold: (on) => process.call("hold", { backend, on }),
  };
}

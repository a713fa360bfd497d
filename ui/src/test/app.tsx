// Renders the whole app against the real core (src/test/core.ts) on a fresh database, seeded
// through the same commands the window uses.
import { expect, onTestFinished } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { appRoot, preloadPages } from "../App";
import { askFirst, awaitFirst } from "../startup";
import { NO_SETTINGS_CHANGE } from "../backend/settings";
import { tauriBackend } from "../backend/tauri";
import { EMPTY_PATCH } from "../features/leads/LeadDetail";
import type {
  DispositionOption,
  FollowUps,
  ImportPreview,
  ImportReport,
  Lead,
  LeadList,
  LeadPage,
  LeadPatch,
  NextAction,
  NumberLookup,
  Settings,
  SettingsUpdate,
} from "../generated/bindings";
import { Core } from "./core";
import { SIGNALWIRE_SETTINGS, SignalWire, TOKEN } from "./signalwire";
import { newTeamBackend, type TeamBackend } from "./team";
import { sipAccount, type SipAccount } from "./sip";

/** A lead to seed: any of its fields (the value as a number, as tests write it). */
export type LeadSeed = Partial<Omit<LeadPatch, "value">> & { name: string; value?: number | null };

export type Seed = {
  leads?: LeadSeed[];
  /** Settings to save first (any subset). */
  settings?: Partial<SettingsUpdate>;
  /** A SIP line in Settings (with its password) and the softphone started: Dial is enabled. */
  sipLine?: boolean;
  /**
   * A SIP line at a real registrar (crates/testkit's sip-peer: Kamailio, with baresip phones
   * registered as the leads' numbers: `peerPhone()`), the softphone started and registered; the
   * core speaks a WAV instead of using sound devices.
   */
  sipPeer?: boolean;
  /** Calls that happened (after the leads, so each finds its lead by number). */
  calls?: CallSeed[];
  /** The disposition set, saved before the calls are disposed. */
  dispositionOptions?: DispositionOption[];
  /** Open this database file instead of a new one. */
  db?: string;
  /**
   * A fresh SignalWire emulator for the core (returned as `signalWire`), set up in Settings;
   * "unconfigured": the emulator runs but Settings do not name it yet.
   */
  signalWire?: boolean | "unconfigured";
  /**
   * A fresh team backend for the core (returned as `team`: real PostgreSQL behind the Supabase
   * stand-in). By default set up in Settings with the agent signed in; `signedIn: false` stops
   * before the sign-in, `configured: false` leaves Settings alone, `migrated: false` gives a
   * database without Ringdesk's tables.
   */
  team?: boolean | { signedIn?: boolean; configured?: boolean; migrated?: boolean };
  /** Numbers the emulated SignalWire project owns (E.164). */
  ownedNumbers?: string[];
  /** A core already started (and seeded) by the test. */
  core?: Core;
  /** How long the start-up waits for the core's first answer before it shows the splash (default: the window's). */
  splashAfterMs?: number;
  /** Seeds more after the rest, through the core's commands (and the emulator's). */
  seed?: (core: Core, signalWire: SignalWire | null, team?: TeamBackend | null) => Promise<unknown>;
};

export function leadPatch(seed: LeadSeed): LeadPatch {
  return { ...EMPTY_PATCH, ...seed, value: seed.value == null ? null : String(seed.value) };
}

/** Seeds a core through its commands; resolves with the leads created, in order. */
export async function seedCore(core: Core, seed: Seed): Promise<Lead[]> {
  if (seed.settings || seed.sipLine) {
    const sip: Partial<SettingsUpdate> = seed.sipLine ? { sipRegistrar: "127.0.0.1:9", sipUsername: "agent" } : {};
    await core.invoke<Settings>("update_settings", { update: { ...NO_SETTINGS_CHANGE, ...sip, ...seed.settings } });
  }
  if (seed.sipLine) {
    await core.invoke("set_secret", { kind: "sipPassword", value: "test-password" });
    await core.invoke("start_phone");
  }
  const leads: Lead[] = [];
  for (const lead of seed.leads ?? []) leads.push(await core.invoke<Lead>("create_lead", { fields: leadPatch(lead) }));
  if (seed.dispositionOptions) await core.invoke("set_disposition_options", { options: seed.dispositionOptions });
  for (const call of seed.calls ?? []) await seedCall(core, call);
  return leads;
}

/** A call that happened, and its wrap-up when `disposition` is given. */
export type CallSeed = {
  /** The other party's number as written; the lead with it is linked unless `leadId` says. */
  contact: string;
  leadId?: string | null;
  direction?: "outbound" | "inbound";
  route?: "softphone" | "bridge";
  /** Default: now. */
  startedAt?: string;
  durationSeconds?: number | null;
  /** false: still in progress. Default true. */
  ended?: boolean;
  /** As the call service logs it; default "completed" (or "ringing" while in progress). */
  status?: string;
  /** Someone answered it; default: it lasted more than 0 s (an inbound call nobody answered is missed). */
  answered?: boolean;
  /** SignalWire's SID of the call (bridge calls, and calls SignalWire recorded). */
  providerCallSid?: string;
  disposition?: string;
  notes?: string | null;
  nextAction?: NextAction | null;
  followUpAt?: string | null;
};

/** Logs a call through the core (`serve.seed_call`) and wraps it up with the real `dispose_call`; resolves with its id. */
export async function seedCall(core: Core, call: CallSeed): Promise<string> {
  const lookup = await core.invoke<NumberLookup>("lookup_number", { input: call.contact });
  const startedAt = call.startedAt ?? new Date().toISOString();
  const ended = call.ended !== false;
  const id = await core.invoke<string>("serve.seed_call", {
    call: {
      lead_id: call.leadId === undefined ? (lookup.lead?.id ?? null) : call.leadId,
      route: call.route ?? "softphone",
      contact_number: lookup.e164 ?? call.contact,
      direction: call.direction ?? "outbound",
      status: call.status ?? (ended ? "completed" : "ringing"),
      started_at: startedAt,
      ended_at: ended ? new Date(Date.parse(startedAt) + (call.durationSeconds ?? 0) * 1000).toISOString() : null,
      duration_seconds: call.durationSeconds ?? null,
      provider_call_sid: call.providerCallSid ?? null,
    },
    answeredAt: call.answered ?? (call.durationSeconds ?? 0) > 0 ? startedAt : null,
  });
  if (call.disposition) {
    const request = { callLogId: id, disposition: call.disposition, notes: call.notes ?? null, nextAction: call.nextAction ?? null, followUpAt: call.followUpAt ?? null };
    await core.invoke("dispose_call", { request });
  }
  return id;
}

/** Marks the lead named `name` Do Not Call, as an agent would in its detail panel. */
export async function markDoNotCall(core: Core, name: string): Promise<void> {
  const lead = (await allLeads(core)).find((l) => l.name === name)!;
  await core.invoke("update_lead", { id: lead.id, patch: leadPatch({ name: lead.name, status: "do_not_call" }) });
}

/** The follow-ups page as the core answers it. */
export function followUps(core: Core): Promise<FollowUps> {
  return core.invoke<FollowUps>("follow_ups");
}

/**
 * Imports CSV text through the real import (the file dialog answered with it), into a new list
 * when `list` is given; leads already there are merged by phone or email, as an agent's import.
 */
export async function importCsv(core: Core, csv: string, list?: string): Promise<ImportReport> {
  await core.answerFileDialog(core.file(`import-${Math.random().toString(36).slice(2)}.csv`, csv));
  const preview = await core.invoke<ImportPreview>("choose_import_file");
  const target = list ? { kind: "newList", name: list } : { kind: "none" };
  return core.invoke<ImportReport>("import_leads", { request: { path: preview.path, mapping: preview.mapping, target } });
}

/** A list named `name` holding these leads, given as `Name,Email` lines (through an import into a
 * new list, which merges them into the leads with those emails). */
export async function seedList(core: Core, name: string, members: string[]): Promise<LeadList> {
  await importCsv(core, ["Name,Email", ...members].join("\n"), name);
  const lists = await core.invoke<LeadList[]>("list_lists");
  return lists.find((l) => l.name === name)!;
}

/** Every lead in the core's database, as get_lead answers. */
export async function allLeads(core: Core): Promise<Lead[]> {
  const query = { search: null, listId: null, sort: { field: "name", descending: false }, offset: 0, limit: 1000 };
  const page = await core.invoke<LeadPage>("list_leads", { query });
  return Promise.all(page.rows.map((row) => core.invoke<Lead>("get_lead", { id: row.id })));
}

/** Starts a core, seeds it, renders the app on it and waits until startup finished. */
export async function renderApp(seed: Seed = {}) {
  const signalWire = seed.signalWire ? await SignalWire.start() : null;
  if (signalWire) onTestFinished(() => signalWire.stop());
  const sip = seed.sipPeer ? await sipAccount() : null;
  const core = seed.core ?? Core.start({ db: seed.db, env: signalWire?.env(), wavAudio: sip?.speech });
  if (sip) await registerAt(core, sip);
  onTestFinished(() => core.stop());
  if (signalWire && seed.signalWire !== "unconfigured") {
    await core.invoke("update_settings", { update: { ...NO_SETTINGS_CHANGE, ...SIGNALWIRE_SETTINGS } });
    await core.invoke("set_secret", { kind: "signalwireApiToken", value: TOKEN });
  }
  for (const number of seed.ownedNumbers ?? []) await signalWire!.call("own_number", { number });
  const team = seed.team ? await seedTeam(core, seed.team === true ? {} : seed.team) : null;
  const leads = await seedCore(core, seed);
  await seed.seed?.(core, signalWire, team);
  await preloadPages();
  const backend = tauriBackend();
  const user = userEvent.setup();
  // As main.tsx starts the window: app_info asked first, the splash only if it is slow to answer.
  const utils = render(appRoot(await awaitFirst(askFirst(backend), seed.splashAfterMs)));
  /** What the first render drew, before any answer or effect changed it. */
  const firstFrame = utils.container.textContent ?? "";
  await waitFor(() => expect(screen.queryByText("Opening Ringdesk…")).not.toBeInTheDocument());
  return { core, signalWire: signalWire!, team: team!, backend, user, leads, firstFrame, ...utils };
}

/** The core's SIP line at the peer's registrar, its phone started and registered. */
async function registerAt(core: Core, sip: SipAccount): Promise<void> {
  const update = { ...NO_SETTINGS_CHANGE, sipRegistrar: sip.registrar, sipUsername: sip.username, sipTransport: "udp" };
  await core.invoke("update_settings", { update });
  await core.invoke("set_secret", { kind: "sipPassword", value: sip.password });
  await core.invoke("start_phone");
  await waitFor(
    async () => expect(await core.invoke<{ registered?: boolean } | null>("phone_registration")).toMatchObject({ registered: true }),
    { timeout: 10_000 },
  );
}

/** A fresh team backend, set up in the core's Settings as `options` say (see `Seed.team`). */
async function seedTeam(core: Core, options: Exclude<Seed["team"], boolean | undefined>): Promise<TeamBackend> {
  const team = await newTeamBackend({ migrated: options.migrated });
  if (options.configured === false) return team;
  await core.invoke("update_settings", { update: { ...NO_SETTINGS_CHANGE, backendUrl: team.supabaseUrl } });
  await core.invoke("set_secret", { kind: "backendKey", value: team.apikey });
  if (options.signedIn !== false) await core.invoke("backend_sign_in", { email: team.email, password: team.password });
  return team;
}

/** Names of the lead rows currently rendered, in order. */
export function rowNames(): string[] {
  return screen.queryAllByTestId("lead-row").map((row) => row.querySelector(".col-name")?.textContent ?? "");
}

/** Leads with numbers every rule accepts (real area codes), for tests that need a few. */
export const SAMPLE_LEADS: LeadSeed[] = [
  { name: "Alice Anders", company: "Acme Corp", email: "alice@acme.example", phone: "(212) 555-0123", status: "new", value: 5000 },
  { name: "Bob Brown", company: "Globex", email: "bob@globex.example", phone: "415-555-0100", status: "contacted", value: 12000 },
  { name: "Carla Cruz", company: "Initech", email: "carla@initech.example", phone: "+44 20 7946 0958", status: "qualified", value: 800 },
  { name: "Dan Dorsey", company: "Acme Corp", email: "dan@acme.example", phone: null, status: "won", value: null },
  { name: "Erin Evans", company: "Hooli", email: null, phone: "212 555 0199", status: "lost", value: 250 },
];

// The UI's only door to the Rust side. Components call `useBackend()` and get a `Backend`:
// every command from the generated bindings, unwrapped (resolves with the data, rejects with a
// BackendError), plus the import-progress, realtime and sync events and the native file dialogs.
//
// Only files in src/backend/ may import `commands` from the bindings or anything from @tauri-apps.
import { createContext, createElement, useContext, type ReactNode } from "react";
import type {
  ActiveCall,
  AppInfo,
  CallNotice,
  DialRequest,
  CallHistoryItem,
  CallRecordingInfo,
  DispositionOption,
  DispositionRequest,
  ExportReport,
  FollowUps,
  HistoryFilter,
  ImportPreview,
  ImportProgress,
  ImportReport,
  ImportRequest,
  IpcError,
  Lead,
  LeadList,
  LeadPage,
  LeadPatch,
  LeadQuery,
  LinkTarget,
  NumberLookup,
  NumberOffer,
  NumberQuery,
  NumberRoutingUpdate,
  NumberHandling,
  ProvisionSipLine,
  OwnedNumberInfo,
  RealtimeNotice,
  RecordingFile,
  RecordingGroup,
  RecordingQuery,
  RecordingSyncReport,
  AudioDevice,
  PlaceCall,
  PlacedCall,
  BridgeCallInfo,
  LinkNotice,
  ReminderNotice,
  Region,
  SecretKind,
  SendSms,
  Settings,
  SettingsUpdate,
  SmsMessage,
  SmsSegments,
  SmsSyncReport,
  SmsThread,
  SmsThreadPage,
  SyncConflict,
  SyncIssue,
  SyncNotice,
  SyncReport,
  SyncStatus,
  commands,
} from "../generated/bindings";
import type { SoftphoneCallerId } from "../generated/bindings";
import { BackendError, errorCode, errorMessage } from "./errors";
import { TauriBackend } from "./tauri";

export { BackendError, errorCode, errorMessage };

/** What every generated command resolves with (tauri-specta's `typedError` shape). */
export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export interface Backend {
  appInfo(): Promise<AppInfo>;
  listLeads(query: LeadQuery): Promise<LeadPage>;
  getLead(id: string): Promise<Lead>;
  updateLead(id: string, patch: LeadPatch): Promise<Lead>;
  listLists(): Promise<LeadList[]>;
  createList(name: string, description: string | null): Promise<LeadList>;
  /** Asks for a CSV file in the shell's native dialog and previews it; null when the agent cancels. Only a file chosen here can be imported. */
  chooseImportFile(): Promise<ImportPreview | null>;
  /** Long-running; progress arrives through onImportProgress; cancelImport() makes it reject with code "cancelled". */
  importLeads(request: ImportRequest): Promise<ImportReport>;
  cancelImport(): Promise<null>;
  /** Asks where to save (suggesting `fileName`) in the shell's native dialog, then exports; null when the agent cancels. */
  exportLeads(fileName: string, listId: string | null): Promise<ExportReport | null>;
  getSettings(): Promise<Settings>;
  updateSettings(update: SettingsUpdate): Promise<Settings>;
  setSecret(kind: SecretKind, value: string): Promise<Settings>;
  clearSecret(kind: SecretKind): Promise<Settings>;
  listRegions(): Promise<Region[]>;
  lookupNumber(input: string): Promise<NumberLookup>;
  /** Reads a tel: or ringdesk://dial link: the number to fill in and the lead to select (never dials). */
  openLink(link: string): Promise<LinkTarget>;
  /** Tells the shell the first interactive paint happened (logged; the cold-start benchmark waits for it). */
  uiReady(): Promise<null>;
  /**
   * Creates a lead, validated like updateLead (a name is required; the phone is stored as E.164).
   * Texts already exchanged with its number then belong to it (their threads show its name).
   */
  createLead(fields: LeadPatch): Promise<Lead>;
  /**
   * (Re)connects the live SignalWire connection (the shell also starts it at app start); its
   * notices arrive through onRealtime. Rejects with "notConfigured" while SignalWire is not set up.
   */
  startRealtime(): Promise<null>;
  /** The live connection's last `connection` notice; null before it reported one. */
  realtimeStatus(): Promise<RealtimeNotice | null>;

  // ---- texts (SignalWire) ----
  /** Encoding, segments and characters left for a draft; `error` says why it cannot be sent as is. */
  smsSegments(body: string): Promise<SmsSegments>;
  /**
   * Stores the text, then sends it exactly once. Resolves with status "queued" (taken by
   * SignalWire) or "sending" (SignalWire unreachable: syncSms finishes it); rejects with
   * "invalidInput", "notConfigured" or "provider" (then the text is stored as "failed").
   */
  sendSms(request: SendSms): Promise<SmsMessage>;
  /** Conversations, newest first; `search` matches the number, the lead's name or any text. */
  smsThreads(search: string | null): Promise<SmsThread[]>;
  /** The newest `limit` messages with `contact` before the cursor (all when null), oldest first. */
  smsThread(contact: string, beforeCreatedAt: string | null, beforeId: string | null, limit: number): Promise<SmsThreadPage>;
  /** Marks the conversation's inbound texts read; resolves with how many were unread. */
  markSmsRead(contact: string): Promise<number>;
  /** Unread inbound texts in all conversations (the navigation badge). */
  smsUnreadCount(): Promise<number>;
  /** One round with SignalWire: pending sends finished, statuses refreshed, inbound texts fetched. */
  syncSms(): Promise<SmsSyncReport>;

  // ---- phone numbers (SignalWire) ----
  searchNumbers(query: NumberQuery): Promise<NumberOffer[]>;
  /** Buys a number (billed monthly by SignalWire); exactly once. */
  buyNumber(phoneNumber: string): Promise<OwnedNumberInfo>;
  listNumbers(): Promise<OwnedNumberInfo[]>;
  routeNumber(sid: string, update: NumberRoutingUpdate): Promise<OwnedNumberInfo>;
  /** Gives the number back to SignalWire. */
  /** Texts to this number arrive live in Ringdesk; calls ring this desktop's SIP account. */
  routeNumberToRingdesk(phoneNumber: string): Promise<NumberHandling>;
  /** Creates SIP credentials in SignalWire (generated password, to the keychain) and makes them this desktop's SIP account. */
  provisionSipLine(request: ProvisionSipLine): Promise<Settings>;
  /**
   * Makes softphone calls show the caller ID saved in Settings (empty: SignalWire's automatic
   * choice) by setting `send_as` of the SignalWire SIP endpoint named by the SIP username.
   * Rejects with "notConfigured" (no SignalWire or no SIP username), "notFound" (the SIP username
   * is not one of the project's SIP endpoints: the SIP provider sets the caller ID then), or
   * "offline"/"provider" when SignalWire cannot be reached or refuses.
   */
  applySoftphoneCallerId(): Promise<SoftphoneCallerId>;
  releaseNumber(sid: string): Promise<null>;

  // ---- call recordings ----
  callRecordings(callLogId: string): Promise<CallRecordingInfo[]>;
  syncCallRecordings(callLogId: string): Promise<CallRecordingInfo[]>;
  fetchRecording(id: string): Promise<RecordingFile>;
  /** The Recordings page: recordings grouped by contact, the contact with the newest first. */
  recordingsLibrary(query: RecordingQuery): Promise<RecordingGroup[]>;
  /** Pulls the last `days` days of recordings from SignalWire and links them to logged calls. */
  syncRecordings(days: number): Promise<RecordingSyncReport>;

  // ---- team backend (replication with Supabase or PostgreSQL) ----
  /** Where replication stands (the sync indicator); every change of it also arrives through onSync. */
  syncStatus(): Promise<SyncStatus>;
  /**
   * Runs one sync cycle now: pushes the pending local changes, pulls the team's. Rejects with
   * "notConfigured" (sync is off: no URL, key or sign-in), "offline" (the backend cannot be reached;
   * changes stay pending), "provider" (refused: credentials, missing migrations) or "invalidInput".
   */
  syncNow(): Promise<SyncReport>;
  /**
   * Signs the agent in to the Supabase project in Settings (https URLs only; a postgres:// backend
   * needs no sign-in). Rejects with "invalidInput" (no email/password, URL or key) or "provider"
   * ("Sign-in refused: …"). The session goes to the keychain: `backendSignedIn`, `backendEmail`.
   */
  backendSignIn(email: string, password: string): Promise<Settings>;
  /** Forgets the session; local data and pending changes stay. */
  backendSignOut(): Promise<Settings>;
  /** Changes of the agent's the backend did not take because the same field changed there, oldest first. */
  syncConflicts(): Promise<SyncConflict[]>;
  /** Keeps the backend's value (keepMine false) or applies the agent's again; resolves with the conflicts left. */
  resolveSyncConflict(id: string, keepMine: boolean): Promise<SyncConflict[]>;
  /** What replication could not take as it was, newest first. */
  syncIssues(limit: number): Promise<SyncIssue[]>;
  clearSyncIssues(): Promise<null>;

  // ---- after the call: dispositions, follow-ups, history ----
  /** The disposition set the wrap-up step offers, in order (the defaults until the agent changes it). */
  dispositionOptions(): Promise<DispositionOption[]>;
  /**
   * Replaces the disposition set (keys: lowercase letters, digits, _; unique; labels of 1–60
   * characters; lead statuses like "contacted" or null to leave the status); an empty list
   * restores the defaults. Resolves with the set now in force; rejects with "invalidInput".
   */
  setDispositionOptions(options: DispositionOption[]): Promise<DispositionOption[]>;
  /**
   * Saves a call's wrap-up in one transaction: the outcome, notes, next action with its follow-up
   * time, and the lead's mapped status ("lost" for markDead). Rejects with "invalidInput" for an
   * unknown key (listing the valid ones), a follow-up time without a next action, or a next action
   * other than markDead without a time; "notFound" for an unknown call.
   */
  disposeCall(request: DispositionRequest): Promise<CallHistoryItem>;
  /** Calls of the last week that ended without a disposition, newest first (they survive a restart). */
  callsAwaitingDisposition(): Promise<CallHistoryItem[]>;
  /** One page of the history, newest first; the next page passes the last row's startedAt and id. */
  callHistory(filter: HistoryFilter): Promise<CallHistoryItem[]>;
  /** Follow-ups due in the next 30 days: overdue, later today (local time), upcoming; soonest first. */
  followUps(): Promise<FollowUps>;
  /** Each follow-up action resolves with the page as it is afterwards; "notFound" once it is no longer open. */
  completeFollowUp(id: string): Promise<FollowUps>;
  snoozeFollowUp(id: string, until: string): Promise<FollowUps>;
  rescheduleFollowUp(id: string, dueAt: string): Promise<FollowUps>;
  cancelFollowUp(id: string): Promise<FollowUps>;

  // ---- softphone ----
  /** (Re)starts the softphone with the SIP line in Settings; registration arrives through onCall. */
  startPhone(): Promise<null>;
  /** The line's last registration notice (null while no phone runs or before it reported): read after subscribing to onCall. */
  phoneRegistration(): Promise<CallNotice | null>;
  /**
   * Places a call. Rejects with "notConfigured" (no SIP line), "invalidInput" (not a number),
   * "conflict" (the lead is Do Not Call and overrideDnc is false). States arrive through onCall.
   */
  dial(request: DialRequest): Promise<ActiveCall>;
  answerCall(callId: string): Promise<null>;
  rejectCall(callId: string): Promise<null>;
  /** Ends the call; it then awaits its disposition (callsAwaitingDisposition). */
  hangUp(callId: string): Promise<null>;
  setMute(callId: string, on: boolean): Promise<null>;
  holdCall(callId: string, hold: boolean): Promise<null>;
  sendDtmf(callId: string, keys: string): Promise<null>;
  transferCall(callId: string, to: string): Promise<null>;
  /** The microphones and speakers of this computer (Settings and the call panel's pickers). */
  audioDevices(): Promise<AudioDevice[]>;

  // ---- one call service over both routes ----
  /**
   * Places a call over `request.route`, else the default route in Settings (softphone: states
   * through onCall; bridge: poll bridgeCallStatus). Same rejections as dial, plus "notConfigured"
   * for a bridge call without SignalWire or without the agent's own phone.
   */
  placeCall(request: PlaceCall): Promise<PlacedCall>;
  /** A bridge call as SignalWire reports it now; its log follows. */
  bridgeCallStatus(sid: string): Promise<BridgeCallInfo>;
  /** Ends a bridge call (cancels it while it rings). */
  hangUpBridgeCall(sid: string): Promise<BridgeCallInfo>;
  /** Writes the calls the filter selects (every page, not just the first) to a CSV file. */
  /** Asks where to save (suggesting `fileName`) and writes the calls the filter selects (every page) there; null when cancelled. */
  exportCallHistory(fileName: string, filter: HistoryFilter): Promise<ExportReport | null>;

  // ---- links from the desktop (tel:, ringdesk://dial) ----
  /** Links that arrived before the window listened (the one that started the app); each once. */
  takePendingLinks(): Promise<LinkNotice[]>;
  /** Subscribes to the `linkEvent` event (a link clicked anywhere while Ringdesk runs). */
  onLink(cb: (notice: LinkNotice) => void): Promise<() => void>;
  /** Subscribes to the `reminderEvent` event: the overdue count and the follow-ups that just fell due. */
  onReminder(cb: (notice: ReminderNotice) => void): Promise<() => void>;

  /** Subscribes to the `importProgress` event; resolves with the unsubscribe function. */
  onImportProgress(cb: (p: ImportProgress) => void): Promise<() => void>;
  /** Subscribes to the `realtimeEvent` event (the live connection's notices); resolves with the unsubscribe function. */
  onRealtime(cb: (notice: RealtimeNotice) => void): Promise<() => void>;
  /**
   * Subscribes to the `syncEvent` event: sent after every change of the sync status, and with
   * `changed` when pulled rows changed what the UI shows. Resolves with the unsubscribe function.
   */
  onSync(cb: (notice: SyncNotice) => void): Promise<() => void>;
  /** Subscribes to the `callEvent` event (the softphone's notices); resolves with the unsubscribe function. */
  onCall(cb: (notice: CallNotice) => void): Promise<() => void>;
}

// Compile-time guard: the hand-written interface above must match the bindings' `commands`
// exactly (same names, same parameters, unwrapped results). When the generated bindings change,
// `npm run typecheck` fails here instead of at runtime.
type Unwrapped<F> = F extends (...args: infer A) => Promise<Result<infer T, IpcError>> ? (...args: A) => Promise<T> : never;
type CommandMethods = { [K in keyof typeof commands]: Unwrapped<(typeof commands)[K]> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const commandsMatch: Same<CommandMethods, Omit<Backend, "onCall" | "onImportProgress" | "onLink" | "onRealtime" | "onReminder" | "onSync">> = true;
void commandsMatch;

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/**
 * The backend for this process: Tauri inside the desktop app, demo data in a plain browser
 * (`npm run dev`). The in-memory backend is imported only then, so the desktop bundle's start-up
 * code neither parses nor holds it (Vite splits it into its own chunk).
 */
export async function loadBackend(): Promise<Backend> {
  if (isTauri()) return new TauriBackend();
  const { MemoryBackend } = await import("./memory");
  return MemoryBackend.demo(demoSeed());
}

function demoSeed(): number {
  // `npm run dev` → http://localhost:1420/?seed=100000 to try the table with many rows.
  try {
    const raw = new URLSearchParams(window.location.search).get("seed");
    const n = raw ? Number.parseInt(raw, 10) : NaN;
    return Number.isFinite(n) && n >= 0 ? Math.min(n, 1_000_000) : 500;
  } catch {
    return 500;
  }
}

const BackendContext = createContext<Backend | null>(null);

export function BackendProvider({ backend, children }: { backend: Backend; children?: ReactNode }) {
  return createElement(BackendContext.Provider, { value: backend }, children);
}

export function useBackend(): Backend {
  const backend = useContext(BackendContext);
  if (!backend) throw new Error("useBackend() outside <BackendProvider>");
  return backend;
}

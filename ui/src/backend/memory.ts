// MemoryBackend: a faithful in-memory implementation of the Backend contract, used by the UI tests
// and by `npm run dev` in a plain browser (demo data). It mirrors the documented behaviour of the
// Rust commands: validation errors with specific messages, paging with totals, CSV import with
// line-numbered row errors, duplicate merging, progress and cancellation, secrets tracked only as
// "is set" flags; texts and phone numbers through a simulated SignalWire project (see the SMS
// section below for what is simulated and how), and its live connection (startRealtime,
// onRealtime, emitRealtime); replication with a simulated team backend (see the sync section:
// status and onSync notices, pending local changes, sign-in, conflicts, issues); and the after-call
// workflow (see the call workflow section: the disposition set, calls awaiting a disposition,
// follow-ups, the history); and a simulated softphone (see the softphone section: dial, incoming
// calls through ringIn(), call states on short timers, onCall notices). Past calls come from
// `calls` / addCall().
import type {
  ActiveCall,
  AppInfo,
  CallNotice,
  CallPhase,
  DialRequest,
  ScreenPop,
  CallHistoryItem,
  CallRecordingInfo,
  DispositionOption,
  DispositionRequest,
  ExportReport,
  FollowUpItem,
  FollowUps,
  HistoryFilter,
  ImportPreview,
  ImportProgress,
  ImportReport,
  ImportRequest,
  IpcError,
  Lead,
  LeadField,
  LeadList,
  LeadPage,
  LeadPatch,
  LeadQuery,
  LeadSummary,
  NextAction,
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
  RecordingListItem,
  RecordingQuery,
  RecordingSyncReport,
  Region,
  RowError,
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
} from "../generated/bindings";
import { autoMap, parseCsv, toCsv, type CsvRecord } from "./csv";
import { BackendError } from "./errors";
import type { Backend } from "./types";
import type { SoftphoneCallerId } from "../generated/bindings";
import { REGIONS, displayPhone, normalizePhone } from "./phone";
import { countSegments, smsBodyProblem } from "./sms";
import type { AudioDevice, BridgeCallInfo, CallRoute, LinkNotice, PlaceCall, PlacedCall, ReminderNotice } from "../generated/bindings";

export type LeadInput = {
  name: string;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
  position?: string | null;
  status?: string;
  value?: number | null;
  source?: string | null;
  notes?: string | null;
  timezone?: string | null;
  lastContact?: string | null;
  createdAt?: string;
};

export type MemoryBackendOptions = {
  /** Generate this many demo leads (deterministic for a given number). */
  seed?: number;
  /** Extra leads to add (after the seeded ones). */
  leads?: LeadInput[];
  /** Files the import / export commands can read and write: path → CSV text (or raw bytes). */
  files?: Map<string, string | Uint8Array> | Record<string, string | Uint8Array>;
  /** Make appInfo() fail with this error (to exercise the startup error screen). */
  appInfoError?: IpcError;
  dialDisabledReason?: string | null;
  /** Rows processed between two progress events / cancellation checks. */
  importChunkRows?: number;
  /** Pause after each chunk, in ms (lets tests press Cancel while an import runs). */
  importDelayMs?: number;
  /** What pickCsvFile() returns; by default the first path in `files`. */
  pickCsvResult?: string | null;
  /** Folder pickSavePath() puts the suggested file name in; null makes it return null (cancelled). */
  saveDirectory?: string | null;
  settings?: Partial<Settings>;
  /** Numbers the SignalWire project owns (any format; stored as E.164), in this order. */
  ownedNumbers?: string[];
  /**
   * SIP endpoints the simulated SignalWire project already has, by username (send_as unset), as
   * provisionSipLine creates them. See listSipEndpoints().
   */
  sipEndpoints?: string[];
  /** Texts already stored when the backend starts. */
  sms?: SmsInput[];
  /**
   * SignalWire cannot be reached: sendSms stores the text with status "sending" (and resolves,
   * like the Rust side), provider calls reject with code "offline". See setSmsOffline().
   */
  smsOffline?: boolean;
  /**
   * Replication's state when the backend starts (default "off"). `pending` seeds the count of local
   * changes not yet on the backend; the conflict and issue counts come from the lists below.
   */
  sync?: Partial<Pick<SyncStatus, "state" | "pending" | "lastSyncedAt" | "error" | "progress">>;
  /** Open conflicts (their lead ids must exist). */
  syncConflicts?: SyncConflictInput[];
  /** What replication could not take, oldest first. */
  syncIssues?: SyncIssueInput[];
  /** Leads the team backend has that this desktop has not pulled yet: the next sync cycle stores them. */
  remoteLeads?: LeadInput[];
  /** The team backend cannot be reached: sync cycles and sign-in reject with "offline". See setSyncOffline(). */
  syncOffline?: boolean;
  /** CRM accounts backendSignIn accepts, email → password; default: BACKEND_ACCOUNT. */
  backendAccounts?: Record<string, string>;
  /** Calls already logged (as the call service would have), oldest or newest first: any order. */
  calls?: CallInput[];
  /**
   * Recordings at the simulated SignalWire project that syncRecordings pulls (a `callLogId` must
   * name a call from `calls`: "call-00000001" is the first). See addRemoteRecording().
   */
  remoteRecordings?: RemoteRecordingInput[];
  /** The disposition set (default: DEFAULT_DISPOSITION_OPTIONS), as setDispositionOptions stores it. */
  dispositionOptions?: DispositionOption[];
  /**
   * Softphone: ms between the steps of an outbound call (dialing → ringing → active); default 800.
   * null: the callee never answers by itself (tests call connectCall()).
   */
  callStepMs?: number | null;
};

/**
 * A logged call for tests and demo data. With `disposition` it was wrapped up already (stored as
 * given, unvalidated, the lead's status untouched); with `followUpAt` too, that step opened a follow-up.
 */
export type CallInput = {
  /** The other party's number, in any format the phone rules accept; the lead with it is linked. */
  contact: string;
  /** The lead, when not the one with this number (null: no lead). */
  leadId?: string | null;
  /** Default "outbound". */
  direction?: "outbound" | "inbound";
  /** Default "softphone" (the Rust side's other route is "bridge"). */
  route?: string;
  /** Default: now. */
  startedAt?: string;
  durationSeconds?: number | null;
  /** false: still in progress (never awaiting a disposition); default true. */
  ended?: boolean;
  disposition?: string;
  notes?: string | null;
  nextAction?: NextAction | null;
  followUpAt?: string | null;
  /** The follow-up's state (default "open"); "snoozed" needs `snoozedUntil`. */
  followUpStatus?: FollowUpStatus;
  snoozedUntil?: string | null;
  /**
   * Someone answered it (default: it lasted more than 0 s). An inbound call nobody answered is a
   * missed call.
   */
  answered?: boolean;
  /** As the call service logs it (default: ringing / dialing while in progress, then completed, missed or canceled). */
  status?: string | null;
  endReason?: string | null;
  /** Recordings stored with the call (as if pulled from SignalWire). */
  recordings?: RecordingInput[];
};

/** A call recording for tests and demo data (see addRecording). */
export type RecordingInput = {
  durationSeconds?: number | null;
  transcription?: string | null;
  /** Default: when the call ended. */
  createdAt?: string;
  /** The audio is in the local cache already (default false). */
  cached?: boolean;
};

/**
 * A recording the simulated SignalWire project has (syncRecordings pulls it): of a logged call
 * (callLogId), or of a call this desktop never logged (callLogId null, counted as unmatched).
 */
export type RemoteRecordingInput = RecordingInput & { callLogId: string | null };

type FollowUpStatus = "open" | "snoozed" | "done" | "cancelled";

/** The default disposition set, as crates/app/src/workflow.rs defines it. */
export const DEFAULT_DISPOSITION_OPTIONS: readonly DispositionOption[] = [
  { key: "answered", label: "Answered", leadStatus: "contacted" },
  { key: "voicemail", label: "Voicemail", leadStatus: "contacted" },
  { key: "busy", label: "Busy", leadStatus: null },
  { key: "no_answer", label: "No Answer", leadStatus: null },
  { key: "wrong_number", label: "Wrong Number", leadStatus: "bad_number" },
  { key: "do_not_call", label: "Do Not Call", leadStatus: "do_not_call" },
  { key: "interested", label: "Interested", leadStatus: "qualified" },
  { key: "not_interested", label: "Not Interested", leadStatus: "lost" },
  { key: "callback_requested", label: "Callback Requested", leadStatus: "callback" },
];

/** The Rust side's refusals of an incomplete disposition step (crates/app/src/workflow.rs). */
export const FOLLOW_UP_NEEDS_ACTION = "Choose what to do next (call back, email, ...) for the follow-up.";
export const FOLLOW_UP_TIME_REQUIRED = "Pick when to follow up.";

/** A conflict for tests and demo data. */
export type SyncConflictInput = {
  leadId: string;
  field: string;
  yourValue: string | null;
  serverValue: string | null;
  createdAt?: string;
};

/** A sync issue for tests and demo data. */
export type SyncIssueInput = {
  kind: "rejected" | "badRow";
  table?: string;
  rowId: string;
  message: string;
  createdAt?: string;
};

/** The CRM account the simulated Supabase project knows by default. */
export const BACKEND_ACCOUNT = { email: "agent@acme.example", password: "correct-horse-battery" };

/** Settings with a Supabase backend set up (URL and publishable key) but nobody signed in, for tests. */
export const SUPABASE_CONFIGURED: Partial<Settings> = {
  backendUrl: "https://acme-crm.supabase.co",
  backendKeySet: true,
};

/** Settings with a Supabase backend set up and BACKEND_ACCOUNT signed in, for tests. */
export const SUPABASE_SIGNED_IN: Partial<Settings> = {
  ...SUPABASE_CONFIGURED,
  backendEmail: BACKEND_ACCOUNT.email,
  backendSignedIn: true,
};

/** A stored text for tests and demo data. */
export type SmsInput = {
  /** The other party's number, in any format the phone rules accept. */
  contact: string;
  direction: "inbound" | "outbound";
  body: string;
  /** Our number it was sent from / arrived at. */
  ourNumber?: string | null;
  /** Default: "received" for inbound, "delivered" for outbound. */
  status?: string;
  error?: string | null;
  createdAt?: string;
  /** Inbound only (outbound texts are always read); default false. */
  read?: boolean;
};

/** Settings with SignalWire set up (space, project ID and API token), for tests. */
export const SIGNALWIRE_CONFIGURED: Partial<Settings> = {
  signalwireSpace: "acme",
  signalwireProjectId: "6b1f9d4e-0c2a-4c4e-9a57-3f0d2a1b7c55",
  signalwireApiTokenSet: true,
};

export const DEFAULT_DIAL_DISABLED_REASON = "No phone line yet: add your SIP line in Settings to start calling.";

/** What every softphone command rejects with while no SIP line is set up (the Rust wording). */
export const PHONE_NOT_RUNNING = "The phone is not running: set up your SIP line in Settings.";

/** Settings with a SIP line (registrar, username, password), for tests. */
export const SIP_CONFIGURED: Partial<Settings> = {
  sipRegistrar: "sip.example.com",
  sipUsername: "agent",
  sipPasswordSet: true,
};

/** A bridge call the simulated SignalWire is carrying (placeCall with the bridge route). */
type SimulatedBridgeCall = {
  info: BridgeCallInfo;
  /** setBridgeStatus() fixed the status: polls no longer advance it. */
  pinned: boolean;
  answeredAt: number | null;
};

/** How successive bridgeCallStatus() polls move a bridge call along, and where it stops. */
const BRIDGE_STEPS = ["queued", "ringing", "in-progress", "completed"];
const BRIDGE_FINAL = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

/** A call the simulated softphone is handling. */
type LivePhoneCall = {
  callId: string;
  callLogId: string;
  leadId: string | null;
  direction: "outbound" | "inbound";
  phase: CallPhase;
  muted: boolean;
  answeredAt: number | null;
  dtmf: string;
  transferredTo: string | null;
  timers: ReturnType<typeof setTimeout>[];
};

const DEFAULT_SETTINGS: Settings = {
  defaultRegion: "US",
  signalwireSpace: "",
  signalwireProjectId: "",
  signalwireApiTokenSet: false,
  sipRegistrar: "",
  sipUsername: "",
  sipPasswordSet: false,
  sipTransport: "udp",
  backendUrl: "",
  backendKeySet: false,
  backendEmail: "",
  backendSignedIn: false,
  defaultRoute: "softphone",
  callerId: "",
  agentPhone: "",
  linksAutoDial: false,
  audioInput: "",
  audioOutput: "",
};

type StoredList = { id: string; name: string; description: string | null; members: Set<string> };

type StoredSms = {
  id: string;
  leadId: string | null;
  contactNumber: string;
  ourNumber: string | null;
  direction: "inbound" | "outbound";
  body: string;
  /** null until SignalWire confirmed it ("sending" in the UI). */
  status: string | null;
  sid: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  createdAt: string;
  readAt: string | null;
};

type StoredNumber = {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  smsUrl: string | null;
  /** Routed to this desktop (texts to RELAY, calls to the SIP account when there is one). */
  toRingdesk?: { calls: boolean };
};

type StoredCall = {
  id: string;
  leadId: string | null;
  contactNumber: string;
  direction: string;
  route: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  /** The latest disposition's key (call_logs.disposition). */
  disposition: string | null;
  /** As last reported: dialing, ringing, in-progress, completed, missed, canceled, ... */
  status: string | null;
  endReason: string | null;
  /** Someone answered (call_logs.answered_at is set). */
  answered: boolean;
};

/** call_recordings: a recording linked to its logged call. */
type StoredRecording = {
  id: string;
  callLogId: string;
  providerSid: string;
  durationSeconds: number | null;
  transcription: string | null;
  createdAt: string;
  cached: boolean;
};

/** Insert-once, like the Rust store's call_dispositions; the latest per call counts. */
type StoredDisposition = {
  id: string;
  callLogId: string;
  type: string;
  notes: string | null;
  nextAction: NextAction | null;
  followUpDate: string | null;
  createdAt: string;
};

/** What happened to a follow-up since (follow_up_states), keyed by its disposition's id. */
type StoredFollowUp = {
  id: string;
  status: FollowUpStatus;
  dueAt: string;
  snoozedUntil: string | null;
  completedAt: string | null;
};

/** Where the simulated number search puts an area code (the emulator's default is 217). */
const AREA_CODES: Record<string, { locality: string; region: string }> = {
  "206": { locality: "Seattle", region: "WA" },
  "212": { locality: "New York", region: "NY" },
  "217": { locality: "Springfield", region: "IL" },
  "303": { locality: "Denver", region: "CO" },
  "305": { locality: "Miami", region: "FL" },
  "312": { locality: "Chicago", region: "IL" },
  "404": { locality: "Atlanta", region: "GA" },
  "415": { locality: "San Francisco", region: "CA" },
  "512": { locality: "Austin", region: "TX" },
  "617": { locality: "Boston", region: "MA" },
  "646": { locality: "New York", region: "NY" },
  "713": { locality: "Houston", region: "TX" },
};
const DEFAULT_AREA_CODE = "217";
const TOLL_FREE_AREA_CODE = "833";

/** Statuses SignalWire may still change (the Rust store's "unsettled" set). */
const OPEN_STATUSES = new Set(["queued", "initiated", "sent", "accepted"]);

const MAX_LIMIT = 1000;
/** Notes of a disposition, at most (bytes, like the Rust side's `len()`). */
const MAX_NOTES = 10_000;
/** How far back calls still waiting for a disposition are listed. */
const AWAITING_DAYS = 7;
const MAX_REPORTED_INVALID = 1000;
const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

const invalid = (message: string) => new BackendError("invalidInput", message);
/** An ApiError from SignalWire as the Rust side words it: "{error} {advice}". */
const refused = (status: number, code: number, message: string, advice: string) =>
  new BackendError("provider", `SignalWire refused the request (${status}, error ${code}): ${message} ${advice}`);
/** A value the Rust SignalWire client refuses before sending (Error::Invalid + its advice). */
const invalidForProvider = (message: string) => invalid(`${message} Correct the value and try again.`);
const unreachable = () =>
  new BackendError("offline", "could not reach SignalWire: network unreachable Check the internet connection; Ringdesk retries when it is back.");
const notConfigured = (what: string) =>
  new BackendError(
    "notConfigured",
    `SignalWire is not set up: ${what} is missing. Enter the space, project ID and API token in Settings.`,
  );
const NAME_REQUIRED = "A lead needs a name.";
/** The offline detail of the live connection when SignalWire cannot be reached (Rust: "{reason}; retrying in N s"). */
const REALTIME_UNREACHABLE = "could not reach SignalWire: network unreachable; retrying in 1 s";
const NO_SMS_NUMBER = "The SignalWire project has no SMS-capable number: buy one in Settings → Phone numbers.";
/** Why a sync cycle could not reach the backend (Rust: SyncError::Unreachable). */
const BACKEND_UNREACHABLE = "could not reach the backend: network unreachable";
const syncOfflineError = () =>
  new BackendError("offline", `Offline: ${BACKEND_UNREACHABLE}. Your changes are kept and will sync when it is back.`);
const syncOff = (what: string) => new BackendError("notConfigured", `Sync is off: ${what}. Set the backend in Settings.`);
const nullIfEmpty = (s: string | null | undefined): string | null => {
  const t = (s ?? "").trim();
  return t === "" ? null : t;
};
const digitsOf = (s: string | null) => (s ? s.replace(/\D/g, "") : "");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function parseValue(raw: string): number | null | "invalid" {
  const t = raw.trim();
  if (t === "") return null;
  const cleaned = t.replace(/[$€£,\s]/g, "");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned)) return "invalid";
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : "invalid";
}

function toSummary(l: Lead): LeadSummary {
  return {
    id: l.id,
    name: l.name,
    company: l.company,
    email: l.email,
    phone: l.phone,
    phoneE164: l.phoneE164,
    phoneDisplay: l.phoneDisplay,
    status: l.status,
    value: l.value,
    lastContact: l.lastContact,
  };
}

/** Deterministic PRNG (mulberry32) so seeded demo data is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Mia", "Lucas", "Amelia", "Mateo", "Harper", "Ethan", "Priya", "Arjun", "Chloé", "Lukas", "Grace", "Daniel", "Zoe", "Omar", "Hannah", "Kenji"];
const LAST = ["Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson", "Thomas", "Moore", "Martin", "Lee", "Walker", "Hall", "Young", "Patel", "Nguyen", "Schmidt", "Dubois", "O'Brien", "Kim", "Clark", "Lewis"];
const COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Dental", "Hooli", "Vandelay Imports", "Soylent Foods", "Wonka Industries", "Cyberdyne Systems", "Pied Piper", "Tyrell Realty", "Oscorp Labs", "Massive Dynamic", null];
const POSITIONS = ["Owner", "Office Manager", "CFO", "Operations Lead", "Head of Sales", "Practice Manager", null];
const STATUSES = ["new", "new", "new", "contacted", "contacted", "qualified", "won", "lost"];
const SOURCES = ["Website", "Referral", "Trade show", "Webinar", "Cold list", null];
const TIMEZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", null];

export class MemoryBackend implements Backend {
  /** path → file contents; importLeads reads from it, exportLeads writes CSV text into it. */
  readonly files: Map<string, string | Uint8Array>;

  private leads = new Map<string, Lead>();
  private lists = new Map<string, StoredList>();
  private settings: Settings;
  private readonly secretsSet = new Set<SecretKind>();
  /** SIP endpoints at (simulated) SignalWire, by username: the number their calls show (null: SignalWire's choice). */
  private readonly sipEndpoints = new Map<string, { sendAs: string | null }>();
  private readonly progressListeners = new Set<(p: ImportProgress) => void>();
  private readonly realtimeListeners = new Set<(n: RealtimeNotice) => void>();
  private readonly options: MemoryBackendOptions;
  private nextLeadId = 1;
  private nextListId = 1;
  private version = 0;
  private queryCache: { key: string; ids: string[] } | null = null;
  private importRunning = false;
  private cancelRequested = false;

  private sms = new Map<string, StoredSms>();
  private owned: StoredNumber[] = [];
  /** Inbound texts SignalWire holds that the next syncSms stores. */
  private providerInbox: { sid: string; from: string; to: string; body: string; at: string }[] = [];
  /** The From chosen when nothing else applied (the Rust side's "signalwire.default_from"). */
  private defaultFrom: string | null = null;
  private smsOffline: boolean;
  /** startRealtime() succeeded: texts arrive as notices right away instead of waiting for a sync. */
  private realtimeOn = false;
  /** The last `connection` notice (what realtimeStatus() returns, like the shell). */
  private lastConnection: RealtimeNotice | null = null;
  private nextSmsId = 1;
  private nextSid = 1;
  private lastStamp = 0;

  /** Replication: what the status shows besides the counts (those are derived below). */
  private syncState: Pick<SyncStatus, "state" | "lastSyncedAt" | "error" | "progress">;
  /** Local changes not yet on the backend (the Rust store's outbox). */
  private outbox = 0;
  private conflicts: SyncConflict[] = [];
  private issues: SyncIssue[] = [];
  private remoteLeads: LeadInput[];
  private syncOffline: boolean;
  private readonly syncListeners = new Set<(n: SyncNotice) => void>();
  private nextConflictId = 1;
  private nextIssueId = 1;

  /** The call workflow: logged calls, their dispositions and follow-ups, the disposition set (null: defaults). */
  private calls = new Map<string, StoredCall>();
  private dispositions: StoredDisposition[] = [];
  private followUpStates = new Map<string, StoredFollowUp>();
  private dispositionSet: DispositionOption[] | null = null;
  private nextCallId = 1;
  private nextDispositionId = 1;
  /** Stored recordings (call_recordings) and those still only at the simulated SignalWire. */
  private recordings = new Map<string, StoredRecording>();
  private remoteRecordings: RemoteRecordingInput[] = [];
  /** The remote recordings already stored here. */
  private readonly pulledRemote = new Set<RemoteRecordingInput>();
  private nextRecordingId = 1;

  constructor(options: MemoryBackendOptions = {}) {
    this.options = options;
    this.files = options.files instanceof Map ? options.files : new Map(Object.entries(options.files ?? {}));
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    if (this.settings.signalwireApiTokenSet) this.secretsSet.add("signalwireApiToken");
    if (this.settings.sipPasswordSet) this.secretsSet.add("sipPassword");
    if (this.settings.backendKeySet) this.secretsSet.add("backendKey");
    if (this.settings.backendSignedIn) this.secretsSet.add("backendSession");
    if (options.seed) this.generate(options.seed);
    for (const input of options.leads ?? []) this.addLead(input);
    this.smsOffline = options.smsOffline ?? false;
    for (const n of options.ownedNumbers ?? []) this.addOwnedNumber(n);
    for (const u of options.sipEndpoints ?? []) this.sipEndpoints.set(u, { sendAs: null });
    for (const m of options.sms ?? []) this.addSms(m);
    const { pending, ...state } = options.sync ?? {};
    this.syncState = { state: "off", lastSyncedAt: null, error: null, progress: null, ...state };
    this.outbox = pending ?? 0;
    this.remoteLeads = [...(options.remoteLeads ?? [])];
    this.syncOffline = options.syncOffline ?? false;
    for (const c of options.syncConflicts ?? []) this.addSyncConflict(c);
    for (const i of options.syncIssues ?? []) this.addSyncIssue(i);
    if (options.dispositionOptions?.length) this.dispositionSet = options.dispositionOptions.map((o) => ({ ...o }));
    for (const c of options.calls ?? []) this.addCall(c);
    for (const r of options.remoteRecordings ?? []) this.addRemoteRecording(r);
  }

  /** Browser-dev backend: seeded leads plus a sample CSV to try the import dialog with. */
  static demo(seed: number): MemoryBackend {
    const sample = [
      "Full Name,Company,Phone,E-mail,Title,Deal Value,Notes",
      'Dana Whitfield,"Whitfield & Sons, LLC",(415) 555-0134,dana@whitfield.example,Owner,12000,"Met at expo; call after 3pm"',
      "Marco Rossi,Bella Pasta,+39 06 1234 5678,marco@bellapasta.example,Chef,",
      "Bad Number,Nowhere Inc,call me maybe,,CEO,",
      "No Contact,Ghost LLC,,,CEO,",
      "Priya Raman,Raman Dental,650.555.0199,priya@ramandental.example,Practice Manager,4500",
    ].join("\n");
    const b = new MemoryBackend({
      seed,
      files: { "/home/agent/Downloads/expo-leads.csv": sample },
      importChunkRows: 250,
      importDelayMs: 15,
      settings: {
        signalwireSpace: "demo",
        signalwireProjectId: "demo-project",
        signalwireApiTokenSet: true,
        backendUrl: "https://demo-team.supabase.co",
        backendKeySet: true,
        backendEmail: "agent@demo.example",
        backendSignedIn: true,
        sipRegistrar: "demo.sip.signalwire.com",
        sipUsername: "demo-agent",
        sipPasswordSet: true,
      },
      ownedNumbers: ["+14155550100"],
      sipEndpoints: ["demo-agent"],
      backendAccounts: { "agent@demo.example": "demo" },
      // The team's backend: synced a few minutes ago; Sync now pulls two leads a colleague added.
      sync: { state: "synced", lastSyncedAt: new Date(Date.now() - 4 * 60_000).toISOString() },
      remoteLeads: [
        { name: "Rosa Delgado", company: "Delgado Dental", phone: "(512) 555-0181", email: "rosa@delgadodental.example", status: "new", source: "Website" },
        { name: "Tom Becker", company: "Becker Roofing", phone: "(303) 555-0127", status: "contacted", source: "Referral" },
      ],
      syncIssues: [
        {
          kind: "badRow",
          table: "leads",
          rowId: "web-4471",
          message: 'phone "call me" is not a phone number (too few digits); stored without it',
          createdAt: new Date(Date.now() - 26 * 3_600_000).toISOString(),
        },
      ],
    });
    const first = b.leads.values().next().value;
    if (first) {
      b.addSyncConflict({ leadId: first.id, field: "status", yourValue: "contacted", serverValue: "qualified" });
    }
    // A few conversations: two with leads, one with a number no lead has; one more text waits
    // at "SignalWire" for Sync now.
    const withPhone: Lead[] = [];
    for (const l of b.leads.values()) {
      if (l.phoneE164) withPhone.push(l);
      if (withPhone.length === 2) break;
    }
    const hour = 3_600_000;
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * hour).toISOString();
    const ours = "+14155550100";
    if (withPhone[0]) {
      const c = withPhone[0].phoneE164!;
      b.addSms({ contact: c, direction: "outbound", ourNumber: ours, body: `Hi ${withPhone[0].name.split(" ")[0]}, thanks for your time today. I'll send the proposal tomorrow.`, createdAt: at(50) });
      b.addSms({ contact: c, direction: "inbound", ourNumber: ours, body: "Great, looking forward to it.", createdAt: at(49), read: true });
      b.addSms({ contact: c, direction: "outbound", ourNumber: ours, body: "Proposal is in your inbox. Does Thursday 2pm work for a quick call?", createdAt: at(26) });
      b.addSms({ contact: c, direction: "inbound", ourNumber: ours, body: "Thursday works. Call my cell.", createdAt: at(3) });
    }
    if (withPhone[1]) {
      const c = withPhone[1].phoneE164!;
      b.addSms({ contact: c, direction: "outbound", ourNumber: ours, body: "Following up on the demo — any questions from your team?", createdAt: at(30) });
    }
    b.addSms({ contact: "+13125550147", direction: "inbound", ourNumber: ours, body: "Hi, I saw your ad. Do you offer weekend appointments?", createdAt: at(1) });
    b.addSms({ contact: "+13125550147", direction: "inbound", ourNumber: ours, body: "Also, what are your prices?", createdAt: at(0.9) });
    b.receiveSms("+16465550123", ours, "Is this still available? 🙂");

    // The after-call workflow: a few past calls, one that ended minutes ago and still waits for
    // its wrap-up, and follow-ups overdue, due later today and upcoming.
    const callees: { contact: string; leadId: string | null }[] = [];
    for (const l of b.leads.values()) {
      if (l.phoneE164 && !withPhone.includes(l)) callees.push({ contact: l.phoneE164, leadId: l.id });
      if (callees.length === 6) break;
    }
    const fallback = ["+12125550161", "+13125550172", "+14155550183", "+16175550194", "+17135550105", "+12065550116"];
    while (callees.length < 6) callees.push({ contact: fallback[callees.length], leadId: null });
    const endOfToday = new Date();
    endOfToday.setHours(24, 0, 0, 0);
    const laterToday = new Date(Date.now() + Math.min(2 * hour, (endOfToday.getTime() - Date.now()) / 2)).toISOString();
    const inDays = (days: number) => {
      const d = new Date(Date.now() + days * 24 * hour);
      d.setHours(10, 30, 0, 0);
      return d.toISOString();
    };
    const seedCalls: CallInput[] = [
      { ...callees[0], startedAt: at(74), durationSeconds: 38, disposition: "voicemail", notes: "Left a voicemail about the spring offer." },
      {
        ...callees[1],
        direction: "inbound",
        startedAt: at(70),
        durationSeconds: 365,
        disposition: "interested",
        notes: "Wants a quote for 12 seats before the end of the month.",
        nextAction: "callBack",
        followUpAt: at(3),
        recordings: [{ transcription: "Hi, I'm calling about a quote for twelve seats. We need it before the end of the month if possible." }],
      },
      { ...callees[2], startedAt: at(50), durationSeconds: 0, disposition: "no_answer" },
      {
        ...callees[3],
        startedAt: at(26),
        durationSeconds: 252,
        disposition: "answered",
        notes: "Asked for pricing; sending the proposal.",
        nextAction: "sendEmail",
        followUpAt: laterToday,
        recordings: [{}],
      },
      {
        ...callees[4],
        startedAt: at(20),
        durationSeconds: 167,
        disposition: "callback_requested",
        notes: "In meetings all week: call back Monday morning.",
        nextAction: "scheduleMeeting",
        followUpAt: inDays(3),
      },
      { ...callees[5], startedAt: at(6), durationSeconds: 12, disposition: "wrong_number", notes: "Number belongs to a pharmacy now." },
      { ...callees[0], startedAt: at(0.2), durationSeconds: 321 },
    ];
    for (const c of seedCalls) b.addCall(c);
    // Sync from SignalWire on the Recordings page pulls one more (and skips one of a call not logged here).
    const voicemail = b.allCalls().find((c) => c.disposition === "voicemail");
    if (voicemail) b.addRemoteRecording({ callLogId: voicemail.id, transcription: "Voicemail greeting, then the spring offer message." });
    b.addRemoteRecording({ callLogId: null });
    return b;
  }

  // ---- test helpers (not part of the Backend contract) ----------------------------------------

  /** Adds a lead synchronously; the phone is normalised like updateLead does. */
  addLead(input: LeadInput): Lead {
    const id = `lead-${String(this.nextLeadId++).padStart(6, "0")}`;
    const phone = nullIfEmpty(input.phone);
    const norm = phone ? normalizePhone(phone, this.settings.defaultRegion) : null;
    const e164 = norm && norm.ok ? norm.e164 : null;
    const created = input.createdAt ?? new Date(Date.UTC(2024, 0, 1) + this.nextLeadId * 60_000).toISOString();
    const lead: Lead = {
      id,
      name: input.name,
      email: nullIfEmpty(input.email),
      phone,
      phoneE164: e164,
      phoneDisplay: e164 ? displayPhone(e164) : phone,
      company: nullIfEmpty(input.company),
      position: nullIfEmpty(input.position),
      status: input.status ?? "new",
      value: input.value ?? null,
      source: nullIfEmpty(input.source),
      notes: nullIfEmpty(input.notes),
      timezone: nullIfEmpty(input.timezone),
      lastContact: input.lastContact ?? null,
      createdAt: created,
      updatedAt: created,
      listIds: [],
    };
    this.leads.set(id, lead);
    this.touch();
    return { ...lead };
  }

  addToList(listId: string, leadIds: string[]): void {
    const list = this.lists.get(listId);
    if (!list) throw new Error(`no list ${listId}`);
    for (const id of leadIds) {
      const lead = this.leads.get(id);
      if (!lead) throw new Error(`no lead ${id}`);
      list.members.add(id);
      if (!lead.listIds.includes(listId)) lead.listIds = [...lead.listIds, listId];
    }
    this.touch();
  }

  /** Every lead, in insertion order (copies). */
  allLeads(): Lead[] {
    return [...this.leads.values()].map((l) => ({ ...l, listIds: [...l.listIds] }));
  }

  get secretKindsSet(): SecretKind[] {
    return [...this.secretsSet];
  }

  /** The simulated SignalWire project's SIP endpoints (copies), in creation order. */
  listSipEndpoints(): { username: string; sendAs: string | null }[] {
    return [...this.sipEndpoints].map(([username, e]) => ({ username, sendAs: e.sendAs }));
  }

  /** Stores a text directly (as if it had been sent or synced earlier). */
  addSms(input: SmsInput): SmsMessage {
    const contact = this.e164OrThrow(input.contact);
    const createdAt = input.createdAt ?? this.stamp();
    this.lastStamp = Math.max(this.lastStamp, Date.parse(createdAt) || 0);
    const inbound = input.direction === "inbound";
    const m: StoredSms = {
      id: this.newSmsId(),
      leadId: this.leadForNumber(contact)?.id ?? null,
      contactNumber: contact,
      ourNumber: input.ourNumber ? this.e164OrThrow(input.ourNumber) : null,
      direction: input.direction,
      body: input.body,
      status: input.status ?? (inbound ? "received" : "delivered"),
      sid: `SM${String(this.nextSid++).padStart(32, "0")}`,
      errorCode: null,
      errorMessage: input.error ?? null,
      createdAt,
      readAt: inbound && input.read ? createdAt : null,
    };
    if (m.status === "sending") m.sid = null;
    this.sms.set(m.id, m);
    return smsDto(m);
  }

  /**
   * A text arrives at SignalWire from `from` to our number `to`. With the live connection up
   * (startRealtime, SignalWire reachable) it is stored at once and subscribers get an
   * `smsReceived` notice, like a RELAY event; otherwise the next syncSms (or reconnect) stores it.
   */
  receiveSms(from: string, to: string, body: string): void {
    const inbound = {
      sid: `SM${String(this.nextSid++).padStart(32, "0")}`,
      from: this.e164OrThrow(from),
      to: this.e164OrThrow(to),
      body,
      at: this.stamp(),
    };
    if (this.realtimeOn && !this.smsOffline) {
      this.noticeReceived([this.storeInbound(inbound)]);
    } else {
      this.providerInbox.push(inbound);
    }
  }

  /**
   * Simulates SignalWire being unreachable (true) or back (false). With the live connection
   * started, going offline sends a `connection` notice (offline) and coming back reconnects:
   * what waited is settled, then `connection` (online) and the notices for it follow.
   */
  setSmsOffline(offline: boolean): void {
    const changed = this.smsOffline !== offline;
    this.smsOffline = offline;
    if (!changed || !this.realtimeOn) return;
    if (offline) this.emitRealtime({ kind: "connection", online: false, detail: REALTIME_UNREACHABLE });
    else this.connectRealtime();
  }

  /** Sends a realtime notice to every onRealtime subscriber (what the Rust side's live connection does). */
  emitRealtime(notice: RealtimeNotice): void {
    if (notice.kind === "connection") this.lastConnection = JSON.parse(JSON.stringify(notice)) as RealtimeNotice;
    for (const cb of [...this.realtimeListeners]) cb(JSON.parse(JSON.stringify(notice)) as RealtimeNotice);
  }

  /** The live connection was started (and not since refused for missing settings). */
  get realtimeStarted(): boolean {
    return this.realtimeOn;
  }

  /** How many times startRealtime() was called (tests check the UI asks after saving settings). */
  realtimeStartCount = 0;

  /** Every stored text, oldest first. */
  allSms(): SmsMessage[] {
    return [...this.sms.values()].sort(compareSms).map(smsDto);
  }

  /** The project owns `number` (no purchase, no billing); returns its SID. */
  addOwnedNumber(number: string): string {
    const e164 = this.e164OrThrow(number);
    const n: StoredNumber = { sid: this.newNumberSid(), phoneNumber: e164, friendlyName: e164, voiceUrl: null, smsUrl: null };
    this.owned.push(n);
    return n.sid;
  }

  /** A conflict appears (as a sync cycle that met one would store it). */
  addSyncConflict(input: SyncConflictInput): SyncConflict {
    const conflict: SyncConflict = {
      id: `conflict-${this.nextConflictId++}`,
      leadId: input.leadId,
      leadName: null,
      field: input.field,
      yourValue: input.yourValue,
      serverValue: input.serverValue,
      createdAt: input.createdAt ?? this.stamp(),
    };
    this.conflicts.push(conflict);
    return { ...conflict, leadName: this.leads.get(conflict.leadId)?.name ?? null };
  }

  /** An issue is recorded (a change the backend refused, or a backend row stored only in part). */
  addSyncIssue(input: SyncIssueInput): SyncIssue {
    const issue: SyncIssue = {
      id: this.nextIssueId++,
      kind: input.kind,
      table: input.table ?? "leads",
      rowId: input.rowId,
      message: input.message,
      createdAt: input.createdAt ?? this.stamp(),
    };
    this.issues.push(issue);
    return { ...issue };
  }

  /** Leads a colleague added on the backend: the next sync cycle pulls them. */
  addRemoteLeads(inputs: LeadInput[]): void {
    this.remoteLeads.push(...inputs);
  }

  /** Changes the sync status (counts: `pending` sets the local changes) and notifies onSync subscribers. */
  setSyncStatus(status: Partial<SyncStatus>): void {
    const { pending, conflicts: _c, issues: _i, ...state } = status;
    if (pending !== undefined) this.outbox = pending;
    this.syncState = { ...this.syncState, ...state };
    this.notifySync(false);
  }

  /** Sends a notice to every onSync subscriber as is (what the Rust side's sync service does). */
  emitSync(notice: SyncNotice): void {
    for (const cb of [...this.syncListeners]) cb(JSON.parse(JSON.stringify(notice)) as SyncNotice);
  }

  /** Simulates the team backend being unreachable (true) or back (false); the next cycle tells. */
  setSyncOffline(offline: boolean): void {
    this.syncOffline = offline;
  }

  /** How many times syncNow() was called. */
  syncNowCount = 0;

  /** Logs a call (as the call service does when one ends); see CallInput. */
  addCall(input: CallInput): CallHistoryItem {
    const contact = this.e164OrThrow(input.contact);
    const startedAt = input.startedAt ? new Date(input.startedAt).toISOString() : new Date().toISOString();
    const duration = input.durationSeconds ?? null;
    const ended = input.ended ?? true;
    const direction = input.direction ?? "outbound";
    const answered = input.answered ?? (ended && (duration ?? 0) > 0);
    const status =
      input.status !== undefined
        ? input.status
        : !ended
          ? direction === "inbound" ? "ringing" : "dialing"
          : answered ? "completed" : direction === "inbound" ? "missed" : "canceled";
    const call: StoredCall = {
      id: `call-${String(this.nextCallId++).padStart(8, "0")}`,
      leadId: input.leadId !== undefined ? input.leadId : this.leadForNumber(contact)?.id ?? null,
      contactNumber: contact,
      direction,
      route: input.route ?? "softphone",
      startedAt,
      endedAt: ended ? new Date(Date.parse(startedAt) + (duration ?? 0) * 1000).toISOString() : null,
      durationSeconds: duration,
      disposition: null,
      status,
      endReason: input.endReason ?? null,
      answered,
    };
    this.calls.set(call.id, call);
    for (const r of input.recordings ?? []) this.addRecording(call.id, r);
    if (input.disposition !== undefined) {
      const d = this.storeDisposition(call, {
        type: input.disposition,
        notes: input.notes ?? null,
        nextAction: input.nextAction ?? null,
        followUpDate: input.followUpAt ? new Date(input.followUpAt).toISOString() : null,
      });
      const state = this.followUpStates.get(d.id);
      if (state && input.followUpStatus) {
        state.status = input.followUpStatus;
        if (input.followUpStatus === "snoozed") state.snoozedUntil = input.snoozedUntil ? new Date(input.snoozedUntil).toISOString() : null;
        if (input.followUpStatus === "done") state.completedAt = new Date().toISOString();
      }
    }
    return this.historyItem(call);
  }

  /** Every logged call, newest first, as the history shows it. */
  allCalls(): CallHistoryItem[] {
    return [...this.calls.values()].sort(compareCallsNewestFirst).map((c) => this.historyItem(c));
  }

  /** Stores a recording of a logged call (as a pull from SignalWire would). */
  addRecording(callLogId: string, input: RecordingInput = {}): CallRecordingInfo {
    const call = this.calls.get(callLogId);
    if (!call) throw new Error(`addRecording: no call ${callLogId}`);
    const stored: StoredRecording = {
      id: `rec-${String(this.nextRecordingId++).padStart(8, "0")}`,
      callLogId,
      providerSid: `RE${String(this.nextRecordingId).padStart(32, "0")}`,
      durationSeconds: input.durationSeconds !== undefined ? input.durationSeconds : call.durationSeconds,
      transcription: input.transcription ?? null,
      createdAt: input.createdAt ? new Date(input.createdAt).toISOString() : call.endedAt ?? call.startedAt,
      cached: input.cached ?? false,
    };
    this.recordings.set(stored.id, stored);
    return recordingDto(stored);
  }

  /** A recording appears at the simulated SignalWire project (syncRecordings pulls it). */
  addRemoteRecording(input: RemoteRecordingInput): void {
    this.remoteRecordings.push({ ...input, createdAt: input.createdAt ? new Date(input.createdAt).toISOString() : undefined });
  }

  /** Every stored recording, oldest first. */
  allRecordings(): CallRecordingInfo[] {
    return [...this.recordings.values()].map(recordingDto);
  }

  // ---- Backend --------------------------------------------------------------------------------

  async appInfo(): Promise<AppInfo> {
    if (this.options.appInfoError) throw BackendError.from(this.options.appInfoError);
    return {
      version: "0.1.0 (demo data)",
      dbPath: "(in memory)",
      leadCount: this.leads.size,
      dialDisabledReason:
        this.options.dialDisabledReason !== undefined
          ? this.options.dialDisabledReason
          : this.sipConfigured()
            ? null
            : DEFAULT_DIAL_DISABLED_REASON,
    };
  }

  async listLeads(query: LeadQuery): Promise<LeadPage> {
    if (!Number.isInteger(query.offset) || query.offset < 0) throw invalid("offset must be a non-negative integer");
    if (!Number.isInteger(query.limit) || query.limit < 0 || query.limit > MAX_LIMIT) {
      throw invalid(`limit must be between 0 and ${MAX_LIMIT}`);
    }
    if (query.listId !== null && !this.lists.has(query.listId)) throw new BackendError("notFound", "That list no longer exists.");
    const ids = this.matchingIds(query);
    const rows = ids.slice(query.offset, query.offset + query.limit).map((id) => toSummary(this.leads.get(id)!));
    return { rows, total: ids.length, offset: query.offset };
  }

  async getLead(id: string): Promise<Lead> {
    return this.copy(this.requireLead(id));
  }

  async updateLead(id: string, patch: LeadPatch): Promise<Lead> {
    const next = this.patched(this.requireLead(id), patch);
    this.leads.set(id, next);
    this.touch();
    this.localChanges(1);
    return this.copy(next);
  }

  async createLead(fields: LeadPatch): Promise<Lead> {
    if (fields.name === null || fields.name.trim() === "") throw invalid(NAME_REQUIRED);
    const now = new Date().toISOString();
    const blank: Lead = {
      id: "",
      name: "",
      email: null,
      phone: null,
      phoneE164: null,
      phoneDisplay: null,
      company: null,
      position: null,
      status: "new",
      value: null,
      source: null,
      notes: null,
      timezone: null,
      lastContact: null,
      createdAt: now,
      updatedAt: now,
      listIds: [],
    };
    // Everything is validated before anything is stored.
    const lead = { ...this.patched(blank, fields), id: `lead-${String(this.nextLeadId++).padStart(6, "0")}`, updatedAt: now };
    this.leads.set(lead.id, lead);
    this.touch();
    this.localChanges(1);
    // Texts already exchanged with this number now belong to the lead (the Rust store's
    // link_lead: only those no lead had).
    if (lead.phoneE164 !== null) {
      for (const m of this.sms.values()) {
        if (m.contactNumber === lead.phoneE164 && m.leadId === null) m.leadId = lead.id;
      }
    }
    return this.copy(lead);
  }

  /** `lead` with the patch applied; rejects with invalidInput (changing nothing) when a field is invalid. */
  private patched(lead: Lead, patch: LeadPatch): Lead {
    const next: Lead = { ...lead, listIds: [...lead.listIds] };
    if (patch.name !== null) {
      const name = patch.name.trim();
      if (name === "") throw invalid(NAME_REQUIRED);
      next.name = name;
    }
    if (patch.email !== null) {
      const email = patch.email.trim();
      if (email !== "" && !/^[^@\s]+@[^@\s]+$/.test(email)) throw invalid(`"${email}" is not an email address.`);
      next.email = email === "" ? null : email;
    }
    if (patch.phone !== null) {
      const phone = patch.phone.trim();
      if (phone === "") {
        next.phone = null;
        next.phoneE164 = null;
        next.phoneDisplay = null;
      } else {
        const norm = normalizePhone(phone, this.settings.defaultRegion);
        if (!norm.ok) throw invalid(`"${phone}" is not a phone number: ${norm.problem}.`);
        next.phone = phone;
        next.phoneE164 = norm.e164;
        next.phoneDisplay = displayPhone(norm.e164);
      }
    }
    if (patch.value !== null) {
      const value = parseValue(patch.value);
      if (value === "invalid") throw invalid(`"${patch.value.trim()}" is not a number.`);
      next.value = value;
    }
    if (patch.status !== null) {
      const status = patch.status.trim();
      if (status === "") throw invalid("Status must not be empty.");
      next.status = status;
    }
    for (const key of ["company", "position", "source", "timezone"] as const) {
      const v = patch[key];
      if (v !== null) next[key] = nullIfEmpty(v);
    }
    if (patch.notes !== null) next.notes = patch.notes === "" ? null : patch.notes;
    next.updatedAt = new Date().toISOString();
    return next;
  }

  async listLists(): Promise<LeadList[]> {
    return [...this.lists.values()]
      .map((l) => ({ id: l.id, name: l.name, description: l.description, memberCount: l.members.size }))
      .sort((a, b) => collator.compare(a.name, b.name));
  }

  async createList(name: string, description: string | null): Promise<LeadList> {
    const list = this.createListNow(name, description);
    return { id: list.id, name: list.name, description: list.description, memberCount: 0 };
  }

  /** The shell's dialog: the file pickCsvResult names (by default the first CSV in `files`), previewed. */
  async chooseImportFile(): Promise<ImportPreview | null> {
    const path = this.pickCsvFile();
    return path === null ? null : this.previewImport(path);
  }

  async previewImport(path: string): Promise<ImportPreview> {
    const { text, size } = this.readFile(path);
    const records = parseCsv(text);
    if (records.length === 0 || records[0].fields.every((f) => f.trim() === "")) {
      throw new BackendError("csv", `"${path}" is empty: expected a header row and at least one lead.`);
    }
    const headers = records[0].fields.map((h) => h.trim());
    return {
      path,
      fileSize: size,
      headers,
      mapping: autoMap(headers),
      sampleRows: records.slice(1, 6).map((r) => headers.map((_, i) => r.fields[i] ?? "")),
    };
  }

  async importLeads(request: ImportRequest): Promise<ImportReport> {
    if (this.importRunning) throw invalid("An import is already running.");
    const { text, size } = this.readFile(request.path);
    const records = parseCsv(text);
    if (records.length === 0) throw new BackendError("csv", `"${request.path}" is empty.`);
    const headers = records[0].fields;
    if (request.mapping.length !== headers.length) {
      throw invalid(`The mapping has ${request.mapping.length} entries but the file has ${headers.length} columns.`);
    }
    const column = new Map<LeadField, number>();
    request.mapping.forEach((field, i) => {
      if (field === null) return;
      if (column.has(field)) throw invalid(`Two columns are mapped to ${field}; map each field at most once.`);
      column.set(field, i);
    });
    if (!column.has("phone") && !column.has("email")) {
      throw invalid("Map a column to Phone or Email: every lead needs at least one of them.");
    }
    const target = request.target;
    if (target.kind === "newList") {
      this.checkNewListName(target.name);
    } else if (target.kind === "existingList" && !this.lists.has(target.listId)) {
      throw new BackendError("notFound", "The chosen list no longer exists.");
    }

    this.importRunning = true;
    this.cancelRequested = false;
    try {
      return await this.runImport(records, column, size, text.length, request);
    } finally {
      this.importRunning = false;
      this.cancelRequested = false;
    }
  }

  async cancelImport(): Promise<null> {
    if (this.importRunning) this.cancelRequested = true;
    return null;
  }

  async exportLeads(fileName: string, listId: string | null): Promise<ExportReport | null> {
    const path = this.pickSavePath(fileName);
    if (path === null) return null;
    if (listId !== null && !this.lists.has(listId)) throw new BackendError("notFound", "That list no longer exists.");
    const ids = this.matchingIds({ search: null, listId, sort: { field: "name", descending: false }, offset: 0, limit: 0 });
    const rows: string[][] = [["Name", "Email", "Phone", "Company", "Position", "Status", "Value", "Source", "Notes", "Timezone", "Last contact"]];
    for (const id of ids) {
      const l = this.leads.get(id)!;
      rows.push([
        l.name,
        l.email ?? "",
        l.phoneE164 ?? l.phone ?? "",
        l.company ?? "",
        l.position ?? "",
        l.status,
        l.value === null ? "" : String(l.value),
        l.source ?? "",
        l.notes ?? "",
        l.timezone ?? "",
        l.lastContact ?? "",
      ]);
    }
    this.files.set(path, toCsv(rows));
    return { path, rows: ids.length };
  }

  async getSettings(): Promise<Settings> {
    return this.currentSettings();
  }

  async updateSettings(update: SettingsUpdate): Promise<Settings> {
    const next = { ...this.settings };
    if (update.defaultRegion !== null) {
      if (!REGIONS.some((r) => r.code === update.defaultRegion)) throw invalid(`Unknown region "${update.defaultRegion}".`);
      next.defaultRegion = update.defaultRegion;
    }
    if (update.sipTransport !== null) {
      if (!["udp", "tcp", "tls"].includes(update.sipTransport)) throw invalid(`Unknown SIP transport "${update.sipTransport}".`);
      next.sipTransport = update.sipTransport;
    }
    if (update.backendUrl !== null) {
      const url = update.backendUrl.trim();
      const problem = url === "" ? null : backendUrlProblem(url);
      if (problem) throw invalid(problem);
      next.backendUrl = url;
    }
    if (update.signalwireSpace !== null) next.signalwireSpace = update.signalwireSpace.trim();
    if (update.signalwireProjectId !== null) next.signalwireProjectId = update.signalwireProjectId.trim();
    if (update.sipRegistrar !== null) next.sipRegistrar = update.sipRegistrar.trim();
    if (update.sipUsername !== null) next.sipUsername = update.sipUsername.trim();
    // The calling settings (settings.rs): numbers stored as E.164 in the region being saved,
    // the agent's phone may be a sip: address, empty clears; device names are checked loosely.
    if (update.defaultRoute !== null) {
      if (update.defaultRoute !== "softphone" && update.defaultRoute !== "bridge") throw invalid(`Unknown call route "${update.defaultRoute}".`);
      next.defaultRoute = update.defaultRoute;
    }
    if (update.callerId !== null) next.callerId = phoneSetting("Caller ID", update.callerId, next.defaultRegion, false);
    if (update.agentPhone !== null) next.agentPhone = phoneSetting("Your phone", update.agentPhone, next.defaultRegion, true);
    for (const [field, key] of [["Microphone", "audioInput"], ["Speaker", "audioOutput"]] as const) {
      const name = update[key];
      if (name === null) continue;
      const t = name.trim();
      if (byteLength(t) > 256 || /[\u0000-\u001f\u007f]/.test(t)) throw invalid(`${field} ${JSON.stringify(t)} is not a device name.`);
      next[key] = t;
    }
    if (update.linksAutoDial !== null) next.linksAutoDial = update.linksAutoDial;
    this.settings = next;
    this.resetSync();
    return this.currentSettings();
  }

  async setSecret(kind: SecretKind, value: string): Promise<Settings> {
    if (value.trim() === "") throw invalid("The secret is empty.");
    if (kind === "backendSession") throw invalid("The backend session comes from signing in, not from a value.");
    // The value itself is dropped on purpose: like the OS keychain, nothing ever reads it back.
    this.secretsSet.add(kind);
    this.resetSync();
    return this.currentSettings();
  }

  async clearSecret(kind: SecretKind): Promise<Settings> {
    this.secretsSet.delete(kind);
    this.resetSync();
    return this.currentSettings();
  }

  async listRegions(): Promise<Region[]> {
    return REGIONS.map((r) => ({ ...r }));
  }

  /** How many times the UI reported its first interactive paint (tests check it is once). */
  uiReadyCount = 0;

  async uiReady(): Promise<null> {
    this.uiReadyCount++;
    return null;
  }

  async lookupNumber(input: string): Promise<NumberLookup> {
    if (input.trim() === "") return { e164: null, display: null, error: null, lead: null };
    const norm = normalizePhone(input, this.settings.defaultRegion);
    if (!norm.ok) {
      return { e164: null, display: null, error: `Not a dialable number: ${norm.problem}.`, lead: null };
    }
    let lead: LeadSummary | null = null;
    for (const l of this.leads.values()) {
      if (l.phoneE164 === norm.e164) {
        lead = toSummary(l);
        break;
      }
    }
    return { e164: norm.e164, display: displayPhone(norm.e164), error: null, lead };
  }

  /** Mirrors App::open_link: tel: or ringdesk://dial?to=&leadId=&name=; never dials. */
  async openLink(link: string): Promise<LinkTarget> {
    const text = link.trim();
    let number: string;
    let leadId: string | null = null;
    let name: string | null = null;
    if (/^tel:/i.test(text)) {
      number = text.slice(4).split(";")[0];
      if (number === "") throw invalid("The tel: link is malformed: it has no number.");
    } else if (/^ringdesk:/i.test(text)) {
      const url = new URL(text);
      const action = (url.host || url.pathname.replace(/^\/+|\/+$/g, "")).toLowerCase();
      if (action !== "dial") throw invalid(`Ringdesk:// links can only dial (ringdesk://dial?to=...), not ${JSON.stringify(action)}.`);
      number = (url.searchParams.get("to") ?? "").trim();
      if (number === "") throw invalid('The link has no number to call (its "to" parameter is missing or empty).');
      leadId = url.searchParams.get("leadId");
      name = url.searchParams.get("name");
    } else {
      throw invalid(`${JSON.stringify(text.slice(0, 60))} is not a link Ringdesk opens (tel: or ringdesk://dial).`);
    }
    const norm = normalizePhone(number, this.settings.defaultRegion);
    if (!norm.ok) throw invalid(`The link's number ${JSON.stringify(number)}: ${norm.problem}.`);
    let lead: LeadSummary | null = null;
    const byId = leadId ? this.leads.get(leadId.toLowerCase()) : undefined;
    if (byId) lead = toSummary(byId);
    else {
      for (const l of this.leads.values()) {
        if (l.phoneE164 === norm.e164) {
          lead = toSummary(l);
          break;
        }
      }
    }
    return { e164: norm.e164, display: displayPhone(norm.e164), lead, name, autoDial: false, countdownSeconds: 0, held: null };
  }

  // ---- texts -------------------------------------------------------------------------------------
  //
  // Mirrors crates/app (send_sms, sync_sms, …) against the behaviour of the SignalWire emulator
  // in crates/testkit: a text is stored before it is sent; SignalWire takes it as "queued"; a To
  // ending in 0001 is refused with error 21211 and a From the project does not own with 21606
  // (the text is kept as "failed" with the error); while offline (smsOffline / setSmsOffline) it
  // stays "sending" and the next syncSms that reaches SignalWire sends it. syncSms also moves
  // queued/sent texts to "delivered" and stores the texts receiveSms() queued, each once.

  async smsSegments(body: string): Promise<SmsSegments> {
    return countSegments(body);
  }

  async sendSms(request: SendSms): Promise<SmsMessage> {
    const problem = smsBodyProblem(request.body);
    if (problem) throw invalid(problem);
    const to = normalizePhone(request.to.trim(), this.settings.defaultRegion);
    if (!to.ok) throw invalid(`To ${JSON.stringify(request.to)}: ${to.problem}.`);
    this.requireSignalwire();
    const from = this.chooseFrom(to.e164, request.from);
    const m: StoredSms = {
      id: this.newSmsId(),
      leadId: this.leadForNumber(to.e164)?.id ?? null,
      contactNumber: to.e164,
      ourNumber: from,
      direction: "outbound",
      body: request.body,
      status: null,
      sid: null,
      errorCode: null,
      errorMessage: null,
      createdAt: this.stamp(),
      readAt: null,
    };
    this.sms.set(m.id, m);
    return this.sendStored(m);
  }

  async smsThreads(search: string | null): Promise<SmsThread[]> {
    const trimmed = (search ?? "").trim();
    const pattern = trimmed === "" ? null : trimmed.replace(/[%_]/g, "").toLowerCase();
    const byContact = new Map<string, StoredSms[]>();
    for (const m of this.sms.values()) {
      const list = byContact.get(m.contactNumber);
      if (list) list.push(m);
      else byContact.set(m.contactNumber, [m]);
    }
    const threads: SmsThread[] = [];
    for (const [contact, messages] of byContact) {
      const last = messages.reduce((a, b) => (compareSms(a, b) >= 0 ? a : b));
      const lead = (last.leadId !== null ? this.leads.get(last.leadId) : undefined) ?? this.leadForNumber(contact);
      if (
        pattern !== null &&
        !contact.toLowerCase().includes(pattern) &&
        !(lead?.name.toLowerCase().includes(pattern) ?? false) &&
        !messages.some((m) => m.body.toLowerCase().includes(pattern))
      ) {
        continue;
      }
      threads.push({
        contactNumber: contact,
        contactDisplay: displayPhone(contact),
        leadId: last.leadId,
        leadName: lead?.name ?? null,
        lastBody: last.body,
        lastDirection: last.direction,
        lastAt: last.createdAt,
        unread: messages.filter((m) => m.direction === "inbound" && m.readAt === null).length,
        total: messages.length,
      });
    }
    threads.sort((a, b) => (a.lastAt === b.lastAt ? a.contactNumber.localeCompare(b.contactNumber) : a.lastAt < b.lastAt ? 1 : -1));
    return threads.slice(0, 500);
  }

  async smsThread(contact: string, beforeCreatedAt: string | null, beforeId: string | null, limit: number): Promise<SmsThreadPage> {
    const n = Math.min(1000, Math.max(1, Math.floor(limit)));
    const cursor = beforeCreatedAt !== null && beforeId !== null ? { createdAt: beforeCreatedAt, id: beforeId } : null;
    const newestFirst = [...this.sms.values()]
      .filter((m) => m.contactNumber === contact && (cursor === null || compareSms(m, cursor) < 0))
      .sort((a, b) => compareSms(b, a))
      .slice(0, n + 1);
    const hasMore = newestFirst.length > n;
    const page = newestFirst.slice(0, n).reverse();
    return { contactNumber: contact, messages: page.map(smsDto), hasMore };
  }

  async markSmsRead(contact: string): Promise<number> {
    const now = this.stamp();
    let count = 0;
    for (const m of this.sms.values()) {
      if (m.contactNumber === contact && m.direction === "inbound" && m.readAt === null) {
        m.readAt = now;
        count++;
      }
    }
    return count;
  }

  async smsUnreadCount(): Promise<number> {
    let count = 0;
    for (const m of this.sms.values()) if (m.direction === "inbound" && m.readAt === null) count++;
    return count;
  }

  async syncSms(): Promise<SmsSyncReport> {
    this.requireSignalwire();
    if (this.smsOffline) throw unreachable();
    return this.settle();
  }

  async startRealtime(): Promise<null> {
    this.realtimeStartCount++;
    // Like the shell: the old connection is dropped first, then the new one needs the settings.
    this.realtimeOn = false;
    this.requireSignalwire();
    this.realtimeOn = true;
    this.connectRealtime();
    return null;
  }

  async realtimeStatus(): Promise<RealtimeNotice | null> {
    return this.lastConnection;
  }

  async onRealtime(cb: (notice: RealtimeNotice) => void): Promise<() => void> {
    this.realtimeListeners.add(cb);
    return () => {
      this.realtimeListeners.delete(cb);
    };
  }

  /** One round with SignalWire (syncSms, and the catch-up after every realtime connect). */
  private settle(): SmsSyncReport {
    const report: SmsSyncReport = { received: [], updated: 0, confirmed: 0, resent: 0, failed: 0 };
    const unsettled = [...this.sms.values()]
      .filter((m) => m.direction === "outbound" && (m.status === null || m.status === "sending" || OPEN_STATUSES.has(m.status)))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, 200);
    for (const m of unsettled) {
      if (m.sid !== null) {
        m.status = "delivered";
        report.updated++;
      } else {
        // Never reached SignalWire (the simulated outage), so it is not found there: sent now.
        // A refusal is stored on the text as failed and counted; the others go on.
        try {
          const sent = this.sendStored(m);
          if (sent.status !== "sending") report.resent++;
        } catch {
          report.failed++;
        }
      }
    }
    for (const inbound of this.providerInbox) report.received.push(this.storeInbound(inbound));
    this.providerInbox = [];
    return report;
  }

  /** Stores a text that arrived at SignalWire, linked to the lead with that number. */
  private storeInbound(inbound: { sid: string; from: string; to: string; body: string; at: string }): SmsMessage {
    const m: StoredSms = {
      id: this.newSmsId(),
      leadId: this.leadForNumber(inbound.from)?.id ?? null,
      contactNumber: inbound.from,
      ourNumber: inbound.to,
      direction: "inbound",
      body: inbound.body,
      status: "received",
      sid: inbound.sid,
      errorCode: null,
      errorMessage: null,
      createdAt: inbound.at,
      readAt: null,
    };
    this.sms.set(m.id, m);
    return smsDto(m);
  }

  /** The live connection (re)connects: a catch-up round, then the notices the Rust worker sends. */
  private connectRealtime() {
    if (this.smsOffline) {
      this.emitRealtime({ kind: "connection", online: false, detail: REALTIME_UNREACHABLE });
      return;
    }
    const report = this.settle();
    this.emitRealtime({ kind: "connection", online: true, detail: "connected" });
    if (report.updated + report.confirmed + report.resent + report.failed > 0) this.emitRealtime({ kind: "smsChanged" });
    this.noticeReceived(report.received);
  }

  private noticeReceived(messages: SmsMessage[]) {
    for (const message of messages) {
      const leadName = message.leadId !== null ? this.leads.get(message.leadId)?.name ?? null : null;
      this.emitRealtime({ kind: "smsReceived", message, leadName });
    }
  }

  // ---- phone numbers (the emulator's rules: ten numbers for sale per area code) ---------------

  async searchNumbers(query: NumberQuery): Promise<NumberOffer[]> {
    const given = (v: string | null) => (v !== null && v.trim() !== "" ? v : null);
    const areaCode = given(query.areaCode);
    const contains = given(query.contains);
    const region = given(query.region);
    const locality = given(query.locality);
    this.requireSignalwire();
    const country = (query.country ?? this.settings.defaultRegion).trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) throw invalidForProvider(`${JSON.stringify(query.country)} is not a two-letter country code.`);
    if (locality !== null && region === null) throw invalidForProvider("A city search needs the state or region too.");
    if (areaCode !== null && !/^\d{3}$/.test(areaCode)) throw invalidForProvider(`Area code ${JSON.stringify(areaCode)} must be three digits.`);
    if (this.smsOffline) throw unreachable();
    if (country !== "US" && country !== "CA") return [];

    let areas: string[];
    if (query.tollFree) areas = [TOLL_FREE_AREA_CODE];
    else if (areaCode !== null) areas = [areaCode];
    else if (region !== null) {
      areas = Object.keys(AREA_CODES).filter((a) => AREA_CODES[a].region.toLowerCase() === region.trim().toLowerCase());
    } else areas = [DEFAULT_AREA_CODE];
    const owned = new Set(this.owned.map((n) => n.phoneNumber));
    return areas
      .flatMap((a) => forSale(a))
      .filter((o) => !owned.has(o.phoneNumber))
      .filter((o) => contains === null || o.phoneNumber.includes(contains.trim()))
      .filter((o) => region === null || (o.region ?? "").toLowerCase() === region.trim().toLowerCase())
      .filter((o) => locality === null || (o.locality ?? "").toLowerCase() === locality.trim().toLowerCase());
  }

  async buyNumber(phoneNumber: string): Promise<OwnedNumberInfo> {
    const norm = normalizePhone(phoneNumber, this.settings.defaultRegion);
    if (!norm.ok) throw invalid(`${JSON.stringify(phoneNumber)}: ${norm.problem}.`);
    this.requireSignalwire();
    if (this.smsOffline) throw unreachable();
    const e164 = norm.e164;
    const forSaleNow = e164.startsWith("+1") && forSale(e164.slice(2, 5)).some((o) => o.phoneNumber === e164);
    if (!forSaleNow || this.owned.some((n) => n.phoneNumber === e164)) {
      throw refused(400, 21422, `PhoneNumber ${e164} is not available`, "Check the values you entered.");
    }
    const n: StoredNumber = { sid: this.newNumberSid(), phoneNumber: e164, friendlyName: e164, voiceUrl: null, smsUrl: null };
    this.owned.push(n);
    return numberDto(n);
  }

  async listNumbers(): Promise<OwnedNumberInfo[]> {
    this.requireSignalwire();
    if (this.smsOffline) throw unreachable();
    return this.owned.map(numberDto);
  }

  async routeNumber(sid: string, update: NumberRoutingUpdate): Promise<OwnedNumberInfo> {
    this.requireSignalwire();
    checkSid(sid);
    if (update.friendlyName === null && update.voiceUrl === null && update.smsUrl === null) {
      throw invalidForProvider("Nothing to change.");
    }
    if (this.smsOffline) throw unreachable();
    const n = this.requireOwned(sid);
    if (update.friendlyName !== null) n.friendlyName = update.friendlyName;
    if (update.voiceUrl !== null) n.voiceUrl = update.voiceUrl;
    if (update.smsUrl !== null) n.smsUrl = update.smsUrl;
    return numberDto(n);
  }

  async routeNumberToRingdesk(phoneNumber: string): Promise<NumberHandling> {
    this.requireSignalwire();
    const norm = normalizePhone(phoneNumber, this.settings.defaultRegion);
    if (!norm.ok) throw new BackendError("invalidInput", `"${phoneNumber}": ${norm.problem}.`);
    const e164 = norm.e164;
    if (this.smsOffline) throw unreachable();
    const n = this.owned.find((o) => o.phoneNumber === e164);
    if (!n) throw new BackendError("invalidInput", `${e164} is not one of the project's numbers.`);
    // Calls go to the softphone only when this desktop has a SIP account (a SignalWire endpoint).
    const calls = this.settings.sipUsername !== "";
    n.toRingdesk = { calls };
    return {
      phoneNumber: e164,
      textsToRingdesk: true,
      callsToSoftphone: calls,
      callHandler: calls ? "relay_sip_endpoint" : "laml_webhooks",
    };
  }

  async provisionSipLine(request: ProvisionSipLine): Promise<Settings> {
    const username = request.username.trim();
    if (username === "" || username.length > 64 || /[\s@:]/.test(username)) {
      throw new BackendError("invalidInput", `SIP username "${username}" must be 1 to 64 characters without spaces, '@' or ':'.`);
    }
    this.requireSignalwire();
    if (this.smsOffline) throw unreachable();
    if (this.sipEndpoints.has(username)) {
      throw new BackendError("provider", "SignalWire refused the request (422): Username has already been taken Check the values you entered.");
    }
    this.sipEndpoints.set(username, { sendAs: nullIfEmpty(request.sendAs) });
    // Like the app: the project's SIP domain over TLS, the generated password in the keychain.
    this.settings = { ...this.settings, sipRegistrar: "example-112233445566.sip.signalwire.com:5061", sipUsername: username, sipTransport: "tls" };
    this.secretsSet.add("sipPassword");
    return this.currentSettings();
  }

  async applySoftphoneCallerId(): Promise<SoftphoneCallerId> {
    this.requireSignalwire();
    const username = this.settings.sipUsername.trim();
    if (username === "") {
      throw new BackendError("notConfigured", "No SIP line yet: enter the SIP username in Settings → SIP account.");
    }
    if (this.smsOffline) throw unreachable();
    const endpoint = this.sipEndpoints.get(username);
    if (!endpoint) {
      throw new BackendError(
        "notFound",
        `Your SIP line "${username}" is not one of your SignalWire project's SIP endpoints, so your SIP provider sets the caller ID of softphone calls.`,
      );
    }
    endpoint.sendAs = nullIfEmpty(this.settings.callerId);
    return { endpointUsername: username, sendAs: endpoint.sendAs };
  }

  async releaseNumber(sid: string): Promise<null> {
    this.requireSignalwire();
    checkSid(sid);
    if (this.smsOffline) throw unreachable();
    const n = this.requireOwned(sid);
    this.owned = this.owned.filter((o) => o !== n);
    return null;
  }

  // ---- call recordings -------------------------------------------------------------------------
  //
  // Mirrors crates/app/src/recordings.rs: recordings are stored per logged call (addRecording, or
  // CallInput.recordings); the simulated SignalWire project holds more (remoteRecordings /
  // addRemoteRecording) that syncRecordings and syncCallRecordings pull: those of calls logged
  // here are stored, the others only counted. fetchRecording "downloads" a recording into the
  // cache: its path is /cache/recordings/<id>.wav and it counts as cached afterwards. Every
  // SignalWire command needs SignalWire set up; offline (setSmsOffline) it cannot be reached.

  async callRecordings(callLogId: string): Promise<CallRecordingInfo[]> {
    return [...this.recordings.values()]
      .filter((r) => r.callLogId === callLogId)
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : 1))
      .map(recordingDto);
  }

  async syncCallRecordings(callLogId: string): Promise<CallRecordingInfo[]> {
    this.requireSignalwire();
    if (!this.calls.has(callLogId)) throw new BackendError("notFound", `call ${callLogId} was not found`);
    const remote = this.remoteRecordings.filter((r) => r.callLogId === callLogId);
    if (remote.length === 0 && ![...this.recordings.values()].some((r) => r.callLogId === callLogId)) {
      throw new BackendError("notFound", "This call did not go through SignalWire, so it has no recordings there.");
    }
    if (this.smsOffline) throw unreachable();
    for (const r of remote) {
      if (this.pulledRemote.has(r)) continue;
      this.addRecording(callLogId, r);
      this.pulledRemote.add(r);
    }
    return this.callRecordings(callLogId);
  }

  async fetchRecording(id: string): Promise<RecordingFile> {
    this.requireSignalwire();
    const rec = this.recordings.get(id);
    if (!rec) throw new BackendError("notFound", `recording ${id} was not found`);
    if (!rec.cached && this.smsOffline) throw unreachable();
    rec.cached = true;
    // A WAV of the recording's length (8 kHz, 8-bit mono: 8000 bytes a second, plus the header).
    return { path: `/cache/recordings/${rec.id}.wav`, bytes: 44 + 8000 * Math.max(1, Math.round(rec.durationSeconds ?? 1)) };
  }

  async recordingsLibrary(query: RecordingQuery): Promise<RecordingGroup[]> {
    const time = (field: string, v: string | null) => {
      const t = (v ?? "").trim();
      if (t === "") return null;
      const ms = RFC3339.test(t) ? Date.parse(t.toUpperCase().replace(" ", "T")) : NaN;
      if (Number.isNaN(ms)) throw invalid(`${field} ${JSON.stringify(v)} is not a date and time (RFC 3339).`);
      return new Date(ms).toISOString();
    };
    const from = time("From", query.from);
    const to = time("To", query.to);
    const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 200)));
    const text = (query.text ?? "").trim();
    const callMatch = text === "" ? null : this.historyTextFilter(text);
    const needle = text.toLowerCase();
    const rows = [...this.recordings.values()]
      .map((r) => ({ r, c: this.calls.get(r.callLogId)! }))
      .filter(
        ({ r, c }) =>
          (from === null || c.startedAt >= from) &&
          (to === null || c.startedAt < to) &&
          (text === "" || (r.transcription ?? "").toLowerCase().includes(needle) || (callMatch !== null && callMatch(c))),
      )
      .sort((a, b) => {
        if (a.c.startedAt !== b.c.startedAt) return a.c.startedAt < b.c.startedAt ? 1 : -1;
        if (a.r.createdAt !== b.r.createdAt) return a.r.createdAt < b.r.createdAt ? 1 : -1;
        return a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0;
      })
      .slice(0, limit);
    const groups: RecordingGroup[] = [];
    const index = new Map<string, RecordingGroup>();
    for (const { r, c } of rows) {
      const key = c.leadId ?? c.contactNumber;
      let group = index.get(key);
      if (!group) {
        const lead = c.leadId !== null ? this.leads.get(c.leadId) : undefined;
        group = { leadId: c.leadId, title: lead?.name ?? displayPhone(c.contactNumber), leadCompany: lead?.company ?? null, contactNumber: c.contactNumber, recordings: [] };
        index.set(key, group);
        groups.push(group);
      }
      const item: RecordingListItem = {
        recording: recordingDto(r),
        direction: c.direction,
        callStartedAt: c.startedAt,
        callDurationSeconds: c.durationSeconds,
        disposition: c.disposition,
      };
      group.recordings.push(item);
    }
    return groups;
  }

  async syncRecordings(days: number): Promise<RecordingSyncReport> {
    this.requireSignalwire();
    if (this.smsOffline) throw unreachable();
    const window = Math.min(90, Math.max(1, Math.floor(days)));
    const since = new Date(Date.now() - window * 86_400_000);
    since.setUTCHours(0, 0, 0, 0);
    const report: RecordingSyncReport = { seen: 0, added: 0, unmatched: 0 };
    for (const r of this.remoteRecordings) {
      const call = r.callLogId !== null ? this.calls.get(r.callLogId) : undefined;
      const at = r.createdAt ?? call?.endedAt ?? call?.startedAt ?? new Date().toISOString();
      if (at < since.toISOString()) continue;
      report.seen++;
      if (!call) {
        report.unmatched++;
        continue;
      }
      if (this.pulledRemote.has(r)) continue;
      this.addRecording(call.id, r);
      this.pulledRemote.add(r);
      report.added++;
    }
    return report;
  }

  // ---- the call workflow (dispositions, follow-ups, history) ----------------------------------
  //
  // Mirrors crates/app/src/workflow.rs and ringdesk_store's calls / followups: the disposition
  // set (validated; an empty set restores the defaults), the disposition step with its rules (an
  // unknown key lists the valid ones; a follow-up time needs a next action; a next action other
  // than markDead needs a time; markDead makes the lead "lost", else the option's status applies),
  // calls of the last 7 days that ended without a disposition, follow-ups due in the next 30 days
  // bucketed overdue / later today (local time) / upcoming, and the history newest first with
  // keyset paging. Every stored change counts as a pending local change for sync, like the outbox.

  async dispositionOptions(): Promise<DispositionOption[]> {
    return (this.dispositionSet ?? DEFAULT_DISPOSITION_OPTIONS).map((o) => ({ ...o }));
  }

  async setDispositionOptions(options: DispositionOption[]): Promise<DispositionOption[]> {
    const seen = new Set<string>();
    for (const o of options) {
      if (!/^[a-z0-9_]{1,40}$/.test(o.key)) {
        throw invalid(`Disposition key ${JSON.stringify(o.key)} must be lowercase letters, digits or _ (at most 40).`);
      }
      if (seen.has(o.key)) throw invalid(`Disposition key ${JSON.stringify(o.key)} appears twice.`);
      seen.add(o.key);
      if (o.label.trim() === "" || byteLength(o.label) > 60) {
        throw invalid(`Disposition ${JSON.stringify(o.key)} needs a label of 1–60 characters.`);
      }
      if (o.leadStatus !== null && !(o.leadStatus !== "" && byteLength(o.leadStatus) <= 64 && /^[\p{L}\p{N} _-]+$/u.test(o.leadStatus))) {
        throw invalid(`Lead status ${JSON.stringify(o.leadStatus)} of disposition ${JSON.stringify(o.key)} is not a status.`);
      }
    }
    this.dispositionSet = options.length === 0 ? null : options.map((o) => ({ key: o.key, label: o.label, leadStatus: o.leadStatus }));
    return this.dispositionOptions();
  }

  async disposeCall(request: DispositionRequest): Promise<CallHistoryItem> {
    const options = await this.dispositionOptions();
    const option = options.find((o) => o.key === request.disposition);
    if (!option) {
      throw invalid(`Unknown disposition ${JSON.stringify(request.disposition)}; use one of ${options.map((o) => o.key).join(", ")}.`);
    }
    const notes = nullIfEmpty(request.notes);
    if (notes !== null && byteLength(notes) > MAX_NOTES) throw invalid(`Notes are limited to ${MAX_NOTES} characters.`);
    const followUp = request.followUpAt !== null ? parseTime("Follow-up time", request.followUpAt) : null;
    if (followUp !== null && request.nextAction === null) throw invalid(FOLLOW_UP_NEEDS_ACTION);
    if (request.nextAction !== null && request.nextAction !== "markDead" && followUp === null) throw invalid(FOLLOW_UP_TIME_REQUIRED);
    const call = this.calls.get(request.callLogId);
    if (!call) throw new BackendError("notFound", `call ${request.callLogId} was not found`);

    this.storeDisposition(call, { type: option.key, notes, nextAction: request.nextAction, followUpDate: followUp });
    let changes = followUp !== null ? 2 : 1;
    const status = request.nextAction === "markDead" ? "lost" : option.leadStatus;
    const lead = call.leadId !== null ? this.leads.get(call.leadId) : undefined;
    if (status !== null && lead) {
      this.leads.set(lead.id, { ...lead, listIds: [...lead.listIds], status, updatedAt: new Date().toISOString() });
      this.touch();
      changes++;
    }
    this.localChanges(changes);
    return this.historyItem(call);
  }

  async callsAwaitingDisposition(): Promise<CallHistoryItem[]> {
    const since = new Date(Date.now() - AWAITING_DAYS * 86_400_000).toISOString();
    return [...this.calls.values()]
      .filter((c) => c.startedAt >= since && c.endedAt !== null && c.disposition === null && !(c.direction === "inbound" && !c.answered))
      .sort(compareCallsNewestFirst)
      .slice(0, 50)
      .map((c) => ({ ...this.historyItem(c), disposition: null, notes: null }));
  }

  async callHistory(filter: HistoryFilter): Promise<CallHistoryItem[]> {
    const matches = this.historyFilter(filter);
    const before = filter.beforeStartedAt !== null && filter.beforeId !== null ? { at: filter.beforeStartedAt, id: filter.beforeId } : null;
    const limit = Math.min(500, Math.max(1, Math.floor(filter.limit)));
    return [...this.calls.values()]
      .filter((c) => matches(c) && (before === null || c.startedAt < before.at || (c.startedAt === before.at && c.id < before.id)))
      .sort(compareCallsNewestFirst)
      .slice(0, limit)
      .map((c) => this.historyItem(c));
  }

  /** Writes every call the filter selects (paging ignored) to `path` as CSV (csv_io::export_history). */
  async exportCallHistory(fileName: string, filter: HistoryFilter): Promise<ExportReport | null> {
    const path = this.pickSavePath(fileName);
    if (path === null) return null;
    const matches = this.historyFilter(filter);
    const rows: string[][] = [["started_at", "direction", "route", "number", "lead", "company", "duration_seconds", "disposition", "notes"]];
    const calls = [...this.calls.values()].filter(matches).sort(compareCallsNewestFirst);
    for (const c of calls) {
      const item = this.historyItem(c);
      rows.push([
        item.startedAt,
        item.direction,
        item.route,
        item.contactNumber,
        item.leadName ?? "",
        item.leadCompany ?? "",
        item.durationSeconds === null ? "" : String(item.durationSeconds),
        item.disposition ?? "",
        item.notes ?? "",
      ]);
    }
    this.files.set(path, toCsv(rows));
    return { path, rows: calls.length };
  }

  /** The calls a history filter selects, without paging (calls::history's WHERE). */
  private historyFilter(filter: HistoryFilter): (c: StoredCall) => boolean {
    const from = filter.from !== null ? parseTime("From", filter.from) : null;
    const to = filter.to !== null ? parseTime("To", filter.to) : null;
    const text = filter.text !== null && filter.text.trim() !== "" ? filter.text : null;
    const textMatch = text !== null ? this.historyTextFilter(text) : null;
    if (text !== null && textMatch === null) return () => false; // nothing searchable in the text
    return (c) => {
      if (from !== null && c.startedAt < from) return false;
      if (to !== null && c.startedAt >= to) return false;
      if (filter.leadId !== null && c.leadId !== filter.leadId) return false;
      if (filter.disposition !== null && c.disposition !== filter.disposition) return false;
      if (filter.leadStatus !== null) {
        const lead = c.leadId !== null ? this.leads.get(c.leadId) : undefined;
        if (lead?.status !== filter.leadStatus) return false;
      }
      if (filter.direction !== null && c.direction !== filter.direction) return false;
      if (filter.route !== null && c.route !== filter.route) return false;
      if (filter.missed && !(c.direction === "inbound" && !c.answered)) return false;
      return textMatch === null || textMatch(c);
    };
  }

  /**
   * calls::text_filter: the lead's words (name, company, email, number digits; every word a prefix
   * of one of them, like leads_fts), the words of the call's disposition notes (every one a
   * prefix), or, for phone-like text of 3+ digits, numbers starting with + and those digits.
   * null when the text has nothing searchable.
   */
  private historyTextFilter(input: string): ((c: StoredCall) => boolean) | null {
    const text = input.trim();
    if (text === "" || text.length > 200) return null;
    const phoneLike = /^[\d\s+\-.()/]*$/.test(text);
    const digits = text.replace(/\D/g, "");
    let leadTerms: string[][];
    if (phoneLike) {
      if (digits === "") return null;
      leadTerms = [[digits]];
    } else {
      leadTerms = text
        .split(/\s+/)
        .map((w) => [...w].filter((ch) => /[\p{L}\p{N}]/u.test(ch) || "@._-'".includes(ch)).join(""))
        .filter((w) => /[\p{L}\p{N}]/u.test(w))
        .map(searchTokens);
      if (leadTerms.length === 0) return null;
    }
    const noteWords = text
      .split(/\s+/)
      .map((w) => [...w].filter((ch) => /[\p{L}\p{N}]/u.test(ch)).join(""))
      .filter((w) => w !== "")
      .map((w) => searchTokens(w).join(""));
    const numberPrefix = phoneLike && digits.length >= 3 ? `+${digits}` : null;
    // A query term's tokens must follow one another in the field (an FTS phrase), each a prefix.
    const phraseIn = (tokens: string[], phrase: string[]) =>
      tokens.some((_, i) => phrase.every((p, j) => i + j < tokens.length && (j === phrase.length - 1 ? tokens[i + j].startsWith(p) : tokens[i + j] === p)));
    return (c) => {
      const lead = c.leadId !== null ? this.leads.get(c.leadId) : undefined;
      if (lead) {
        const fields = [lead.name, lead.company ?? "", lead.email ?? ""].map(searchTokens);
        const phoneDigits = digitsOf(lead.phoneE164 ?? lead.phone);
        const phoneTokens: string[] = [];
        for (let i = 0; i + 3 <= phoneDigits.length; i++) phoneTokens.push(phoneDigits.slice(i));
        fields.push(phoneTokens);
        if (leadTerms.every((term) => (phoneLike ? [phoneTokens] : fields).some((f) => phraseIn(f, term)))) return true;
      }
      if (noteWords.length > 0) {
        for (const d of this.dispositions) {
          if (d.callLogId !== c.id || !d.notes) continue;
          const tokens = searchTokens(d.notes);
          if (noteWords.every((w) => tokens.some((t) => t.startsWith(w)))) return true;
        }
      }
      return numberPrefix !== null && c.contactNumber.startsWith(numberPrefix);
    };
  }

  async followUps(): Promise<FollowUps> {
    const now = new Date();
    const endOfDay = new Date(now);
    endOfDay.setHours(24, 0, 0, 0);
    const nowText = now.toISOString();
    const eod = endOfDay.toISOString();
    const until = new Date(now.getTime() + 30 * 86_400_000).toISOString();
    const out: FollowUps = { overdue: [], today: [], upcoming: [] };
    const pending = [...this.followUpStates.values()]
      .filter((f) => (f.status === "open" || f.status === "snoozed") && (f.snoozedUntil ?? f.dueAt) < until)
      .sort((a, b) => {
        const da = a.snoozedUntil ?? a.dueAt;
        const db = b.snoozedUntil ?? b.dueAt;
        return da !== db ? (da < db ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      })
      .slice(0, 1000);
    for (const f of pending) {
      const due = f.snoozedUntil ?? f.dueAt;
      const bucket = due < nowText ? out.overdue : due < eod ? out.today : out.upcoming;
      bucket.push(this.followUpItem(f));
    }
    return out;
  }

  async completeFollowUp(id: string): Promise<FollowUps> {
    const f = this.openFollowUp(id);
    f.status = "done";
    f.completedAt = new Date().toISOString();
    this.localChanges(1);
    return this.followUps();
  }

  async snoozeFollowUp(id: string, until: string): Promise<FollowUps> {
    const at = parseTime("Snooze until", until);
    const f = this.openFollowUp(id);
    f.status = "snoozed";
    f.snoozedUntil = at;
    this.localChanges(1);
    return this.followUps();
  }

  async rescheduleFollowUp(id: string, dueAt: string): Promise<FollowUps> {
    const due = parseTime("New due time", dueAt);
    const f = this.openFollowUp(id);
    f.status = "open";
    f.dueAt = due;
    f.snoozedUntil = null;
    this.localChanges(1);
    return this.followUps();
  }

  async cancelFollowUp(id: string): Promise<FollowUps> {
    const f = this.openFollowUp(id);
    f.status = "cancelled";
    this.localChanges(1);
    return this.followUps();
  }

  private openFollowUp(id: string): StoredFollowUp {
    const f = this.followUpStates.get(id);
    if (!f || (f.status !== "open" && f.status !== "snoozed")) throw new BackendError("notFound", `open follow-up ${id} was not found`);
    return f;
  }

  /** Records a disposition: the call's latest, and a follow-up when it has a date (calls::dispose). */
  private storeDisposition(
    call: StoredCall,
    d: { type: string; notes: string | null; nextAction: NextAction | null; followUpDate: string | null },
  ): StoredDisposition {
    const stored: StoredDisposition = {
      id: `disp-${String(this.nextDispositionId++).padStart(8, "0")}`,
      callLogId: call.id,
      ...d,
      createdAt: new Date().toISOString(),
    };
    this.dispositions.push(stored);
    call.disposition = d.type;
    if (d.followUpDate !== null) {
      this.followUpStates.set(stored.id, { id: stored.id, status: "open", dueAt: d.followUpDate, snoozedUntil: null, completedAt: null });
    }
    return stored;
  }

  private latestDisposition(callId: string): StoredDisposition | undefined {
    for (let i = this.dispositions.length - 1; i >= 0; i--) if (this.dispositions[i].callLogId === callId) return this.dispositions[i];
    return undefined;
  }

  private historyItem(c: StoredCall): CallHistoryItem {
    const lead = c.leadId !== null ? this.leads.get(c.leadId) : undefined;
    const d = this.latestDisposition(c.id);
    return {
      id: c.id,
      leadId: c.leadId,
      leadName: lead?.name ?? null,
      leadCompany: lead?.company ?? null,
      contactNumber: c.contactNumber,
      direction: c.direction,
      route: c.route,
      startedAt: c.startedAt,
      durationSeconds: c.durationSeconds,
      disposition: d?.type ?? null,
      notes: d?.notes ?? null,
      status: c.status,
      endReason: c.endReason,
      missed: c.direction === "inbound" && !c.answered && c.status !== "ringing",
      hasRecording: [...this.recordings.values()].some((r) => r.callLogId === c.id),
    };
  }

  private followUpItem(f: StoredFollowUp): FollowUpItem {
    const d = this.dispositions.find((x) => x.id === f.id)!;
    const call = this.calls.get(d.callLogId)!;
    const lead = call.leadId !== null ? this.leads.get(call.leadId) : undefined;
    return {
      id: f.id,
      callLogId: call.id,
      leadId: call.leadId,
      leadName: lead?.name ?? null,
      leadCompany: lead?.company ?? null,
      contactNumber: call.contactNumber,
      disposition: d.type,
      nextAction: d.nextAction,
      notes: d.notes,
      snoozed: f.status === "snoozed",
      dueAt: f.snoozedUntil ?? f.dueAt,
    };
  }

  // ---- team backend (replication) -------------------------------------------------------------
  //
  // Mirrors crates/app/src/sync.rs: the status (state, pending local changes, conflicts, issues,
  // last sync, error, progress) is sent to onSync subscribers on every change, with `changed`
  // when a pull stored rows. Local lead edits count as pending until a cycle pushes them; a cycle
  // also pulls the leads addRemoteLeads() queued. Settings changes reset the service like the
  // Rust side does: sync goes off when something is missing, else a cycle runs right away.
  // Supabase URLs (https://) need the publishable key and a sign-in; postgres:// URLs the password.

  async syncStatus(): Promise<SyncStatus> {
    return this.currentSyncStatus();
  }

  async syncNow(): Promise<SyncReport> {
    this.syncNowCount++;
    return this.syncCycle();
  }

  async backendSignIn(email: string, password: string): Promise<Settings> {
    const address = email.trim();
    if (address === "" || password === "") throw invalid("Enter the email and password of your CRM account.");
    if (!this.settings.backendUrl.startsWith("http")) {
      throw invalid("Set the backend URL to your Supabase project (https://<project>.supabase.co) first.");
    }
    if (!this.secretsSet.has("backendKey")) throw invalid("Enter the project's publishable (anon) key first.");
    if (this.syncOffline) throw syncOfflineError();
    const accounts = this.options.backendAccounts ?? { [BACKEND_ACCOUNT.email]: BACKEND_ACCOUNT.password };
    const account = Object.entries(accounts).find(([known]) => known.toLowerCase() === address.toLowerCase());
    if (!account || account[1] !== password) throw new BackendError("provider", "Sign-in refused: Invalid login credentials.");
    this.secretsSet.add("backendSession");
    this.settings = { ...this.settings, backendEmail: account[0] };
    this.resetSync();
    return this.currentSettings();
  }

  async backendSignOut(): Promise<Settings> {
    this.secretsSet.delete("backendSession");
    this.settings = { ...this.settings, backendEmail: "" };
    this.resetSync();
    return this.currentSettings();
  }

  async syncConflicts(): Promise<SyncConflict[]> {
    return this.conflicts.map((c) => ({ ...c, leadName: this.leads.get(c.leadId)?.name ?? null }));
  }

  async resolveSyncConflict(id: string, keepMine: boolean): Promise<SyncConflict[]> {
    const conflict = this.conflicts.find((c) => c.id === id);
    if (!conflict) throw new BackendError("notFound", "That conflict no longer exists.");
    // "Use mine" applies the agent's value again, on top of the backend's: a new local change.
    const lead = this.leads.get(conflict.leadId);
    if (keepMine && conflict.field === "status" && conflict.yourValue !== null && lead) {
      this.leads.set(lead.id, { ...lead, status: conflict.yourValue, updatedAt: new Date().toISOString() });
      this.touch();
      this.outbox++;
    }
    this.conflicts = this.conflicts.filter((c) => c !== conflict);
    return this.syncConflicts();
  }

  async syncIssues(limit: number): Promise<SyncIssue[]> {
    const n = Math.min(1000, Math.max(1, Math.floor(limit)));
    return [...this.issues]
      .sort((a, b) => (a.createdAt === b.createdAt ? (b.id ?? 0) - (a.id ?? 0) : a.createdAt < b.createdAt ? 1 : -1))
      .slice(0, n)
      .map((i) => ({ ...i }));
  }

  async clearSyncIssues(): Promise<null> {
    this.issues = [];
    this.notifySync(false);
    return null;
  }

  async onSync(cb: (notice: SyncNotice) => void): Promise<() => void> {
    this.syncListeners.add(cb);
    return () => {
      this.syncListeners.delete(cb);
    };
  }

  private currentSyncStatus(): SyncStatus {
    return {
      ...this.syncState,
      progress: this.syncState.progress ? { ...this.syncState.progress } : null,
      pending: this.outbox,
      conflicts: this.conflicts.length,
      issues: this.issues.length,
    };
  }

  private notifySync(changed: boolean) {
    this.emitSync({ status: this.currentSyncStatus(), changed });
  }

  /** Why sync cannot run with these settings (the Rust side's `build`), as its error. */
  private syncConfigProblem(): BackendError | null {
    const url = this.settings.backendUrl;
    if (url === "") return syncOff("no backend URL");
    if (url.startsWith("postgres")) {
      return this.secretsSet.has("backendKey") ? null : syncOff("the database password is not set");
    }
    if (!this.secretsSet.has("backendKey")) return syncOff("the project's publishable (anon) key is not set");
    if (!this.secretsSet.has("backendSession")) {
      return new BackendError("notConfigured", "Sync is off: sign in to the backend in Settings.");
    }
    return null;
  }

  /** Settings changed: off when something is missing, else a cycle at once (like the Rust worker). */
  private resetSync() {
    const problem = this.syncConfigProblem();
    if (problem) {
      this.syncState = { ...this.syncState, state: "off", error: problem.message, progress: null };
      this.notifySync(false);
      return;
    }
    try {
      this.syncCycle();
    } catch {
      // The status says what went wrong.
    }
  }

  /** One cycle: push the pending local changes, pull what the backend has. */
  private syncCycle(): SyncReport {
    const problem = this.syncConfigProblem();
    if (problem) {
      this.syncState = { ...this.syncState, state: "off", error: problem.message, progress: null };
      this.notifySync(false);
      throw problem;
    }
    const started = Date.now();
    this.syncState = { ...this.syncState, state: "syncing", progress: null };
    this.notifySync(false);
    if (this.syncOffline) {
      this.syncState = { ...this.syncState, state: "offline", error: BACKEND_UNREACHABLE, progress: null };
      this.notifySync(false);
      throw syncOfflineError();
    }
    const pushed = this.outbox;
    if (pushed > 0) {
      this.syncState = { ...this.syncState, progress: { pushing: true, done: pushed, total: pushed } };
      this.notifySync(false);
    }
    this.outbox = 0;
    const pulled = this.remoteLeads.splice(0);
    for (const input of pulled) this.addLead(input);
    this.syncState = { state: "synced", lastSyncedAt: new Date().toISOString(), error: null, progress: null };
    this.notifySync(false);
    if (pulled.length > 0) this.notifySync(true);
    return {
      pushed,
      rejected: 0,
      conflicts: 0,
      pulled: pulled.length,
      removed: 0,
      issues: 0,
      resynced: false,
      rotated: false,
      pending: 0,
      millis: Date.now() - started,
    };
  }

  /** Local edits wait in the outbox; while sync is on, the indicator's pending count follows. */
  private localChanges(count: number) {
    if (count <= 0) return;
    this.outbox += count;
    if (this.syncState.state !== "off") this.notifySync(false);
  }

  async onImportProgress(cb: (p: ImportProgress) => void): Promise<() => void> {
    this.progressListeners.add(cb);
    return () => {
      this.progressListeners.delete(cb);
    };
  }

  private pickCsvFile(): string | null {
    if (this.options.pickCsvResult !== undefined) return this.options.pickCsvResult;
    for (const path of this.files.keys()) if (/\.(csv|txt)$/i.test(path)) return path;
    return null;
  }

  private pickSavePath(defaultName: string): string | null {
    const dir = this.options.saveDirectory === undefined ? "/home/agent/Documents" : this.options.saveDirectory;
    return dir === null ? null : `${dir}/${defaultName}`;
  }

  // ---- internals ------------------------------------------------------------------------------

  private generate(count: number) {
    const rand = prng(count * 7919 + 17);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
    const areaCodes = ["212", "312", "415", "503", "617", "646", "702", "713", "305", "404", "206", "303"];
    const base = Date.UTC(2024, 0, 1);
    for (let i = 0; i < count; i++) {
      const first = pick(FIRST);
      const last = pick(LAST);
      const company = pick(COMPANIES);
      const domain = (company ?? "gmail").toLowerCase().replace(/[^a-z]/g, "") + ".example";
      const line = String(Math.floor(rand() * 10000)).padStart(4, "0");
      const hasPhone = rand() > 0.05;
      const hasEmail = !hasPhone || rand() > 0.15;
      const contacted = rand() > 0.4;
      this.addLead({
        name: `${first} ${last}`,
        email: hasEmail ? `${first}.${last}${i}@${domain}`.toLowerCase().replace(/[^a-z0-9.@]/g, "") : null,
        phone: hasPhone ? `(${pick(areaCodes)}) 555-${line}` : null,
        company,
        position: pick(POSITIONS),
        status: pick(STATUSES),
        value: rand() > 0.3 ? Math.round(rand() * 500) * 100 : null,
        source: pick(SOURCES),
        timezone: pick(TIMEZONES),
        lastContact: contacted ? new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 300 * 86_400_000)).toISOString() : null,
        createdAt: new Date(base + i * 37 * 60_000).toISOString(),
      });
    }
    if (count >= 10) {
      const ids = [...this.leads.keys()];
      const webinar = this.createListNow("Q3 webinar", "Registered for the Q3 product webinar");
      const expo = this.createListNow("Trade show 2025", null);
      this.addToList(webinar.id, ids.filter((_, i) => i % 7 === 0));
      this.addToList(expo.id, ids.filter((_, i) => i % 11 === 3));
    }
  }

  // ---- calls over both routes, audio devices, links and reminders (simulated) -----------------
  //
  // Mirrors the Rust call service: placeCall() takes the request's route, else Settings'
  // defaultRoute. The softphone route is dial() (same checks, same notices; dialRequests records
  // it too). The bridge route needs SignalWire and the agent's own phone (notConfigured), checks
  // the number and Do Not Call like dial(), logs the call (route "bridge") and simulates the call
  // SignalWire places: each bridgeCallStatus() poll moves it one step queued → ringing →
  // in-progress → completed (setBridgeStatus() pins a status instead); hangUpBridgeCall() ends it
  // (canceled while it rings). A bridge call that ended is logged as ended: it awaits its
  // disposition. Links (tel:, ringdesk://dial) arrive through clickLink() / emitLink() — queued for
  // takePendingLinks() while nobody listens — and reminders through emitReminder().

  /** Every placeCall request, in order (tests check what the UI sent). */
  readonly placeRequests: PlaceCall[] = [];
  private readonly bridgeCalls = new Map<string, SimulatedBridgeCall>();
  private nextBridgeSid = 1;
  private audioDeviceList: AudioDevice[] = [
    { name: "Built-in Microphone", input: true, output: false },
    { name: "Built-in Speakers", input: false, output: true },
    { name: "USB Headset", input: true, output: true },
  ];
  private readonly linkListeners = new Set<(n: LinkNotice) => void>();
  private pendingLinks: LinkNotice[] = [];
  private readonly reminderListeners = new Set<(n: ReminderNotice) => void>();

  /** Replaces the microphones and speakers audioDevices() reports. */
  setAudioDevices(devices: AudioDevice[]): void {
    this.audioDeviceList = devices.map((d) => ({ ...d }));
  }

  /** A bridge call as simulated now (without advancing it); undefined for an unknown sid. */
  bridgeCall(sid: string): BridgeCallInfo | undefined {
    const call = this.bridgeCalls.get(sid);
    return call ? { ...call.info } : undefined;
  }

  /** Sids of the bridge calls placed, oldest first. */
  bridgeCallSids(): string[] {
    return [...this.bridgeCalls.keys()];
  }

  /** Sets a bridge call's status (busy, no-answer, in-progress…); polls no longer advance it. */
  setBridgeStatus(sid: string, status: string): void {
    const call = this.bridgeCalls.get(sid);
    if (!call) throw new Error(`no bridge call ${sid}`);
    call.pinned = true;
    this.moveBridgeCall(call, status);
  }

  /**
   * What the shell does with a clicked link: reads it like openLink (autoDial from Settings'
   * linksAutoDial) and sends the notice to onLink subscribers, or queues it for takePendingLinks()
   * while there are none. Resolves with the notice.
   */
  async clickLink(link: string): Promise<LinkNotice> {
    let notice: LinkNotice;
    try {
      const target = await this.openLink(link);
      notice = { kind: "opened", link, target: { ...target, autoDial: this.settings.linksAutoDial === true } }; // no countdown, no pacing here: App::open_link has those
    } catch (err) {
      notice = { kind: "invalid", link, message: err instanceof Error ? err.message : String(err) };
    }
    this.emitLink(notice);
    return notice;
  }

  /** Sends a link notice as is (queued for takePendingLinks() while nobody listens). */
  emitLink(notice: LinkNotice): void {
    if (this.linkListeners.size === 0) {
      this.pendingLinks.push(JSON.parse(JSON.stringify(notice)) as LinkNotice);
      return;
    }
    for (const cb of [...this.linkListeners]) cb(JSON.parse(JSON.stringify(notice)) as LinkNotice);
  }

  /** Sends a reminder notice to every onReminder subscriber. */
  emitReminder(notice: ReminderNotice): void {
    for (const cb of [...this.reminderListeners]) cb({ overdue: notice.overdue, newlyDue: [...notice.newlyDue] });
  }

  async audioDevices(): Promise<AudioDevice[]> {
    return this.audioDeviceList.map((d) => ({ ...d }));
  }

  async placeCall(request: PlaceCall): Promise<PlacedCall> {
    this.placeRequests.push({ ...request });
    const route: CallRoute = request.route ?? this.settings.defaultRoute ?? "softphone";
    if (route !== "softphone" && route !== "bridge") throw invalid(`Unknown call route ${JSON.stringify(route)}.`);
    if (route === "softphone") {
      const placed = await this.dial({ to: request.to, leadId: request.leadId, overrideDnc: request.overrideDnc ?? false });
      return { route, callLogId: placed.callLogId, leadId: placed.leadId, callId: placed.callId, bridge: null };
    }
    this.requireSignalwire();
    const agentPhone = (this.settings.agentPhone ?? "").trim();
    if (agentPhone === "") {
      throw new BackendError("notConfigured", "Bridge calls ring your own phone first: enter it in Settings → Calls (Your phone).");
    }
    const to = request.to.trim();
    const norm = normalizePhone(to, this.settings.defaultRegion);
    if (!norm.ok) throw invalid(`${JSON.stringify(to)} is not a phone number: ${norm.problem}.`);
    const callerId = request.callerId !== null && request.callerId.trim() !== "" ? request.callerId.trim() : null;
    if (callerId !== null) {
      const from = normalizePhone(callerId, this.settings.defaultRegion);
      if (!from.ok) throw invalid(`The caller ID ${JSON.stringify(callerId)} is not a phone number: ${from.problem}.`);
    }
    const lead = request.leadId !== null ? this.requireLead(request.leadId) : this.leadForNumber(norm.e164);
    if (lead && lead.status === "do_not_call" && !request.overrideDnc) {
      throw new BackendError("conflict", `${lead.name} is marked Do Not Call: confirm you have consent to call anyway.`);
    }
    const logged = this.addCall({ contact: norm.e164, leadId: lead?.id ?? null, direction: "outbound", route: "bridge", ended: false });
    const sid = `CA${String(this.nextBridgeSid++).padStart(32, "0")}`;
    const info: BridgeCallInfo = { sid, status: "queued", agentPhone, durationSeconds: null, callLogId: logged.id };
    this.bridgeCalls.set(sid, { info, pinned: false, answeredAt: null });
    return { route, callLogId: logged.id, leadId: lead?.id ?? null, callId: null, bridge: { ...info } };
  }

  async bridgeCallStatus(sid: string): Promise<BridgeCallInfo> {
    const call = this.requireBridgeCall(sid);
    if (!call.pinned && !BRIDGE_FINAL.has(call.info.status)) {
      const next = BRIDGE_STEPS[BRIDGE_STEPS.indexOf(call.info.status) + 1] ?? "completed";
      this.moveBridgeCall(call, next);
    }
    return { ...call.info };
  }

  async hangUpBridgeCall(sid: string): Promise<BridgeCallInfo> {
    const call = this.requireBridgeCall(sid);
    if (!BRIDGE_FINAL.has(call.info.status)) this.moveBridgeCall(call, call.info.status === "in-progress" ? "completed" : "canceled");
    return { ...call.info };
  }

  async takePendingLinks(): Promise<LinkNotice[]> {
    const links = this.pendingLinks;
    this.pendingLinks = [];
    return links;
  }

  async onLink(cb: (notice: LinkNotice) => void): Promise<() => void> {
    this.linkListeners.add(cb);
    return () => {
      this.linkListeners.delete(cb);
    };
  }

  async onReminder(cb: (notice: ReminderNotice) => void): Promise<() => void> {
    this.reminderListeners.add(cb);
    return () => {
      this.reminderListeners.delete(cb);
    };
  }

  private requireBridgeCall(sid: string): SimulatedBridgeCall {
    const call = this.bridgeCalls.get(sid);
    if (!call) throw new BackendError("notFound", `No bridge call ${sid}.`);
    return call;
  }

  private moveBridgeCall(call: SimulatedBridgeCall, status: string) {
    const now = Date.now();
    call.info.status = status;
    if (status === "in-progress" && call.answeredAt === null) call.answeredAt = now;
    if (!BRIDGE_FINAL.has(status)) return;
    const duration = call.answeredAt !== null ? Math.round((now - call.answeredAt) / 1000) : 0;
    call.info.durationSeconds = duration;
    const stored = call.info.callLogId ? this.calls.get(call.info.callLogId) : undefined;
    if (stored && stored.endedAt === null) {
      stored.endedAt = new Date(Math.max(now, Date.parse(stored.startedAt))).toISOString();
      stored.durationSeconds = duration;
    }
  }

  // ---- softphone (simulated) ------------------------------------------------------------------
  //
  // A registered phone whenever Settings has a SIP registrar and username. dial() logs the call
  // (outbound, with its lead) and reports dialing → ringing → active on timers (`callStepMs`);
  // ringIn() rings a call in. A call that ends is logged as ended: it awaits its disposition.

  private readonly callListeners = new Set<(n: CallNotice) => void>();
  private readonly liveCalls = new Map<string, LivePhoneCall>();
  private nextPhoneCallId = 1;
  /** Every dial request, in order (tests check what the UI sent). */
  readonly dialRequests: DialRequest[] = [];

  /** Sends a notice to every onCall subscriber as is (what the Rust side's softphone does). */
  emitCall(notice: CallNotice): void {
    for (const cb of [...this.callListeners]) cb(JSON.parse(JSON.stringify(notice)) as CallNotice);
  }

  /**
   * A call rings in from `from`; `lead` is the screen pop (default: the lead with that number,
   * null for none). Logged as an inbound call; resolves nothing, returns its ids.
   */
  ringIn(from: string, lead?: ScreenPop | null): { callId: string; callLogId: string } {
    const contact = this.e164OrThrow(from);
    const known = this.leadForNumber(contact);
    const pop = lead !== undefined ? lead : known ? this.screenPop(known) : null;
    const logged = this.addCall({ contact, leadId: pop?.leadId ?? null, direction: "inbound", ended: false });
    const call = this.newLiveCall(logged.id, pop?.leadId ?? null, "inbound", "ringing");
    this.emitCall({ kind: "incoming", callId: call.callId, callLogId: call.callLogId, from: contact, displayName: null, lead: pop });
    return { callId: call.callId, callLogId: call.callLogId };
  }

  /** The callee of an outbound call answers (with `callStepMs: null`). */
  connectCall(callId: string): void {
    const call = this.liveCalls.get(callId);
    if (!call || call.phase === "active" || call.phase === "held") return;
    this.setPhase(call, "active");
  }

  /** The other party hangs up. */
  remoteHangUp(callId: string): void {
    const call = this.liveCalls.get(callId);
    if (call) this.finishCall(call, "ended", "The other party hung up.");
  }

  /** A call's simulated state: phase, mute, DTMF sent, where it was transferred; undefined once ended. */
  phoneCall(callId: string): Readonly<Omit<LivePhoneCall, "timers">> | undefined {
    const call = this.liveCalls.get(callId);
    if (!call) return undefined;
    const { timers: _t, ...rest } = call;
    return { ...rest };
  }

  /** Ids of the calls in progress, oldest first. */
  phoneCallIds(): string[] {
    return [...this.liveCalls.keys()];
  }

  /** The last registration notice of the simulated line (null before startPhone). */
  private lastRegistration: CallNotice | null = null;

  async startPhone(): Promise<null> {
    this.requireSipLine();
    this.lastRegistration = {
      kind: "registration",
      registered: true,
      detail: `Registered as ${this.settings.sipUsername}@${this.settings.sipRegistrar}`,
    };
    this.emitCall(this.lastRegistration);
    return null;
  }

  async phoneRegistration(): Promise<CallNotice | null> {
    return this.lastRegistration;
  }

  async dial(request: DialRequest): Promise<ActiveCall> {
    this.dialRequests.push({ ...request });
    this.requireSipLine();
    const to = request.to.trim();
    const norm = normalizePhone(to, this.settings.defaultRegion);
    if (!norm.ok) throw invalid(`${JSON.stringify(to)} is not a phone number: ${norm.problem}.`);
    const lead = request.leadId !== null ? this.requireLead(request.leadId) : this.leadForNumber(norm.e164);
    if (lead && lead.status === "do_not_call" && !request.overrideDnc) {
      throw new BackendError("conflict", `${lead.name} is marked Do Not Call: confirm you have consent to call anyway.`);
    }
    const logged = this.addCall({ contact: norm.e164, leadId: lead?.id ?? null, direction: "outbound", ended: false });
    const call = this.newLiveCall(logged.id, lead?.id ?? null, "outbound", "dialing");
    const step = this.options.callStepMs === undefined ? 800 : this.options.callStepMs;
    // Reported after the command answered, like the Rust side's call task.
    call.timers.push(setTimeout(() => this.liveCalls.has(call.callId) && this.emitState(call, null), 0));
    if (step !== null) {
      call.timers.push(
        setTimeout(() => call.phase === "dialing" && this.setPhase(call, "ringing"), step),
        setTimeout(() => call.phase === "ringing" && this.setPhase(call, "active"), 2 * step),
      );
    }
    return { callId: call.callId, callLogId: call.callLogId, leadId: call.leadId };
  }

  async answerCall(callId: string): Promise<null> {
    const call = this.requireLiveCall(callId);
    if (call.direction !== "inbound" || call.phase !== "ringing") throw new BackendError("conflict", "That call is not ringing in.");
    this.setPhase(call, "active");
    return null;
  }

  async rejectCall(callId: string): Promise<null> {
    const call = this.requireLiveCall(callId);
    if (call.direction !== "inbound" || call.phase !== "ringing") throw new BackendError("conflict", "That call is not ringing in.");
    this.finishCall(call, "ended", "Rejected.");
    return null;
  }

  async hangUp(callId: string): Promise<null> {
    this.finishCall(this.requireLiveCall(callId), "ended", null);
    return null;
  }

  async setMute(callId: string, on: boolean): Promise<null> {
    const call = this.requireConnected(callId);
    call.muted = on;
    return null;
  }

  async holdCall(callId: string, hold: boolean): Promise<null> {
    const call = this.requireConnected(callId);
    const phase: CallPhase = hold ? "held" : "active";
    if (call.phase !== phase) this.setPhase(call, phase);
    return null;
  }

  async sendDtmf(callId: string, keys: string): Promise<null> {
    const call = this.requireConnected(callId);
    if (!/^[0-9*#A-Da-d]+$/.test(keys)) throw invalid(`DTMF keys are 0-9, *, # and A-D; got ${JSON.stringify(keys)}.`);
    if (call.phase !== "active") throw new BackendError("conflict", "Resume the call before sending keys.");
    call.dtmf += keys.toUpperCase();
    return null;
  }

  async transferCall(callId: string, to: string): Promise<null> {
    const call = this.requireConnected(callId);
    const norm = normalizePhone(to, this.settings.defaultRegion);
    if (!norm.ok) throw invalid(`${JSON.stringify(to.trim())} is not a phone number: ${norm.problem}.`);
    call.transferredTo = norm.e164;
    this.finishCall(call, "ended", `Transferred to ${displayPhone(norm.e164)}.`);
    return null;
  }

  async onCall(cb: (notice: CallNotice) => void): Promise<() => void> {
    this.callListeners.add(cb);
    return () => {
      this.callListeners.delete(cb);
    };
  }

  private sipConfigured(): boolean {
    return this.settings.sipRegistrar.trim() !== "" && this.settings.sipUsername.trim() !== "";
  }

  private requireSipLine() {
    if (!this.sipConfigured()) throw new BackendError("notConfigured", PHONE_NOT_RUNNING);
  }

  private requireLiveCall(callId: string): LivePhoneCall {
    const call = this.liveCalls.get(callId);
    if (!call) throw new BackendError("notFound", `No call ${callId} is in progress.`);
    return call;
  }

  private requireConnected(callId: string): LivePhoneCall {
    const call = this.requireLiveCall(callId);
    if (call.phase !== "active" && call.phase !== "held") throw new BackendError("conflict", "The call is not connected yet.");
    return call;
  }

  private newLiveCall(callLogId: string, leadId: string | null, direction: "outbound" | "inbound", phase: CallPhase): LivePhoneCall {
    const call: LivePhoneCall = {
      callId: `sip-${String(this.nextPhoneCallId++).padStart(6, "0")}`,
      callLogId,
      leadId,
      direction,
      phase,
      muted: false,
      answeredAt: null,
      dtmf: "",
      transferredTo: null,
      timers: [],
    };
    this.liveCalls.set(call.callId, call);
    return call;
  }

  private emitState(call: LivePhoneCall, detail: string | null) {
    this.emitCall({ kind: "state", callId: call.callId, callLogId: call.callLogId, phase: call.phase, detail });
  }

  private setPhase(call: LivePhoneCall, phase: CallPhase) {
    call.phase = phase;
    if (phase === "active" && call.answeredAt === null) {
      call.answeredAt = Date.now();
      this.logCallChange(call.callLogId, { status: "in-progress", answered: true });
    } else if (phase === "ringing") {
      this.logCallChange(call.callLogId, { status: "ringing" });
    }
    this.emitState(call, null);
    if (phase === "active") {
      this.emitCall({ kind: "levels", callId: call.callId, inputDbfs: -18, outputDbfs: -22 });
      this.emitCall({ kind: "quality", callId: call.callId, mos: 4.3, lossPercent: 0.2, jitterMs: 4 });
    }
  }

  private finishCall(call: LivePhoneCall, phase: "ended" | "failed", detail: string | null) {
    for (const t of call.timers) clearTimeout(t);
    this.liveCalls.delete(call.callId);
    call.phase = phase;
    const stored = this.calls.get(call.callLogId);
    if (stored) {
      const now = Date.now();
      stored.endedAt = new Date(Math.max(now, Date.parse(stored.startedAt))).toISOString();
      stored.durationSeconds = call.answeredAt !== null ? Math.round((now - call.answeredAt) / 1000) : 0;
      // calling.rs: completed when answered, else missed (inbound) or canceled (outbound); failed as such.
      stored.status = phase === "failed" ? "failed" : call.answeredAt !== null ? "completed" : call.direction === "inbound" ? "missed" : "canceled";
      stored.endReason = detail;
    }
    this.emitState(call, detail);
  }

  /** What the call service writes to a call's log row as its state changes. */
  private logCallChange(callLogId: string, change: Partial<Pick<StoredCall, "status" | "answered">>) {
    const stored = this.calls.get(callLogId);
    if (stored) Object.assign(stored, change);
  }

  private screenPop(lead: Lead): ScreenPop {
    const calls = [...this.calls.values()].filter((c) => c.leadId === lead.id).sort(compareCallsNewestFirst);
    const note = calls.map((c) => this.latestDisposition(c.id)?.notes).find((n) => !!n) ?? lead.notes;
    return {
      leadId: lead.id,
      name: lead.name,
      company: lead.company,
      status: lead.status,
      lastCallAt: calls[0]?.startedAt ?? null,
      lastNote: note ?? null,
    };
  }

  private touch() {
    this.version++;
    this.queryCache = null;
  }

  /** Now, strictly after every earlier stamp (texts sent in the same millisecond stay ordered). */
  private stamp(): string {
    const t = Math.max(Date.now(), this.lastStamp + 1);
    this.lastStamp = t;
    return new Date(t).toISOString();
  }

  private newSmsId(): string {
    return `sms-${String(this.nextSmsId++).padStart(8, "0")}`;
  }

  private newNumberSid(): string {
    return `PN${String(this.nextSid++).padStart(32, "0")}`;
  }

  private e164OrThrow(input: string): string {
    const norm = normalizePhone(input, this.settings.defaultRegion);
    if (!norm.ok) throw new Error(`${JSON.stringify(input)} is not a phone number: ${norm.problem}`);
    return norm.e164;
  }

  /** The first lead with this number, like the Rust store's lead_for_number. */
  private leadForNumber(e164: string): Lead | undefined {
    for (const l of this.leads.values()) if (l.phoneE164 === e164) return l;
    return undefined;
  }

  /** Space, project ID and API token, checked in the Rust side's order. */
  private requireSignalwire() {
    if (!this.secretsSet.has("signalwireApiToken")) throw notConfigured("the API token");
    if (this.settings.signalwireProjectId === "") throw notConfigured("the project ID");
    if (this.settings.signalwireSpace === "") throw notConfigured("the space");
  }

  private requireOwned(sid: string): StoredNumber {
    const n = this.owned.find((o) => o.sid === sid);
    if (!n) {
      throw refused(
        404,
        20404,
        `The requested resource /IncomingPhoneNumbers/${sid} was not found`,
        "SignalWire does not know this item: it may have been deleted.",
      );
    }
    return n;
  }

  /** The From: the one asked for, else the one last used with the contact, else the default, else the first owned. */
  private chooseFrom(contact: string, asked: string | null): string {
    const a = (asked ?? "").trim();
    if (a !== "") {
      const norm = normalizePhone(a, this.settings.defaultRegion);
      if (!norm.ok) throw invalid(`From ${JSON.stringify(a)}: ${norm.problem}.`);
      return norm.e164;
    }
    const recent = [...this.sms.values()]
      .filter((m) => m.contactNumber === contact)
      .sort((x, y) => compareSms(y, x))
      .slice(0, 20);
    const last = recent.find((m) => m.ourNumber !== null);
    if (last) return last.ourNumber!;
    if (this.defaultFrom !== null) return this.defaultFrom;
    if (this.smsOffline) throw unreachable();
    const first = this.owned[0];
    if (!first) throw new BackendError("notConfigured", NO_SMS_NUMBER);
    this.defaultFrom = first.phoneNumber;
    return first.phoneNumber;
  }

  /** Hands a stored text to the simulated SignalWire and records the outcome. */
  private sendStored(m: StoredSms): SmsMessage {
    if (this.smsOffline) return smsDto(m);
    const from = m.ourNumber ?? "";
    let failure: { code: number; message: string; advice: string } | null = null;
    if (m.contactNumber.endsWith("0001")) {
      failure = { code: 21211, message: `Invalid 'To' Phone Number: ${m.contactNumber}`, advice: "The destination number is not a valid mobile number." };
    } else if (!this.owned.some((n) => n.phoneNumber === from)) {
      failure = {
        code: 21606,
        message: "The From phone number is not a valid, SMS-capable inbound phone number for your account",
        advice: "This From number cannot send to that destination (not SMS-capable or not verified).",
      };
    }
    if (failure) {
      m.status = "failed";
      m.errorCode = failure.code;
      m.errorMessage = failure.message;
      throw refused(400, failure.code, failure.message, failure.advice);
    }
    m.sid = `SM${String(this.nextSid++).padStart(32, "0")}`;
    m.status = "queued";
    return smsDto(m);
  }

  private copy(l: Lead): Lead {
    return { ...l, listIds: [...l.listIds] };
  }

  private currentSettings(): Settings {
    return {
      ...this.settings,
      signalwireApiTokenSet: this.secretsSet.has("signalwireApiToken"),
      sipPasswordSet: this.secretsSet.has("sipPassword"),
      backendKeySet: this.secretsSet.has("backendKey"),
      backendSignedIn: this.secretsSet.has("backendSession"),
    };
  }

  private requireLead(id: string): Lead {
    const lead = this.leads.get(id);
    if (!lead) throw new BackendError("notFound", "That lead no longer exists.");
    return lead;
  }

  private checkNewListName(name: string): string {
    const trimmed = name.trim();
    if (trimmed === "") throw invalid("The list needs a name.");
    for (const l of this.lists.values()) {
      if (l.name.toLowerCase() === trimmed.toLowerCase()) throw invalid(`A list named "${l.name}" already exists.`);
    }
    return trimmed;
  }

  private createListNow(name: string, description: string | null): StoredList {
    const trimmed = this.checkNewListName(name);
    const list: StoredList = { id: `list-${this.nextListId++}`, name: trimmed, description: nullIfEmpty(description), members: new Set() };
    this.lists.set(list.id, list);
    this.touch();
    return list;
  }

  private readFile(path: string): { text: string; size: number } {
    const content = this.files.get(path);
    if (content === undefined) throw new BackendError("io", `Cannot open "${path}": no such file.`);
    if (typeof content === "string") return { text: content, size: new TextEncoder().encode(content).length };
    try {
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(content), size: content.length };
    } catch {
      throw new BackendError("csv", `"${path}" is not UTF-8 text. Save it as "CSV UTF-8" and import it again.`);
    }
  }

  private matchingIds(query: LeadQuery): string[] {
    const key = JSON.stringify([query.search ?? "", query.listId, query.sort.field, query.sort.descending]);
    if (this.queryCache && this.queryCache.key === key) return this.queryCache.ids;

    const search = (query.search ?? "").trim().toLowerCase();
    const phoneLike = /\d/.test(search) && /^[\d\s()+\-./]+$/.test(search);
    const searchDigits = phoneLike ? search.replace(/\D/g, "") : "";
    const members = query.listId !== null ? this.lists.get(query.listId)?.members ?? new Set<string>() : null;

    const rows: Lead[] = [];
    for (const l of this.leads.values()) {
      if (members && !members.has(l.id)) continue;
      if (search !== "") {
        const text =
          l.name.toLowerCase().includes(search) ||
          (l.company?.toLowerCase().includes(search) ?? false) ||
          (l.email?.toLowerCase().includes(search) ?? false);
        const phone = searchDigits !== "" && (digitsOf(l.phoneE164).includes(searchDigits) || digitsOf(l.phone).includes(searchDigits));
        if (!text && !phone) continue;
      }
      rows.push(l);
    }

    const { field, descending } = query.sort;
    const dir = descending ? -1 : 1;
    const keyOf = (l: Lead): string | number | null => {
      switch (field) {
        case "name": return l.name;
        case "company": return l.company;
        case "status": return l.status;
        case "value": return l.value;
        case "lastContact": return l.lastContact;
        case "createdAt": return l.createdAt;
      }
    };
    rows.sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      if (ka === null || kb === null) {
        if (ka !== kb) return ka === null ? 1 : -1; // empty values last, in both directions
      } else {
        const c = typeof ka === "number" && typeof kb === "number" ? ka - kb : collator.compare(String(ka), String(kb));
        if (c !== 0) return c * dir;
      }
      const byName = collator.compare(a.name, b.name);
      return byName !== 0 ? byName : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    const ids = rows.map((l) => l.id);
    this.queryCache = { key, ids };
    return ids;
  }

  private emitProgress(p: ImportProgress) {
    for (const cb of [...this.progressListeners]) cb({ ...p });
  }

  private async runImport(
    records: CsvRecord[],
    column: Map<LeadField, number>,
    totalBytes: number,
    textLength: number,
    request: ImportRequest,
  ): Promise<ImportReport> {
    // Everything is staged and only committed at the end, like the Rust side's single transaction:
    // a cancelled or failed import leaves the database exactly as it was.
    const staged = new Map<string, Lead>(); // id → new or updated lead
    let createdRows = 0;
    let mergedRows = 0;
    const byPhone = new Map<string, string>();
    const byEmail = new Map<string, string>();
    for (const l of this.leads.values()) {
      if (l.phoneE164) byPhone.set(l.phoneE164, l.id);
      if (l.email) byEmail.set(l.email.toLowerCase(), l.id);
    }
    const errors: RowError[] = [];
    let invalidTotal = 0;
    const chunk = Math.max(1, this.options.importChunkRows ?? 500);
    const delay = this.options.importDelayMs ?? 0;
    const region = this.settings.defaultRegion;
    let nextId = this.nextLeadId;
    const now = new Date().toISOString();
    const get = (r: CsvRecord, f: LeadField) => {
      const i = column.get(f);
      return i === undefined ? "" : (r.fields[i] ?? "").trim();
    };
    const fail = (line: number, reason: string) => {
      invalidTotal++;
      if (errors.length < MAX_REPORTED_INVALID) errors.push({ line, reason });
    };
    const progress = (rowsRead: number, end: number) =>
      this.emitProgress({
        bytesRead: end >= textLength ? totalBytes : Math.round((totalBytes * end) / Math.max(1, textLength)),
        totalBytes,
        rowsRead,
      });

    const importRow = (rec: CsvRecord) => {
      const line = rec.line;
      const fullName = get(rec, "name") || [get(rec, "firstName"), get(rec, "lastName")].filter(Boolean).join(" ");
      const emailRaw = get(rec, "email");
      const phoneRaw = get(rec, "phone");
      if (emailRaw === "" && phoneRaw === "") return fail(line, "no phone or email: a lead needs at least one of them");
      if (emailRaw !== "" && !/^[^@\s]+@[^@\s]+$/.test(emailRaw)) return fail(line, `email "${emailRaw}" is not an email address`);
      let e164: string | null = null;
      if (phoneRaw !== "") {
        const norm = normalizePhone(phoneRaw, region);
        if (!norm.ok) return fail(line, `phone "${phoneRaw}" is not a phone number (${norm.problem})`);
        e164 = norm.e164;
      }
      const valueRaw = get(rec, "value");
      const value = parseValue(valueRaw);
      if (value === "invalid") return fail(line, `value "${valueRaw}" is not a number`);
      const email = emailRaw === "" ? null : emailRaw;
      const optional = {
        company: get(rec, "company") || null,
        position: get(rec, "position") || null,
        source: get(rec, "source") || null,
        notes: get(rec, "notes") || null,
      };

      const existingId = (e164 !== null ? byPhone.get(e164) : undefined) ?? (email !== null ? byEmail.get(email.toLowerCase()) : undefined);
      let lead: Lead;
      if (existingId !== undefined) {
        // Merge, as the Rust store does: non-empty values in the row replace the lead's; blank
        // cells never erase anything.
        const base = staged.get(existingId) ?? this.leads.get(existingId)!;
        lead = { ...base, listIds: [...base.listIds], updatedAt: now };
        if (fullName) lead.name = fullName;
        if (email !== null) lead.email = email;
        if (e164 !== null) {
          lead.phone = phoneRaw;
          lead.phoneE164 = e164;
          lead.phoneDisplay = displayPhone(e164);
        }
        for (const k of ["company", "position", "source", "notes"] as const) {
          if (optional[k] !== null) lead[k] = optional[k];
        }
        if (value !== null) lead.value = value;
        mergedRows++;
      } else {
        const id = `lead-${String(nextId++).padStart(6, "0")}`;
        lead = {
          id,
          name: fullName || email || displayPhone(e164!),
          email,
          phone: phoneRaw === "" ? null : phoneRaw,
          phoneE164: e164,
          phoneDisplay: e164 === null ? null : displayPhone(e164),
          ...optional,
          status: get(rec, "status") || "new",
          value,
          timezone: null,
          lastContact: null,
          createdAt: now,
          updatedAt: now,
          listIds: [],
        };
        createdRows++;
      }
      staged.set(lead.id, lead);
      if (lead.phoneE164 !== null) byPhone.set(lead.phoneE164, lead.id);
      if (lead.email !== null) byEmail.set(lead.email.toLowerCase(), lead.id);
    };

    progress(0, records[0].end);
    for (let r = 1; r < records.length; r++) {
      const rec = records[r];
      if (!rec.fields.every((f) => f.trim() === "")) importRow(rec);
      if (r % chunk === 0) {
        progress(r, rec.end);
        await sleep(delay);
        if (this.cancelRequested) throw new BackendError("cancelled", "Import cancelled: nothing was imported.");
      }
    }
    progress(records.length - 1, textLength);
    await sleep(0);
    if (this.cancelRequested) throw new BackendError("cancelled", "Import cancelled: nothing was imported.");

    // ---- commit ----
    let listId: string | null = null;
    if (request.target.kind === "newList") listId = this.createListNow(request.target.name, null).id;
    else if (request.target.kind === "existingList") listId = request.target.listId;
    this.nextLeadId = nextId;
    for (const [id, lead] of staged) this.leads.set(id, lead);
    if (listId !== null) this.addToList(listId, [...staged.keys()]);
    this.touch();
    this.localChanges(staged.size);
    return { created: createdRows, merged: mergedRows, invalidTotal, invalid: errors, listId };
  }
}

/** Newest first by (startedAt, id), like the Rust store's history keyset. */
function compareCallsNewestFirst(a: { startedAt: string; id: string }, b: { startedAt: string; id: string }): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A time the UI sent (RFC 3339), as stored (UTC); the Rust side's `parse_time` and its message. */
function parseTime(what: string, value: string): string {
  const t = value.trim();
  const ms = RFC3339.test(t) ? Date.parse(t.toUpperCase().replace(" ", "T")) : NaN;
  if (Number.isNaN(ms)) throw invalid(`${what} ${JSON.stringify(value)} is not a date and time such as 2026-12-01T15:00:00Z.`);
  return new Date(ms).toISOString();
}

/** A calling setting's number as E.164 (the agent's phone may be a sip: address); empty clears. */
function phoneSetting(field: string, value: string, region: string, sipOk: boolean): string {
  const v = value.trim();
  if (v === "") return "";
  if (v.startsWith("sip:")) {
    if (!sipOk) throw invalid(`${field} must be a phone number, not a SIP address.`);
    if (v.length > 4 && !/\s/.test(v)) return v;
    throw invalid(`${field} ${JSON.stringify(v)} is not a SIP address.`);
  }
  const n = normalizePhone(v, region);
  if (!n.ok) throw invalid(`${field} ${JSON.stringify(v)}: ${n.problem}.`);
  return n.e164;
}

/** Lowercase words without diacritics (FTS5 unicode61 remove_diacritics). */
function searchTokens(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== "");
}

function recordingDto(r: StoredRecording): CallRecordingInfo {
  return { id: r.id, callLogId: r.callLogId, durationSeconds: r.durationSeconds, transcription: r.transcription, createdAt: r.createdAt, cached: r.cached };
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Orders texts by (createdAt, id), like the Rust store's keyset. */
function compareSms(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function smsDto(m: StoredSms): SmsMessage {
  let error: string | null = null;
  if (m.errorCode !== null && m.errorMessage !== null) error = `${m.errorMessage} (error ${m.errorCode})`;
  else if (m.errorCode !== null) error = `error ${m.errorCode}`;
  else error = m.errorMessage;
  return {
    id: m.id,
    leadId: m.leadId,
    contactNumber: m.contactNumber,
    ourNumber: m.ourNumber,
    direction: m.direction,
    body: m.body,
    status: m.status ?? "sending",
    error,
    createdAt: m.createdAt,
    read: m.direction === "outbound" || m.readAt !== null,
  };
}

function numberDto(n: StoredNumber): OwnedNumberInfo {
  return {
    sid: n.sid,
    phoneNumber: n.phoneNumber,
    display: displayPhone(n.phoneNumber),
    friendlyName: n.friendlyName,
    voice: true,
    sms: true,
    voiceUrl: n.voiceUrl,
    smsUrl: n.smsUrl,
  };
}

/** The ten numbers for sale in an area code: +1{area}55501{00..09}. */
function forSale(area: string): NumberOffer[] {
  const place = area === TOLL_FREE_AREA_CODE ? null : AREA_CODES[area] ?? null;
  return Array.from({ length: 10 }, (_, i) => {
    const phoneNumber = `+1${area}55501${String(i).padStart(2, "0")}`;
    return {
      phoneNumber,
      display: displayPhone(phoneNumber),
      locality: place?.locality ?? null,
      region: place?.region ?? null,
      voice: true,
      sms: true,
    };
  });
}

function checkSid(sid: string) {
  if (sid === "" || sid.length > 64 || !/^[A-Za-z0-9-]+$/.test(sid)) throw invalidForProvider(`${JSON.stringify(sid)} is not a SignalWire id.`);
}

function isHostname(h: string): boolean {
  return h !== "" && h.length <= 253 && h.split(".").every((l) => l !== "" && l.length <= 63 && /^[A-Za-z0-9-]+$/.test(l));
}

/** The Rust side's backend URL check: a Supabase https:// address or postgres://role@host/db (no password). */
function backendUrlProblem(v: string): string | null {
  const pg = v.startsWith("postgres://") ? v.slice("postgres://".length) : v.startsWith("postgresql://") ? v.slice("postgresql://".length) : null;
  if (pg !== null) {
    const authority = pg.split("/")[0];
    const at = authority.lastIndexOf("@");
    const user = at >= 0 ? authority.slice(0, at) : "";
    const host = (at >= 0 ? authority.slice(at + 1) : authority).split(":")[0];
    if (user.includes(":")) {
      return "Leave the password out of the backend URL: enter it as the backend key, which is kept in the keychain.";
    }
    if (user === "" || !isHostname(host) || !pg.includes("/") || /\s/.test(v)) {
      return `Backend URL ${JSON.stringify(v)} must look like postgres://agent_role@db.example.com:5432/postgres?sslmode=require.`;
    }
    return null;
  }
  const rest = v.startsWith("https://")
    ? v.slice("https://".length)
    : v.startsWith("http://") && /^(localhost|127\.0\.0\.1)/.test(v.slice("http://".length))
      ? v.slice("http://".length)
      : null;
  const host = rest === null ? null : rest.split(/[/:]/)[0];
  if (host !== null && isHostname(host) && !/\s/.test(v)) return null;
  return `Backend URL ${JSON.stringify(v)} must be a Supabase project address such as https://abcd.supabase.co (http:// only for localhost) or a postgres:// URL.`;
}

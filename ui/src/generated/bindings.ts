// DRAFT written by hand before the Rust side exists; it will be REPLACED by the file tauri-specta
// generates from crates/app (same names and shapes). Do not edit by hand after that.

export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export type ErrorCode =
  | "notFound"
  | "invalidInput"
  | "csv"
  | "storage"
  | "keychain"
  | "cancelled"
  | "io"
  | "databaseNewer"
  | "databaseCorrupt"
  | "internal";
/** Every error crossing IPC. The UI switches on `code`, shows `message`. */
export type IpcError = { code: ErrorCode; message: string };

export type LeadSortField = "name" | "company" | "status" | "lastContact" | "createdAt" | "value";
export type LeadSort = { field: LeadSortField; descending: boolean };
export type LeadQuery = {
  search: string | null;
  listId: string | null;
  sort: LeadSort;
  offset: number;
  limit: number;
};
export type LeadSummary = {
  id: string;
  name: string;
  company: string | null;
  email: string | null;
  phone: string | null; // as entered
  phoneE164: string | null;
  phoneDisplay: string | null; // formatted for display (national or international)
  status: string;
  value: number | null;
  lastContact: string | null; // RFC 3339 UTC
};
export type LeadPage = { rows: LeadSummary[]; total: number; offset: number };
export type Lead = {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  phoneE164: string | null;
  phoneDisplay: string | null;
  company: string | null;
  position: string | null;
  status: string;
  value: number | null;
  source: string | null;
  notes: string | null;
  timezone: string | null;
  lastContact: string | null;
  createdAt: string;
  updatedAt: string;
  listIds: string[];
};
/** Fields left null are unchanged; "" clears a text field. */
export type LeadPatch = {
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  position: string | null;
  status: string | null;
  value: string | null; // parsed on the Rust side; "" clears
  source: string | null;
  notes: string | null;
  timezone: string | null;
};
export type LeadList = { id: string; name: string; description: string | null; memberCount: number };

export type LeadField =
  | "name"
  | "firstName"
  | "lastName"
  | "email"
  | "phone"
  | "company"
  | "position"
  | "status"
  | "value"
  | "source"
  | "notes";
export type ImportPreview = {
  path: string;
  fileSize: number;
  headers: string[];
  mapping: (LeadField | null)[]; // one per header, auto-detected
  sampleRows: string[][]; // first rows, for the mapping screen
};
export type ImportTarget =
  | { kind: "none" }
  | { kind: "newList"; name: string }
  | { kind: "existingList"; listId: string };
export type ImportRequest = { path: string; mapping: (LeadField | null)[]; target: ImportTarget };
export type ImportProgress = { bytesRead: number; totalBytes: number; rowsRead: number };
export type RowError = { line: number; reason: string };
export type ImportReport = {
  created: number;
  merged: number;
  invalidTotal: number;
  invalid: RowError[]; // first 1000
  listId: string | null;
};
export type ExportReport = { path: string; rows: number };

export type SipTransport = "udp" | "tcp" | "tls";
export type Settings = {
  defaultRegion: string; // ISO 3166 alpha-2, e.g. "US"
  signalwireSpace: string;
  signalwireProjectId: string;
  signalwireApiTokenSet: boolean;
  sipRegistrar: string;
  sipUsername: string;
  sipPasswordSet: boolean;
  sipTransport: SipTransport;
  backendUrl: string;
  backendKeySet: boolean;
};
export type SettingsUpdate = {
  defaultRegion: string | null;
  signalwireSpace: string | null;
  signalwireProjectId: string | null;
  sipRegistrar: string | null;
  sipUsername: string | null;
  sipTransport: SipTransport | null;
  backendUrl: string | null;
};
export type SecretKind = "signalwireApiToken" | "sipPassword" | "backendKey";
export type Region = { code: string; name: string; callingCode: number };

export type NumberLookup = {
  e164: string | null;
  display: string | null;
  error: string | null; // specific reason when the input is not a dialable number
  lead: LeadSummary | null; // lead whose number matches
};
export type AppInfo = {
  version: string;
  dbPath: string;
  leadCount: number;
  /** Why the Dial button is disabled; null once a phone line exists. */
  dialDisabledReason: string | null;
};

export const commands = {
  async appInfo(): Promise<Result<AppInfo, IpcError>> { return invoke("app_info", {}); },
  async listLeads(query: LeadQuery): Promise<Result<LeadPage, IpcError>> { return invoke("list_leads", { query }); },
  async getLead(id: string): Promise<Result<Lead, IpcError>> { return invoke("get_lead", { id }); },
  async updateLead(id: string, patch: LeadPatch): Promise<Result<Lead, IpcError>> { return invoke("update_lead", { id, patch }); },
  async listLists(): Promise<Result<LeadList[], IpcError>> { return invoke("list_lists", {}); },
  async createList(name: string, description: string | null): Promise<Result<LeadList, IpcError>> { return invoke("create_list", { name, description }); },
  async previewImport(path: string): Promise<Result<ImportPreview, IpcError>> { return invoke("preview_import", { path }); },
  /** Progress arrives on the `importProgress` event; cancel with cancelImport(). */
  async importLeads(request: ImportRequest): Promise<Result<ImportReport, IpcError>> { return invoke("import_leads", { request }); },
  async cancelImport(): Promise<Result<null, IpcError>> { return invoke("cancel_import", {}); },
  async exportLeads(path: string, listId: string | null): Promise<Result<ExportReport, IpcError>> { return invoke("export_leads", { path, listId }); },
  async getSettings(): Promise<Result<Settings, IpcError>> { return invoke("get_settings", {}); },
  async updateSettings(update: SettingsUpdate): Promise<Result<Settings, IpcError>> { return invoke("update_settings", { update }); },
  async setSecret(kind: SecretKind, value: string): Promise<Result<Settings, IpcError>> { return invoke("set_secret", { kind, value }); },
  async clearSecret(kind: SecretKind): Promise<Result<Settings, IpcError>> { return invoke("clear_secret", { kind }); },
  async listRegions(): Promise<Result<Region[], IpcError>> { return invoke("list_regions", {}); },
  async lookupNumber(input: string): Promise<Result<NumberLookup, IpcError>> { return invoke("lookup_number", { input }); },
};

// events: `importProgress` carries ImportProgress.
declare function invoke<T>(cmd: string, args: Record<string, unknown>): Promise<T>;

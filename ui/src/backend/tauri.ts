// The desktop implementation: the generated `commands`, with their Result unwrapped.
import { commands, events, type CallNotice, type ImportProgress, type IpcError, type LinkNotice, type ReminderNotice, type RealtimeNotice, type SyncNotice } from "../generated/bindings";
import { BackendError } from "./errors";
import type { Backend, Result } from "./index";

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as IpcError).code === "string" &&
    typeof (value as IpcError).message === "string"
  );
}

async function unwrap<T>(call: () => Promise<Result<T, IpcError>>): Promise<T> {
  let result: Result<T, IpcError>;
  try {
    result = await call();
  } catch (err) {
    // invoke() itself failed (command missing, serialisation error, panic, …) or a command
    // rejected without the Result wrapper.
    if (isIpcError(err)) throw BackendError.from(err);
    throw new BackendError("internal", err instanceof Error ? err.message : String(err));
  }
  if (result.status === "ok") return result.data;
  throw BackendError.from(result.error);
}

export class TauriBackend implements Backend {
  appInfo = () => unwrap(() => commands.appInfo());
  listLeads: Backend["listLeads"] = (query) => unwrap(() => commands.listLeads(query));
  getLead: Backend["getLead"] = (id) => unwrap(() => commands.getLead(id));
  updateLead: Backend["updateLead"] = (id, patch) => unwrap(() => commands.updateLead(id, patch));
  listLists = () => unwrap(() => commands.listLists());
  createList: Backend["createList"] = (name, description) => unwrap(() => commands.createList(name, description));
  chooseImportFile = () => unwrap(() => commands.chooseImportFile());
  importLeads: Backend["importLeads"] = (request) => unwrap(() => commands.importLeads(request));
  cancelImport = () => unwrap(() => commands.cancelImport());
  exportLeads: Backend["exportLeads"] = (fileName, listId) => unwrap(() => commands.exportLeads(fileName, listId));
  getSettings = () => unwrap(() => commands.getSettings());
  updateSettings: Backend["updateSettings"] = (update) => unwrap(() => commands.updateSettings(update));
  setSecret: Backend["setSecret"] = (kind, value) => unwrap(() => commands.setSecret(kind, value));
  clearSecret: Backend["clearSecret"] = (kind) => unwrap(() => commands.clearSecret(kind));
  listRegions = () => unwrap(() => commands.listRegions());
  lookupNumber: Backend["lookupNumber"] = (input) => unwrap(() => commands.lookupNumber(input));
  openLink: Backend["openLink"] = (link) => unwrap(() => commands.openLink(link));
  uiReady = () => unwrap(() => commands.uiReady());
  createLead: Backend["createLead"] = (fields) => unwrap(() => commands.createLead(fields));
  startRealtime = () => unwrap(() => commands.startRealtime());
  realtimeStatus = () => unwrap(() => commands.realtimeStatus());
  smsSegments: Backend["smsSegments"] = (body) => unwrap(() => commands.smsSegments(body));
  sendSms: Backend["sendSms"] = (request) => unwrap(() => commands.sendSms(request));
  smsThreads: Backend["smsThreads"] = (search) => unwrap(() => commands.smsThreads(search));
  smsThread: Backend["smsThread"] = (contact, beforeCreatedAt, beforeId, limit) =>
    unwrap(() => commands.smsThread(contact, beforeCreatedAt, beforeId, limit));
  markSmsRead: Backend["markSmsRead"] = (contact) => unwrap(() => commands.markSmsRead(contact));
  smsUnreadCount = () => unwrap(() => commands.smsUnreadCount());
  syncSms = () => unwrap(() => commands.syncSms());
  searchNumbers: Backend["searchNumbers"] = (query) => unwrap(() => commands.searchNumbers(query));
  buyNumber: Backend["buyNumber"] = (phoneNumber) => unwrap(() => commands.buyNumber(phoneNumber));
  listNumbers = () => unwrap(() => commands.listNumbers());
  routeNumber: Backend["routeNumber"] = (sid, update) => unwrap(() => commands.routeNumber(sid, update));
  routeNumberToRingdesk: Backend["routeNumberToRingdesk"] = (n) => unwrap(() => commands.routeNumberToRingdesk(n));
  provisionSipLine: Backend["provisionSipLine"] = (r) => unwrap(() => commands.provisionSipLine(r));
  applySoftphoneCallerId = () => unwrap(() => commands.applySoftphoneCallerId());
  releaseNumber: Backend["releaseNumber"] = (sid) => unwrap(() => commands.releaseNumber(sid));
  callRecordings: Backend["callRecordings"] = (callLogId) => unwrap(() => commands.callRecordings(callLogId));
  syncCallRecordings: Backend["syncCallRecordings"] = (callLogId) => unwrap(() => commands.syncCallRecordings(callLogId));
  fetchRecording: Backend["fetchRecording"] = (id) => unwrap(() => commands.fetchRecording(id));
  recordingsLibrary: Backend["recordingsLibrary"] = (query) => unwrap(() => commands.recordingsLibrary(query));
  syncRecordings: Backend["syncRecordings"] = (days) => unwrap(() => commands.syncRecordings(days));
  audioDevices = () => unwrap(() => commands.audioDevices());
  placeCall: Backend["placeCall"] = (request) => unwrap(() => commands.placeCall(request));
  bridgeCallStatus: Backend["bridgeCallStatus"] = (sid) => unwrap(() => commands.bridgeCallStatus(sid));
  hangUpBridgeCall: Backend["hangUpBridgeCall"] = (sid) => unwrap(() => commands.hangUpBridgeCall(sid));
  exportCallHistory: Backend["exportCallHistory"] = (fileName, filter) => unwrap(() => commands.exportCallHistory(fileName, filter));
  takePendingLinks = () => unwrap(() => commands.takePendingLinks());
  syncStatus = () => unwrap(() => commands.syncStatus());
  syncNow = () => unwrap(() => commands.syncNow());
  backendSignIn: Backend["backendSignIn"] = (email, password) => unwrap(() => commands.backendSignIn(email, password));
  backendSignOut = () => unwrap(() => commands.backendSignOut());
  syncConflicts = () => unwrap(() => commands.syncConflicts());
  resolveSyncConflict: Backend["resolveSyncConflict"] = (id, keepMine) => unwrap(() => commands.resolveSyncConflict(id, keepMine));
  syncIssues: Backend["syncIssues"] = (limit) => unwrap(() => commands.syncIssues(limit));
  clearSyncIssues = () => unwrap(() => commands.clearSyncIssues());
  dispositionOptions = () => unwrap(() => commands.dispositionOptions());
  setDispositionOptions: Backend["setDispositionOptions"] = (options) => unwrap(() => commands.setDispositionOptions(options));
  disposeCall: Backend["disposeCall"] = (request) => unwrap(() => commands.disposeCall(request));
  callsAwaitingDisposition = () => unwrap(() => commands.callsAwaitingDisposition());
  callHistory: Backend["callHistory"] = (filter) => unwrap(() => commands.callHistory(filter));
  followUps = () => unwrap(() => commands.followUps());
  completeFollowUp: Backend["completeFollowUp"] = (id) => unwrap(() => commands.completeFollowUp(id));
  snoozeFollowUp: Backend["snoozeFollowUp"] = (id, until) => unwrap(() => commands.snoozeFollowUp(id, until));
  rescheduleFollowUp: Backend["rescheduleFollowUp"] = (id, dueAt) => unwrap(() => commands.rescheduleFollowUp(id, dueAt));
  cancelFollowUp: Backend["cancelFollowUp"] = (id) => unwrap(() => commands.cancelFollowUp(id));

  startPhone = () => unwrap(() => commands.startPhone());
  phoneRegistration = () => unwrap(() => commands.phoneRegistration());
  dial: Backend["dial"] = (request) => unwrap(() => commands.dial(request));
  answerCall: Backend["answerCall"] = (callId) => unwrap(() => commands.answerCall(callId));
  rejectCall: Backend["rejectCall"] = (callId) => unwrap(() => commands.rejectCall(callId));
  hangUp: Backend["hangUp"] = (callId) => unwrap(() => commands.hangUp(callId));
  setMute: Backend["setMute"] = (callId, on) => unwrap(() => commands.setMute(callId, on));
  holdCall: Backend["holdCall"] = (callId, hold) => unwrap(() => commands.holdCall(callId, hold));
  sendDtmf: Backend["sendDtmf"] = (callId, keys) => unwrap(() => commands.sendDtmf(callId, keys));
  transferCall: Backend["transferCall"] = (callId, to) => unwrap(() => commands.transferCall(callId, to));

  async onCall(cb: (notice: CallNotice) => void): Promise<() => void> {
    const unlisten = await events.callEvent.listen((event) => cb(event.payload));
    return () => unlisten();
  }

  async onLink(cb: (notice: LinkNotice) => void): Promise<() => void> {
    const unlisten = await events.linkEvent.listen((event) => cb(event.payload));
    return () => unlisten();
  }

  async onReminder(cb: (notice: ReminderNotice) => void): Promise<() => void> {
    const unlisten = await events.reminderEvent.listen((event) => cb(event.payload));
    return () => unlisten();
  }

  async onImportProgress(cb: (p: ImportProgress) => void): Promise<() => void> {
    const unlisten = await events.importProgressEvent.listen((event) => cb(event.payload));
    return () => unlisten();
  }

  async onRealtime(cb: (notice: RealtimeNotice) => void): Promise<() => void> {
    const unlisten = await events.realtimeEvent.listen((event) => cb(event.payload));
    return () => unlisten();
  }

  async onSync(cb: (notice: SyncNotice) => void): Promise<() => void> {
    const unlisten = await events.syncEvent.listen((event) => cb(event.payload));
    return () => unlisten();
  }
}

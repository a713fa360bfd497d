//! IPC commands: each one line, forwarding to `ringdesk_app::App`. `async` in the attribute runs
//! them on Tauri's worker threads, so a long import never blocks the window.

use ringdesk_app::IpcError;
use ringdesk_app::ipc::*;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::{Event, collect_commands, collect_events};

use crate::Shell;

type R<T> = Result<T, IpcError>;

/// What the live SignalWire connection reports (texts arriving, connection state, a clicked
/// notification).
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct RealtimeEvent(pub RealtimeNotice);

/// Replication with the backend: state, pending count, progress of a large pull, and whether
/// pulled rows changed what the UI shows.
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct SyncEvent(pub SyncNotice);

/// What the softphone reports: registration, an incoming call with its screen pop, call
/// states, levels and quality.
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct CallEvent(pub CallNotice);

/// Follow-up reminders: the overdue count and the follow-ups that just fell due.
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct ReminderEvent(pub ReminderNotice);

/// A `tel:` or `ringdesk://dial` link the operating system handed over (clicked anywhere on the
/// desktop, while Ringdesk ran or to start it).
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct LinkEvent(pub LinkNotice);

/// Progress of a running import, about every 50 ms.
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct ImportProgressEvent(pub ImportProgress);

#[tauri::command(async)]
#[specta::specta]
fn app_info(shell: State<'_, Shell>) -> R<AppInfo> {
    shell.app()?.app_info()
}

#[tauri::command(async)]
#[specta::specta]
fn list_leads(shell: State<'_, Shell>, query: LeadQuery) -> R<LeadPage> {
    shell.app()?.list_leads(&query)
}

#[tauri::command(async)]
#[specta::specta]
fn get_lead(shell: State<'_, Shell>, id: String) -> R<Lead> {
    shell.app()?.get_lead(&id)
}

#[tauri::command(async)]
#[specta::specta]
fn update_lead(shell: State<'_, Shell>, id: String, patch: LeadPatch) -> R<Lead> {
    shell.app()?.update_lead(&id, &patch)
}

#[tauri::command(async)]
#[specta::specta]
fn list_lists(shell: State<'_, Shell>) -> R<Vec<LeadList>> {
    shell.app()?.list_lists()
}

#[tauri::command(async)]
#[specta::specta]
fn create_list(shell: State<'_, Shell>, name: String, description: Option<String>) -> R<LeadList> {
    shell.app()?.create_list(&name, description.as_deref())
}

/// Asks for a CSV file in the native dialog and previews it; `None` when the agent cancelled.
#[tauri::command(async)]
#[specta::specta]
fn choose_import_file(shell: State<'_, Shell>, handle: AppHandle) -> R<Option<ImportPreview>> {
    shell.choose_import_file(&handle)
}

/// Imports the file chosen with `choose_import_file` (no other path is accepted).
#[tauri::command(async)]
#[specta::specta]
fn import_leads(shell: State<'_, Shell>, handle: AppHandle, request: ImportRequest) -> R<ImportReport> {
    shell.import_leads(&request, &mut |p| drop(ImportProgressEvent(p).emit(&handle)))
}

#[tauri::command(async)]
#[specta::specta]
fn cancel_import(shell: State<'_, Shell>) -> R<()> {
    shell.app().map(|app| app.cancel_import())
}

/// Asks where to save (suggesting `file_name`) and exports the leads there; `None` when cancelled.
#[tauri::command(async)]
#[specta::specta]
fn export_leads(
    shell: State<'_, Shell>,
    handle: AppHandle,
    file_name: String,
    list_id: Option<String>,
) -> R<Option<ExportReport>> {
    shell.export(&handle, &file_name, |app, path| app.export_leads(path, list_id.as_deref()))
}

#[tauri::command(async)]
#[specta::specta]
fn get_settings(shell: State<'_, Shell>) -> R<Settings> {
    shell.app()?.get_settings()
}

#[tauri::command(async)]
#[specta::specta]
fn update_settings(shell: State<'_, Shell>, update: SettingsUpdate) -> R<Settings> {
    shell.app()?.update_settings(&update)
}

#[tauri::command(async)]
#[specta::specta]
fn set_secret(shell: State<'_, Shell>, kind: SecretKind, value: String) -> R<Settings> {
    shell.app()?.set_secret(kind, &value)
}

#[tauri::command(async)]
#[specta::specta]
fn clear_secret(shell: State<'_, Shell>, kind: SecretKind) -> R<Settings> {
    shell.app()?.clear_secret(kind)
}

#[tauri::command(async)]
#[specta::specta]
fn list_regions(shell: State<'_, Shell>) -> R<Vec<Region>> {
    shell.app().map(|app| app.list_regions())
}

#[tauri::command(async)]
#[specta::specta]
fn ui_ready(shell: State<'_, Shell>) -> R<()> {
    shell.ui_ready()
}

#[tauri::command(async)]
#[specta::specta]
fn lookup_number(shell: State<'_, Shell>, input: String) -> R<NumberLookup> {
    shell.app()?.lookup_number(&input)
}

#[tauri::command(async)]
#[specta::specta]
fn create_lead(shell: State<'_, Shell>, fields: LeadPatch) -> R<Lead> {
    shell.app()?.create_lead(&fields)
}

/// (Re)connects to SignalWire's realtime API, e.g. after its settings changed.
#[tauri::command(async)]
#[specta::specta]
fn start_realtime(shell: State<'_, Shell>, handle: AppHandle) -> R<()> {
    shell.start_realtime(&handle)
}

/// The live connection's last connection notice (`null` before it reported one).
#[tauri::command(async)]
#[specta::specta]
fn realtime_status(shell: State<'_, Shell>) -> R<Option<RealtimeNotice>> {
    Ok(shell.realtime_status())
}

#[tauri::command(async)]
#[specta::specta]
fn sync_status(shell: State<'_, Shell>) -> R<SyncStatus> {
    Ok(shell.app()?.sync_status())
}

/// Runs one sync cycle now ("Sync now").
#[tauri::command(async)]
#[specta::specta]
fn sync_now(shell: State<'_, Shell>) -> R<SyncReport> {
    shell.app()?.sync_now()
}

#[tauri::command(async)]
#[specta::specta]
fn backend_sign_in(shell: State<'_, Shell>, email: String, password: String) -> R<Settings> {
    shell.app()?.backend_sign_in(&email, &password)
}

#[tauri::command(async)]
#[specta::specta]
fn backend_sign_out(shell: State<'_, Shell>) -> R<Settings> {
    shell.app()?.backend_sign_out()
}

#[tauri::command(async)]
#[specta::specta]
fn sync_conflicts(shell: State<'_, Shell>) -> R<Vec<SyncConflict>> {
    shell.app()?.sync_conflicts()
}

#[tauri::command(async)]
#[specta::specta]
fn resolve_sync_conflict(shell: State<'_, Shell>, id: String, keep_mine: bool) -> R<Vec<SyncConflict>> {
    shell.app()?.resolve_sync_conflict(&id, keep_mine)
}

#[tauri::command(async)]
#[specta::specta]
fn sync_issues(shell: State<'_, Shell>, limit: u32) -> R<Vec<SyncIssue>> {
    shell.app()?.sync_issues(limit)
}

#[tauri::command(async)]
#[specta::specta]
fn clear_sync_issues(shell: State<'_, Shell>) -> R<()> {
    shell.app()?.clear_sync_issues()
}

#[tauri::command(async)]
#[specta::specta]
fn disposition_options(shell: State<'_, Shell>) -> R<Vec<DispositionOption>> {
    shell.app()?.disposition_options()
}

#[tauri::command(async)]
#[specta::specta]
fn set_disposition_options(shell: State<'_, Shell>, options: Vec<DispositionOption>) -> R<Vec<DispositionOption>> {
    shell.app()?.set_disposition_options(&options)
}

#[tauri::command(async)]
#[specta::specta]
fn dispose_call(shell: State<'_, Shell>, request: DispositionRequest) -> R<CallHistoryItem> {
    shell.app()?.dispose_call(&request)
}

#[tauri::command(async)]
#[specta::specta]
fn calls_awaiting_disposition(shell: State<'_, Shell>) -> R<Vec<CallHistoryItem>> {
    shell.app()?.calls_awaiting_disposition()
}

#[tauri::command(async)]
#[specta::specta]
fn call_history(shell: State<'_, Shell>, filter: HistoryFilter) -> R<Vec<CallHistoryItem>> {
    shell.app()?.call_history(&filter)
}

#[tauri::command(async)]
#[specta::specta]
fn follow_ups(shell: State<'_, Shell>) -> R<FollowUps> {
    shell.app()?.follow_ups()
}

#[tauri::command(async)]
#[specta::specta]
fn complete_follow_up(shell: State<'_, Shell>, id: String) -> R<FollowUps> {
    shell.app()?.complete_follow_up(&id)
}

#[tauri::command(async)]
#[specta::specta]
fn snooze_follow_up(shell: State<'_, Shell>, id: String, until: String) -> R<FollowUps> {
    shell.app()?.snooze_follow_up(&id, &until)
}

#[tauri::command(async)]
#[specta::specta]
fn reschedule_follow_up(shell: State<'_, Shell>, id: String, due_at: String) -> R<FollowUps> {
    shell.app()?.reschedule_follow_up(&id, &due_at)
}

#[tauri::command(async)]
#[specta::specta]
fn cancel_follow_up(shell: State<'_, Shell>, id: String) -> R<FollowUps> {
    shell.app()?.cancel_follow_up(&id)
}

/// Reads a `tel:` or `ringdesk://dial` link: the number and the lead to select (never dials).
#[tauri::command(async)]
#[specta::specta]
fn open_link(shell: State<'_, Shell>, link: String) -> R<LinkTarget> {
    shell.app()?.open_link(&link)
}

/// Links the operating system handed over before the window listened (a link that started the
/// app); each is returned once.
#[tauri::command(async)]
#[specta::specta]
fn take_pending_links(shell: State<'_, Shell>) -> R<Vec<LinkNotice>> {
    Ok(shell.take_pending_links())
}

/// The phone line's last registration notice (null while no phone runs or before it reported).
#[tauri::command(async)]
#[specta::specta]
fn phone_registration(shell: State<'_, Shell>) -> R<Option<CallNotice>> {
    Ok(shell.app()?.phone_registration())
}

/// Places a call over the default route (or the one the call names).
#[tauri::command(async)]
#[specta::specta]
fn place_call(shell: State<'_, Shell>, request: PlaceCall) -> R<PlacedCall> {
    shell.app()?.place_call(&request)
}

/// A bridge call as SignalWire reports it now (the UI polls it while the call lasts).
#[tauri::command(async)]
#[specta::specta]
fn bridge_call_status(shell: State<'_, Shell>, sid: String) -> R<BridgeCallInfo> {
    shell.app()?.bridge_call_status(&sid)
}

#[tauri::command(async)]
#[specta::specta]
fn hang_up_bridge_call(shell: State<'_, Shell>, sid: String) -> R<BridgeCallInfo> {
    shell.app()?.hang_up_bridge_call(&sid)
}

/// Asks where to save (suggesting `file_name`) and writes the calls the filter selects (every
/// page) there; `None` when cancelled.
#[tauri::command(async)]
#[specta::specta]
fn export_call_history(
    shell: State<'_, Shell>,
    handle: AppHandle,
    file_name: String,
    filter: HistoryFilter,
) -> R<Option<ExportReport>> {
    shell.export(&handle, &file_name, |app, path| app.export_call_history(path, &filter))
}

#[tauri::command(async)]
#[specta::specta]
fn recordings_library(shell: State<'_, Shell>, query: RecordingQuery) -> R<Vec<RecordingGroup>> {
    shell.app()?.recordings_library(&query)
}

#[tauri::command(async)]
#[specta::specta]
fn sync_recordings(shell: State<'_, Shell>, days: u32) -> R<RecordingSyncReport> {
    shell.app()?.sync_recordings(days)
}

#[tauri::command(async)]
#[specta::specta]
fn audio_devices(shell: State<'_, Shell>) -> R<Vec<AudioDevice>> {
    Ok(shell.app()?.audio_devices())
}

/// (Re)starts the softphone with the SIP line in Settings.
#[tauri::command(async)]
#[specta::specta]
fn start_phone(shell: State<'_, Shell>, handle: AppHandle) -> R<()> {
    shell.start_phone(&handle)
}

#[tauri::command(async)]
#[specta::specta]
fn dial(shell: State<'_, Shell>, request: DialRequest) -> R<ActiveCall> {
    shell.app()?.dial(&request)
}

#[tauri::command(async)]
#[specta::specta]
fn answer_call(shell: State<'_, Shell>, call_id: String) -> R<()> {
    shell.app()?.answer_call(&call_id)
}

#[tauri::command(async)]
#[specta::specta]
fn reject_call(shell: State<'_, Shell>, call_id: String) -> R<()> {
    shell.app()?.reject_call(&call_id)
}

#[tauri::command(async)]
#[specta::specta]
fn hang_up(shell: State<'_, Shell>, call_id: String) -> R<()> {
    shell.app()?.hang_up(&call_id)
}

#[tauri::command(async)]
#[specta::specta]
fn set_mute(shell: State<'_, Shell>, call_id: String, on: bool) -> R<()> {
    shell.app()?.set_mute(&call_id, on)
}

#[tauri::command(async)]
#[specta::specta]
fn hold_call(shell: State<'_, Shell>, call_id: String, hold: bool) -> R<()> {
    shell.app()?.hold_call(&call_id, hold)
}

#[tauri::command(async)]
#[specta::specta]
fn send_dtmf(shell: State<'_, Shell>, call_id: String, keys: String) -> R<()> {
    shell.app()?.send_dtmf(&call_id, &keys)
}

#[tauri::command(async)]
#[specta::specta]
fn transfer_call(shell: State<'_, Shell>, call_id: String, to: String) -> R<()> {
    shell.app()?.transfer_call(&call_id, &to)
}

#[tauri::command(async)]
#[specta::specta]
fn sms_segments(shell: State<'_, Shell>, body: String) -> R<SmsSegments> {
    Ok(shell.app()?.sms_segments(&body))
}

#[tauri::command(async)]
#[specta::specta]
fn send_sms(shell: State<'_, Shell>, request: SendSms) -> R<SmsMessage> {
    shell.app()?.send_sms(&request)
}

#[tauri::command(async)]
#[specta::specta]
fn sms_threads(shell: State<'_, Shell>, search: Option<String>) -> R<Vec<SmsThread>> {
    shell.app()?.sms_threads(search.as_deref())
}

#[tauri::command(async)]
#[specta::specta]
fn sms_thread(
    shell: State<'_, Shell>,
    contact: String,
    before_created_at: Option<String>,
    before_id: Option<String>,
    limit: u32,
) -> R<SmsThreadPage> {
    shell.app()?.sms_thread(&contact, before_created_at.as_deref(), before_id.as_deref(), limit)
}

#[tauri::command(async)]
#[specta::specta]
fn mark_sms_read(shell: State<'_, Shell>, contact: String) -> R<u32> {
    shell.app()?.mark_sms_read(&contact)
}

#[tauri::command(async)]
#[specta::specta]
fn sms_unread_count(shell: State<'_, Shell>) -> R<u32> {
    shell.app()?.sms_unread_count()
}

#[tauri::command(async)]
#[specta::specta]
fn sync_sms(shell: State<'_, Shell>) -> R<SmsSyncReport> {
    shell.app()?.sync_sms()
}

#[tauri::command(async)]
#[specta::specta]
fn search_numbers(shell: State<'_, Shell>, query: NumberQuery) -> R<Vec<NumberOffer>> {
    shell.app()?.search_numbers(&query)
}

#[tauri::command(async)]
#[specta::specta]
fn buy_number(shell: State<'_, Shell>, phone_number: String) -> R<OwnedNumberInfo> {
    shell.app()?.buy_number(&phone_number)
}

#[tauri::command(async)]
#[specta::specta]
fn list_numbers(shell: State<'_, Shell>) -> R<Vec<OwnedNumberInfo>> {
    shell.app()?.list_numbers()
}

#[tauri::command(async)]
#[specta::specta]
fn route_number(shell: State<'_, Shell>, sid: String, update: NumberRoutingUpdate) -> R<OwnedNumberInfo> {
    shell.app()?.route_number(&sid, &update)
}

#[tauri::command(async)]
#[specta::specta]
fn route_number_to_ringdesk(shell: State<'_, Shell>, phone_number: String) -> R<NumberHandling> {
    shell.app()?.route_number_to_ringdesk(&phone_number)
}

/// Creates SIP credentials in SignalWire and makes them this desktop's SIP account.
#[tauri::command(async)]
#[specta::specta]
fn provision_sip_line(shell: State<'_, Shell>, request: ProvisionSipLine) -> R<Settings> {
    shell.app()?.provision_sip_line(&request)
}

/// Softphone calls show the caller ID in Settings (the SignalWire SIP endpoint's send_as).
#[tauri::command(async)]
#[specta::specta]
fn apply_softphone_caller_id(shell: State<'_, Shell>) -> R<SoftphoneCallerId> {
    shell.app()?.apply_softphone_caller_id()
}

#[tauri::command(async)]
#[specta::specta]
fn release_number(shell: State<'_, Shell>, sid: String) -> R<()> {
    shell.app()?.release_number(&sid)
}

#[tauri::command(async)]
#[specta::specta]
fn call_recordings(shell: State<'_, Shell>, call_log_id: String) -> R<Vec<CallRecordingInfo>> {
    shell.app()?.call_recordings(&call_log_id)
}

#[tauri::command(async)]
#[specta::specta]
fn sync_call_recordings(shell: State<'_, Shell>, call_log_id: String) -> R<Vec<CallRecordingInfo>> {
    shell.app()?.sync_call_recordings(&call_log_id)
}

#[tauri::command(async)]
#[specta::specta]
fn fetch_recording(shell: State<'_, Shell>, id: String) -> R<RecordingFile> {
    shell.app()?.fetch_recording(&id)
}

pub(crate) fn builder() -> tauri_specta::Builder<tauri::Wry> {
    // One TypeScript type per Rust type: inputs and outputs share shapes, `Option` is `T | null`.
    tauri_specta::Builder::<tauri::Wry>::new()
        .disable_serde_phases()
        .commands(collect_commands![
            app_info,
            list_leads,
            get_lead,
            update_lead,
            list_lists,
            create_list,
            choose_import_file,
            import_leads,
            cancel_import,
            export_leads,
            get_settings,
            update_settings,
            set_secret,
            clear_secret,
            list_regions,
            lookup_number,
            ui_ready,
            create_lead,
            start_realtime,
            realtime_status,
            sms_segments,
            send_sms,
            sms_threads,
            sms_thread,
            mark_sms_read,
            sms_unread_count,
            sync_sms,
            search_numbers,
            buy_number,
            list_numbers,
            route_number,
            route_number_to_ringdesk,
            provision_sip_line,
            apply_softphone_caller_id,
            release_number,
            call_recordings,
            sync_call_recordings,
            fetch_recording,
            sync_status,
            sync_now,
            backend_sign_in,
            backend_sign_out,
            sync_conflicts,
            resolve_sync_conflict,
            sync_issues,
            clear_sync_issues,
            disposition_options,
            set_disposition_options,
            dispose_call,
            calls_awaiting_disposition,
            call_history,
            follow_ups,
            complete_follow_up,
            snooze_follow_up,
            reschedule_follow_up,
            cancel_follow_up,
            open_link,
            start_phone,
            dial,
            answer_call,
            reject_call,
            hang_up,
            set_mute,
            hold_call,
            send_dtmf,
            transfer_call,
            take_pending_links,
            phone_registration,
            place_call,
            bridge_call_status,
            hang_up_bridge_call,
            export_call_history,
            recordings_library,
            sync_recordings,
            audio_devices,
        ])
        .events(collect_events![ImportProgressEvent, RealtimeEvent, SyncEvent, CallEvent, ReminderEvent, LinkEvent])
}

/// Writes the TypeScript bindings to `path`.
#[cfg(test)]
pub(crate) fn export(path: &std::path::Path) -> Result<(), String> {
    builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated by tauri-specta from crates/app's IPC types. Do not edit: run\n// `RINGDESK_WRITE_BINDINGS=1 cargo test -p ringdesk bindings`.\n/* eslint-disable */"),
            path,
        )
        .map_err(|e| e.to_string())
}

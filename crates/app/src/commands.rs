//! Every command the window can call, listed once.
//!
//! [`app_commands!`] hands the list to a macro of the caller's: the desktop shell turns each line
//! into a `#[tauri::command]` (and so into the generated TypeScript bindings and the window's
//! permission), and `ringdesk-cli serve --stdio` into a branch of its JSON dispatcher, which the
//! UI tests drive through Tauri's IPC mock. A command is therefore written twice only where it
//! must be: its [`App`](crate::App) method, and its line here.
//!
//! - `app { name(arg: Type, ...) -> Answer = |app| expression; }`: the expression calls the
//!   facade and gives a `Result<Answer, IpcError>`.
//! - `host { name(arg: Type, ...) -> Answer; }`: commands that need the window's host (native
//!   file dialogs, events pushed to the window, the first paint); each host implements a method
//!   of that name and signature (the shell takes its `AppHandle` first).
//!
//! Names and argument names are the Tauri command's: the window invokes `snake_case` names with
//! `camelCase` arguments. Types come from [`crate::ipc`]; the caller has them in scope.

/// Calls `$then! { app { ... } host { ... } }` with every command (see the module doc).
#[macro_export]
macro_rules! app_commands {
    ($then:ident) => {
        $then! {
            app {
                app_info() -> AppInfo = |app| app.app_info();
                list_leads(query: LeadQuery) -> LeadPage = |app| app.list_leads(&query);
                get_lead(id: String) -> Lead = |app| app.get_lead(&id);
                update_lead(id: String, patch: LeadPatch) -> Lead = |app| app.update_lead(&id, &patch);
                list_lists() -> Vec<LeadList> = |app| app.list_lists();
                create_list(name: String, description: Option<String>) -> LeadList = |app| app.create_list(&name, description.as_deref());
                cancel_import() -> () = |app| { app.cancel_import(); Ok(()) };
                get_settings() -> Settings = |app| app.get_settings();
                update_settings(update: SettingsUpdate) -> Settings = |app| app.update_settings(&update);
                set_secret(kind: SecretKind, value: String) -> Settings = |app| app.set_secret(kind, &value);
                clear_secret(kind: SecretKind) -> Settings = |app| app.clear_secret(kind);
                list_regions() -> Vec<Region> = |app| Ok(app.list_regions());
                lookup_number(input: String) -> NumberLookup = |app| app.lookup_number(&input);
                /// Creates a lead, validated like updateLead (a name is required; the phone is
                /// stored as E.164). Texts already exchanged with its number then belong to it
                /// (their threads show its name).
                create_lead(fields: LeadPatch) -> Lead = |app| app.create_lead(&fields);
                /// Where replication stands (the sync indicator); every change of it also arrives
                /// through onSync.
                sync_status() -> SyncStatus = |app| Ok(app.sync_status());
                /// Runs one sync cycle now: pushes the pending local changes, pulls the team's.
                /// Rejects with "notConfigured" (sync is off: no URL, key or sign-in), "offline"
                /// (the backend cannot be reached; changes stay pending), "provider" (refused:
                /// credentials, missing migrations) or "invalidInput".
                sync_now() -> SyncReport = |app| app.sync_now();
                /// Signs the agent in to the Supabase project in Settings (https URLs only; a
                /// postgres:// backend needs no sign-in). Rejects with "invalidInput" (no
                /// email/password, URL or key) or "provider" ("Sign-in refused: …"). The session
                /// goes to the keychain: `backendSignedIn`, `backendEmail`.
                backend_sign_in(email: String, password: String) -> Settings = |app| app.backend_sign_in(&email, &password);
                /// Forgets the session; local data and pending changes stay.
                backend_sign_out() -> Settings = |app| app.backend_sign_out();
                /// Changes of the agent's the backend did not take because the same field changed
                /// there, oldest first.
                sync_conflicts() -> Vec<SyncConflict> = |app| app.sync_conflicts();
                /// Keeps the backend's value (keepMine false) or applies the agent's again;
                /// resolves with the conflicts left.
                resolve_sync_conflict(id: String, keep_mine: bool) -> Vec<SyncConflict> = |app| app.resolve_sync_conflict(&id, keep_mine);
                /// What replication could not take as it was, newest first.
                sync_issues(limit: u32) -> Vec<SyncIssue> = |app| app.sync_issues(limit);
                clear_sync_issues() -> () = |app| app.clear_sync_issues();
                /// The disposition set the wrap-up step offers, in order (the defaults until the
                /// agent changes it).
                disposition_options() -> Vec<DispositionOption> = |app| app.disposition_options();
                /// The key a new disposition starts with, from its label as typed
                /// ("Callback Requested" → "callback_requested"; empty when nothing is left).
                disposition_key(label: String) -> String = |app| Ok(app.disposition_key(&label));
                /// What the power dialer decides for a number at an instant (RFC 3339; now when
                /// null): its zones, state, local time, window, and whether a call is allowed or
                /// why not. Rejects with "invalidInput" (a number, time or zone it cannot read).
                calling_window(input: String, at: Option<String>, timezone: Option<String>, campaign_zone: Option<String>) -> CallingWindow = |app| app.calling_window(&input, at.as_deref(), timezone.as_deref(), campaign_zone.as_deref());
                /// Every power-dialer campaign with its settings and progress, newest first.
                list_campaigns() -> Vec<CampaignSummary> = |app| app.list_campaigns();
                get_campaign(id: String) -> CampaignSummary = |app| app.get_campaign(&id);
                /// The agent's voicemail messages, by name.
                voicemail_messages() -> Vec<VoicemailMessage> = |app| app.voicemail_messages();
                /// Where SignalWire fetches a message for bridge calls (https; null clears it).
                set_voicemail_url(id: String, url: Option<String>) -> VoicemailMessage = |app| app.set_voicemail_url(&id, url.as_deref());
                delete_voicemail(id: String) -> Vec<VoicemailMessage> = |app| app.delete_voicemail(&id);
                /// Stops the recording and keeps it as the message `name` (the checks of an
                /// import), or throws it away when `name` is null.
                stop_voicemail_recording(name: Option<String>) -> Option<VoicemailMessage> = |app| app.stop_voicemail_recording(name.as_deref());
                /// Plays the message into the answered call and frees the agent at once: the call
                /// hangs up by itself once the message has played, and its outcome "left
                /// voicemail" is saved now. Rejects with "conflict" when nobody answered yet, and
                /// "invalidInput" for a bridge call's message without a public URL.
                drop_voicemail(call_log_id: String, message_id: String) -> () = |app| app.drop_voicemail(&call_log_id, &message_id);
                /// The retry rules a new campaign starts with (Busy 1 h, No Answer 4 h, Voicemail
                /// next day, failed 15 min, a person reached or a wrong number never).
                campaign_retry_defaults() -> Vec<RetryRule> = |app| Ok(app.campaign_retry_defaults());
                /// Creates a draft campaign over a CRM list. Rejects with "invalidInput" (naming
                /// the field) for an empty, deleted or number-less list, a window whose end is not
                /// after its start or outside 08:00–21:00, a bad caller ID, zone or weekday.
                create_campaign(draft: CampaignDraft) -> CampaignSummary = |app| app.create_campaign(&draft);
                /// Replaces a campaign's settings (same checks as createCampaign; the list stays).
                update_campaign(id: String, draft: CampaignDraft) -> CampaignSummary = |app| app.update_campaign(&id, &draft);
                /// Start, pause, resume, complete, duplicate (resolves with the copy) or delete (a
                /// draft only; resolves with null). Rejects with "conflict" when the campaign's
                /// status does not allow it.
                campaign_action(id: String, action: CampaignAction) -> Option<CampaignSummary> = |app| app.campaign_action(&id, action);
                /// The agent's session on an active campaign after `command`: the lead offered or
                /// in the call, the next five, leads waiting for their window, and the call the
                /// session placed (hand it to the in-call panel). Ask again with "refresh" at
                /// `dialAt`/`waitUntil` and after the wrap-up is saved.
                campaign_session(id: String, command: SessionCommand) -> CampaignSession = |app| app.campaign_session(&id, command);
                /// A campaign's results: progress, dials, connects, conversations, talk time,
                /// outcomes, attempts per lead, dials per hour.
                campaign_stats(id: String) -> CampaignStats = |app| app.campaign_stats(&id);
                /// Replaces the disposition set (keys: lowercase letters, digits, _; unique; labels
                /// of 1–60 characters; lead statuses like "contacted" or null to leave the status);
                /// an empty list restores the defaults. Resolves with the set now in force; rejects
                /// with "invalidInput".
                set_disposition_options(options: Vec<DispositionOption>) -> Vec<DispositionOption> = |app| app.set_disposition_options(&options);
                /// Saves a call's wrap-up in one transaction: the outcome, notes, next action with
                /// its follow-up time, and the lead's mapped status ("lost" for markDead). Rejects
                /// with "invalidInput" for an unknown key (listing the valid ones), a follow-up
                /// time without a next action, or a next action other than markDead without a time;
                /// "notFound" for an unknown call.
                dispose_call(request: DispositionRequest) -> CallHistoryItem = |app| app.dispose_call(&request);
                /// Calls of the last week that ended without a disposition, newest first (they
                /// survive a restart).
                calls_awaiting_disposition() -> Vec<CallHistoryItem> = |app| app.calls_awaiting_disposition();
                /// One page of the history, newest first; the next page passes the last row's
                /// startedAt and id.
                call_history(filter: HistoryFilter) -> Vec<CallHistoryItem> = |app| app.call_history(&filter);
                /// Follow-ups due in the next 30 days: overdue, later today (local time), upcoming;
                /// soonest first.
                follow_ups() -> FollowUps = |app| app.follow_ups();
                /// Each follow-up action resolves with the page as it is afterwards; "notFound"
                /// once it is no longer open.
                complete_follow_up(id: String) -> FollowUps = |app| app.complete_follow_up(&id);
                snooze_follow_up(id: String, until: String) -> FollowUps = |app| app.snooze_follow_up(&id, &until);
                reschedule_follow_up(id: String, due_at: String) -> FollowUps = |app| app.reschedule_follow_up(&id, &due_at);
                cancel_follow_up(id: String) -> FollowUps = |app| app.cancel_follow_up(&id);
                /// Reads a tel: or ringdesk://dial link: the number to fill in and the lead to
                /// select (never dials).
                open_link(link: String) -> LinkTarget = |app| app.open_link(&link);
                /// The line's last registration notice (null while no phone runs or before it
                /// reported): read after subscribing to onCall.
                phone_registration() -> Option<CallNotice> = |app| Ok(app.phone_registration());
                /// Places a call over `request.route`, else the default route in Settings
                /// (softphone: states through onCall; bridge: poll bridgeCallStatus). Same
                /// rejections as dial, plus "notConfigured" for a bridge call without SignalWire or
                /// without the agent's own phone.
                place_call(request: PlaceCall) -> PlacedCall = |app| app.place_call(&request);
                /// A bridge call as SignalWire reports it now; its log follows.
                bridge_call_status(sid: String) -> BridgeCallInfo = |app| app.bridge_call_status(&sid);
                /// Ends a bridge call (cancels it while it rings).
                hang_up_bridge_call(sid: String) -> BridgeCallInfo = |app| app.hang_up_bridge_call(&sid);
                /// The Recordings page: recordings grouped by contact, the contact with the newest
                /// first.
                recordings_library(query: RecordingQuery) -> Vec<RecordingGroup> = |app| app.recordings_library(&query);
                /// Pulls the last `days` days of recordings from SignalWire and links them to
                /// logged calls.
                sync_recordings(days: u32) -> RecordingSyncReport = |app| app.sync_recordings(days);
                /// The microphones and speakers of this computer (Settings and the call panel's
                /// pickers).
                audio_devices() -> Vec<AudioDevice> = |app| Ok(app.audio_devices());
                /// Places a call. Rejects with "notConfigured" (no SIP line), "invalidInput" (not a
                /// number), "conflict" (the lead is Do Not Call and overrideDnc is false). States
                /// arrive through onCall.
                dial(request: DialRequest) -> ActiveCall = |app| app.dial(&request);
                answer_call(call_id: String) -> () = |app| app.answer_call(&call_id);
                reject_call(call_id: String) -> () = |app| app.reject_call(&call_id);
                /// Ends the call; it then awaits its disposition (callsAwaitingDisposition).
                hang_up(call_id: String) -> () = |app| app.hang_up(&call_id);
                set_mute(call_id: String, on: bool) -> () = |app| app.set_mute(&call_id, on);
                hold_call(call_id: String, hold: bool) -> () = |app| app.hold_call(&call_id, hold);
                send_dtmf(call_id: String, keys: String) -> () = |app| app.send_dtmf(&call_id, &keys);
                transfer_call(call_id: String, to: String) -> () = |app| app.transfer_call(&call_id, &to);
                /// Encoding, segments and characters left for a draft; `error` says why it cannot
                /// be sent as is.
                sms_segments(body: String) -> SmsSegments = |app| Ok(app.sms_segments(&body));
                /// Stores the text, then sends it exactly once. Resolves with status "queued"
                /// (taken by SignalWire) or "sending" (SignalWire unreachable: syncSms finishes
                /// it); rejects with "invalidInput", "notConfigured" or "provider" (then the text
                /// is stored as "failed").
                send_sms(request: SendSms) -> SmsMessage = |app| app.send_sms(&request);
                /// Conversations, newest first; `search` matches the number, the lead's name or any
                /// text.
                sms_threads(search: Option<String>) -> Vec<SmsThread> = |app| app.sms_threads(search.as_deref());
                /// The newest `limit` messages with `contact` before the cursor (all when null),
                /// oldest first.
                sms_thread(contact: String, before_created_at: Option<String>, before_id: Option<String>, limit: u32) -> SmsThreadPage = |app| app.sms_thread(&contact, before_created_at.as_deref(), before_id.as_deref(), limit);
                /// Marks the conversation's inbound texts read; resolves with how many were unread.
                mark_sms_read(contact: String) -> u32 = |app| app.mark_sms_read(&contact);
                /// Unread inbound texts in all conversations (the navigation badge).
                sms_unread_count() -> u32 = |app| app.sms_unread_count();
                /// One round with SignalWire: pending sends finished, statuses refreshed, inbound
                /// texts fetched.
                sync_sms() -> SmsSyncReport = |app| app.sync_sms();
                search_numbers(query: NumberQuery) -> Vec<NumberOffer> = |app| app.search_numbers(&query);
                /// Buys a number (billed monthly by SignalWire); exactly once.
                buy_number(phone_number: String) -> OwnedNumberInfo = |app| app.buy_number(&phone_number);
                list_numbers() -> Vec<OwnedNumberInfo> = |app| app.list_numbers();
                route_number(sid: String, update: NumberRoutingUpdate) -> OwnedNumberInfo = |app| app.route_number(&sid, &update);
                /// Texts to this number arrive live in Ringdesk; calls ring this desktop's SIP
                /// account.
                route_number_to_ringdesk(phone_number: String) -> NumberHandling = |app| app.route_number_to_ringdesk(&phone_number);
                /// Creates SIP credentials in SignalWire (generated password, to the keychain) and
                /// makes them this desktop's SIP account.
                provision_sip_line(request: ProvisionSipLine) -> Settings = |app| app.provision_sip_line(&request);
                /// Makes softphone calls show the caller ID saved in Settings (empty: SignalWire's
                /// automatic choice) by setting `send_as` of the SignalWire SIP endpoint named by
                /// the SIP username. Rejects with "notConfigured" (no SignalWire or no SIP
                /// username), "notFound" (the SIP username is not one of the project's SIP
                /// endpoints: the SIP provider sets the caller ID then), or "offline"/"provider"
                /// when SignalWire cannot be reached or refuses.
                apply_softphone_caller_id() -> SoftphoneCallerId = |app| app.apply_softphone_caller_id();
                /// Gives the number back to SignalWire.
                release_number(sid: String) -> () = |app| app.release_number(&sid);
                call_recordings(call_log_id: String) -> Vec<CallRecordingInfo> = |app| app.call_recordings(&call_log_id);
                sync_call_recordings(call_log_id: String) -> Vec<CallRecordingInfo> = |app| app.sync_call_recordings(&call_log_id);
                fetch_recording(id: String) -> RecordingFile = |app| app.fetch_recording(&id);
                /// Every figure of the Analytics page for the calls the query selects. Rejects
                /// with "invalidInput" for a zone or date it cannot read.
                analytics(query: AnalyticsQuery) -> AnalyticsReport = |app| app.analytics(&query);
                /// The start page's strip: today against the agent's own 30-day average, and
                /// overdue follow-ups; `zone` (IANA) says when today began.
                dashboard(zone: Option<String>) -> Dashboard = |app| app.dashboard(zone.as_deref());
            }
            host {
                /// Asks for a CSV file in the shell's native dialog and previews it; null when the
                /// agent cancels. Only a file chosen here can be imported.
                choose_import_file() -> Option<ImportPreview>;
                /// Long-running; progress arrives through onImportProgress; cancelImport() makes it
                /// reject with code "cancelled".
                import_leads(request: ImportRequest) -> ImportReport;
                /// Asks where to save (suggesting `fileName`) in the shell's native dialog, then
                /// exports; null when the agent cancels.
                export_leads(file_name: String, list_id: Option<String>) -> Option<ExportReport>;
                /// Tells the shell the first interactive paint happened (logged; the cold-start
                /// benchmark waits for it).
                ui_ready() -> ();
                /// (Re)connects the live SignalWire connection (the shell also starts it at app
                /// start); its notices arrive through onRealtime. Rejects with "notConfigured"
                /// while SignalWire is not set up.
                start_realtime() -> ();
                /// The live connection's last `connection` notice; null before it reported one.
                realtime_status() -> Option<RealtimeNotice>;
                /// Links that arrived before the window listened (the one that started the app);
                /// each once.
                take_pending_links() -> Vec<LinkNotice>;
                /// Asks where to save (suggesting `fileName`) and writes the calls the filter
                /// selects (every page, not just the first) there; null when cancelled.
                export_call_history(file_name: String, filter: HistoryFilter) -> Option<ExportReport>;
                /// Asks where to save and writes a campaign's results there, one row per lead;
                /// null when cancelled.
                export_campaign(file_name: String, campaign_id: String) -> Option<ExportReport>;
                /// Asks where to save and writes one of the Analytics page's tables (for the
                /// query's calls) there as CSV; null when cancelled.
                export_analytics(file_name: String, query: AnalyticsQuery, table: AnalyticsTable) -> Option<ExportReport>;
                /// Asks where to save a chart's image (a PNG the window drew, base64) and writes
                /// it; null when cancelled. Rejects with "invalidInput" for anything but a PNG.
                export_chart_png(file_name: String, png_base64: String) -> Option<ExportReport>;
                /// Asks for a WAV file and keeps it as the voicemail message `name`; null when
                /// cancelled. Rejects with "invalidInput" for a file that is not a WAV, is longer
                /// than 120 s, shorter than half a second or silent (nothing kept).
                import_voicemail(name: String) -> Option<VoicemailMessage>;
                /// Starts recording a voicemail message from the microphone in Settings; the level
                /// arrives through onVoicemailLevel. Rejects with "conflict" while one is recorded.
                start_voicemail_recording() -> ();
                /// (Re)starts the softphone with the SIP line in Settings; registration arrives
                /// through onCall.
                start_phone() -> ();
            }
        }
    };
}

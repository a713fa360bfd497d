//! The wire types of every user action: what the UI (through generated TypeScript) and the CLI
//! (through `--json`) see. Converted explicitly from store and core types; those never cross IPC.
//! Counts are `u32`; byte sizes are `u64`, exported as TypeScript `number` (exact below 2^53).

use serde::{Deserialize, Serialize};
use specta::Type;

pub use crate::analytics::{
    AgentFigures, AnalyticsQuery, AnalyticsReport, AnalyticsTable, BestTime, ContactRates, Dashboard, DayFigures,
    DayVolume, DispositionCount, Funnel, HeatCell, OutcomeCounts, Period,
};
pub use crate::error::{ErrorCode, IpcError};
pub use ringdesk_core::LeadField;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum LeadSortField {
    #[default]
    Name,
    Company,
    Status,
    LastContact,
    CreatedAt,
    Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadSort {
    pub field: LeadSortField,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadQuery {
    pub search: Option<String>,
    pub list_id: Option<String>,
    pub sort: LeadSort,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadSummary {
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    /// As entered.
    pub phone: Option<String>,
    pub phone_e164: Option<String>,
    /// Formatted for the agent: national for home-region numbers, international otherwise.
    pub phone_display: Option<String>,
    pub status: String,
    pub value: Option<f64>,
    /// RFC 3339 UTC.
    pub last_contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadPage {
    pub rows: Vec<LeadSummary>,
    pub total: u32,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub phone_e164: Option<String>,
    pub phone_display: Option<String>,
    pub company: Option<String>,
    pub position: Option<String>,
    pub status: String,
    pub value: Option<f64>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub timezone: Option<String>,
    pub last_contact: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub list_ids: Vec<String>,
}

/// A lead edit: fields left `null` are unchanged; `""` clears an optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub position: Option<String>,
    pub status: Option<String>,
    /// Parsed here: `1,200.50`, `$99`; `""` clears.
    pub value: Option<String>,
    pub source: Option<String>,
    pub notes: Option<String>,
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LeadList {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub member_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub path: String,
    #[specta(type = specta_typescript::Number)]
    pub file_size: u64,
    pub headers: Vec<String>,
    /// One per header, auto-detected; `null` means ignored.
    pub mapping: Vec<Option<LeadField>>,
    /// The first rows, for the mapping screen.
    pub sample_rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum ImportTarget {
    None,
    NewList { name: String },
    ExistingList { list_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportRequest {
    pub path: String,
    pub mapping: Vec<Option<LeadField>>,
    pub target: ImportTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    #[specta(type = specta_typescript::Number)]
    pub bytes_read: u64,
    #[specta(type = specta_typescript::Number)]
    pub total_bytes: u64,
    pub rows_read: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// 1-based line in the file where the row starts (the header is line 1).
    pub line: u32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub created: u32,
    pub merged: u32,
    pub invalid_total: u32,
    /// The first invalid rows (at most 1000), in file order.
    pub invalid: Vec<RowError>,
    pub list_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub path: String,
    pub rows: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SipTransport {
    #[default]
    Udp,
    Tcp,
    Tls,
}

/// Settings as the UI sees them. Secrets appear only as "is it set".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// ISO 3166 alpha-2, such as "US".
    pub default_region: String,
    pub signalwire_space: String,
    pub signalwire_project_id: String,
    pub signalwire_api_token_set: bool,
    pub sip_registrar: String,
    pub sip_username: String,
    pub sip_password_set: bool,
    pub sip_transport: SipTransport,
    /// `https://<project>.supabase.co` (REST, sign in) or `postgres://role@host/db` (direct).
    pub backend_url: String,
    /// The project's publishable key (Supabase) or the role's password (direct) is set.
    pub backend_key_set: bool,
    /// The agent signed in to the backend as (Supabase), empty when signed out.
    pub backend_email: String,
    pub backend_signed_in: bool,
    /// How calls go out unless a call says otherwise.
    pub default_route: CallRoute,
    /// The number leads see on bridge calls (one of the project's numbers); empty: chosen per
    /// call like a text's sender.
    pub caller_id: String,
    /// The agent's own phone that bridge calls ring first (a number or a `sip:` address).
    pub agent_phone: String,
    /// Links (`tel:`, `ringdesk://dial`) dial at once instead of filling the dialer. Off by
    /// default: a web page must not be able to make Ringdesk dial by itself.
    pub links_auto_dial: bool,
    /// The talk (seconds) from which an answered call counts as a conversation in the analytics
    /// and a campaign's results: 60 unless changed, as Orum and Glencoco count.
    pub conversation_seconds: u32,
    /// Microphone and speaker by name; empty: the system default.
    pub audio_input: String,
    pub audio_output: String,
}

/// How a call is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CallRoute {
    /// Voice over this computer's SIP line.
    #[default]
    Softphone,
    /// SignalWire rings the agent's own phone, then the lead.
    Bridge,
}

impl CallRoute {
    pub fn as_str(self) -> &'static str {
        match self {
            CallRoute::Softphone => "softphone",
            CallRoute::Bridge => "bridge",
        }
    }
}

/// A settings edit: fields left `null` are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsUpdate {
    pub default_region: Option<String>,
    pub signalwire_space: Option<String>,
    pub signalwire_project_id: Option<String>,
    pub sip_registrar: Option<String>,
    pub sip_username: Option<String>,
    pub sip_transport: Option<SipTransport>,
    pub backend_url: Option<String>,
    pub default_route: Option<CallRoute>,
    pub caller_id: Option<String>,
    pub agent_phone: Option<String>,
    pub links_auto_dial: Option<bool>,
    /// 1 to 3600.
    pub conversation_seconds: Option<u32>,
    pub audio_input: Option<String>,
    pub audio_output: Option<String>,
}

/// An audio device the agent can pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AudioDevice {
    pub name: String,
    pub input: bool,
    pub output: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SecretKind {
    SignalwireApiToken,
    SipPassword,
    /// The Supabase project's publishable key, or the direct PostgreSQL role's password.
    BackendKey,
    /// The agent's Supabase refresh token (written by sign-in, never by hand).
    BackendSession,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub code: String,
    pub name: String,
    pub calling_code: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NumberLookup {
    pub e164: Option<String>,
    pub display: Option<String>,
    /// The specific reason when the input is not a dialable number.
    pub error: Option<String>,
    /// The lead whose number this is.
    pub lead: Option<LeadSummary>,
}

/// What the power dialer decides for a number at an instant (`calling_window`).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CallingWindow {
    /// The number in E.164.
    pub number: String,
    /// The instant decided for (RFC 3339, UTC).
    pub at: String,
    /// Every zone the call must be inside the window of (IANA names).
    pub zones: Vec<String>,
    /// The number did not say where it rings: the campaign's zone stands in (shown as a warning).
    pub zone_assumed: bool,
    /// The NANP state, when known (Florida and Oklahoma have their own rules).
    pub state: Option<String>,
    /// The local time in each zone (RFC 3339 with its offset), in the order of `zones`.
    pub local_times: Vec<String>,
    /// The window that applies, such as `08:00–20:00`.
    pub window: String,
    pub allowed: bool,
    /// Why not, when not allowed.
    pub reason: Option<String>,
    /// When the window next opens, when it is closed now.
    pub opens_at: Option<String>,
}

/// How a campaign starts each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum DialMode {
    /// The agent sees the lead's card and presses Dial or Skip.
    #[default]
    Preview,
    /// The next lead is dialed by itself after the wrap-up is saved and a countdown.
    Progressive,
}

/// The order a campaign calls its eligible leads in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum LeadOrder {
    /// The list's own order.
    #[default]
    List,
    /// Never contacted first, then the longest ago.
    OldestContact,
    /// The highest value first.
    HighestValue,
    /// Leads in their best local hour (16:00–18:00, then 08:00) first.
    BestHour,
}

/// When an outcome lets a lead be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum RetryAfter {
    Minutes {
        minutes: u32,
    },
    /// From the next day in the lead's local time.
    NextDay,
    /// Never: the outcome ends the lead in this campaign.
    Never,
}

/// A campaign's retry rule for one outcome (a disposition key, or `failed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RetryRule {
    pub outcome: String,
    pub retry: RetryAfter,
}

/// A campaign as created or edited.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CampaignDraft {
    pub name: String,
    /// The CRM list whose leads the campaign calls.
    pub list_id: String,
    #[serde(default)]
    pub mode: DialMode,
    /// The number shown to leads (else the caller ID in Settings).
    pub caller_id: Option<String>,
    /// Show a project number in the lead's area code (else state) when there is one.
    #[serde(default)]
    pub local_presence: bool,
    /// Dials per lead (1–20; the seed's default is 3).
    pub max_attempts: Option<u32>,
    /// Rules that differ from the defaults (Busy 1 h, No Answer 4 h, Voicemail next day, failed
    /// 15 min, a person reached or a wrong number never).
    #[serde(default)]
    pub retry: Vec<RetryRule>,
    /// The campaign's window in the lead's local time, `HH:MM` (default 08:00–21:00; the law
    /// narrows it further per state).
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// Weekdays not called: `mon` … `sun`.
    #[serde(default)]
    pub excluded_days: Vec<String>,
    #[serde(default)]
    pub order: LeadOrder,
    /// Progressive: seconds between the saved wrap-up and the next dial (0–30, default 5).
    pub countdown_seconds: Option<u32>,
    /// The zone assumed for a number that does not say where it rings (IANA; default
    /// America/New_York).
    pub timezone: Option<String>,
}

/// Where a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CampaignStatus {
    Draft,
    Active,
    Paused,
    Completed,
}

/// A campaign's leads by where they stand now.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CampaignProgress {
    pub total: u32,
    /// Reached with a final outcome, out of attempts, Do Not Call or without a number.
    pub done: u32,
    /// Still to be called (now or later).
    pub remaining: u32,
    /// Of the remaining: outside their calling window now.
    pub waiting_for_window: u32,
    /// Of the remaining: callable right now.
    pub ready: u32,
    pub dials: u32,
}

/// A campaign with its settings and progress.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CampaignSummary {
    pub id: String,
    pub name: String,
    pub list_id: String,
    /// `None` when the list was deleted.
    pub list_name: Option<String>,
    pub status: CampaignStatus,
    pub mode: DialMode,
    pub caller_id: Option<String>,
    pub local_presence: bool,
    pub max_attempts: u32,
    /// Every outcome's rule in force (defaults and changes).
    pub retry: Vec<RetryRule>,
    pub window_start: String,
    pub window_end: String,
    pub excluded_days: Vec<String>,
    pub order: LeadOrder,
    pub countdown_seconds: u32,
    pub timezone: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub progress: CampaignProgress,
}

/// What can be done to a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CampaignAction {
    Start,
    Pause,
    Resume,
    Complete,
    Duplicate,
    /// Only a draft.
    Delete,
}

/// A count by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyCount {
    pub key: String,
    pub count: u32,
}

/// A campaign's results (live during the session and after).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CampaignStats {
    pub campaign_id: String,
    pub progress: CampaignProgress,
    /// Dials answered by a person or a machine.
    pub connects: u32,
    /// connects / dials (0 without dials).
    pub connect_rate: f64,
    /// Answered calls of at least `conversation_seconds`.
    pub conversations: u32,
    pub conversation_seconds: u32,
    /// Mean talk time of the answered calls, in seconds.
    pub average_talk_seconds: f64,
    /// Dials by outcome (`none` while the wrap-up is not saved), most first.
    pub outcomes: Vec<KeyCount>,
    /// Leads by the number of dials they got (`0`, `1`, ...).
    pub attempts: Vec<KeyCount>,
    /// Dials per hour between the first and the last dial (the dials themselves under a minute).
    pub calls_per_hour: f64,
    pub first_dial_at: Option<String>,
    pub last_dial_at: Option<String>,
}

/// Where an agent's session on a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SessionState {
    /// Preview: the lead's card waits for Dial or Skip.
    Offering,
    /// Progressive: the lead is dialed at `dialAt` unless the agent skips or pauses.
    Countdown,
    /// A call of the session is on, or waits for its wrap-up.
    InCall,
    /// No lead may be called now; `waitUntil` says when one may.
    Waiting,
    Paused,
    /// Every lead is done or can never be called.
    Finished,
    /// The campaign is not active (a draft, paused or completed campaign).
    Inactive,
}

/// A lead as the session shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionLead {
    pub lead_id: String,
    pub name: String,
    pub company: Option<String>,
    pub status: String,
    /// E.164, and as the agent's region writes it.
    pub number: Option<String>,
    pub contact_display: Option<String>,
    pub attempts: u32,
    pub max_attempts: u32,
    pub last_call_at: Option<String>,
    pub last_outcome: Option<String>,
    pub last_note: Option<String>,
    /// The lead's local time (RFC 3339 with its offset) and zone.
    pub local_time: Option<String>,
    pub zone: Option<String>,
    /// The zone is the campaign's, because the number does not say where it rings.
    pub zone_assumed: bool,
    pub state: Option<String>,
    /// Why it may be called now, or why not.
    pub why: String,
    /// The number the lead will see.
    pub caller_id: Option<String>,
}

/// A lead waiting for its window or retry time.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WaitingLead {
    pub lead_id: String,
    pub name: String,
    pub opens_at: String,
    /// Such as "08:00 in Denver, in 2 h 10 min".
    pub label: String,
}

/// A lead the campaign will not call, and why (Do Not Call, no number, no legal hours).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PassedLead {
    pub lead_id: String,
    pub name: String,
    pub reason: String,
}

/// An agent's session on a campaign, as the session view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CampaignSession {
    pub campaign_id: String,
    pub campaign_name: String,
    pub mode: DialMode,
    pub state: SessionState,
    /// The lead offered, counting down or in the call.
    pub lead: Option<SessionLead>,
    /// Countdown: when the lead is dialed by itself.
    pub dial_at: Option<String>,
    /// Waiting: when the next lead may be called (ask again then).
    pub wait_until: Option<String>,
    /// The next eligible leads after the current one (at most five).
    pub upcoming: Vec<SessionLead>,
    /// The leads that open soonest.
    pub waiting: Vec<WaitingLead>,
    /// Leads never called, with why (at most 20).
    pub passed_over: Vec<PassedLead>,
    /// The call the session placed in this step (hand it to the in-call panel).
    pub placed: Option<PlacedCall>,
    /// Something the agent should know (a lead another agent holds, offline...).
    pub notice: Option<String>,
    pub progress: CampaignProgress,
}

/// What the agent does in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SessionCommand {
    /// Shows where the session stands; starts it, moves on after a saved wrap-up, dials when a
    /// countdown ran out.
    Refresh,
    DialNow,
    Skip,
    Pause,
    Resume,
    End,
}

/// The microphone while a voicemail message is recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VoicemailLevel {
    /// The loudest 10 ms of the last 100 ms, in dBFS (-100: silence).
    pub level_dbfs: f64,
    /// How much is recorded so far.
    pub seconds: f64,
    /// The recording stopped (by the agent, or at 120 s).
    pub stopped: bool,
}

/// A voicemail message the agent can drop into a call.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VoicemailMessage {
    pub id: String,
    pub name: String,
    pub duration_seconds: f64,
    /// Where SignalWire fetches it for a bridge call (null: softphone calls only).
    pub public_url: Option<String>,
    /// The WAV file on this computer (for playback in Settings).
    pub path: String,
    pub created_at: String,
}

/// What a `tel:` or `ringdesk://dial` link opened: the dialer filled with this number and the
/// lead selected. Nothing is dialled unless `auto_dial` (a setting, off by default).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LinkTarget {
    pub e164: String,
    pub display: String,
    /// The lead the link named (by id), else the one with this number.
    pub lead: Option<LeadSummary>,
    /// The name the link carried (shown when no lead matches).
    pub name: Option<String>,
    /// The window dials this link by itself after counting down `countdown_seconds` (the agent
    /// can cancel): the agent turned auto-dial on, and no other link dialed by itself in the
    /// last [`crate::LINK_AUTO_DIAL_GAP`].
    pub auto_dial: bool,
    pub countdown_seconds: u32,
    /// Why a link did not dial by itself although auto-dial is on (another link did so moments
    /// ago); the agent presses Dial.
    pub held: Option<String>,
}

/// A link the operating system handed to Ringdesk (a `tel:` or `ringdesk://dial` link clicked
/// anywhere on the desktop), as a UI event.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LinkNotice {
    /// Fill the dialer and select the lead (and dial when `autoDial`).
    Opened { link: String, target: Box<LinkTarget> },
    /// The link could not be read: what was wrong.
    Invalid { link: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub db_path: String,
    pub lead_count: u32,
    /// Why the Dial button is disabled; `null` once a phone line exists.
    pub dial_disabled_reason: Option<String>,
}

// ----- messaging (SMS) -----

/// What a message body costs before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SmsSegments {
    /// "gsm7" or "ucs2".
    pub encoding: String,
    pub segments: u32,
    pub characters: u32,
    /// Characters left before another segment starts.
    pub remaining: u32,
    /// Why it cannot be sent as is (empty, too long), if so.
    pub error: Option<String>,
}

/// An SMS to send. `from` defaults to the number last used with this contact, else the first
/// of the project's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SendSms {
    pub to: String,
    pub from: Option<String>,
    pub body: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SmsMessage {
    pub id: String,
    pub lead_id: Option<String>,
    pub contact_number: String,
    pub our_number: Option<String>,
    /// "inbound" or "outbound".
    pub direction: String,
    pub body: String,
    /// sending (not yet confirmed by SignalWire), queued, sent, delivered, undelivered, failed,
    /// received.
    pub status: String,
    pub error: Option<String>,
    pub created_at: String,
    pub read: bool,
}

/// One conversation in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SmsThread {
    pub contact_number: String,
    pub contact_display: String,
    pub lead_id: Option<String>,
    /// The lead's name; `None` for an unknown number (the UI offers "create lead").
    pub lead_name: Option<String>,
    pub last_body: String,
    pub last_direction: String,
    pub last_at: String,
    pub unread: u32,
    pub total: u32,
}

/// A page of one conversation, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SmsThreadPage {
    pub contact_number: String,
    pub messages: Vec<SmsMessage>,
    /// More older messages exist.
    pub has_more: bool,
}

/// What a round with SignalWire changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SmsSyncReport {
    /// Inbound messages stored for the first time.
    pub received: Vec<SmsMessage>,
    /// Sent messages whose status changed.
    pub updated: u32,
    /// Unconfirmed sends found on SignalWire (no resend needed).
    pub confirmed: u32,
    /// Unconfirmed sends not found, sent now.
    pub resent: u32,
    /// Pending sends SignalWire refused (each marked failed with the reason).
    pub failed: u32,
}

// ----- phone numbers -----

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NumberQuery {
    /// ISO country, default US.
    pub country: Option<String>,
    pub area_code: Option<String>,
    pub contains: Option<String>,
    pub region: Option<String>,
    pub locality: Option<String>,
    pub toll_free: bool,
}

/// A number for sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NumberOffer {
    pub phone_number: String,
    pub display: String,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub voice: bool,
    pub sms: bool,
}

/// A number the project owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnedNumberInfo {
    pub sid: String,
    pub phone_number: String,
    pub display: String,
    pub friendly_name: String,
    pub voice: bool,
    pub sms: bool,
    pub voice_url: Option<String>,
    pub sms_url: Option<String>,
}

/// Where a number's calls and texts go (fields left `null` are unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NumberRoutingUpdate {
    pub friendly_name: Option<String>,
    pub voice_url: Option<String>,
    pub sms_url: Option<String>,
}

// ----- recordings -----

/// A call's recording. The provider's URL never crosses to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CallRecordingInfo {
    pub id: String,
    pub call_log_id: String,
    pub duration_seconds: Option<u32>,
    /// What was said, when SignalWire transcribed it.
    pub transcription: Option<String>,
    pub created_at: String,
    /// The audio is in the local cache.
    pub cached: bool,
}

/// Filters of the Recordings page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordingQuery {
    /// Lead name, company or email words, number digits, or transcription text.
    pub text: Option<String>,
    /// RFC 3339, inclusive (the call's start).
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    /// At most this many recordings (default 200, at most 1000).
    pub limit: Option<u32>,
}

/// One recording on the Recordings page, with its call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordingListItem {
    pub recording: CallRecordingInfo,
    pub direction: String,
    pub call_started_at: String,
    pub call_duration_seconds: Option<u32>,
    pub disposition: Option<String>,
}

/// A contact's recordings, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordingGroup {
    pub lead_id: Option<String>,
    /// The lead's name, else the number as written in the default region.
    pub title: String,
    pub lead_company: Option<String>,
    pub contact_number: String,
    /// The number as the agent reads it (national format at home, international otherwise).
    pub contact_display: String,
    pub recordings: Vec<RecordingListItem>,
}

/// What pulling recent recordings from SignalWire found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordingSyncReport {
    /// Recordings seen at SignalWire in the window.
    pub seen: u32,
    /// New here.
    pub added: u32,
    /// Of calls not logged on this desktop (skipped).
    pub unmatched: u32,
}

/// A recording's audio on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordingFile {
    pub path: String,
    #[specta(type = specta_typescript::Number)]
    pub bytes: u64,
}

// ----- realtime -----

/// What the live connection to SignalWire reports, as a UI event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RealtimeNotice {
    /// Connected (and caught up) or not, with why.
    #[serde(rename_all = "camelCase")]
    Connection { online: bool, detail: String },
    /// A text arrived and was stored.
    #[serde(rename_all = "camelCase")]
    SmsReceived { message: Box<SmsMessage>, lead_name: Option<String> },
    /// Statuses of sent texts changed.
    SmsChanged,
    /// The agent clicked a notification: show this conversation.
    #[serde(rename_all = "camelCase")]
    OpenConversation { contact_number: String },
}

// ----- SIP line from SignalWire -----

/// A SIP endpoint of the SignalWire project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SipEndpointInfo {
    pub id: String,
    pub username: String,
    pub caller_id: Option<String>,
    pub send_as: Option<String>,
    pub encryption: Option<String>,
}

/// The caller ID softphone calls show, as set on this desktop's SignalWire SIP endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SoftphoneCallerId {
    pub endpoint_username: String,
    /// The number (E.164); `None`: SignalWire's choice (the SIP profile's default).
    pub send_as: Option<String>,
}

/// Creates SIP credentials in SignalWire for this desktop's softphone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionSipLine {
    pub username: String,
    /// The number PSTN calls show (E.164); default: SignalWire's choice.
    pub send_as: Option<String>,
}

// ----- bridge calls (SignalWire rings the agent's phone, then the lead) -----

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BridgeCallRequest {
    /// The lead's number.
    pub to: String,
    /// The agent's own phone (a number or a `sip:` address); default: the one used last.
    pub agent_phone: Option<String>,
    /// The caller ID the lead sees (one of the project's numbers); default: the sending number.
    pub caller_id: Option<String>,
    pub record: bool,
    /// The lead the call is for (else found by the number).
    pub lead_id: Option<String>,
    /// Call a lead marked Do Not Call anyway (the agent confirmed consent).
    pub override_dnc: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BridgeCallInfo {
    pub sid: String,
    /// queued, ringing, in-progress, completed, busy, failed, no-answer, canceled.
    pub status: String,
    pub agent_phone: String,
    pub duration_seconds: Option<u32>,
    /// The call's row in the history (`None` for a call placed outside Ringdesk).
    pub call_log_id: Option<String>,
}

// ----- AI agents and voice clones -----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AiAgentInfo {
    pub id: String,
    pub name: String,
    /// The number whose calls it answers, if any.
    pub assigned_number: Option<String>,
    pub prompt: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VoiceCloneInfo {
    pub id: String,
    pub name: String,
    pub sample_audio_url: Option<String>,
    pub playht_voice_id: Option<String>,
    pub status: String,
    /// not_requested, requested, imported, rejected: a clone is usable on SignalWire only once
    /// SignalWire Support has imported it.
    pub import_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NewVoiceClone {
    pub name: String,
    pub sample_audio_url: Option<String>,
    pub playht_voice_id: Option<String>,
}

/// Where one of the project's numbers sends its calls and texts (SignalWire's native handlers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NumberHandling {
    pub phone_number: String,
    /// Texts go to the RELAY context Ringdesk listens on (they arrive live).
    pub texts_to_ringdesk: bool,
    /// Calls ring this desktop's SIP account (the softphone).
    pub calls_to_softphone: bool,
    /// SignalWire's call handler as it stands (`relay_sip_endpoint`, `ai_agent`, `laml_webhooks`…).
    pub call_handler: Option<String>,
}

// ----- sync with the backend -----

/// Where replication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SyncState {
    /// No backend set up (or signed out).
    #[default]
    Off,
    Syncing,
    Synced,
    /// The backend cannot be reached; changes wait in the outbox.
    Offline,
    /// The backend refused (credentials, missing migrations); the message says what to do.
    Error,
}

/// How far a running cycle has come.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// Pushing local changes (else pulling the backend's).
    pub pushing: bool,
    pub done: f64,
    /// Known when pushing and on a first or full pull.
    pub total: Option<f64>,
}

/// The sync badge's data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: SyncState,
    /// Local changes not yet on the backend.
    pub pending: u32,
    pub conflicts: u32,
    pub issues: u32,
    pub last_synced_at: Option<String>,
    pub error: Option<String>,
    pub progress: Option<SyncProgress>,
}

/// Sent after every status change; `changed` when pulled rows changed what the UI shows.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncNotice {
    pub status: SyncStatus,
    pub changed: bool,
}

/// What one cycle moved.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub pushed: f64,
    pub rejected: f64,
    pub conflicts: f64,
    pub pulled: f64,
    pub removed: f64,
    pub issues: f64,
    pub resynced: bool,
    pub rotated: bool,
    pub pending: f64,
    pub millis: f64,
}

/// A change of the agent's that the backend did not take because the same field changed there.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncConflict {
    pub id: String,
    pub lead_id: String,
    pub lead_name: Option<String>,
    pub field: String,
    pub your_value: Option<String>,
    pub server_value: Option<String>,
    pub created_at: String,
}

/// Something replication could not take as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncIssue {
    pub id: f64,
    /// `rejected` (a change of yours the backend refused) or `badRow` (a backend row stored only
    /// as far as valid).
    pub kind: String,
    pub table: String,
    pub row_id: String,
    pub message: String,
    pub created_at: String,
}

// ----- the call workflow: dispositions, follow-ups, history -----

/// One outcome the disposition step offers, and the lead status it leads to (`None` leaves the
/// status as it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DispositionOption {
    /// Stored on the call (`interested`, `no_answer`, ...).
    pub key: String,
    pub label: String,
    pub lead_status: Option<String>,
}

/// What the agent does next after a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum NextAction {
    CallBack,
    SendEmail,
    SendSms,
    ScheduleMeeting,
    MarkDead,
}

/// The disposition step as the agent fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DispositionRequest {
    pub call_log_id: String,
    /// A key of the disposition set.
    pub disposition: String,
    pub notes: Option<String>,
    pub next_action: Option<NextAction>,
    /// RFC 3339; required with a next action other than "mark dead".
    pub follow_up_at: Option<String>,
}

/// A call as the history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CallHistoryItem {
    pub id: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub lead_company: Option<String>,
    pub contact_number: String,
    /// The number as the agent reads it (national format at home, international otherwise).
    pub contact_display: String,
    pub direction: String,
    pub route: String,
    pub started_at: String,
    pub duration_seconds: Option<u32>,
    pub disposition: Option<String>,
    pub notes: Option<String>,
    /// As last reported: dialing, ringing, answered, completed, busy, failed, missed, ...
    pub status: Option<String>,
    pub end_reason: Option<String>,
    /// Inbound and never answered.
    pub missed: bool,
    pub has_recording: bool,
}

/// History filters; keyset paging with the last row's `startedAt` and `id`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryFilter {
    /// RFC 3339, inclusive.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub to: Option<String>,
    pub disposition: Option<String>,
    pub lead_id: Option<String>,
    /// The lead's current status.
    pub lead_status: Option<String>,
    /// "inbound" or "outbound".
    pub direction: Option<String>,
    pub route: Option<CallRoute>,
    /// Only inbound calls nobody answered.
    #[serde(default)]
    pub missed: bool,
    /// Words of the lead's name, company or email or of the notes; or the number's digits from
    /// the country code.
    pub text: Option<String>,
    pub limit: u32,
    pub before_started_at: Option<String>,
    pub before_id: Option<String>,
}

/// A follow-up to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpItem {
    /// The disposition that set it.
    pub id: String,
    pub call_log_id: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub lead_company: Option<String>,
    pub contact_number: String,
    /// The number as the agent reads it (national format at home, international otherwise).
    pub contact_display: String,
    pub disposition: String,
    pub next_action: Option<NextAction>,
    pub notes: Option<String>,
    pub snoozed: bool,
    /// When it is due (after a snooze: when the snooze ends).
    pub due_at: String,
}

/// The Follow-ups page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FollowUps {
    pub overdue: Vec<FollowUpItem>,
    /// Due later today (local time).
    pub today: Vec<FollowUpItem>,
    /// Due in the next 30 days.
    pub upcoming: Vec<FollowUpItem>,
}

// ----- calling (softphone route) -----

/// A call to place.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DialRequest {
    /// A phone number as written, or a SIP address.
    pub to: String,
    /// The lead the call is for (else found by the number).
    pub lead_id: Option<String>,
    /// Call a lead marked Do Not Call anyway (the agent confirmed consent).
    pub override_dnc: bool,
}

/// A call to place over either route: the settings' default route and caller ID unless the
/// call says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlaceCall {
    /// A phone number as written (or a SIP address, softphone only).
    pub to: String,
    pub lead_id: Option<String>,
    /// Call a lead marked Do Not Call anyway (the agent confirmed consent).
    #[serde(default)]
    pub override_dnc: bool,
    /// Overrides the default route for this call.
    pub route: Option<CallRoute>,
    /// Overrides the caller ID for this call (bridge route).
    pub caller_id: Option<String>,
    /// Record the call (bridge route).
    #[serde(default)]
    pub record: bool,
}

/// A call placed over one of the routes: a softphone call's id, or the bridge call as
/// SignalWire reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlacedCall {
    pub route: CallRoute,
    pub call_log_id: String,
    pub lead_id: Option<String>,
    /// The softphone call (for answer, hang up, mute...).
    pub call_id: Option<String>,
    pub bridge: Option<BridgeCallInfo>,
}

/// A call placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActiveCall {
    pub call_id: String,
    pub call_log_id: String,
    pub lead_id: Option<String>,
}

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CallPhase {
    Dialing,
    Ringing,
    EarlyMedia,
    Active,
    Held,
    Ended,
    Failed,
}

/// The lead's card shown for an incoming call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScreenPop {
    pub lead_id: String,
    pub name: String,
    pub company: Option<String>,
    pub status: String,
    pub last_call_at: Option<String>,
    pub last_note: Option<String>,
}

/// What the phone reports to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CallNotice {
    #[serde(rename_all = "camelCase")]
    Registration { registered: bool, detail: String },
    /// A call rings in; `lead` is the screen pop when the number belongs to a lead.
    #[serde(rename_all = "camelCase")]
    Incoming {
        call_id: String,
        call_log_id: String,
        from: String,
        display_name: Option<String>,
        lead: Option<ScreenPop>,
    },
    #[serde(rename_all = "camelCase")]
    State { call_id: String, call_log_id: String, phase: CallPhase, detail: Option<String> },
    /// Peak levels over the last 100 ms, dBFS.
    #[serde(rename_all = "camelCase")]
    Levels { call_id: String, input_dbfs: f32, output_dbfs: f32 },
    /// Call quality, every second.
    #[serde(rename_all = "camelCase")]
    Quality { call_id: String, mos: f64, loss_percent: f64, jitter_ms: f64 },
}

/// Follow-up reminders: the overdue count (the navigation badge) and the follow-ups that just
/// fell due (a desktop notification was shown for each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReminderNotice {
    pub overdue: u32,
    pub newly_due: Vec<String>,
}

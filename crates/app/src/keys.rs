//! Every key of the local settings table (`ringdesk_store::settings`), in one place: the settings
//! page, the bridge, messaging, sync, reminders and the disposition set read and write them here
//! by name, and nothing else names a key.

/// The region numbers without a country code are read in (ISO 3166, e.g. `US`).
pub(crate) const REGION: &str = "default_region";
/// The SignalWire space (`acme` of acme.signalwire.com).
pub(crate) const SW_SPACE: &str = "signalwire.space";
pub(crate) const SW_PROJECT: &str = "signalwire.project_id";
/// The number texts go out from when the agent named none (remembered from the last send).
pub(crate) const SW_DEFAULT_FROM: &str = "signalwire.default_from";
pub(crate) const SIP_REGISTRAR: &str = "sip.registrar";
pub(crate) const SIP_USERNAME: &str = "sip.username";
pub(crate) const SIP_TRANSPORT: &str = "sip.transport";
pub(crate) const BACKEND_URL: &str = "backend.url";
/// Who is signed in to the backend (shown), and their user id (written into pushed rows).
pub(crate) const BACKEND_EMAIL: &str = "backend.email";
pub(crate) const BACKEND_USER: &str = "backend.user_id";
pub(crate) const DEFAULT_ROUTE: &str = "calls.default_route";
pub(crate) const CALLER_ID: &str = "calls.caller_id";
/// The agent's own phone, which bridge calls ring first.
pub(crate) const AGENT_PHONE: &str = "bridge.agent_phone";
pub(crate) const LINKS_AUTO_DIAL: &str = "links.auto_dial";
pub(crate) const CONVERSATION_AFTER: &str = "calls.conversation_seconds";
pub(crate) const AUDIO_INPUT: &str = "audio.input";
pub(crate) const AUDIO_OUTPUT: &str = "audio.output";
/// The disposition set the wrap-up offers (JSON), when the agent changed the defaults.
pub(crate) const DISPOSITIONS: &str = "dispositions";
/// Follow-ups due up to this time were already announced.
pub(crate) const REMINDED_UNTIL: &str = "followups.reminded_until";

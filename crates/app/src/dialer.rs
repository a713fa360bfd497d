//! The power dialer's decisions, asked by the window and the terminal; `ringdesk-dialer` makes
//! them (sans-IO), this module only reads the number and the clock and shapes the answer.

use chrono::{DateTime, SecondsFormat, Utc};
use ringdesk_dialer::Tz;
use ringdesk_dialer::places::Places;
use ringdesk_dialer::rules::{self, Blocked, Campaign, Lead};

use crate::dialable::number;
use crate::error::{IpcError, Result};
use crate::ipc::CallingWindow;

use crate::campaigns::DEFAULT_ZONE as DEFAULT_CAMPAIGN_ZONE;

fn zone(what: &str, z: &str) -> Result<Tz> {
    z.trim()
        .parse::<Tz>()
        .map_err(|_| IpcError::invalid(format!("{what} {z:?} is not an IANA time zone such as America/Denver.")))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl crate::App {
    /// What the dialer decides for `input` at `at` (RFC 3339; now when absent): the zones it
    /// rings in (the lead's own `timezone` when given), its state, the local time there, the
    /// window that applies, and whether a call is allowed or why not. `campaign_zone` stands in
    /// for a number that does not say where it rings (default America/New_York).
    pub fn calling_window(
        &self,
        input: &str,
        at: Option<&str>,
        timezone: Option<&str>,
        campaign_zone: Option<&str>,
    ) -> Result<CallingWindow> {
        let e164 = number("Number", input, self.region()?)?;
        let at = match at {
            Some(t) => DateTime::parse_from_rfc3339(t.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
                IpcError::invalid(format!("The time {t:?} is not a date and time such as 2026-12-01T15:00:00Z."))
            })?,
            None => Utc::now(),
        };
        if let Some(z) = timezone {
            zone("The time zone", z)?;
        }
        let campaign_zone = campaign_zone.map(|z| zone("The campaign's time zone", z)).transpose()?;
        let campaign = Campaign::new(campaign_zone.unwrap_or(DEFAULT_CAMPAIGN_ZONE));
        let lead = Lead {
            status: "new".into(),
            phone_e164: Some(e164.clone()),
            timezone: timezone.map(str::to_string),
            ..Lead::default()
        };
        let places = Places::embedded();
        let placement = rules::place(&lead, &campaign, places).map_err(|b| IpcError::invalid(b.to_string()))?;
        let decision = rules::eligibility(&lead, &campaign, places, at);
        Ok(CallingWindow {
            number: e164,
            at: rfc3339(at),
            zones: placement.zones.iter().map(|z| z.name().to_string()).collect(),
            zone_assumed: placement.zone_assumed,
            state: placement.state.clone(),
            local_times: placement
                .zones
                .iter()
                .map(|z| at.with_timezone(z).to_rfc3339_opts(SecondsFormat::Secs, false))
                .collect(),
            window: placement.hours.window.to_string(),
            allowed: decision.is_ok(),
            reason: decision.as_ref().err().map(Blocked::to_string),
            opens_at: match decision {
                Err(Blocked::OutsideWindow { opens_at }) => opens_at.map(rfc3339),
                _ => None,
            },
        })
    }
}

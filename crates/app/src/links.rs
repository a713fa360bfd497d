//! Links and the dialer's lookups: `tel:` and `ringdesk://dial` links, what the agent typed.

use ringdesk_core::{PhoneNumber, TelUri};
use ringdesk_store::leads;

use crate::error::{IpcError, Result};
use crate::ipc::*;
use crate::{App, settings};

impl App {
    /// Normalizes what the agent typed or pasted (a number or a `tel:` link) and finds its lead.
    /// Reads a link the operating system handed over (`tel:...`, `ringdesk://dial?to=...`): the
    /// number to fill in and the lead to select (the link's lead id if it exists here, else the
    /// lead with that number). A malformed link is an error that says what is wrong.
    pub fn open_link(&self, link: &str) -> Result<LinkTarget> {
        let region = self.region()?;
        let parsed =
            ringdesk_core::parse_link(link).map_err(|e| IpcError::invalid(crate::capitalize(&e.to_string())))?;
        let number = if parsed.number.to_ascii_lowercase().starts_with("tel:") {
            TelUri::parse(&parsed.number)
                .map_err(|e| e.to_string())
                .and_then(|t| t.phone_number(region).map_err(|e| e.to_string()))
        } else {
            PhoneNumber::parse(&parsed.number, region).map_err(|e| e.to_string())
        }
        .map_err(|e| IpcError::invalid(format!("The link's number {:?}: {e}.", parsed.number)))?;
        let by_id = match &parsed.lead_id {
            Some(id) => self.store.read(|r| leads::get(r, id)).ok().filter(|l| l.deleted_at.is_none()),
            None => None,
        };
        // A link names the number it dials; a lead id that does not own that number would log
        // the call against (and check Do Not Call on) someone else.
        if let Some(l) = &by_id
            && l.phone_e164.as_deref() != Some(number.e164())
        {
            return Err(IpcError::invalid(format!(
                "This link's number {} is not {}'s number, so Ringdesk did not open it. Open the number or the lead on its own.",
                number.display(region),
                l.name
            )));
        }
        let by_id = by_id.map(|l| l.id);
        let lead = match by_id {
            Some(id) => self.store.read(|r| leads::summary_by_id(r, &id))?,
            None => self.store.read(|r| leads::find_by_phone(r, number.e164()))?,
        };
        // Read without the keychain: a link must open even when the keychain is locked.
        let (auto_dial, held) = match settings::calls(&self.store)?.2 {
            true => match self.claim_link_dial() {
                Ok(()) => (true, None),
                Err(wait) => (
                    false,
                    Some(format!(
                        "Another link dialed by itself moments ago, so this one waits for you: press Dial to call (links dial by themselves at most once every {} s; again in {} s).",
                        self.link_dials.1.as_secs().max(1),
                        wait.as_secs() + 1
                    )),
                ),
            },
            false => (false, None),
        };
        Ok(LinkTarget {
            e164: number.e164().to_string(),
            display: number.display(region),
            lead: lead.map(|l| crate::leads::summary(l, region)),
            name: parsed.name,
            auto_dial,
            countdown_seconds: if auto_dial { crate::LINK_AUTO_DIAL_COUNTDOWN_SECONDS } else { 0 },
            held,
        })
    }

    /// Takes the one auto-dial a link may have per gap; else how long until the next one may.
    fn claim_link_dial(&self) -> std::result::Result<(), std::time::Duration> {
        let mut last = self.link_dials.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        if let Some(at) = *last {
            let since = now.duration_since(at);
            if since < self.link_dials.1 {
                return Err(self.link_dials.1 - since);
            }
        }
        *last = Some(now);
        Ok(())
    }

    pub fn lookup_number(&self, input: &str) -> Result<NumberLookup> {
        let region = self.region()?;
        let parsed = if input.trim_start().get(..4).is_some_and(|s| s.eq_ignore_ascii_case("tel:")) {
            TelUri::parse(input)
                .map_err(|e| e.to_string())
                .and_then(|t| t.phone_number(region).map_err(|e| e.to_string()))
        } else {
            PhoneNumber::parse(input, region).map_err(|e| e.to_string())
        };
        match parsed {
            Ok(number) => {
                let lead = self.store.read(|r| leads::find_by_phone(r, number.e164()))?;
                Ok(NumberLookup {
                    e164: Some(number.e164().to_string()),
                    display: Some(number.display(region)),
                    error: None,
                    lead: lead.map(|l| crate::leads::summary(l, region)),
                })
            }
            Err(reason) => {
                Ok(NumberLookup { e164: None, display: None, error: Some(crate::capitalize(&reason)), lead: None })
            }
        }
    }
}

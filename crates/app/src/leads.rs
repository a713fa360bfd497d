//! Leads and lead lists: the table, a lead's details, creating and editing, lists.

use ringdesk_core::{PhoneNumber, Region};
use ringdesk_store::{leads, lists};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::*;
use crate::{App, settings};

impl App {
    pub fn list_leads(&self, query: &LeadQuery) -> Result<LeadPage> {
        let region = self.region()?;
        let sort = match query.sort.field {
            LeadSortField::Name => leads::SortField::Name,
            LeadSortField::Company => leads::SortField::Company,
            LeadSortField::Status => leads::SortField::Status,
            LeadSortField::LastContact => leads::SortField::LastContact,
            LeadSortField::CreatedAt => leads::SortField::CreatedAt,
            LeadSortField::Value => leads::SortField::Value,
        };
        let q = leads::PageQuery {
            search: query.search.as_deref(),
            list_id: query.list_id.as_deref(),
            sort,
            descending: query.sort.descending,
            offset: query.offset,
            limit: query.limit.clamp(1, 500),
        };
        let (rows, total) = self.store.read(|r| leads::page(r, &q))?;
        Ok(LeadPage {
            rows: rows.into_iter().map(|l| summary(l, region)).collect(),
            total: total as u32,
            offset: query.offset,
        })
    }

    pub fn get_lead(&self, id: &str) -> Result<Lead> {
        let region = self.region()?;
        let (lead, list_ids) = self.store.read(|r| {
            let lead = leads::get(r, id)?;
            Ok((lead, lists::of_lead(r, id)?))
        })?;
        if lead.deleted_at.is_some() {
            return Err(IpcError::new(ErrorCode::NotFound, format!("Lead {id} was deleted.")));
        }
        Ok(full_lead(lead, list_ids, region))
    }

    /// Applies an edit; every field is validated before anything is written.
    pub fn update_lead(&self, id: &str, patch: &LeadPatch) -> Result<Lead> {
        let region = self.region()?;
        let changes = settings::lead_changes(patch, region)?;
        self.store.write(|w| leads::update(w, id, &changes).map(|_| ()))?;
        self.get_lead(id)
    }

    /// Creates a lead from the fields given (a name is required), validated like an edit: from
    /// an unknown number in a conversation or a call, or by hand.
    pub fn create_lead(&self, fields: &LeadPatch) -> Result<Lead> {
        if fields.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(IpcError::invalid("A lead needs a name."));
        }
        let region = self.region()?;
        let mut new = leads::NewLead::default();
        for change in settings::lead_changes(fields, region)? {
            match change {
                leads::Change::Name(v) => new.name = v,
                leads::Change::Status(v) => new.status = Some(v),
                leads::Change::Value(v) => new.value = v,
                leads::Change::Phone { raw, e164 } => {
                    new.phone = raw;
                    new.phone_e164 = e164;
                }
                leads::Change::Text(col, v) => match col {
                    leads::TextColumn::Email => new.email = v,
                    leads::TextColumn::Company => new.company = v,
                    leads::TextColumn::Position => new.position = v,
                    leads::TextColumn::Source => new.source = v,
                    leads::TextColumn::Notes => new.notes = v,
                    leads::TextColumn::Timezone => new.timezone = v,
                },
            }
        }
        let phone = new.phone_e164.clone();
        let id = self.store.write(|w| {
            let lead = leads::insert(w, &new)?;
            // Texts already exchanged with this number now belong to the lead.
            if let Some(e164) = &phone {
                ringdesk_store::sms::link_lead(w, e164, &lead.id)?;
            }
            Ok::<_, IpcError>(lead.id)
        })?;
        self.get_lead(&id)
    }

    pub fn list_lists(&self) -> Result<Vec<LeadList>> {
        let all = self.store.read(|r| lists::all(r))?;
        Ok(all.into_iter().map(list_dto).collect())
    }

    pub fn create_list(&self, name: &str, description: Option<&str>) -> Result<LeadList> {
        let name = name.trim();
        if name.is_empty() {
            return Err(IpcError::invalid("A list needs a name."));
        }
        let description = description.map(str::trim).filter(|d| !d.is_empty());
        let id = self.store.write(|w| lists::create(w, name, description))?;
        Ok(list_dto(self.store.read(|r| lists::get(r, &id))?))
    }
}

pub(crate) fn display_phone(e164: Option<&str>, raw: Option<&str>, region: Region) -> Option<String> {
    match e164 {
        Some(e) => PhoneNumber::parse(e, region).ok().map(|n| n.display(region)).or_else(|| Some(e.to_string())),
        None => raw.map(str::to_string),
    }
}

/// A number as the agent reads it: national format for `region`'s numbers, international for
/// others; as stored when it is not a number the rules read.
pub(crate) fn display_number(number: &str, region: Region) -> String {
    display_phone(Some(number), None, region).unwrap_or_else(|| number.to_string())
}

pub(crate) fn summary(l: leads::LeadSummary, region: Region) -> LeadSummary {
    LeadSummary {
        phone_display: display_phone(l.phone_e164.as_deref(), l.phone.as_deref(), region),
        id: l.id,
        name: l.name,
        company: l.company,
        email: l.email,
        phone: l.phone,
        phone_e164: l.phone_e164,
        status: l.status,
        value: l.value,
        last_contact: l.last_contact,
    }
}

pub(crate) fn full_lead(l: leads::Lead, list_ids: Vec<String>, region: Region) -> Lead {
    Lead {
        phone_display: display_phone(l.phone_e164.as_deref(), l.phone.as_deref(), region),
        id: l.id,
        name: l.name,
        email: l.email,
        phone: l.phone,
        phone_e164: l.phone_e164,
        company: l.company,
        position: l.position,
        status: l.status,
        value: l.value,
        source: l.source,
        notes: l.notes,
        timezone: l.timezone,
        last_contact: l.last_contact,
        created_at: l.created_at,
        updated_at: l.updated_at,
        list_ids,
    }
}

pub(crate) fn list_dto(l: lists::LeadList) -> LeadList {
    LeadList { id: l.id, name: l.name, description: l.description, member_count: l.member_count as u32 }
}

//! Call recordings from the app: metadata pulled from SignalWire into `call_recordings`, audio
//! fetched on demand into a size-capped cache (`<data folder>/recordings/`), least recently
//! used files evicted first.

use std::path::{Path, PathBuf};

use ringdesk_store::{Store, calls, recordings};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{CallRecordingInfo, RecordingFile, RecordingGroup, RecordingListItem, RecordingSyncReport};
use crate::messaging::Provider;

pub(crate) fn dto(r: recordings::Recording) -> CallRecordingInfo {
    CallRecordingInfo {
        cached: r.local_path.as_deref().is_some_and(|p| Path::new(p).is_file()),
        id: r.id,
        call_log_id: r.call_log_id,
        duration_seconds: r.duration_seconds.and_then(|d| u32::try_from(d).ok()),
        transcription: r.transcription_text,
        created_at: r.created_at,
    }
}

/// Pulls the call's recordings from SignalWire into the store; returns them all.
pub(crate) fn sync_for_call(
    store: &Store,
    provider: &Provider,
    client: &ringdesk_signalwire::Client,
    call_log_id: &str,
) -> Result<Vec<CallRecordingInfo>> {
    let sid = store.read(|r| calls::provider_sid(r, call_log_id))?.ok_or_else(|| {
        IpcError::new(ErrorCode::NotFound, "This call did not go through SignalWire, so it has no recordings there.")
    })?;
    let c = client.clone();
    let (found, texts) = provider.run(async move {
        let found = c.list_recordings(Some(&sid), None, 100).await?;
        let mut texts = Vec::new();
        for rec in &found {
            for t in c.list_transcriptions(&rec.sid).await? {
                if let Some(text) = t.transcription_text.filter(|x| !x.is_empty() && t.status == "completed") {
                    texts.push((rec.sid.clone(), text));
                }
            }
        }
        Ok::<_, ringdesk_signalwire::Error>((found, texts))
    })?;
    let now = ringdesk_store::format_ts(chrono::Utc::now());
    store.write(|w| {
        for rec in &found {
            let at = rec.date_created.map(ringdesk_store::format_ts).unwrap_or_else(|| now.clone());
            recordings::insert_once(w, call_log_id, &rec.sid, rec.duration.map(i64::from), &at)?;
        }
        for (sid, text) in &texts {
            recordings::set_transcription(w, sid, text)?;
        }
        Ok::<_, IpcError>(())
    })?;
    Ok(store.read(|r| recordings::for_call(r, call_log_id))?.into_iter().map(dto).collect())
}

/// Groups library rows by contact (the lead, else the number), keeping the newest-first order
/// of both the groups and the recordings inside each.
pub(crate) fn group(rows: Vec<recordings::LibraryRow>, region: ringdesk_core::Region) -> Vec<RecordingGroup> {
    let mut groups: Vec<RecordingGroup> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in rows {
        let key = row.lead_id.clone().unwrap_or_else(|| row.contact_number.clone());
        let at = *index.entry(key).or_insert_with(|| {
            let contact_display = crate::leads::display_number(&row.contact_number, region);
            let title = row.lead_name.clone().unwrap_or_else(|| contact_display.clone());
            groups.push(RecordingGroup {
                lead_id: row.lead_id.clone(),
                title,
                lead_company: row.lead_company.clone(),
                contact_number: row.contact_number.clone(),
                contact_display,
                recordings: Vec::new(),
            });
            groups.len() - 1
        });
        groups[at].recordings.push(RecordingListItem {
            recording: dto(row.recording),
            direction: row.direction,
            call_started_at: row.started_at,
            call_duration_seconds: row.call_duration_seconds.and_then(|d| u32::try_from(d).ok()),
            disposition: row.disposition,
        });
    }
    groups
}

/// Pulls the project's recordings of the last `days` days and stores those of calls logged
/// here (matched by the call's SignalWire SID), with their transcriptions.
pub(crate) fn sync_recent(
    store: &Store,
    provider: &Provider,
    client: &ringdesk_signalwire::Client,
    days: u32,
) -> Result<RecordingSyncReport> {
    let since = (chrono::Utc::now() - chrono::Duration::days(i64::from(days))).date_naive();
    let c = client.clone();
    let found = provider.run(async move { c.list_recordings(None, Some(since), 1000).await })?;
    let mut report = RecordingSyncReport { seen: 0, added: 0, unmatched: 0 };
    let now = ringdesk_store::format_ts(chrono::Utc::now());
    let mut added = Vec::new();
    for rec in &found {
        report.seen += 1;
        let call = match rec.call_sid.as_deref() {
            Some(sid) => store.read(|r| calls::by_provider_sid(r, sid))?,
            None => None,
        };
        let Some(call) = call else {
            report.unmatched += 1;
            continue;
        };
        let at = rec.date_created.map(ringdesk_store::format_ts).unwrap_or_else(|| now.clone());
        if store.write(|w| recordings::insert_once(w, &call, &rec.sid, rec.duration.map(i64::from), &at))? {
            report.added += 1;
            added.push(rec.sid.clone());
        }
    }
    for sid in added {
        let c = client.clone();
        let s = sid.clone();
        let texts = provider.run(async move { c.list_transcriptions(&s).await })?;
        for t in texts {
            if let Some(text) = t.transcription_text.filter(|x| !x.is_empty() && t.status == "completed") {
                store.write(|w| recordings::set_transcription(w, &sid, &text))?;
            }
        }
    }
    Ok(report)
}

fn io(what: &str, path: &Path, e: std::io::Error) -> IpcError {
    IpcError::new(ErrorCode::Io, format!("Could not {what} {}: {e}", path.display()))
}

/// The recording's audio, from the cache or downloaded into it.
pub(crate) fn fetch(
    store: &Store,
    provider: &Provider,
    client: &ringdesk_signalwire::Client,
    cache_dir: &Path,
    cap_bytes: u64,
    id: &str,
) -> Result<RecordingFile> {
    let rec = store.read(|r| recordings::get(r, id))?;
    if let Some(p) = rec.local_path.as_deref()
        && let Ok(meta) = std::fs::metadata(p)
    {
        // Touch it: the cache evicts the least recently used.
        let _ =
            std::fs::File::options().append(true).open(p).and_then(|f| f.set_modified(std::time::SystemTime::now()));
        return Ok(RecordingFile { path: p.to_string(), bytes: meta.len() });
    }
    let sid = rec
        .provider_recording_sid
        .clone()
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "This recording has no SignalWire id to fetch it by."))?;
    let c = client.clone();
    let audio = provider.run(async move { c.download_recording(&sid, ringdesk_signalwire::AudioFormat::Wav).await })?;
    std::fs::create_dir_all(cache_dir).map_err(|e| io("create", cache_dir, e))?;
    let path = cache_dir.join(format!("{}.wav", rec.id));
    let partial = cache_dir.join(format!("{}.wav.part", rec.id));
    std::fs::write(&partial, &audio).map_err(|e| io("write", &partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| io("save", &path, e))?;
    let text = path.display().to_string();
    store.write(|w| recordings::set_local_path(w, id, Some(&text)))?;
    evict(store, cache_dir, cap_bytes, &path)?;
    Ok(RecordingFile { path: text, bytes: audio.len() as u64 })
}

/// Deletes the least recently used files until the cache fits `cap_bytes` (never `keep`).
fn evict(store: &Store, dir: &Path, cap_bytes: u64, keep: &Path) -> Result<()> {
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| io("read", dir, e))?
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file().then(|| (meta.modified().unwrap_or(std::time::UNIX_EPOCH), meta.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, path) in files {
        if total <= cap_bytes {
            break;
        }
        if path == keep {
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| io("remove", &path, e))?;
        total -= len;
        let text = path.display().to_string();
        store.write(|w| recordings::forget_local_path(w, &text))?;
    }
    Ok(())
}

/// Deletes a recording at SignalWire (a recording already gone there counts as deleted), then its
/// cached audio and its row.
pub(crate) fn delete(store: &Store, provider: &Provider, client: &ringdesk_signalwire::Client, id: &str) -> Result<()> {
    let rec = store.read(|r| recordings::get(r, id))?;
    if let Some(sid) = rec.provider_recording_sid.clone() {
        let c = client.clone();
        match provider.run(async move { c.delete_recording(&sid).await }) {
            Ok(()) => {}
            Err(e) if e.api().is_some_and(|a| a.status == 404) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(path) = rec.local_path.as_deref() {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("remove", Path::new(path), e)),
        }
    }
    store.write(|w| recordings::delete(w, id))?;
    Ok(())
}

impl crate::App {
    /// The call's recordings as stored.
    pub fn call_recordings(&self, call_log_id: &str) -> Result<Vec<CallRecordingInfo>> {
        Ok(self.store.read(|r| ringdesk_store::recordings::for_call(r, call_log_id))?.into_iter().map(dto).collect())
    }

    /// Pulls the call's recordings from SignalWire; returns them all.
    pub fn sync_call_recordings(&self, call_log_id: &str) -> Result<Vec<CallRecordingInfo>> {
        let client = self.signalwire()?;
        sync_for_call(&self.store, &self.provider, &client, call_log_id)
    }

    /// The Recordings page: recordings grouped by contact (the lead, else the number), the
    /// contact with the newest recording first.
    pub fn recordings_library(&self, q: &crate::ipc::RecordingQuery) -> Result<Vec<crate::ipc::RecordingGroup>> {
        let region = self.region()?;
        let parse = |field: &str, t: &Option<String>| {
            t.as_deref().filter(|v| !v.trim().is_empty()).map(|v| crate::workflow::parse_time(field, v)).transpose()
        };
        let (from, to) = (parse("From", &q.from)?, parse("To", &q.to)?);
        let limit = q.limit.unwrap_or(200).clamp(1, 1000);
        let rows = self.store.read(|r| {
            ringdesk_store::recordings::library(r, q.text.as_deref(), from.as_deref(), to.as_deref(), limit)
        })?;
        Ok(group(rows, region))
    }

    /// Pulls the recordings of the last `days` days (at most 90) from SignalWire and links each
    /// to its logged call; recordings of calls this desktop never logged are counted, not stored.
    pub fn sync_recordings(&self, days: u32) -> Result<crate::ipc::RecordingSyncReport> {
        let client = self.signalwire()?;
        sync_recent(&self.store, &self.provider, &client, days.clamp(1, 90))
    }

    /// The recording's audio on this machine, downloaded when it is not cached.
    pub fn fetch_recording(&self, id: &str) -> Result<RecordingFile> {
        let client = self.signalwire()?;
        let (dir, cap) = &self.recording_cache;
        fetch(&self.store, &self.provider, &client, dir, *cap, id)
    }

    /// Deletes a call's recording at SignalWire and here (its cached audio too).
    pub fn delete_recording(&self, id: &str) -> Result<()> {
        let client = self.signalwire()?;
        delete(&self.store, &self.provider, &client, id)
    }
}

//! Call recordings from the app: metadata pulled from SignalWire into `call_recordings`, audio
//! fetched on demand into a size-capped cache (`<data folder>/recordings/`), least recently
//! used files evicted first.

use std::path::{Path, PathBuf};

use ringdesk_store::{Store, calls, recordings};

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{CallRecordingInfo, RecordingFile};
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

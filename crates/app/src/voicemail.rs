//! Voicemail drop: the agent's recorded or imported messages, and playing one into a call so the
//! agent moves on at once while the message plays to the end and the call hangs up by itself.
//!
//! Softphone calls: the voice engine sends the message instead of the microphone. Bridge calls:
//! the lead's leg of the live SignalWire call is redirected to a cXML script that plays the
//! message from its public URL (SignalWire must be able to fetch it) and hangs up; the agent's leg
//! ends with it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ringdesk_voice::audio::AudioDevices;

use ringdesk_store::voicemail as store;

use crate::error::{ErrorCode, IpcError, Result};
use crate::ipc::{VoicemailLevel, VoicemailMessage};

/// The longest message (seconds).
pub const MAX_SECONDS: f64 = 120.0;
/// The shortest message (seconds).
const MIN_SECONDS: f64 = 0.5;
/// A message whose loudest sample stays below this is silence (about -50 dBFS).
const SILENT_PEAK: i16 = 100;
/// The largest file read (a 120-s 48 kHz stereo WAV is 23 MB).
const MAX_BYTES: u64 = 32 * 1024 * 1024;
/// The cXML script a bridge call's lead leg is redirected to.
const SCRIPT_NAME: &str = "Ringdesk voicemail drop";
const SCRIPT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Play>{{Audio}}</Play>
  <Hangup/>
</Response>"#;
/// The rate messages are recorded at (wideband).
const RECORD_RATE: u32 = 16_000;

/// Told the microphone's level while a message is recorded (ten times a second).
pub type VoicemailLevelSink = Arc<dyn Fn(VoicemailLevel) + Send + Sync>;

/// A message being recorded from the microphone.
pub(crate) struct Recording {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<i16>>,
}

/// Reads the microphone in 10 ms frames until `stop` (or 120 s), reporting the level.
fn record(devices: Arc<dyn AudioDevices>, stop: Arc<AtomicBool>, sink: VoicemailLevelSink) -> Vec<i16> {
    let (mut source, mut speaker) = devices.open("voicemail", RECORD_RATE);
    let frame_len = (RECORD_RATE / 100) as usize;
    let mut frame = vec![0i16; frame_len];
    let mut samples = Vec::with_capacity(RECORD_RATE as usize * 10);
    let max = (MAX_SECONDS * f64::from(RECORD_RATE)) as usize;
    let started = std::time::Instant::now();
    let mut peak = -100f32;
    for tick in 1u64.. {
        if stop.load(Ordering::Relaxed) || samples.len() >= max {
            break;
        }
        let due = started + std::time::Duration::from_millis(10 * tick);
        std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
        source.read(&mut frame);
        peak = peak.max(ringdesk_voice::audio::level_dbfs(&frame));
        samples.extend_from_slice(&frame);
        if tick.is_multiple_of(10) {
            sink(VoicemailLevel {
                level_dbfs: f64::from(peak),
                seconds: samples.len() as f64 / f64::from(RECORD_RATE),
                stopped: false,
            });
            peak = -100.0;
        }
    }
    speaker.finish();
    sink(VoicemailLevel { level_dbfs: -100.0, seconds: samples.len() as f64 / f64::from(RECORD_RATE), stopped: true });
    samples
}

/// The disposition a drop saves by itself.
pub const LEFT_VOICEMAIL: &str = "left_voicemail";

impl crate::App {
    /// Where messages are kept: `voicemail/` beside the database.
    pub fn voicemail_dir(&self) -> PathBuf {
        self.store.path().parent().unwrap_or(Path::new(".")).join("voicemail")
    }

    fn voicemail_file(&self, id: &str) -> PathBuf {
        self.voicemail_dir().join(format!("{id}.wav"))
    }

    fn voicemail_ipc(&self, m: store::Message) -> VoicemailMessage {
        VoicemailMessage {
            path: self.voicemail_file(&m.id).display().to_string(),
            id: m.id,
            name: m.name,
            duration_seconds: m.duration_ms as f64 / 1000.0,
            public_url: m.public_url,
            created_at: m.created_at,
        }
    }

    /// The agent's messages, by name.
    pub fn voicemail_messages(&self) -> Result<Vec<VoicemailMessage>> {
        Ok(self.store.read(|r| store::all(r))?.into_iter().map(|m| self.voicemail_ipc(m)).collect())
    }

    /// Keeps the WAV at `path` as the message `name`: refused, with nothing kept, when it is not
    /// a WAV file, shorter than half a second, longer than 120 s, or silent.
    pub fn import_voicemail(&self, name: &str, path: &str) -> Result<VoicemailMessage> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(IpcError::invalid("Name the message (1–60 characters).").on_field("name"));
        }
        let file = Path::new(path);
        let size = std::fs::metadata(file)
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not read {}: {e}", file.display())))?
            .len();
        if size > MAX_BYTES {
            return Err(IpcError::invalid(format!(
                "{} is {} MB; a voicemail message is at most 120 s of WAV audio.",
                file.display(),
                size / 1_000_000
            )));
        }
        let bytes = std::fs::read(file)
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not read {}: {e}", file.display())))?;
        let (rate, samples) = ringdesk_media::wav::parse_with_rate(&bytes)
            .map_err(|e| IpcError::invalid(format!("{} is not a WAV file Ringdesk can play ({e}).", file.display())))?;
        self.keep_voicemail(name, rate, &samples)
    }

    /// Keeps recorded audio (mono, `rate` Hz) as the message `name`, with the same checks as an
    /// import.
    pub fn keep_voicemail(&self, name: &str, rate: u32, samples: &[i16]) -> Result<VoicemailMessage> {
        let seconds = samples.len() as f64 / f64::from(rate.max(1));
        if seconds > MAX_SECONDS {
            return Err(IpcError::invalid(format!(
                "The message is {seconds:.0} s long; a voicemail message is at most {MAX_SECONDS:.0} s."
            )));
        }
        if seconds < MIN_SECONDS {
            return Err(IpcError::invalid("The message is shorter than half a second."));
        }
        if samples.iter().all(|s| s.unsigned_abs() < SILENT_PEAK as u16) {
            return Err(IpcError::invalid("The message is silent: nothing in it would be heard."));
        }
        let dir = self.voicemail_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not create {}: {e}", dir.display())))?;
        let tmp = dir.join(format!(".import-{}.tmp", std::process::id()));
        std::fs::write(&tmp, ringdesk_media::wav::encode(rate, samples))
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("Could not write {}: {e}", tmp.display())))?;
        let id = match self.store.write(|w| store::insert(w, name, (seconds * 1000.0).round() as i64)) {
            Ok(id) => id,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(IpcError::from(e).on_field("name"));
            }
        };
        if let Err(e) = std::fs::rename(&tmp, self.voicemail_file(&id)) {
            let _ = self.store.write(|w| store::delete(w, &id));
            let _ = std::fs::remove_file(&tmp);
            return Err(IpcError::new(ErrorCode::Io, format!("Could not keep the message: {e}")));
        }
        let m = self.store.read(|r| store::get(r, &id))?;
        Ok(self.voicemail_ipc(m))
    }

    /// Starts recording a message from the microphone (the one in Settings, unless `devices` is
    /// given: tests speak a WAV); the level arrives through `sink` ten times a second. It stops at
    /// `stop_voicemail_recording`, or by itself after 120 s.
    pub fn start_voicemail_recording(
        &self,
        devices: Option<Arc<dyn AudioDevices>>,
        sink: VoicemailLevelSink,
    ) -> Result<()> {
        let mut slot = self.recorder.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_some() {
            return Err(IpcError::new(ErrorCode::Conflict, "A message is already being recorded."));
        }
        let devices = match devices {
            Some(d) => d,
            None => {
                let (input, _) = crate::settings::audio(&self.store)?;
                let input = (!input.is_empty()).then_some(input);
                Arc::new(ringdesk_voice::cpal_devices::CpalDevices::new(input, None))
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("ringdesk-voicemail".into())
            .spawn(move || record(devices, flag, sink))
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("Could not start recording: {e}")))?;
        *slot = Some(Recording { stop, thread });
        Ok(())
    }

    /// Stops the recording and keeps it as the message `name` (with the checks of an import),
    /// or throws it away when `name` is null.
    pub fn stop_voicemail_recording(&self, name: Option<&str>) -> Result<Option<VoicemailMessage>> {
        let taken = self.recorder.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let Some(r) = taken else {
            return Err(IpcError::new(ErrorCode::Conflict, "No message is being recorded."));
        };
        r.stop.store(true, Ordering::Relaxed);
        let samples =
            r.thread.join().map_err(|_| IpcError::new(ErrorCode::Internal, "The recording stopped unexpectedly."))?;
        match name {
            Some(name) => self.keep_voicemail(name, RECORD_RATE, &samples).map(Some),
            None => Ok(None),
        }
    }

    /// Sets where SignalWire fetches the message for bridge calls (an https URL; null clears it).
    pub fn set_voicemail_url(&self, id: &str, url: Option<&str>) -> Result<VoicemailMessage> {
        let url = url.map(str::trim).filter(|u| !u.is_empty());
        if let Some(u) = url {
            let parsed = url::Url::parse(u).map_err(|e| {
                IpcError::invalid(format!("{u:?} is not a URL ({e}); use the https address of the audio file."))
                    .on_field("publicUrl")
            })?;
            let loopback = matches!(parsed.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || parsed.host_str() == Some("localhost");
            if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
                return Err(IpcError::invalid("SignalWire fetches the message over https: use an https URL.")
                    .on_field("publicUrl"));
            }
            if !parsed.username().is_empty() || parsed.password().is_some() {
                return Err(IpcError::invalid("The URL must not hold credentials.").on_field("publicUrl"));
            }
        }
        self.store.write(|w| store::set_public_url(w, id, url))?;
        let m = self.store.read(|r| store::get(r, id))?;
        Ok(self.voicemail_ipc(m))
    }

    pub fn delete_voicemail(&self, id: &str) -> Result<Vec<VoicemailMessage>> {
        self.store.write(|w| store::delete(w, id))?;
        let _ = std::fs::remove_file(self.voicemail_file(id));
        self.voicemail_messages()
    }

    /// Plays message `message_id` into the call and frees the agent at once: the call hangs up
    /// by itself when the message has played, and its outcome "left voicemail" is saved now
    /// (the campaign's session moves on).
    pub fn drop_voicemail(&self, call_log_id: &str, message_id: &str) -> Result<()> {
        let m = self.store.read(|r| store::get(r, message_id))?;
        let route = self.store.read(|r| ringdesk_store::calls::route_of(r, call_log_id))?;
        if route == "bridge" {
            self.drop_into_bridge_call(call_log_id, &m)?;
        } else {
            let bytes = std::fs::read(self.voicemail_file(&m.id)).map_err(|e| {
                IpcError::new(ErrorCode::Io, format!("The message {:?} could not be read: {e}", m.name))
            })?;
            let (rate, samples) = ringdesk_media::wav::parse_with_rate(&bytes)
                .map_err(|e| IpcError::new(ErrorCode::Io, format!("The message {:?} is damaged: {e}", m.name)))?;
            self.play_into_softphone_call(call_log_id, samples, rate)?;
        }
        let notes = format!("Voicemail drop: {}", m.name);
        self.store.write(|w| {
            ringdesk_store::calls::dispose(
                w,
                &ringdesk_store::calls::Disposition {
                    call_log_id,
                    disposition_type: LEFT_VOICEMAIL,
                    notes: Some(&notes),
                    next_action: None,
                    follow_up_date: None,
                    created_by: None,
                    lead_status: Some("contacted"),
                },
            )?;
            crate::campaigns::record_outcome(w, call_log_id, LEFT_VOICEMAIL)
        })?;
        Ok(())
    }

    fn drop_into_bridge_call(&self, call_log_id: &str, m: &store::Message) -> Result<()> {
        let audio = m.public_url.clone().ok_or_else(|| {
            IpcError::invalid(format!(
                "The message {:?} has no public URL, and SignalWire must fetch it to play it into a bridge call: add one in Settings → Voicemail.",
                m.name
            ))
        })?;
        let sid = self.store.read(|r| ringdesk_store::calls::provider_sid(r, call_log_id))?.ok_or_else(|| {
            IpcError::new(ErrorCode::Conflict, "The bridge call has not reached SignalWire yet; try again in a moment.")
        })?;
        let client = self.signalwire()?;
        let c = client.clone();
        let script = self.provider.run(async move { c.ensure_cxml_script(SCRIPT_NAME, SCRIPT).await })?;
        let mut url = script
            .request_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .ok_or_else(|| IpcError::new(ErrorCode::Provider, "SignalWire gave the voicemail script no URL."))?;
        url.query_pairs_mut().append_pair("Audio", &audio);
        let c = client.clone();
        let parent = sid.clone();
        let legs = self.provider.run(async move {
            c.list_calls(
                &ringdesk_signalwire::CallFilter { parent: Some(parent), ..ringdesk_signalwire::CallFilter::default() },
                10,
            )
            .await
        })?;
        let lead_leg = legs.into_iter().find(|l| l.status.as_str() == "in-progress").ok_or_else(|| {
            IpcError::new(ErrorCode::Conflict, "The lead has not answered: there is nobody to leave the message to.")
        })?;
        let c = client.clone();
        let target = url.to_string();
        self.provider.run(async move { c.redirect_call(&lead_leg.sid, &target).await })?;
        Ok(())
    }
}

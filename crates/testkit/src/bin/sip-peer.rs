//! The far end of a softphone call as a process, for tests outside Rust (the UI's vitest
//! suites): Kamailio as the registrar (digest auth, loopback) and baresip phones registered at
//! it, speaking a speech-like WAV. Test code only.
//!
//! `sip-peer` starts Kamailio and prints `{"registrar": "127.0.0.1:port", "username": "alice",
//! "password": "alicepw", "speech": <a WAV>}`: the account the core under test registers with,
//! and a speech-like WAV it can speak (`serve --wav-audio`). Then it answers JSON
//! lines on standard input, `{"id": 1, "cmd": "phone", "args": {"user": "14155550100",
//! "answer": "auto"}}`, with `{"id": 1, "ok": <answer>}` (or `"error"`):
//! - `phone {user, answer}`: a baresip registered as `user` (a lead's number without `+`, see
//!   `peers/kamailio.cfg.in`), answering by itself (`auto`) or when told (`manual`); answers its
//!   index once registered;
//! - `command {phone, command, params}`: one of baresip's ctrl_tcp commands (`dial` with
//!   `sip:alice@<registrar>`, `accept`, `hangup`);
//! - `wait_event {phone, needle, timeoutMs}`: the first baresip event not yet taken whose JSON
//!   contains `needle` (`CALL_ESTABLISHED`, `CALL_DTMF_START`, …), taken;
//! - `events {phone}`: the events not yet taken;
//! - `stop {phone}`: the phone quits (unregisters), so the next test's phone with that number is
//!   the only one Kamailio knows.
//!
//! Everything stops when the input closes.

use std::time::{Duration, Instant};

use ringdesk_testkit::json_lines::{self, number, text};
use ringdesk_testkit::{AnswerMode, Baresip, Kamailio, speech_wav};
use serde_json::{Value, json};

struct Phone {
    baresip: Baresip,
    events: Vec<String>,
}

impl Phone {
    fn take(&mut self, needle: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.events.iter().position(|e| e.contains(needle)) {
                return Ok(self.events.remove(i));
            }
            if Instant::now() >= deadline {
                return Err(format!("no event with {needle:?} within {timeout:?}; saw {:?}", self.events));
            }
            if let Some(event) = self.baresip.next_event(Duration::from_millis(100))? {
                self.events.push(event);
            }
        }
    }

    fn drain(&mut self) -> Result<(), String> {
        while let Some(event) = self.baresip.next_event(Duration::from_millis(20))? {
            self.events.push(event);
        }
        Ok(())
    }
}

struct Server {
    kamailio: Kamailio,
    wav: std::path::PathBuf,
    /// By index; `None` once stopped.
    phones: Vec<Option<Phone>>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// The slot of the phone the request names.
    fn slot(&mut self, args: &Value) -> Result<&mut Option<Phone>, String> {
        let i = number(args, "phone")?;
        self.phones.get_mut(i as usize).filter(|p| p.is_some()).ok_or_else(|| format!("no phone {i}"))
    }

    fn phone(&mut self, args: &Value) -> Result<&mut Phone, String> {
        let i = number(args, "phone")?;
        self.phones.get_mut(i as usize).and_then(Option::as_mut).ok_or_else(|| format!("no phone {i}"))
    }

    fn handle(&mut self, cmd: &str, args: &Value) -> Result<Value, String> {
        Ok(match cmd {
            "phone" => {
                let mode = match text(args, "answer")? {
                    "auto" => AnswerMode::Auto,
                    "manual" => AnswerMode::Manual,
                    other => return Err(format!("answer {other:?}: auto or manual")),
                };
                let baresip = Baresip::start(text(args, "user")?, &self.kamailio.addr(), &self.wav, mode, false)?;
                baresip.wait_registered(Duration::from_secs(10))?;
                self.phones.push(Some(Phone { baresip, events: Vec::new() }));
                json!(self.phones.len() - 1)
            }
            "command" => {
                let (command, params) = (text(args, "command")?.to_string(), text(args, "params")?.to_string());
                self.phone(args)?.baresip.command(&command, &params)?;
                Value::Null
            }
            "wait_event" => {
                let needle = text(args, "needle")?.to_string();
                let ms = number(args, "timeoutMs").unwrap_or(10_000);
                json!(self.phone(args)?.take(&needle, Duration::from_millis(ms))?)
            }
            "events" => {
                let phone = self.phone(args)?;
                phone.drain()?;
                json!(phone.events)
            }
            "stop" => {
                if let Some(phone) = self.slot(args)?.take() {
                    phone.baresip.quit(Duration::from_secs(2));
                }
                Value::Null
            }
            other => return Err(format!("no sip-peer command {other:?}")),
        })
    }
}

fn main() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let wav = dir.path().join("speech.wav");
    speech_wav(&wav, 60)?;
    let kamailio = Kamailio::start()?;
    let ready = json!({
        "registrar": kamailio.addr(),
        "username": "alice",
        "password": "alicepw",
        "speech": wav.display().to_string(),
    });
    let mut server = Server { kamailio, wav, phones: Vec::new(), _dir: dir };
    json_lines::serve(&ready, |cmd, args| server.handle(cmd, args))
}

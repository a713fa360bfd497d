//! The SignalWire emulator as a process, for tests outside Rust (the UI's vitest suites): the
//! remote party a core started with `RINGDESK_SIGNALWIRE_URL=<origin>` talks to over REST and
//! RELAY. Test code only.
//!
//! `signalwire-emulator PROJECT TOKEN [PORT]` prints one line, `{"origin": "http://127.0.0.1:port",
//! "relay": "ws://127.0.0.1:port/"}`, then answers JSON lines on standard input,
//! `{"id": 1, "cmd": "receive_message", "args": {"from": "+1…", "to": "+1…", "body": "hi"}}`,
//! with `{"id": 1, "ok": <answer>}` (or `"error"`). The commands are the emulator's own methods
//! (see `ringdesk_testkit::signalwire`); the process ends when its input closes.

use ringdesk_testkit::json_lines::{self, number, text};
use ringdesk_testkit::signalwire::SignalWireEmulator;
use serde_json::{Value, json};

fn handle(emulator: &SignalWireEmulator, cmd: &str, args: &Value) -> Result<Value, String> {
    Ok(match cmd {
        "skip_ids" => json!(emulator.skip_ids(number(args, "n")?)),
        "own_number" => json!(emulator.own_number(text(args, "number")?)),
        "receive_message" => {
            json!(emulator.receive_message(text(args, "from")?, text(args, "to")?, text(args, "body")?))
        }
        "route_messages_to" => json!(emulator.route_messages_to(text(args, "context")?)),
        "fail_next" => {
            let n = usize::try_from(number(args, "n")?).map_err(|e| e.to_string())?;
            let status = u16::try_from(number(args, "status")?).map_err(|e| e.to_string())?;
            let code = u32::try_from(number(args, "code")?).map_err(|e| e.to_string())?;
            json!(emulator.fail_next(n, status, code, args.get("retryAfter").and_then(Value::as_u64)))
        }
        "add_recording" => {
            let created = chrono::DateTime::parse_from_rfc3339(text(args, "created")?)
                .map_err(|e| format!("created: {e}"))?
                .with_timezone(&chrono::Utc);
            let seconds = u32::try_from(number(args, "seconds")?).map_err(|e| e.to_string())?;
            json!(emulator.add_recording(text(args, "callSid")?, seconds, created))
        }
        "add_transcription" => json!(emulator.add_transcription(text(args, "recordingSid")?, text(args, "text")?)),
        "calls_stay_queued" => json!(emulator.calls_stay_queued()),
        "calls_hold_in" => json!(emulator.calls_hold_in(args.get("status").and_then(Value::as_str))?),
        "clear_faults" => json!(emulator.clear_faults()),
        "cut_next_create" => json!(emulator.cut_next_create()),
        "relay_cut" => json!(emulator.relay_cut()),
        "relay_live_sessions" => json!(emulator.relay_live_sessions()),
        "sent_messages" => json!(emulator.sent_messages()),
        "owned_numbers" => json!(emulator.owned_numbers()),
        "sip_usernames" => json!(emulator.sip_usernames()),
        "sip_endpoints" => json!(emulator.sip_endpoints()),
        "number_handlers" => json!(emulator.number_handlers(text(args, "number")?)),
        "calls" => json!(emulator.calls()),
        "calls_last" => json!(emulator.calls_last(std::time::Duration::from_millis(number(args, "ms")?))),
        "lead_is_busy" => json!(emulator.lead_is_busy(text(args, "lead")?)),
        "host_wav" => {
            // `seconds` of speech-like audio at 8 kHz, served as `name`.
            let seconds = number(args, "seconds")?;
            let samples: Vec<i16> = (0..(seconds * 8000) as usize).map(ringdesk_media::wav::speechlike).collect();
            json!(emulator.host_file(text(args, "name")?, ringdesk_media::wav::encode(8000, &samples)))
        }
        "played" => json!(
            emulator
                .played()
                .into_iter()
                .map(|(sid, url, bytes)| json!({
                    "callSid": sid, "url": url, "bytes": bytes.map(|b| b.len())
                }))
                .collect::<Vec<_>>()
        ),
        "lead_legs" => json!(emulator.lead_legs()),
        "requests_to" => json!(emulator.requests_to(text(args, "resource")?)),
        "spec_violations" => json!(emulator.spec_violations()),
        other => return Err(format!("no emulator command {other:?}")),
    })
}

fn main() -> Result<(), String> {
    let mut argv = std::env::args().skip(1);
    let (Some(project), Some(token)) = (argv.next(), argv.next()) else {
        return Err("usage: signalwire-emulator PROJECT TOKEN [PORT]".into());
    };
    let port = argv.next().map(|p| p.parse::<u16>().map_err(|e| format!("PORT {p:?}: {e}"))).transpose()?.unwrap_or(0);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let emulator = runtime.block_on(SignalWireEmulator::start_on(&project, &token, port))?;
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let ready = json!({ "origin": emulator.origin(), "relay": emulator.relay_url() });
    std::thread::scope(|scope| {
        let served = scope.spawn(|| {
            let served = json_lines::serve(&ready, |cmd, args| handle(&emulator, cmd, args));
            let _ = done_tx.send(());
            served
        });
        // The server's tasks run while the runtime is driven, until the input closes.
        runtime.block_on(async {
            let _ = done_rx.await;
        });
        served.join().unwrap_or_else(|_| Err("the request thread panicked".into()))
    })
}

//! The line protocol of the testkit's process bins (`signalwire-emulator`, `team-backend`,
//! `sip-peer`), which tests outside Rust drive: the process prints one JSON line when it is
//! ready, then answers each `{"id", "cmd", "args"}` line on standard input with `{"id", "ok"}` or
//! `{"id", "error"}`, until its input closes. Test code only.

use std::io::{BufRead, Write};

use serde_json::{Value, json};

/// Prints `ready`, then answers every request line with `handle(cmd, args)` until the input
/// closes (or the output does).
pub fn serve(ready: &Value, mut handle: impl FnMut(&str, &Value) -> Result<Value, String>) -> Result<(), String> {
    let mut out = std::io::stdout();
    writeln!(out, "{ready}").and_then(|()| out.flush()).map_err(|e| e.to_string())?;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let request: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let cmd = request.get("cmd").and_then(Value::as_str).unwrap_or_default();
        let answer = match handle(cmd, request.get("args").unwrap_or(&Value::Null)) {
            Ok(ok) => json!({ "id": id, "ok": ok }),
            Err(error) => json!({ "id": id, "error": error }),
        };
        if writeln!(out, "{answer}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
    Ok(())
}

/// The text argument `name`.
pub fn text<'a>(args: &'a Value, name: &str) -> Result<&'a str, String> {
    args.get(name).and_then(Value::as_str).ok_or_else(|| format!("argument {name:?} (text) is missing"))
}

/// The whole-number argument `name`.
pub fn number(args: &Value, name: &str) -> Result<u64, String> {
    args.get(name).and_then(Value::as_u64).ok_or_else(|| format!("argument {name:?} (number) is missing"))
}

/// The true-or-false argument `name`.
pub fn flag(args: &Value, name: &str) -> Result<bool, String> {
    args.get(name).and_then(Value::as_bool).ok_or_else(|| format!("argument {name:?} (true or false) is missing"))
}

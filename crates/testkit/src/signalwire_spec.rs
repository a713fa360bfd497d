//! SignalWire's published OpenAPI specs, as strict as they are, for the emulator: every request
//! the client sends is checked against the operation's request schema and query parameters
//! (required fields, types, enums, lengths, patterns, formats, no field the spec does not
//! define), and every JSON answer the emulator gives against the response schema, so neither the
//! client nor the emulator can drift from the specs unnoticed.
//!
//! The operations Ringdesk uses are extracted from the specs by `spec/extract.py` into
//! `spec/signalwire-openapi-subset.json` ($refs inlined). The validator is written here by hand:
//! it covers the JSON Schema keywords those schemas use (`type`, `enum`, `const`, `required`,
//! `properties`, `unevaluatedProperties`/`additionalProperties: false`, `items`, `anyOf`,
//! `oneOf`, `allOf`, `minLength`, `maxLength`, `pattern`, `minimum`, `maximum`, `format`), and a
//! general crate would bring far more than this test code needs.

use std::sync::OnceLock;

use serde_json::{Map, Value};

const SUBSET: &str = include_str!("../spec/signalwire-openapi-subset.json");

/// Which of the two specs an operation is in (their error shapes differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The Compatibility API (`/api/laml/2010-04-01`), form bodies.
    Compat,
    /// SignalWire's own REST APIs (`/api/relay/rest`, `/api/fabric`), JSON bodies.
    Rest,
}

/// One operation of the specs.
#[derive(Debug)]
pub struct Operation {
    pub api: Api,
    /// `POST /Accounts/{AccountSid}/Messages`.
    pub name: String,
    method: String,
    segments: Vec<String>,
    content_type: Option<String>,
    request: Option<Value>,
    responses: Map<String, Value>,
    query: Vec<(String, Value)>,
}

fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        let all: Value = serde_json::from_str(SUBSET).expect("the bundled spec subset is JSON");
        let mut out = Vec::new();
        for (api_name, api) in [("compat", Api::Compat), ("rest", Api::Rest)] {
            let Some(ops) = all.get(api_name).and_then(Value::as_object) else { continue };
            for (name, op) in ops {
                let (method, path) = name.split_once(' ').unwrap_or(("", ""));
                out.push(Operation {
                    api,
                    name: name.clone(),
                    method: method.to_owned(),
                    segments: path.split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                    content_type: op.get("content_type").and_then(Value::as_str).map(str::to_owned),
                    request: op.get("request").cloned(),
                    responses: op.get("responses").and_then(Value::as_object).cloned().unwrap_or_default(),
                    query: op
                        .get("query")
                        .and_then(Value::as_array)
                        .map(|q| {
                            q.iter()
                                .filter_map(|p| {
                                    Some((
                                        p.get("name")?.as_str()?.to_owned(),
                                        p.get("schema").cloned().unwrap_or_default(),
                                    ))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
        }
        out
    })
}

/// The operation a request is for: `path` as sent (the Compatibility API's prefix and a `.json`,
/// `.wav` or `.mp3` suffix are dropped, as SignalWire does).
pub fn find(method: &str, path: &str) -> Option<&'static Operation> {
    let (api, rest) = match path.strip_prefix("/api/laml/2010-04-01") {
        Some(rest) => (Api::Compat, rest),
        None => (Api::Rest, path),
    };
    let mut parts: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(last) = parts.last_mut() {
        for ext in [".json", ".wav", ".mp3"] {
            if let Some(stem) = last.strip_suffix(ext) {
                *last = stem;
            }
        }
    }
    // A literal segment beats a `{parameter}` (`endpoints/sip` is not `{id}/phone_routes`).
    operations()
        .iter()
        .filter(|op| op.api == api && op.method.eq_ignore_ascii_case(method) && op.segments.len() == parts.len())
        .filter(|op| op.segments.iter().zip(&parts).all(|(s, p)| s.starts_with('{') || s == p))
        .max_by_key(|op| op.segments.iter().filter(|s| !s.starts_with('{')).count())
}

impl Operation {
    /// What the spec refuses in this request (empty when it is valid).
    pub fn check_request(&self, content_type: Option<&str>, query: Option<&str>, body: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match self.query.iter().find(|(name, _)| *name == key) {
                None => out.push(format!("query parameter {key} is not in the spec")),
                Some((_, schema)) => {
                    validate(schema, &coerce(schema, &[value.into_owned()]), &format!("query {key}"), &mut out)
                }
            }
        }
        let Some(schema) = &self.request else {
            if !body.is_empty() {
                out.push("a body where the spec has none".into());
            }
            return out;
        };
        let expected = self.content_type.as_deref().unwrap_or("");
        let sent = content_type.unwrap_or("").split(';').next().unwrap_or("").trim();
        if sent != expected {
            out.push(format!("content type {sent:?}, the spec says {expected:?}"));
            return out;
        }
        let value = if expected == "application/x-www-form-urlencoded" {
            let mut fields: Vec<(String, Vec<String>)> = Vec::new();
            for (k, v) in url::form_urlencoded::parse(body) {
                match fields.iter_mut().find(|(name, _)| *name == k) {
                    Some((_, values)) => values.push(v.into_owned()),
                    None => fields.push((k.into_owned(), vec![v.into_owned()])),
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            let object: Map<String, Value> = fields
                .into_iter()
                .map(|(k, values)| {
                    let coerced = match props.and_then(|p| p.get(&k)) {
                        Some(s) => coerce(s, &values),
                        None => Value::String(values.join(",")),
                    };
                    (k, coerced)
                })
                .collect();
            Value::Object(object)
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => {
                    out.push(format!("the body is not JSON: {e}"));
                    return out;
                }
            }
        };
        validate(schema, &value, "body", &mut out);
        out
    }

    /// What the spec refuses in this JSON answer with `status` (empty when it is valid, or when
    /// the spec has no JSON schema for it).
    pub fn check_response(&self, status: u16, body: &Value) -> Vec<String> {
        let mut out = Vec::new();
        match self.responses.get(&status.to_string()) {
            None => out.push(format!("status {status} is not a success the spec declares")),
            Some(Value::Null) => {}
            Some(schema) => validate(schema, body, "answer", &mut out),
        }
        out
    }
}

/// A form or query value as the schema's type: numbers, booleans and repeated keys (arrays).
fn coerce(schema: &Value, values: &[String]) -> Value {
    let types = types_of(schema);
    let one = values.first().cloned().unwrap_or_default();
    if types.iter().any(|t| t == "array") {
        let item = schema.get("items").cloned().unwrap_or_default();
        return Value::Array(values.iter().map(|v| coerce(&item, std::slice::from_ref(v))).collect());
    }
    if values.len() > 1 {
        return Value::Array(values.iter().cloned().map(Value::String).collect());
    }
    if types.iter().any(|t| t == "integer")
        && let Ok(n) = one.parse::<i64>()
    {
        return Value::from(n);
    }
    if types.iter().any(|t| t == "number")
        && let Ok(n) = one.parse::<f64>()
    {
        return Value::from(n);
    }
    if types.iter().any(|t| t == "boolean") && (one == "true" || one == "false") {
        return Value::Bool(one == "true");
    }
    Value::String(one)
}

/// Every `type` a schema (or its `anyOf`/`oneOf` alternatives) allows.
fn types_of(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match schema.get("type") {
        Some(Value::String(t)) => out.push(t.clone()),
        Some(Value::Array(ts)) => out.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned)),
        _ => {}
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            for a in alts {
                out.extend(types_of(a));
            }
        }
    }
    out
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => true,
    }
}

/// Checks `v` against `schema`, pushing one line per violation (`at` names the place).
pub fn validate(schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let Some(s) = schema.as_object() else { return };
    if s.get("not").is_some_and(|n| n.as_object().is_some_and(Map::is_empty)) {
        out.push(format!("{at} is not allowed"));
        return;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let mut best: Option<Vec<String>> = None;
            for a in alts {
                let mut errs = Vec::new();
                validate(a, v, at, &mut errs);
                if errs.is_empty() {
                    best = Some(errs);
                    break;
                }
                if best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                    best = Some(errs);
                }
            }
            if let Some(errs) = best
                && !errs.is_empty()
            {
                out.push(format!("{at} matches none of the {key} alternatives (closest: {})", errs.join("; ")));
                return;
            }
        }
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for a in all {
            validate(a, v, at, out);
        }
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_matches(t, v) => {
            out.push(format!("{at} is {}, the spec says {t}", kind(v)));
            return;
        }
        Some(Value::Array(ts)) if !ts.iter().filter_map(Value::as_str).any(|t| type_matches(t, v)) => {
            out.push(format!("{at} is {}, the spec says one of {ts:?}", kind(v)));
            return;
        }
        _ => {}
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array)
        && !options.contains(v)
    {
        out.push(format!("{at} is {v}, not one of {}", Value::Array(options.clone())));
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        out.push(format!("{at} is {v}, the spec says {c}"));
    }
    if let Some(text) = v.as_str() {
        let chars = text.chars().count();
        if s.get("minLength").and_then(Value::as_u64).is_some_and(|m| (chars as u64) < m) {
            out.push(format!("{at} is shorter than the spec's minimum"));
        }
        if s.get("maxLength").and_then(Value::as_u64).is_some_and(|m| (chars as u64) > m) {
            out.push(format!("{at} is longer than the spec's maximum"));
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str)
            && let Ok(re) = regex::Regex::new(p)
            && !re.is_match(text)
        {
            out.push(format!("{at} {text:?} does not match the pattern {p}"));
        }
        match s.get("format").and_then(Value::as_str) {
            Some("uuid") if !is_uuid(text) => out.push(format!("{at} {text:?} is not a UUID")),
            Some("uri") if url::Url::parse(text).is_err() && !text.starts_with('/') => {
                out.push(format!("{at} {text:?} is not a URI"))
            }
            _ => {}
        }
    }
    if let Some(n) = v.as_f64() {
        if s.get("minimum").and_then(Value::as_f64).is_some_and(|m| n < m) {
            out.push(format!("{at} {n} is below the spec's minimum"));
        }
        if s.get("maximum").and_then(Value::as_f64).is_some_and(|m| n > m) {
            out.push(format!("{at} {n} is above the spec's maximum"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        if let Some(required) = s.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    out.push(format!("{at}.{r} is required by the spec and missing"));
                }
            }
        }
        let closed = s.get("unevaluatedProperties").is_some_and(|u| u.get("not").is_some() || u == &Value::Bool(false))
            || s.get("additionalProperties") == Some(&Value::Bool(false));
        for (k, value) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(p) => validate(p, value, &format!("{at}.{k}"), out),
                None if closed => out.push(format!("{at}.{k} is not a field the spec defines")),
                None => {
                    if let Some(extra) = s.get("additionalProperties").filter(|a| a.is_object()) {
                        validate(extra, value, &format!("{at}.{k}"), out);
                    }
                }
            }
        }
    }
    if let (Some(items), Some(list)) = (s.get("items"), v.as_array()) {
        for (i, item) in list.iter().enumerate() {
            validate(items, item, &format!("{at}[{i}]"), out);
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_refuse_a_script_update_without_name_and_a_null_send_as() {
        let update = find("POST", "/api/laml/2010-04-01/Accounts/a/LamlBins/b").expect("the update operation");
        let errs = update.check_request(Some("application/x-www-form-urlencoded"), None, b"Contents=%3CResponse%2F%3E");
        assert!(errs.iter().any(|e| e.contains("Name is required")), "{errs:?}");
        let ok = update.check_request(Some("application/x-www-form-urlencoded"), None, b"Name=bridge&Contents=x");
        assert!(ok.is_empty(), "{ok:?}");
        let sip = find("PUT", "/api/relay/rest/endpoints/sip/abc").expect("the endpoint update");
        let errs = sip.check_request(Some("application/json"), None, br#"{"send_as": null}"#);
        assert!(errs.iter().any(|e| e.contains("send_as is null")), "{errs:?}");
        assert!(sip.check_request(Some("application/json"), None, br#"{"send_as": "random"}"#).is_empty());
        let unknown = sip.check_request(Some("application/json"), None, br#"{"sendAs": "random"}"#);
        assert!(unknown.iter().any(|e| e.contains("not a field the spec defines")), "{unknown:?}");
    }

    #[test]
    fn literal_path_segments_win_over_parameters_and_suffixes_are_dropped() {
        assert_eq!(
            find("GET", "/api/relay/rest/endpoints/sip").map(|o| o.name.as_str()),
            Some("GET /api/relay/rest/endpoints/sip")
        );
        let rec = find("GET", "/api/laml/2010-04-01/Accounts/a/Recordings/r.json").expect("recording");
        assert_eq!(rec.name, "GET /Accounts/{AccountSid}/Recordings/{Sid}");
        assert!(find("PATCH", "/api/laml/2010-04-01/Accounts/a/Messages").is_none());
    }
}

//! The two answers of the server contract (`sync.push`, `sync.pull`), read into types once, so
//! the engine never picks fields out of JSON by hand. A missing required field or a field of the
//! wrong type is `SyncError::Malformed`, named; lists the function may send as `null` read as
//! empty.

use serde::Deserialize;
use serde_json::Value as Json;

use crate::SyncError;

/// What `sync.push` answers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct PushAnswer {
    /// The highest mutation id (the backend's numbering) applied or rejected so far.
    pub last_mutation_id: i64,
    /// Mutations the backend refused, with why.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rejected: Vec<Rejected>,
    /// Changes that met a newer change of the same field there.
    #[serde(default)]
    pub conflicts: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Rejected {
    pub id: i64,
    #[serde(default = "refused")]
    pub reason: String,
}

fn refused() -> String {
    "refused".into()
}

/// What `sync.pull` answers: one page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct PullAnswer {
    pub epoch: String,
    /// The backend asks for a full resync from the start.
    #[serde(default)]
    pub reset: bool,
    /// Leads still to come (the progress bar's total), when the backend counts them.
    #[serde(default)]
    pub leads_total: Option<u64>,
    /// The cursor after this page (absent only in a reset answer).
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub more: bool,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rows: Vec<Json>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

pub(crate) fn read<T: serde::de::DeserializeOwned>(what: &str, answer: Json) -> Result<T, SyncError> {
    serde_json::from_value(answer).map_err(|e| SyncError::Malformed(format!("{what} answer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn push_answers_are_read_with_their_defaults_and_refused_when_malformed() {
        let a: PushAnswer = read("push", json!({"last_mutation_id": 7, "rejected": [{"id": 5}], "conflicts": 1}))
            .expect("a full answer reads");
        assert_eq!(a.rejected, vec![Rejected { id: 5, reason: "refused".into() }], "a reason defaults to refused");
        let a: PushAnswer = read("push", json!({"last_mutation_id": 7, "rejected": null})).expect("null lists read");
        assert!(a.rejected.is_empty() && a.conflicts == 0, "absent or null parts are empty");
        let e = read::<PushAnswer>("push", json!({"rejected": []})).expect_err("no last_mutation_id");
        assert!(e.to_string().contains("last_mutation_id"), "the missing field is named: {e}");
        let e = read::<PushAnswer>("push", json!({"last_mutation_id": "7"})).expect_err("a string id");
        assert!(e.to_string().contains("push answer"), "which answer it was: {e}");
    }

    #[test]
    fn pull_answers_are_read_and_a_missing_epoch_is_malformed() {
        let a: PullAnswer = read(
            "pull",
            json!({"epoch": "e1", "rows": [{"tbl": "crm_leads"}], "next": "1:2:x", "more": true, "leads_total": 9}),
        )
        .expect("a page reads");
        assert_eq!((a.rows.len(), a.next.as_deref(), a.more, a.leads_total), (1, Some("1:2:x"), true, Some(9)));
        let reset: PullAnswer = read("pull", json!({"reset": true, "epoch": "e2"})).expect("a reset reads");
        assert!(reset.reset && reset.rows.is_empty() && reset.next.is_none(), "a reset answer needs no page");
        assert!(read::<PullAnswer>("pull", json!({"rows": []})).is_err(), "no epoch: malformed");
    }
}

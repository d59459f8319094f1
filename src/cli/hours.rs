//! `vangnet hours "<rule>" [--at <instant>]…`: how vangnet reads opening
//! hours — the text it would store, the words on the public page, and open,
//! closed or unknown at each instant with the next change — as JSON. For
//! staff checking a rule before they enter it, and for the comparison with
//! the OpenStreetMap reference implementation in the browser tests.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::domain::hours::{OpenState, OpeningHoursText};
use crate::domain::language::Language;

pub(super) fn run(rule: &str, at: &[String]) -> anyhow::Result<ExitCode> {
    let text = match OpeningHoursText::parse(rule) {
        Ok(text) => text,
        Err(reason) => {
            eprintln!("refused: {}", reason.english());
            return Ok(ExitCode::FAILURE);
        }
    };
    let Some(hours) = text.hours() else {
        anyhow::bail!("stored hours {} do not evaluate", text.as_str());
    };
    let instants = if at.is_empty() {
        vec![Utc::now()]
    } else {
        at.iter()
            .map(|a| {
                DateTime::parse_from_rfc3339(a)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "--at {a}: {e} (use RFC 3339, e.g. 2026-12-24T10:00:00+01:00)"
                        )
                    })
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    let answers: Vec<_> = instants
        .iter()
        .map(|now| {
            let state = hours.state(*now);
            let comment = match &state {
                OpenState::Unknown { comment, .. } => comment.clone(),
                _ => None,
            };
            json!({
                "at": now.to_rfc3339(),
                "state": state.code(),
                "comment": comment,
                "next_change": hours.next_change(*now).map(|t| t.to_rfc3339()),
            })
        })
        .collect();
    let out = json!({
        "stored": text.as_str(),
        "words": { "nl": hours.in_words(Language::Nl), "en": hours.in_words(Language::En) },
        "at": answers,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

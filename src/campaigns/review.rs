//! The review (issue 14, item 7): every submitted answer and every staff
//! finding as a list of proposed register changes, which a researcher
//! accepts or rejects one by one or all of one answer at once. An accepted
//! proposal enters the register through the register's own writes, with
//! its provenance ("survey", "phone" or "website", and whose answer on
//! which day) and the day of the answer as verified_on, in the same
//! transaction as the decision and its audit entry: nothing reaches the
//! register without that step, and nothing is half-done.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{json, Value as Json};
use utoipa::ToSchema;

use super::campaigns::{allowed, not_found, time_text};
use crate::domain::access::Principal;
use crate::domain::answer::Answers;
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::FacilityInput;
use crate::domain::proposal::{ProposalKind, ProposalState};
use crate::domain::provenance::{Actor, Source, SourceKind};
use crate::domain::questionnaire::Questionnaire;
use crate::register;
use crate::storage::answers::ProposalRow;
use crate::storage::audit::AuditEvent;
use crate::storage::write::{retrying, WriteTx, Writes};
use crate::storage::Store;

/// One proposed change as the review shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Proposal {
    pub id: i64,
    /// new_location, closed, change, organisation or confirmed.
    pub kind: ProposalKind,
    /// The facility it changes (or, once accepted, the new location).
    pub facility_id: Option<i64>,
    pub location_name: String,
    /// The register field a change is about (`address`: street, postcode
    /// and place).
    pub field: Option<String>,
    #[schema(value_type = Object)]
    pub before: Option<Json>,
    #[schema(value_type = Object)]
    pub after: Json,
    /// proposed, accepted or rejected.
    pub state: ProposalState,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// One answer (or finding) with its proposals.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AnswerReview {
    pub answer_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    /// survey (the respondent), phone or website (staff).
    pub source: String,
    /// Who entered a phone or website finding.
    pub entered_by: Option<String>,
    pub submitted_at: Option<String>,
    pub proposals: Vec<Proposal>,
    /// What the answer says beyond the register's fields, by question
    /// code: the questions at the top (such as the services the
    /// organisation runs, and remarks), and per location the answers to
    /// questions that map to no register field (a researcher's own).
    pub other: Vec<OtherAnswer>,
}

/// An answer that proposes no register change but is read in the review.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OtherAnswer {
    pub question: String,
    /// The location's name, for a question of a location block.
    pub location: Option<String>,
    #[schema(value_type = Object)]
    pub value: crate::domain::answer::Value,
}

/// What an answer says beyond the register's fields.
fn other_answers(q: &Questionnaire, answers: &Answers) -> Vec<OtherAnswer> {
    let mut out = Vec::new();
    for question in &q.questions {
        if let Some(value) = answers.values.get(&question.code) {
            out.push(OtherAnswer {
                question: question.code.clone(),
                location: None,
                value: value.clone(),
            });
        }
        for location in answers.locations.get(&question.code).into_iter().flatten() {
            let name = location
                .values
                .get("name")
                .and_then(|v| v.as_text())
                .map(str::to_string);
            for child in question.questions.iter().filter(|c| c.maps_to.is_none()) {
                if child.code == "still_open" {
                    continue;
                }
                if let Some(value) = location.values.get(&child.code) {
                    out.push(OtherAnswer {
                        question: child.code.clone(),
                        location: name.clone(),
                        value: value.clone(),
                    });
                }
            }
        }
    }
    out
}

/// A campaign's review: its answers, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Review {
    pub campaign: String,
    pub answers: Vec<AnswerReview>,
    /// How many proposals wait for a decision.
    pub open: usize,
    /// The questionnaire the campaign sent (the questions' texts).
    pub questionnaire: Questionnaire,
}

fn proposal(row: &ProposalRow) -> Proposal {
    Proposal {
        id: row.id,
        kind: row.kind,
        facility_id: row.facility_id,
        location_name: row.location_name.clone(),
        field: row.field.clone(),
        before: row.before.clone(),
        after: row.after.clone(),
        state: row.state,
        decided_by: row.decided_by.clone(),
        decided_at: row.decided_at.clone(),
    }
}

/// Every answer of a campaign with its proposals (audited: answers are
/// not public).
pub async fn review(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
) -> AppResult<Review> {
    allowed(who)?;
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    let rows = store.campaign_proposals(campaign.id).await?;
    let questionnaire = store
        .questionnaire(
            &campaign.questionnaire_code,
            Some(campaign.questionnaire_version),
        )
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("the campaign's questionnaire is missing"))
        })?
        .definition;
    // Every submitted answer, also one that proposes nothing.
    let mut answers: Vec<AnswerReview> = Vec::new();
    for answer in store.campaign_answers(campaign.id).await? {
        let invitation = store.invitation(answer.invitation_id).await?;
        answers.push(AnswerReview {
            answer_id: answer.id,
            organisation_id: invitation.as_ref().map_or(0, |i| i.organisation_id),
            organisation: invitation.map(|i| i.organisation).unwrap_or_default(),
            source: answer.source.clone(),
            entered_by: answer.entered_by.clone(),
            submitted_at: answer.submitted_at.clone(),
            proposals: rows
                .iter()
                .filter(|r| r.answer_id == answer.id)
                .map(proposal)
                .collect(),
            other: other_answers(&questionnaire, &answer.answers),
        });
    }
    let open = rows
        .iter()
        .filter(|r| r.state == ProposalState::Proposed)
        .count();
    store
        .audit(
            &AuditEvent::new("read", actor, "campaign")
                .object(&campaign.name)
                .detail(format!(
                    "review: {} answers, {open} open proposals",
                    answers.len()
                )),
        )
        .await?;
    Ok(Review {
        campaign: campaign.name,
        answers,
        open,
        questionnaire,
    })
}

/// The day an answer was given, from its submission stamp.
fn answered_on(row: &ProposalRow, today: NaiveDate) -> NaiveDate {
    row.submitted_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map_or(today, |t| t.date_naive())
}

/// Where an accepted proposal's facts come from, as the register's history
/// shows it.
pub fn provenance(row: &ProposalRow, campaign: &str, day: NaiveDate) -> Source {
    match row.source.as_str() {
        "phone" => Source::new(
            SourceKind::Phone,
            Some(format!(
                "telefoongesprek met {} op {day} (campagne {campaign})",
                row.organisation
            )),
        ),
        "website" => Source::new(
            SourceKind::Website,
            Some(format!(
                "website van {} bekeken op {day} (campagne {campaign})",
                row.organisation
            )),
        ),
        _ => Source::new(
            SourceKind::Survey,
            Some(format!(
                "antwoord van {} op {day} (campagne {campaign})",
                row.organisation
            )),
        ),
    }
}

/// Applies one accepted proposal to the register inside `tx`; returns the
/// facility it changed or created.
async fn apply(
    tx: &mut WriteTx,
    row: &ProposalRow,
    campaign: &str,
    who: &Principal,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<i64> {
    let day = answered_on(row, today);
    let source = provenance(row, campaign, day);
    let verified = json!(day.to_string());
    let facility = || {
        row.facility_id.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("proposal {} names no facility", row.id))
        })
    };
    let patch = match row.kind {
        ProposalKind::NewLocation => {
            let mut input: FacilityInput = serde_json::from_value(row.after.clone())
                .map_err(|e| AppError::Internal(anyhow::anyhow!("proposal {}: {e}", row.id)))?;
            input.organisation_id = Some(row.organisation_id);
            input.organisation = None;
            input.verified_on = Some(day);
            input.source = None;
            return register::create_facility_in(tx, &input, &source, who, actor, today).await;
        }
        ProposalKind::Change if row.field.as_deref() == Some("address") => {
            let mut patch = row.after.clone();
            patch["verified_on"] = verified;
            patch
        }
        ProposalKind::Change => {
            let field = row.field.clone().unwrap_or_default();
            json!({ field: row.after, "verified_on": verified })
        }
        ProposalKind::Closed => {
            // Closed since that day: the register's history says so from
            // then on where it can (not before its current version began;
            // then from today, with the day as the fact).
            let id = facility()?;
            let dated = json!({ "closed_on": row.after, "verified_on": verified, "effective_from": row.after });
            let dated_ok = row
                .after
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .is_some_and(|d| d <= today);
            if dated_ok {
                match register::patch_facility_in(tx, id, &dated, &source, who, actor, today).await
                {
                    Ok(_) => return Ok(id),
                    Err(AppError::Invalid(errors))
                        if errors.iter().all(|e| e.field == "effective_from") => {}
                    Err(e) => return Err(e),
                }
            }
            json!({ "closed_on": row.after, "verified_on": verified })
        }
        ProposalKind::Organisation => {
            json!({ "organisation_id": row.after, "verified_on": verified })
        }
        ProposalKind::Confirmed => json!({ "verified_on": verified }),
    };
    let id = facility()?;
    register::patch_facility_in(tx, id, &patch, &source, who, actor, today).await?;
    Ok(id)
}

/// A decision on one proposal, or on every open proposal of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
}

/// What a decision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Decided {
    pub accepted: usize,
    pub rejected: usize,
}

/// Decides one proposal (`Some(id)` in `proposal`) or every open one of an
/// answer (`answer`), all in one transaction.
pub async fn decide(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    target: Target,
    decision: Decision,
    now: DateTime<Utc>,
) -> AppResult<Decided> {
    allowed(who)?;
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    let wanted: Vec<ProposalRow> = {
        let all = store.campaign_proposals(campaign.id).await?;
        match target {
            Target::Proposal(id) => {
                let found: Vec<ProposalRow> = all.into_iter().filter(|p| p.id == id).collect();
                if found.is_empty() {
                    return Err(AppError::NotFound(format!(
                        "campaign '{name}' has no proposal {id}"
                    )));
                }
                found
            }
            Target::Answer(id) => {
                let found: Vec<ProposalRow> =
                    all.into_iter().filter(|p| p.answer_id == id).collect();
                if found.is_empty() {
                    return Err(AppError::NotFound(format!(
                        "campaign '{name}' has no answer {id}"
                    )));
                }
                // A closing day first: dated from that day, it has to come
                // before the answer's other changes to the facility, which
                // start today.
                let mut open: Vec<ProposalRow> = found
                    .into_iter()
                    .filter(|p| p.state == ProposalState::Proposed)
                    .collect();
                open.sort_by_key(|p| (p.kind != ProposalKind::Closed, p.position));
                open
            }
        }
    };
    let today = now.date_naive();
    let stamp = time_text(now);
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Register).await?;
        let mut done = Decided {
            accepted: 0,
            rejected: 0,
        };
        for wanted in &wanted {
            // As it stands inside the transaction: someone may have
            // decided it meanwhile.
            let row = Store::proposal_on(&mut tx, campaign.id, wanted.id)
                .await?
                .filter(|r| r.state == ProposalState::Proposed)
                .ok_or_else(|| AppError::conflict("review.error.decided", &[]))?;
            let (state, facility) = match decision {
                Decision::Accept => {
                    let facility = apply(&mut tx, &row, &campaign.name, who, actor, today)
                        .await
                        .map_err(|e| in_proposal(e, row.id))?;
                    done.accepted += 1;
                    (ProposalState::Accepted, Some(facility))
                }
                Decision::Reject => {
                    done.rejected += 1;
                    (ProposalState::Rejected, None)
                }
            };
            Store::decide_proposal(&mut tx, row.id, state, facility, &actor.name, &stamp).await?;
            Store::append_audit(
                &mut tx,
                &AuditEvent::new(state.code(), actor, "campaign")
                    .object(&campaign.name)
                    .detail(format!(
                        "proposal {} ({} of {}{})",
                        row.id,
                        row.kind.code(),
                        row.location_name,
                        facility.map_or(String::new(), |f| format!(", facility {f}"))
                    )),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(done)
    })
    .await
}

/// Names the proposal in the fields of a refusal (the register refuses
/// what the answer proposes, say because the facility changed since).
fn in_proposal(error: AppError, id: i64) -> AppError {
    match error {
        AppError::Invalid(errors) => AppError::Invalid(
            errors
                .into_iter()
                .map(|mut e| {
                    e.field = format!("proposal {id}: {}", e.field);
                    e
                })
                .collect(),
        ),
        other => other,
    }
}

/// What a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Proposal(i64),
    Answer(i64),
}

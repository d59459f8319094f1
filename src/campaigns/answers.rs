//! The answer form (issue 14, item 5): what a respondent sees and does
//! through the personal link, and the findings staff enter in the same
//! form after a phone call or a look at a website.
//!
//! The link needs no account: its token is the respondent's key, checked
//! against the hash each mail stored; a revoked link, or one past its
//! campaign's closing day, opens nothing. The form is prefilled with what
//! the register holds about the organisation's locations, so the respondent
//! confirms, corrects, closes or adds instead of retyping. A draft is saved
//! as often as they like (checked like everything else, but incomplete); a
//! submission must be complete, is final, and becomes the list of proposed
//! register changes in the same transaction. Opening the form the first
//! time, saving and submitting are in the audit log, by invitation id.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::campaigns::{allowed, not_found, time_text};
use crate::domain::access::Principal;
use crate::domain::answer::{Answers, LocationAnswer, Value};
use crate::domain::error::{AppError, AppResult};
use crate::domain::facility::{Facility, FacilityInput, FacilityStatus};
use crate::domain::language::Language;
use crate::domain::proposal::{propose, Proposed};
use crate::domain::provenance::{Actor, Source, SourceKind};
use crate::domain::questionnaire::{Question, QuestionKind, Questionnaire};
use crate::storage::answers::{AnswerRow, InvitationRow};
use crate::storage::audit::AuditEvent;
use crate::storage::facilities::{place_key, FacilityFilter};
use crate::storage::write::{retrying, Writes};
use crate::storage::Store;

/// Where a personal link leads.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// A live link: the form with the draft, or the prefill.
    Open(Box<AnswerForm>),
    /// Revoked, past its closing day, or no link at all: the same answer
    /// for each, so that guessing tells nothing.
    Closed,
}

/// What the answer form shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerForm {
    pub invitation: InvitationRow,
    pub questionnaire: Questionnaire,
    /// The draft, the submitted answer, or the prefill from the register.
    pub answers: Answers,
    /// A draft was saved (when).
    pub draft_saved_at: Option<String>,
    /// The answer was submitted (when): the form is shown read-only.
    pub submitted_at: Option<String>,
    /// The organisation's locations in the register, by id, with their
    /// names (the form names the location each block describes).
    pub register: BTreeMap<i64, String>,
}

impl AnswerForm {
    /// The language the respondent reads: the invitation's.
    pub fn language(&self) -> Language {
        self.invitation.language
    }
}

/// The live invitation of a token.
async fn live_invitation(
    store: &Store,
    token: &str,
    today: NaiveDate,
) -> AppResult<Option<InvitationRow>> {
    let Some(id) = super::campaigns::invitation_for_link(store, token, today).await? else {
        return Ok(None);
    };
    Ok(store.invitation(id).await?)
}

/// The organisation's locations the form asks about: those in the register
/// now that are open, planned, or closed within the last year.
async fn locations_of(
    store: &Store,
    organisation_id: i64,
    today: NaiveDate,
) -> AppResult<Vec<Facility>> {
    let facilities = store
        .list_facilities(&FacilityFilter {
            organisation_id: Some(organisation_id),
            internal: crate::domain::access::InternalScope::All,
            ..FacilityFilter::default()
        })
        .await?;
    let year_ago = today - chrono::Duration::days(365);
    Ok(facilities
        .into_iter()
        .filter(|f| {
            f.status_on(today) != FacilityStatus::Closed
                || f.status_on(year_ago) == FacilityStatus::Open
        })
        .collect())
}

fn register_inputs(facilities: &[Facility]) -> BTreeMap<i64, FacilityInput> {
    facilities
        .iter()
        .map(|f| (f.id, f.fields.to_input(f.organisation_id)))
        .collect()
}

/// A register fact as the answer to a question that maps to it.
fn fact(q: &Question, input: &FacilityInput) -> Option<Value> {
    let json = serde_json::to_value(input).ok()?;
    let target = match q.maps_to.as_deref()? {
        "address" => "street",
        other => other,
    };
    let found = json.get(target)?;
    match q.kind {
        QuestionKind::YesNo => found.as_bool().map(Value::Bool),
        QuestionKind::Number => found.as_i64().map(Value::Number),
        QuestionKind::Text | QuestionKind::Date | QuestionKind::Choice => {
            found.as_str().map(|t| Value::Text(t.to_string()))
        }
        QuestionKind::MultiChoice => {
            let codes: Vec<String> = found
                .as_array()?
                .iter()
                .filter_map(|c| c.as_str())
                .filter(|c| q.options.iter().any(|o| o.code == *c))
                .map(str::to_string)
                .collect();
            (!codes.is_empty()).then_some(Value::Choices(codes))
        }
        QuestionKind::LocationBlock => None,
    }
}

/// The answers the register already gives: every location block lists the
/// organisation's locations with their facts; a yes/no question about a
/// service is yes when one of them offers it. `still_open` (the default
/// questionnaire's question) is yes for a location that is open.
pub fn prefill(q: &Questionnaire, facilities: &[Facility], today: NaiveDate) -> Answers {
    let mut answers = Answers::default();
    let offered: Vec<String> = facilities
        .iter()
        .filter(|f| f.status_on(today) != FacilityStatus::Closed)
        .flat_map(|f| f.fields.services.codes())
        .collect();
    for question in &q.questions {
        match question.kind {
            QuestionKind::LocationBlock => {
                let list: Vec<LocationAnswer> = facilities
                    .iter()
                    .map(|f| {
                        let mut input = f.fields.to_input(f.organisation_id);
                        // A place the register names only by its
                        // municipality: the municipality's name.
                        if input.city.is_none() {
                            input.city = crate::domain::geo::geo()
                                .municipality(&f.fields.municipality_code)
                                .map(|m| m.name.clone());
                        }
                        let mut values = BTreeMap::new();
                        for child in &question.questions {
                            if child.code == "still_open" && child.kind == QuestionKind::YesNo {
                                let open = f.status_on(today) != FacilityStatus::Closed;
                                values.insert(child.code.clone(), Value::Bool(open));
                            } else if let Some(v) = fact(child, &input) {
                                values.insert(child.code.clone(), v);
                            }
                        }
                        LocationAnswer {
                            facility_id: Some(f.id),
                            values,
                        }
                    })
                    .collect();
                if !list.is_empty() {
                    answers.locations.insert(question.code.clone(), list);
                }
            }
            QuestionKind::YesNo if question.maps_to.as_deref() == Some("services") => {
                let parts: Vec<&str> = question.code.split('_').collect();
                let yes = offered
                    .iter()
                    .any(|s| *s == question.code || s.split('_').all(|w| parts.contains(&w)));
                if yes {
                    answers
                        .values
                        .insert(question.code.clone(), Value::Bool(true));
                }
            }
            _ => {}
        }
    }
    answers
}

async fn questionnaire_of(store: &Store, invitation: &InvitationRow) -> AppResult<Questionnaire> {
    Ok(store
        .questionnaire(
            &invitation.questionnaire_code,
            Some(invitation.questionnaire_version),
        )
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "questionnaire {} version {} is missing",
                invitation.questionnaire_code,
                invitation.questionnaire_version
            ))
        })?
        .definition)
}

/// The form for a token, noting the first opening (in the audit log too).
pub async fn open(
    store: &Store,
    actor: &Actor,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Link> {
    let today = now.date_naive();
    let Some(invitation) = live_invitation(store, token, today).await? else {
        return Ok(Link::Closed);
    };
    if invitation.opened_at.is_none() {
        retrying(|| async {
            let mut tx = store.begin_write(Writes::Audit).await?;
            if Store::mark_invitation_opened(&mut tx, invitation.id, &time_text(now)).await? {
                Store::append_audit(
                    &mut tx,
                    &AuditEvent::new("open", actor, "campaign")
                        .object(&invitation.campaign)
                        .detail(format!(
                            "invitation {} opened the answer form",
                            invitation.id
                        )),
                )
                .await?;
            }
            tx.commit().await?;
            Ok::<_, AppError>(())
        })
        .await?;
    }
    let form = form_for(store, invitation, today).await?;
    Ok(Link::Open(Box::new(form)))
}

async fn form_for(
    store: &Store,
    invitation: InvitationRow,
    today: NaiveDate,
) -> AppResult<AnswerForm> {
    let questionnaire = questionnaire_of(store, &invitation).await?;
    let facilities = locations_of(store, invitation.organisation_id, today).await?;
    let stored = store.survey_answer(invitation.id).await?;
    let register = facilities
        .iter()
        .map(|f| (f.id, f.fields.name.clone()))
        .collect();
    let (answers, draft_saved_at, submitted_at) = match stored {
        Some(AnswerRow {
            answers,
            submitted,
            saved_at,
            submitted_at,
            ..
        }) => (answers, (!submitted).then_some(saved_at), submitted_at),
        None => (prefill(&questionnaire, &facilities, today), None, None),
    };
    Ok(AnswerForm {
        invitation,
        questionnaire,
        answers,
        draft_saved_at,
        submitted_at,
        register,
    })
}

/// What a save did.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    Draft,
    /// Submitted, with how many register changes it proposes.
    Submitted {
        proposals: usize,
    },
}

/// Why a save was refused, with what the form should show again.
#[derive(Debug)]
pub enum Refused {
    /// The link is not live (any more).
    Closed,
    /// Already submitted: nothing is changed.
    AlreadySubmitted,
    /// The answers do not pass: the errors by field.
    Invalid(Vec<crate::domain::FieldError>),
    Other(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::Other(e)
    }
}

/// Checks the answers of an invitation against its questionnaire and the
/// register.
async fn checked(
    store: &Store,
    invitation: &InvitationRow,
    answers: Answers,
    complete: bool,
    today: NaiveDate,
) -> Result<(Questionnaire, Vec<Facility>, Answers), Refused> {
    let questionnaire = questionnaire_of(store, invitation).await?;
    let facilities = locations_of(store, invitation.organisation_id, today).await?;
    let answers = answers
        .check(
            &questionnaire,
            complete,
            &register_inputs(&facilities),
            today,
        )
        .map_err(Refused::Invalid)?;
    Ok((questionnaire, facilities, answers))
}

/// The proposals of a complete answer, location by location: compared with
/// the register's facility it describes; a new location at a place the
/// register holds without an operator names this organisation there.
async fn proposals_for(
    store: &Store,
    questionnaire: &Questionnaire,
    facilities: &[Facility],
    answers: &Answers,
    organisation_id: i64,
    today: NaiveDate,
) -> AppResult<Vec<Proposed>> {
    let unknown: Vec<Facility> = store
        .list_facilities(&FacilityFilter {
            internal: crate::domain::access::InternalScope::All,
            ..FacilityFilter::default()
        })
        .await?
        .into_iter()
        .filter(|f| f.organisation_id.is_none())
        .collect();
    let mut out = Vec::new();
    for block in questionnaire
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::LocationBlock)
    {
        for location in answers.locations.get(&block.code).into_iter().flatten() {
            let current = location
                .facility_id
                .and_then(|id| facilities.iter().find(|f| f.id == id));
            if let Some(f) = current {
                let base = f.fields.to_input(f.organisation_id);
                out.extend(propose(block, location, Some((f.id, &base)), None));
                continue;
            }
            let input = crate::domain::answer::location_input(block, location, None);
            let place = input
                .validate(&Source::new(SourceKind::Survey, None), today)
                .ok()
                .map(|d| place_key(&d.fields.name, &d.fields.municipality_code));
            let same_place = unknown
                .iter()
                .find(|f| Some(place_key(&f.fields.name, &f.fields.municipality_code)) == place);
            match same_place {
                Some(f) => {
                    let base = f.fields.to_input(None);
                    out.extend(propose(
                        block,
                        location,
                        Some((f.id, &base)),
                        Some(organisation_id),
                    ));
                }
                None => out.extend(propose(block, location, None, None)),
            }
        }
    }
    Ok(out)
}

/// Saves the respondent's answers as a draft, or submits them (`submit`):
/// then they must be complete, are final, and their proposals are stored.
pub async fn save(
    store: &Store,
    actor: &Actor,
    token: &str,
    answers: Answers,
    submit: bool,
    now: DateTime<Utc>,
) -> Result<Saved, Refused> {
    let today = now.date_naive();
    let Some(invitation) = live_invitation(store, token, today).await? else {
        return Err(Refused::Closed);
    };
    if invitation.answered_at.is_some() {
        return Err(Refused::AlreadySubmitted);
    }
    let (questionnaire, facilities, answers) =
        checked(store, &invitation, answers, submit, today).await?;
    let proposals = if submit {
        proposals_for(
            store,
            &questionnaire,
            &facilities,
            &answers,
            invitation.organisation_id,
            today,
        )
        .await?
    } else {
        Vec::new()
    };
    let stamp = time_text(now);
    let saved = retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        let fresh = Store::invitation_on(&mut tx, invitation.id).await?;
        if fresh.is_some_and(|i| i.answered_at.is_some()) {
            return Ok(None);
        }
        let id = Store::save_answer(
            &mut tx,
            invitation.id,
            "survey",
            None,
            &answers,
            submit,
            invitation.language,
            None,
            &stamp,
        )
        .await?;
        if submit {
            Store::insert_proposals(&mut tx, id, &proposals).await?;
            Store::mark_invitation_answered(&mut tx, invitation.id, &stamp).await?;
        }
        let (event, detail) = if submit {
            (
                "submit",
                format!(
                    "invitation {} answered: {} proposed changes",
                    invitation.id,
                    proposals.len()
                ),
            )
        } else {
            ("save", format!("invitation {}: draft saved", invitation.id))
        };
        Store::append_audit(
            &mut tx,
            &AuditEvent::new(event, actor, "campaign")
                .object(&invitation.campaign)
                .detail(detail),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(Some(()))
    })
    .await?;
    match saved {
        None => Err(Refused::AlreadySubmitted),
        Some(()) if submit => Ok(Saved::Submitted {
            proposals: proposals.len(),
        }),
        Some(()) => Ok(Saved::Draft),
    }
}

/// The form for staff to enter what a phone call or a website showed about
/// an organisation of the campaign: prefilled from the register.
pub async fn finding_form(
    store: &Store,
    who: &Principal,
    name: &str,
    invitation_id: i64,
    today: NaiveDate,
) -> AppResult<AnswerForm> {
    allowed(who)?;
    let invitation = campaign_invitation(store, name, invitation_id).await?;
    let questionnaire = questionnaire_of(store, &invitation).await?;
    let facilities = locations_of(store, invitation.organisation_id, today).await?;
    Ok(AnswerForm {
        answers: prefill(&questionnaire, &facilities, today),
        register: facilities
            .iter()
            .map(|f| (f.id, f.fields.name.clone()))
            .collect(),
        invitation,
        questionnaire,
        draft_saved_at: None,
        submitted_at: None,
    })
}

async fn campaign_invitation(
    store: &Store,
    name: &str,
    invitation_id: i64,
) -> AppResult<InvitationRow> {
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    store
        .invitation(invitation_id)
        .await?
        .filter(|i| i.campaign_id == campaign.id)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "campaign '{name}' has no invitation {invitation_id}"
            ))
        })
}

/// The invitation of an organisation in a campaign (the finding form of a
/// follow-up is the invitation's).
pub async fn invitation_of(
    store: &Store,
    who: &Principal,
    name: &str,
    organisation_id: i64,
) -> AppResult<i64> {
    allowed(who)?;
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    store
        .invitation_of(campaign.id, organisation_id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "organisation {organisation_id} is not invited in campaign '{name}'"
            ))
        })
}

/// Records what staff found (`source`: phone or website) as a complete
/// answer of its own with its proposals, tied to the follow-up entry it
/// came from (`follow_up`, one of the organisation's in this campaign);
/// returns how many changes it proposes.
#[allow(clippy::too_many_arguments)]
pub async fn record_finding(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    invitation_id: i64,
    source: SourceKind,
    follow_up: Option<i64>,
    answers: Answers,
    now: DateTime<Utc>,
) -> Result<usize, Refused> {
    allowed(who)?;
    let code = match source {
        SourceKind::Phone => "phone",
        SourceKind::Website => "website",
        _ => {
            return Err(Refused::Other(AppError::invalid(
                "source",
                "a finding comes from a phone call or a website",
            )))
        }
    };
    let today = now.date_naive();
    let invitation = campaign_invitation(store, name, invitation_id).await?;
    if let Some(entry) = follow_up {
        let logged = store
            .campaign_follow_ups(invitation.campaign_id)
            .await
            .map_err(AppError::from)?;
        if !logged
            .iter()
            .any(|f| f.id == entry && f.organisation_id == invitation.organisation_id)
        {
            return Err(Refused::Other(AppError::invalid(
                "follow_up",
                format!("follow-up {entry} is not one of this organisation in this campaign"),
            )));
        }
    }
    let (questionnaire, facilities, answers) =
        checked(store, &invitation, answers, true, today).await?;
    let proposals = proposals_for(
        store,
        &questionnaire,
        &facilities,
        &answers,
        invitation.organisation_id,
        today,
    )
    .await?;
    let stamp = time_text(now);
    retrying(|| async {
        let mut tx = store.begin_write(Writes::Audit).await?;
        let id = Store::save_answer(
            &mut tx,
            invitation.id,
            code,
            follow_up,
            &answers,
            true,
            Language::Nl,
            Some(&actor.name),
            &stamp,
        )
        .await?;
        Store::insert_proposals(&mut tx, id, &proposals).await?;
        Store::append_audit(
            &mut tx,
            &AuditEvent::new("finding", actor, "campaign")
                .object(&invitation.campaign)
                .detail(format!(
                    "{code} finding for invitation {}: {} proposed changes",
                    invitation.id,
                    proposals.len()
                )),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    })
    .await?;
    Ok(proposals.len())
}

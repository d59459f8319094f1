//! A campaign's dashboard (issue 14, item 8): how many recipients were
//! sent the invitation, how many it failed for or bounced, opened the
//! answer form (the form, not the mail: there are no tracking pixels),
//! saved a draft, answered, were reminded, called or had their website
//! checked; the response rate (answered / sent) and how it grew day by
//! day; and who still needs a call. For the API (JSON and CSV) and the
//! staff page alike. Admins and researchers only; audited as a read, since
//! it names addressees and their phone numbers.
//!
//! Days are Dutch days (Europe/Amsterdam), like `today`: a mail sent at
//! 23:30 UTC in winter counts for the next day.
//!
//! Who still needs a call: a recipient that has not answered, whose link
//! is not revoked, whose invitation went out (sent, or tried and failed or
//! bounced: those need a call most, mail does not reach them), that no
//! follow-up settled (`follow_ups::settled`: confirmed, changes found,
//! closed, refused), and that had no call since its last reminder (a call
//! on the reminder's day counts as after it), or no call at all. Failed
//! and bounced first, then whoever has waited longest since the
//! invitation, then by name.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use serde::Serialize;
use utoipa::ToSchema;

use super::campaigns::{allowed, not_found, RecipientStatus};
use super::follow_ups;
use crate::domain::access::Principal;
use crate::domain::campaign::CampaignStatus;
use crate::domain::error::{AppError, AppResult};
use crate::domain::follow_up::FollowUp;
use crate::domain::provenance::Actor;
use crate::formats::csv::CsvWriter;
use crate::storage::audit::AuditEvent;
use crate::storage::campaign_dashboard::DashboardRow;
use crate::storage::Store;

/// The counts of a campaign, each a number of recipients (organisations).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DashboardFigures {
    pub recipients: usize,
    /// The invitation mail went out.
    pub sent: usize,
    /// The newest mail failed (after its retries).
    pub failed: usize,
    /// The mail server refused the address.
    pub bounced: usize,
    /// Opened the answer form through the personal link.
    pub opened: usize,
    /// Saved a draft answer and has not submitted it.
    pub draft: usize,
    pub answered: usize,
    /// Had at least one reminder sent.
    pub reminded: usize,
    /// Had at least one phone call logged.
    pub called: usize,
    /// Had at least one website check logged.
    pub checked_on_website: usize,
}

/// The campaign on one day, counted up to and including that day.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DayFigures {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub sent: usize,
    pub opened: usize,
    pub answered: usize,
    /// answered / sent in percent, one decimal; null while none was sent.
    pub response_rate: Option<f64>,
}

/// A recipient that still needs a phone call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NeedsCall {
    pub invitation_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    /// The addressee's address; null once the contact is erased.
    pub email: Option<String>,
    /// The addressee's phone, if the contact has one.
    pub phone: Option<String>,
    /// As in the campaign's status: sent, queued, failed, bounced …
    pub status: String,
    /// When the invitation went out (or was tried, when it failed or bounced).
    pub invited_at: Option<String>,
    /// When the newest reminder went out.
    pub reminded_at: Option<String>,
    /// The day of the newest call.
    pub called_at: Option<String>,
    /// The outcome of the newest follow-up (call or website check).
    pub last_outcome: Option<String>,
}

/// One recipient as the dashboard and its CSV show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DashboardRecipient {
    pub invitation_id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// As in the campaign's status.
    pub status: String,
    pub invited_at: Option<String>,
    pub reminded_at: Option<String>,
    /// When the answer form was first opened.
    pub opened_at: Option<String>,
    /// A draft answer is saved and not submitted.
    pub draft: bool,
    pub answered_at: Option<String>,
    pub called_at: Option<String>,
    pub checked_website_at: Option<String>,
    pub needs_call: bool,
}

/// A campaign's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CampaignDashboard {
    pub campaign: String,
    pub round: String,
    /// draft, open or closed.
    pub status: CampaignStatus,
    pub closes_on: String,
    pub figures: DashboardFigures,
    /// answered / sent in percent, one decimal; null while none was sent.
    pub response_rate: Option<f64>,
    /// Every day from the first invitation sent to today, or to the
    /// closing day when that is earlier; empty while none was sent.
    pub over_time: Vec<DayFigures>,
    /// Failed and bounced first, then who waited longest.
    pub needs_call: Vec<NeedsCall>,
    /// Every recipient, by organisation name.
    pub recipients: Vec<DashboardRecipient>,
}

/// The dashboard of campaign `name` on `today`.
pub async fn dashboard(
    store: &Store,
    who: &Principal,
    actor: &Actor,
    name: &str,
    today: NaiveDate,
) -> AppResult<CampaignDashboard> {
    allowed(who)?;
    let campaign = store.campaign(name).await?.ok_or_else(|| not_found(name))?;
    let entries = store.campaign_follow_ups(campaign.id).await?;
    let extra = store.campaign_dashboard_rows(campaign.id).await?;
    let recipients: Vec<DashboardRecipient> = store
        .campaign_recipients(campaign.id)
        .await?
        .into_iter()
        .map(|row| {
            let facts = extra.iter().find(|e| e.invitation_id == row.invitation_id);
            recipient(RecipientStatus::from(row), facts, &entries)
        })
        .collect();
    let until = today.min(campaign.closes_on);
    let board = CampaignDashboard {
        figures: figures(&recipients),
        response_rate: rate(
            recipients
                .iter()
                .filter(|r| r.answered_at.is_some())
                .count(),
            recipients.iter().filter(|r| r.invited_at.is_some()).count(),
        ),
        over_time: over_time(&recipients, until),
        needs_call: needs_call(&recipients, &extra, &entries),
        status: campaign.status_on(today),
        campaign: campaign.name,
        round: campaign.round,
        closes_on: campaign.closes_on.to_string(),
        recipients,
    };
    store
        .audit(
            &AuditEvent::new("read", actor, "campaign")
                .object(&board.campaign)
                .detail(format!(
                    "dashboard of {} recipients, {} to call",
                    board.recipients.len(),
                    board.needs_call.len()
                )),
        )
        .await?;
    Ok(board)
}

fn recipient(
    status: RecipientStatus,
    facts: Option<&DashboardRow>,
    entries: &[FollowUp],
) -> DashboardRecipient {
    let (called_at, checked_website_at) = follow_ups::latest(entries, status.organisation_id);
    let mut r = DashboardRecipient {
        invitation_id: status.invitation_id,
        organisation_id: status.organisation_id,
        organisation: status.organisation,
        email: status.email,
        phone: facts.and_then(|f| f.phone.clone()),
        status: status.status,
        invited_at: status.invited_at,
        reminded_at: status.reminded_at,
        opened_at: facts.and_then(|f| f.opened_at.clone()),
        draft: status.answered_at.is_none() && facts.is_some_and(|f| f.draft),
        answered_at: status.answered_at,
        called_at,
        checked_website_at,
        needs_call: false,
    };
    r.needs_call = facts.is_some_and(|f| still_needs_call(&r, f, entries));
    r
}

fn figures(recipients: &[DashboardRecipient]) -> DashboardFigures {
    let count =
        |has: &dyn Fn(&DashboardRecipient) -> bool| recipients.iter().filter(|r| has(r)).count();
    DashboardFigures {
        recipients: recipients.len(),
        sent: count(&|r| r.invited_at.is_some()),
        failed: count(&|r| r.status == "failed"),
        bounced: count(&|r| r.status == "bounced"),
        opened: count(&|r| r.opened_at.is_some()),
        draft: count(&|r| r.draft),
        answered: count(&|r| r.answered_at.is_some()),
        reminded: count(&|r| r.reminded_at.is_some()),
        called: count(&|r| r.called_at.is_some()),
        checked_on_website: count(&|r| r.checked_website_at.is_some()),
    }
}

/// `part` of `whole` in percent, one decimal; None of nothing.
fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// The Dutch day of a stored time (RFC 3339).
fn dutch_day(at: &Option<String>) -> Option<NaiveDate> {
    let at = DateTime::parse_from_rfc3339(at.as_deref()?).ok()?;
    Some(
        at.with_timezone(&Utc)
            .with_timezone(&Amsterdam)
            .date_naive(),
    )
}

/// The cumulative counts of every day from the first invitation sent to
/// `until` (at least that first day).
fn over_time(recipients: &[DashboardRecipient], until: NaiveDate) -> Vec<DayFigures> {
    let days = |pick: fn(&DashboardRecipient) -> &Option<String>| -> Vec<NaiveDate> {
        recipients
            .iter()
            .filter_map(|r| dutch_day(pick(r)))
            .collect()
    };
    let sent = days(|r| &r.invited_at);
    let opened = days(|r| &r.opened_at);
    let answered = days(|r| &r.answered_at);
    let Some(first) = sent.iter().min().copied() else {
        return Vec::new();
    };
    let upto = |list: &[NaiveDate], day: NaiveDate| list.iter().filter(|d| **d <= day).count();
    first
        .iter_days()
        .take_while(|day| *day <= until.max(first))
        .map(|day| {
            let (s, a) = (upto(&sent, day), upto(&answered, day));
            DayFigures {
                day: day.to_string(),
                sent: s,
                opened: upto(&opened, day),
                answered: a,
                response_rate: rate(a, s),
            }
        })
        .collect()
}

/// Whether a recipient still needs a call (the rule is in the module
/// comment).
fn still_needs_call(r: &DashboardRecipient, facts: &DashboardRow, entries: &[FollowUp]) -> bool {
    let went_out = matches!(
        facts.invitation_status.as_deref(),
        Some("sent" | "failed" | "bounced")
    );
    let called_since_reminder = match (&r.called_at, dutch_day(&r.reminded_at)) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(called), Some(reminded)) => called.as_str() >= reminded.to_string().as_str(),
    };
    r.answered_at.is_none()
        && r.status != "revoked"
        && went_out
        && !follow_ups::settled(entries, r.organisation_id)
        && !called_since_reminder
}

/// Who still needs a call, failed and bounced first, then who has waited
/// longest since the invitation went out (or was tried).
fn needs_call(
    recipients: &[DashboardRecipient],
    extra: &[DashboardRow],
    entries: &[FollowUp],
) -> Vec<NeedsCall> {
    let mut list: Vec<NeedsCall> = recipients
        .iter()
        .filter(|r| r.needs_call)
        .map(|r| {
            let tried = extra
                .iter()
                .find(|e| e.invitation_id == r.invitation_id)
                .and_then(|e| e.invitation_queued_at.clone());
            // Entries come newest first.
            let newest = entries
                .iter()
                .find(|f| f.organisation_id == r.organisation_id);
            NeedsCall {
                invitation_id: r.invitation_id,
                organisation_id: r.organisation_id,
                organisation: r.organisation.clone(),
                email: r.email.clone(),
                phone: r.phone.clone(),
                status: r.status.clone(),
                invited_at: r.invited_at.clone().or(tried),
                reminded_at: r.reminded_at.clone(),
                called_at: r.called_at.clone(),
                last_outcome: newest.map(|f| f.outcome.code().to_string()),
            }
        })
        .collect();
    list.sort_by(|a, b| {
        let unreachable = |n: &NeedsCall| !matches!(n.status.as_str(), "failed" | "bounced");
        (unreachable(a), &a.invited_at, a.organisation.to_lowercase()).cmp(&(
            unreachable(b),
            &b.invited_at,
            b.organisation.to_lowercase(),
        ))
    });
    list
}

/// The dashboard as CSV, one row per recipient, through the one CSV
/// writer: English column names and `yes`/`no`, like the other CSV files.
pub fn csv(board: &CampaignDashboard) -> AppResult<Vec<u8>> {
    let mut writer = CsvWriter::new();
    let yes = |b: bool| if b { "yes" } else { "no" };
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    writer.row([
        "organisation_id",
        "organisation",
        "email",
        "phone",
        "status",
        "invited_at",
        "reminded_at",
        "opened_at",
        "draft",
        "answered_at",
        "called_at",
        "checked_website_at",
        "needs_call",
    ])?;
    for r in &board.recipients {
        writer.row([
            r.organisation_id.to_string(),
            r.organisation.clone(),
            text(&r.email),
            text(&r.phone),
            r.status.clone(),
            text(&r.invited_at),
            text(&r.reminded_at),
            text(&r.opened_at),
            yes(r.draft).to_string(),
            text(&r.answered_at),
            text(&r.called_at),
            text(&r.checked_website_at),
            yes(r.needs_call).to_string(),
        ])?;
    }
    writer.finish().map_err(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone(name: &str) -> DashboardRecipient {
        DashboardRecipient {
            invitation_id: 1,
            organisation_id: 1,
            organisation: name.into(),
            email: None,
            phone: None,
            status: "sent".into(),
            invited_at: None,
            reminded_at: None,
            opened_at: None,
            draft: false,
            answered_at: None,
            called_at: None,
            checked_website_at: None,
            needs_call: false,
        }
    }

    #[test]
    fn the_rate_over_time_counts_up_to_each_dutch_day() {
        let mut a = someone("A");
        a.invited_at = Some("2026-11-30T23:30:00Z".into()); // 1 December in Amsterdam
        a.answered_at = Some("2026-12-02T10:00:00Z".into());
        let mut b = someone("B");
        b.invited_at = Some("2026-12-01T08:00:00Z".into());
        b.opened_at = Some("2026-12-03T08:00:00Z".into());
        let days = over_time(
            &[a, b, someone("C")],
            NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        );
        let shown: Vec<(&str, usize, usize, usize, Option<f64>)> = days
            .iter()
            .map(|d| {
                (
                    d.day.as_str(),
                    d.sent,
                    d.opened,
                    d.answered,
                    d.response_rate,
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("2026-12-01", 2, 0, 0, Some(0.0)),
                ("2026-12-02", 2, 0, 1, Some(50.0)),
                ("2026-12-03", 2, 1, 1, Some(50.0)),
            ]
        );
        assert!(
            over_time(&[someone("C")], NaiveDate::MAX).is_empty(),
            "nothing sent"
        );
    }

    fn row(invitation_id: i64, status: &str, queued_at: &str) -> DashboardRow {
        DashboardRow {
            invitation_id,
            phone: None,
            opened_at: None,
            draft: false,
            invitation_status: Some(status.into()),
            invitation_queued_at: Some(queued_at.into()),
        }
    }

    #[test]
    fn who_mail_did_not_reach_comes_first_then_who_waited_longest() {
        let made = |id: i64, name: &str, status: &str, sent: Option<&str>| {
            let mut r = someone(name);
            (r.invitation_id, r.organisation_id) = (id, id);
            r.status = status.into();
            r.invited_at = sent.map(String::from);
            r.needs_call = true;
            r
        };
        let recipients = [
            made(1, "Aa recent", "sent", Some("2026-12-03T09:00:00Z")),
            made(2, "Zz early", "sent", Some("2026-11-20T09:00:00Z")),
            made(3, "Mm bounced", "bounced", None),
            made(4, "Bb failed", "failed", None),
        ];
        let extra = [
            row(1, "sent", "2026-12-03T08:00:00Z"),
            row(2, "sent", "2026-11-20T08:00:00Z"),
            row(3, "bounced", "2026-12-01T08:00:00Z"),
            row(4, "failed", "2026-12-02T08:00:00Z"),
        ];
        let order: Vec<String> = needs_call(&recipients, &extra, &[])
            .into_iter()
            .map(|n| n.organisation)
            .collect();
        assert_eq!(order, ["Mm bounced", "Bb failed", "Zz early", "Aa recent"]);
    }

    #[test]
    fn a_call_on_or_after_the_last_reminder_is_enough_for_now() {
        let mut r = someone("A");
        r.reminded_at = Some("2026-12-02T10:00:00Z".into());
        let facts = row(1, "sent", "2026-11-20T08:00:00Z");
        assert!(still_needs_call(&r, &facts, &[]), "never called");
        r.called_at = Some("2026-12-01".into());
        assert!(
            still_needs_call(&r, &facts, &[]),
            "called before the reminder"
        );
        r.called_at = Some("2026-12-02".into());
        assert!(!still_needs_call(&r, &facts, &[]), "called that day");
        r.reminded_at = None;
        r.called_at = Some("2026-11-25".into());
        assert!(!still_needs_call(&r, &facts, &[]), "called, never reminded");
        let queued = DashboardRow {
            invitation_status: Some("queued".into()),
            ..row(1, "sent", "")
        };
        r.called_at = None;
        assert!(!still_needs_call(&r, &queued, &[]), "not gone out yet");
    }

    #[test]
    fn rates_have_one_decimal() {
        assert_eq!(rate(1, 3), Some(33.3));
        assert_eq!(rate(2, 3), Some(66.7));
        assert_eq!(rate(0, 0), None);
    }
}

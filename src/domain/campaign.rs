//! Survey campaigns (issue 14): a campaign sends one version of a
//! questionnaire to the organisations of an inventory round, by e-mail,
//! each with a personal link that expires on the campaign's closing day.
//! This module holds what a campaign is and checks it (the name, the
//! closing day, the reminder interval, the mail texts with their defaults),
//! the states of its mails and recipients, and the retry schedule of the
//! mail worker.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::hours::date_in_words;
use super::language::Language;
use super::FieldError;

/// Longest campaign name.
pub const NAME_MAX: usize = 60;
/// Days until a reminder when none is given.
pub const DEFAULT_REMIND_AFTER_DAYS: i64 = 14;
/// Days a campaign stays open when no closing day is given.
pub const DEFAULT_OPEN_DAYS: i64 = 42;
/// Attempts at one mail before it is given up as failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// A campaign name: 1–60 letters, digits, `-`, `_` or `.` (it stands in
/// addresses: `/beheer/campagnes/2026-inventarisatie`).
pub fn parse_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    let valid = !name.is_empty()
        && name.chars().count() <= NAME_MAX
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(name.to_string())
    } else {
        Err(format!(
            "give 1 to {NAME_MAX} letters, digits, '-', '_' or '.', such as 2026-inventarisatie"
        ))
    }
}

/// The mail texts of a campaign. `{link}`, `{closes_on}` and
/// `{organisation}` in a subject or body are filled in per recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CampaignTexts {
    pub invitation_subject_nl: String,
    pub invitation_body_nl: String,
    pub invitation_subject_en: String,
    pub invitation_body_en: String,
    pub reminder_subject_nl: String,
    pub reminder_body_nl: String,
    pub reminder_subject_en: String,
    pub reminder_body_en: String,
}

impl Default for CampaignTexts {
    fn default() -> CampaignTexts {
        CampaignTexts {
            invitation_subject_nl: "Vragenlijst inventarisatie harm reduction: {organisation}"
                .into(),
            invitation_body_nl: "Beste contactpersoon van {organisation},\n\n\
                Elk jaar brengen wij in kaart welke voorzieningen voor harm reduction er in \
                Nederland zijn. U ontvangt deze e-mail omdat u contactpersoon bent van \
                {organisation}.\n\n\
                Wilt u de vragenlijst invullen? Dat kan via deze persoonlijke link:\n\n\
                {link}\n\n\
                De link werkt tot en met {closes_on}. U kunt tussendoor stoppen en later \
                verder gaan. Deel de link niet met anderen: hij is alleen voor uw organisatie.\n\n\
                Heeft u vragen? Antwoord dan op deze e-mail.\n\n\
                Hartelijk dank voor uw hulp.\n\n\
                Met vriendelijke groet,\n\
                Het team van vangnet\n"
                .into(),
            invitation_subject_en: "Harm reduction inventory questionnaire: {organisation}".into(),
            invitation_body_en: "Dear contact at {organisation},\n\n\
                Every year we map the harm reduction services in the Netherlands. You are \
                receiving this e-mail because you are the contact person for {organisation}.\n\n\
                Would you please fill in the questionnaire? You can do so through this \
                personal link:\n\n\
                {link}\n\n\
                The link works until {closes_on} inclusive. You can stop at any time and carry \
                on later. Please do not share the link: it is for your organisation only.\n\n\
                If you have any questions, just reply to this e-mail.\n\n\
                Thank you very much for your help.\n\n\
                Kind regards,\n\
                The vangnet team\n"
                .into(),
            reminder_subject_nl: "Herinnering: vragenlijst inventarisatie voor {organisation}"
                .into(),
            reminder_body_nl: "Beste contactpersoon van {organisation},\n\n\
                Een tijdje geleden vroegen wij u om de vragenlijst over harm reduction in te \
                vullen. Wij hebben uw antwoorden nog niet ontvangen.\n\n\
                Wilt u de vragenlijst alsnog invullen? Dat kan via deze persoonlijke link:\n\n\
                {link}\n\n\
                De link werkt tot en met {closes_on}. Heeft u de vragenlijst al ingevuld? Dan \
                kunt u deze e-mail vergeten.\n\n\
                Met vriendelijke groet,\n\
                Het team van vangnet\n"
                .into(),
            reminder_subject_en: "Reminder: inventory questionnaire for {organisation}".into(),
            reminder_body_en: "Dear contact at {organisation},\n\n\
                A while ago we asked you to fill in the questionnaire on harm reduction \
                services. We have not yet received your answers.\n\n\
                Would you still like to fill it in? You can do so through this personal link:\n\n\
                {link}\n\n\
                The link works until {closes_on} inclusive. If you have already filled it in, \
                please ignore this e-mail.\n\n\
                Kind regards,\n\
                The vangnet team\n"
                .into(),
        }
    }
}

impl CampaignTexts {
    /// Every text by its field name.
    fn fields(&self) -> [(&'static str, &str); 8] {
        [
            ("invitation_subject_nl", &self.invitation_subject_nl),
            ("invitation_body_nl", &self.invitation_body_nl),
            ("invitation_subject_en", &self.invitation_subject_en),
            ("invitation_body_en", &self.invitation_body_en),
            ("reminder_subject_nl", &self.reminder_subject_nl),
            ("reminder_body_nl", &self.reminder_body_nl),
            ("reminder_subject_en", &self.reminder_subject_en),
            ("reminder_body_en", &self.reminder_body_en),
        ]
    }

    /// A subject must not be empty; a body must carry the link, or the
    /// recipient could not answer.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (field, text) in self.fields() {
            if text.trim().is_empty() {
                errors.push(FieldError::new(field, "must not be empty"));
            } else if field.contains("_body_") && !text.contains("{link}") {
                errors.push(FieldError::new(
                    field,
                    "must contain {link}, where the personal link goes",
                ));
            }
        }
        errors
    }

    /// The subject and body of one mail.
    pub fn render(&self, kind: MailKind, language: Language, fill: &Fill<'_>) -> (String, String) {
        let (subject, body) = match (kind, language) {
            (MailKind::Invitation, Language::Nl) => {
                (&self.invitation_subject_nl, &self.invitation_body_nl)
            }
            (MailKind::Invitation, Language::En) => {
                (&self.invitation_subject_en, &self.invitation_body_en)
            }
            (MailKind::Reminder, Language::Nl) => {
                (&self.reminder_subject_nl, &self.reminder_body_nl)
            }
            (MailKind::Reminder, Language::En) => {
                (&self.reminder_subject_en, &self.reminder_body_en)
            }
        };
        (fill.apply(subject, language), fill.apply(body, language))
    }
}

/// What goes into a mail's placeholders.
#[derive(Debug, Clone)]
pub struct Fill<'a> {
    pub link: &'a str,
    pub closes_on: NaiveDate,
    pub organisation: &'a str,
}

impl Fill<'_> {
    fn apply(&self, text: &str, language: Language) -> String {
        let day = date_in_words(self.closes_on, language);
        text.replace("{link}", self.link)
            .replace("{closes_on}", &day)
            .replace("{organisation}", self.organisation)
    }
}

/// A new campaign as asked for (API, form, command line).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: String,
    /// The inventory round's name.
    pub round: String,
    /// The closing day (YYYY-MM-DD); the personal links work until it,
    /// inclusive. Default: six weeks from today.
    #[serde(default)]
    pub closes_on: Option<String>,
    /// Days after the invitation until a reminder is due (default 14).
    #[serde(default)]
    pub remind_after_days: Option<i64>,
    /// Only these organisations (ids); default: every organisation with a
    /// contact that may be mailed.
    #[serde(default)]
    pub organisations: Option<Vec<i64>>,
    /// The mail texts; default: vangnet's.
    #[serde(default)]
    pub texts: Option<CampaignTexts>,
}

/// A checked new campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignDraft {
    pub name: String,
    pub round: String,
    pub closes_on: NaiveDate,
    pub remind_after_days: i64,
    pub organisations: Option<Vec<i64>>,
    pub texts: CampaignTexts,
}

impl CampaignInput {
    pub fn validate(&self, today: NaiveDate) -> Result<CampaignDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = parse_name(&self.name)
            .map_err(|e| errors.push(FieldError::new("name", e)))
            .unwrap_or_default();
        if self.round.trim().is_empty() {
            errors.push(FieldError::new("round", "give the inventory round's name"));
        }
        let closes_on = match self.closes_on.as_deref().map(str::trim) {
            None | Some("") => today + Duration::days(DEFAULT_OPEN_DAYS),
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) if day < today => {
                    errors.push(FieldError::new(
                        "closes_on",
                        format!("{day} has passed; give a day from today on"),
                    ));
                    day
                }
                Ok(day) => day,
                Err(_) => {
                    errors.push(FieldError::new(
                        "closes_on",
                        format!("'{text}' is not a date; use YYYY-MM-DD"),
                    ));
                    today
                }
            },
        };
        let remind_after_days = self.remind_after_days.unwrap_or(DEFAULT_REMIND_AFTER_DAYS);
        if !(1..=365).contains(&remind_after_days) {
            errors.push(FieldError::new(
                "remind_after_days",
                "give a number of days from 1 to 365",
            ));
        }
        if let Some(ids) = &self.organisations {
            if ids.is_empty() {
                errors.push(FieldError::new(
                    "organisations",
                    "name at least one organisation, or leave it out for all",
                ));
            }
        }
        let texts = self.texts.clone().unwrap_or_default();
        errors.extend(texts.check());
        if !errors.is_empty() {
            return Err(errors);
        }
        let organisations = self.organisations.clone().map(|mut ids| {
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        Ok(CampaignDraft {
            name,
            round: self.round.trim().to_string(),
            closes_on,
            remind_after_days,
            organisations,
            texts,
        })
    }
}

/// A campaign's stored state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Created, nothing queued yet.
    Draft,
    /// Invitations queued or sent; the links work.
    Open,
    /// Past its closing day.
    Closed,
}

impl CampaignStatus {
    pub fn code(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Open => "open",
            CampaignStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<CampaignStatus> {
        [
            CampaignStatus::Draft,
            CampaignStatus::Open,
            CampaignStatus::Closed,
        ]
        .into_iter()
        .find(|s| s.code() == text)
    }
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Campaign {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    /// The inventory round's name.
    pub round: String,
    pub questionnaire_code: String,
    pub questionnaire_version: i64,
    #[schema(value_type = String)]
    pub closes_on: NaiveDate,
    pub remind_after_days: i64,
    pub texts: CampaignTexts,
    pub status: CampaignStatus,
    pub created_by: String,
    pub created_at: String,
}

impl Campaign {
    /// The status as it stands on `today`: closed after the closing day.
    pub fn status_on(&self, today: NaiveDate) -> CampaignStatus {
        if today > self.closes_on {
            CampaignStatus::Closed
        } else {
            self.status
        }
    }
}

/// Which mail of an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    Invitation,
    Reminder,
}

impl MailKind {
    pub fn code(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::Reminder => "reminder",
        }
    }

    pub fn parse(text: &str) -> Option<MailKind> {
        [MailKind::Invitation, MailKind::Reminder]
            .into_iter()
            .find(|k| k.code() == text)
    }
}

/// How long the mail worker waits before attempt `attempts + 1` after
/// `attempts` failed ones: 1, 2, 4, 8 … minutes; `None` once
/// [`MAX_ATTEMPTS`] are spent.
pub fn retry_after(attempts: i64) -> Option<Duration> {
    (attempts < MAX_ATTEMPTS).then(|| Duration::minutes(1 << (attempts - 1).clamp(0, 20)))
}

/// When attempt `attempts + 1` is due, after a failure at `now`.
pub fn next_attempt(attempts: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    retry_after(attempts).map(|wait| now + wait)
}

/// What a recipient's status reads, the newest that applies: answered,
/// revoked, else the state of their newest mail, else not sent.
pub const RECIPIENT_STATUSES: &[&str] = &[
    "not_sent", "queued", "sending", "sent", "failed", "bounced", "revoked", "answered",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn defaults_fill_in_and_check() {
        let input = CampaignInput {
            name: " 2026-inventarisatie ".into(),
            round: "2026".into(),
            ..CampaignInput::default()
        };
        let draft = input.validate(day("2026-03-01")).unwrap();
        assert_eq!(draft.name, "2026-inventarisatie");
        assert_eq!(draft.closes_on, day("2026-04-12"));
        assert_eq!(draft.remind_after_days, 14);
        assert!(draft.texts.check().is_empty());
    }

    #[test]
    fn wrong_fields_are_named() {
        let input = CampaignInput {
            name: "met spatie".into(),
            round: " ".into(),
            closes_on: Some("2026-02-30".into()),
            remind_after_days: Some(0),
            organisations: Some(vec![]),
            texts: Some(CampaignTexts {
                invitation_body_nl: "geen link".into(),
                ..CampaignTexts::default()
            }),
        };
        let fields: Vec<String> = input
            .validate(day("2026-03-01"))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "round",
                "closes_on",
                "remind_after_days",
                "organisations",
                "invitation_body_nl"
            ]
        );
        let past = CampaignInput {
            name: "a".into(),
            round: "2026".into(),
            closes_on: Some("2026-02-28".into()),
            ..CampaignInput::default()
        };
        assert_eq!(
            past.validate(day("2026-03-01")).unwrap_err()[0].field,
            "closes_on"
        );
    }

    #[test]
    fn mails_carry_the_link_and_the_day_in_the_reader_s_language() {
        let texts = CampaignTexts::default();
        let fill = Fill {
            link: "https://vangnet.example/enquete/abc",
            closes_on: day("2026-05-01"),
            organisation: "Demo Zorg",
        };
        let (subject, body) = texts.render(MailKind::Invitation, Language::Nl, &fill);
        assert!(subject.contains("Demo Zorg"), "{subject}");
        assert!(
            body.contains("https://vangnet.example/enquete/abc"),
            "{body}"
        );
        assert!(body.contains("1 mei 2026"), "{body}");
        let (_, body) = texts.render(MailKind::Reminder, Language::En, &fill);
        assert!(body.contains("1 May 2026"), "{body}");
        assert!(!body.contains('{'), "{body}");
    }

    #[test]
    fn retries_back_off_then_give_up() {
        let waits: Vec<Option<i64>> = (1..=5)
            .map(|n| retry_after(n).map(|d| d.num_minutes()))
            .collect();
        assert_eq!(waits, [Some(1), Some(2), Some(4), Some(8), None]);
    }
}

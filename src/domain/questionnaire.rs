//! Questionnaires of survey campaigns: what is asked of institutions in an
//! inventory round, in Dutch and English. A questionnaire is read and
//! written whole (as JSON: the API's body, a stored version, the shipped
//! default in `data/questionnaires/`), and every one of those ways in comes
//! through [`Questionnaire::validate`], so a definition that is stored or
//! sent has unique codes, both languages and consistent kinds.
//!
//! Why one flat `Question` rather than an enum per kind: the JSON reads
//! the same for every kind (`min`/`max` only on numbers, `options` only on
//! choices, `questions` only in a location block), the editor's form maps
//! onto it field by field, and validation names the field that does not
//! belong to a kind instead of failing to parse the whole body.
//!
//! A location block is asked once per location of the organisation (the
//! answer form later prefills it from the register); it holds questions of
//! every other kind but never another block.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FieldError, Reason};

/// The default inventory questionnaire, shipped with vangnet.
pub const INVENTORY_JSON: &str = include_str!("../../data/questionnaires/inventory.json");

/// The longest text of a question, help text, title or introduction.
const MAX_TEXT: usize = 2000;
/// The longest code (of a questionnaire, question or option).
const MAX_CODE: usize = 40;
/// The most questions in a questionnaire, block children included.
pub const MAX_QUESTIONS: usize = 200;
/// The most options of a choice.
const MAX_OPTIONS: usize = 50;

/// The register fields an answer may propose changes for: the facility
/// input's fields (`domain::facility::FacilityInput`), and `address` for a
/// question that asks street, postcode and place at once.
pub const MAPS_TO: &[&str] = &[
    "name",
    "services",
    "address",
    "street",
    "postcode",
    "city",
    "opened_on",
    "closed_on",
    "public_access",
    "mobile",
    "rooms",
    "capacity",
    "opening_hours",
    "phone",
    "referral_required",
    "intake_required",
    "target_groups",
    "max_minutes_per_visit",
    "max_visits_per_day",
    "features",
];

/// A text in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    #[serde(default)]
    pub nl: String,
    #[serde(default)]
    pub en: String,
}

impl Texts {
    pub fn new(nl: &str, en: &str) -> Texts {
        Texts {
            nl: nl.into(),
            en: en.into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.nl.trim().is_empty() && self.en.trim().is_empty()
    }

    fn trimmed(&self) -> Texts {
        Texts {
            nl: normalise(&self.nl),
            en: normalise(&self.en),
        }
    }
}

/// Trims and stores line breaks as `\n`.
fn normalise(text: &str) -> String {
    text.trim().replace("\r\n", "\n").replace('\r', "\n")
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    YesNo,
    /// A whole number, optionally between `min` and `max`.
    Number,
    Text,
    /// A day (`YYYY-MM-DD`), such as the day a location closed.
    Date,
    /// One of the `options`.
    Choice,
    /// Any of the `options`.
    MultiChoice,
    /// Child `questions`, asked once per location of the organisation.
    LocationBlock,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 7] = [
        QuestionKind::YesNo,
        QuestionKind::Number,
        QuestionKind::Text,
        QuestionKind::Date,
        QuestionKind::Choice,
        QuestionKind::MultiChoice,
        QuestionKind::LocationBlock,
    ];

    pub fn code(self) -> &'static str {
        match self {
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Number => "number",
            QuestionKind::Text => "text",
            QuestionKind::Date => "date",
            QuestionKind::Choice => "choice",
            QuestionKind::MultiChoice => "multi_choice",
            QuestionKind::LocationBlock => "location_block",
        }
    }

    pub fn parse(code: &str) -> Option<QuestionKind> {
        QuestionKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }

    pub fn has_options(self) -> bool {
        matches!(self, QuestionKind::Choice | QuestionKind::MultiChoice)
    }
}

/// One answer of a choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub code: String,
    pub label: Texts,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable: answers are kept, and mapped to the register, by this code.
    #[schema(example = "heroin_unit")]
    pub code: String,
    pub kind: QuestionKind,
    pub text: Texts,
    /// Optional; when given, in both languages.
    #[serde(default, skip_serializing_if = "Texts::is_empty")]
    pub help: Texts,
    #[serde(default)]
    pub required: bool,
    /// The register field an answer proposes a change for: one of `name`,
    /// `services`, `address`, `street`, `postcode`, `city`, `opened_on`,
    /// `closed_on`, `public_access`, `mobile`, `rooms`, `capacity`,
    /// `opening_hours`, `phone`, `referral_required`, `intake_required`,
    /// `target_groups`, `max_minutes_per_visit`, `max_visits_per_day`,
    /// `features` (not on a location block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "opening_hours")]
    pub maps_to: Option<String>,
    /// Numbers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Numbers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Choices only: at least two, with unique codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// A location block only: its questions (no blocks among them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub questions: Vec<Question>,
}

impl Question {
    /// A question of `kind` with nothing filled in yet.
    pub fn blank(code: &str, kind: QuestionKind) -> Question {
        Question {
            code: code.into(),
            kind,
            text: Texts::default(),
            help: Texts::default(),
            required: false,
            maps_to: None,
            min: None,
            max: None,
            options: Vec::new(),
            questions: Vec::new(),
        }
    }
}

/// A questionnaire: its texts and its questions in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    #[schema(example = "inventory")]
    pub code: String,
    pub title: Texts,
    pub introduction: Texts,
    pub questions: Vec<Question>,
}

/// Why a question is refused: the catalogue's `key` about the question
/// named `question` (its code, or its number when it has none yet).
fn about(question: &str, key: &'static str, more: &[(&'static str, String)]) -> Reason {
    let mut args = vec![("question", question.to_string())];
    args.extend(more.iter().cloned());
    Reason::of(key, &args)
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && code.len() <= MAX_CODE
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Collects errors with the question each is about.
struct Check {
    errors: Vec<FieldError>,
    codes: HashSet<String>,
    count: usize,
}

impl Check {
    fn push(&mut self, field: String, reason: Reason) {
        self.errors.push(FieldError::because(field, reason));
    }

    /// A text's length and characters; `required` texts in both languages.
    fn texts(&mut self, texts: &Texts, path: &str, question: &str, required: bool) {
        for (lang, text) in [("nl", &texts.nl), ("en", &texts.en)] {
            let field = format!("{path}.{lang}");
            if text.is_empty() {
                if required {
                    let key = if lang == "nl" {
                        "questionnaire.error.missing_nl"
                    } else {
                        "questionnaire.error.missing_en"
                    };
                    self.push(field, about(question, key, &[]));
                }
            } else if text.chars().count() > MAX_TEXT {
                self.push(
                    field,
                    about(
                        question,
                        "questionnaire.error.too_long",
                        &[("max", MAX_TEXT.to_string())],
                    ),
                );
            } else if text.chars().any(|c| c.is_control() && c != '\n') {
                self.push(field, about(question, "questionnaire.error.control", &[]));
            }
        }
    }

    fn question(&mut self, q: Question, path: &str, number: &str, in_block: bool) -> Question {
        self.count += 1;
        let code = q.code.trim().to_string();
        let name = if code.is_empty() {
            number.to_string()
        } else {
            code.clone()
        };
        if !valid_code(&code) {
            self.push(
                format!("{path}.code"),
                about(&name, "questionnaire.error.code", &[]),
            );
        } else if !self.codes.insert(code.clone()) {
            self.push(
                format!("{path}.code"),
                about(&name, "questionnaire.error.duplicate_code", &[]),
            );
        }
        let text = q.text.trimmed();
        self.texts(&text, &format!("{path}.text"), &name, true);
        let help = q.help.trimmed();
        if !help.is_empty() {
            self.texts(&help, &format!("{path}.help"), &name, true);
        }
        let maps_to = q
            .maps_to
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        if let Some(field) = &maps_to {
            if !MAPS_TO.contains(&field.as_str()) {
                self.push(
                    format!("{path}.maps_to"),
                    about(
                        &name,
                        "questionnaire.error.maps_to",
                        &[("value", field.clone())],
                    ),
                );
            }
        }
        let kind = q.kind;
        let not_for_kind = |check: &mut Check, field: &str| {
            check.push(
                format!("{path}.{field}"),
                about(
                    &name,
                    "questionnaire.error.not_for_kind",
                    &[("field", field.to_string())],
                ),
            );
        };
        if kind != QuestionKind::Number {
            if q.min.is_some() {
                not_for_kind(self, "min");
            }
            if q.max.is_some() {
                not_for_kind(self, "max");
            }
        } else if let (Some(min), Some(max)) = (q.min, q.max) {
            if min > max {
                self.push(
                    format!("{path}.max"),
                    about(
                        &name,
                        "questionnaire.error.bounds",
                        &[("min", min.to_string()), ("max", max.to_string())],
                    ),
                );
            }
        }
        let options = if kind.has_options() {
            self.options(&q.options, path, &name)
        } else {
            if !q.options.is_empty() {
                not_for_kind(self, "options");
            }
            Vec::new()
        };
        let questions = if kind == QuestionKind::LocationBlock {
            if in_block {
                self.push(
                    format!("{path}.kind"),
                    about(&name, "questionnaire.error.nested_block", &[]),
                );
            }
            if maps_to.is_some() {
                not_for_kind(self, "maps_to");
            }
            if q.questions.is_empty() {
                self.push(
                    format!("{path}.questions"),
                    about(&name, "questionnaire.error.empty_block", &[]),
                );
            }
            q.questions
                .into_iter()
                .enumerate()
                .map(|(i, child)| {
                    self.question(
                        child,
                        &format!("{path}.questions[{i}]"),
                        &format!("{number}.{}", i + 1),
                        true,
                    )
                })
                .collect()
        } else {
            if !q.questions.is_empty() {
                not_for_kind(self, "questions");
            }
            Vec::new()
        };
        Question {
            code,
            kind,
            text,
            help,
            required: q.required,
            maps_to,
            min: q.min,
            max: q.max,
            options,
            questions,
        }
    }

    fn options(&mut self, options: &[ChoiceOption], path: &str, name: &str) -> Vec<ChoiceOption> {
        if options.len() < 2 {
            self.push(
                format!("{path}.options"),
                about(name, "questionnaire.error.too_few_options", &[]),
            );
        } else if options.len() > MAX_OPTIONS {
            self.push(
                format!("{path}.options"),
                about(
                    name,
                    "questionnaire.error.too_many_options",
                    &[("max", MAX_OPTIONS.to_string())],
                ),
            );
        }
        let mut seen = HashSet::new();
        options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let code = o.code.trim().to_string();
                let field = format!("{path}.options[{i}]");
                let option = [("option", code.clone())];
                if !valid_code(&code) {
                    self.push(
                        format!("{field}.code"),
                        about(name, "questionnaire.error.option_code", &option),
                    );
                } else if !seen.insert(code.clone()) {
                    self.push(
                        format!("{field}.code"),
                        about(name, "questionnaire.error.duplicate_option", &option),
                    );
                }
                let label = o.label.trimmed();
                self.texts(&label, &format!("{field}.label"), name, true);
                ChoiceOption { code, label }
            })
            .collect()
    }
}

impl Questionnaire {
    /// The questionnaire as it may be stored and sent: texts trimmed,
    /// every rule checked, or every error with the field it is about
    /// (`questions[2].options[1].code`) and the question named in it.
    pub fn validate(self) -> Result<Questionnaire, Vec<FieldError>> {
        let mut check = Check {
            errors: Vec::new(),
            codes: HashSet::new(),
            count: 0,
        };
        let code = self.code.trim().to_string();
        if !valid_code(&code) {
            check.push(
                "code".into(),
                Reason::of("questionnaire.error.own_code", &[]),
            );
        }
        let title = self.title.trimmed();
        for (lang, text) in [("nl", &title.nl), ("en", &title.en)] {
            if text.is_empty() {
                check.push(format!("title.{lang}"), super::required());
            } else if text.chars().count() > 200 || text.chars().any(char::is_control) {
                check.push(
                    format!("title.{lang}"),
                    Reason::of("questionnaire.error.title", &[]),
                );
            }
        }
        let introduction = self.introduction.trimmed();
        for (lang, text) in [("nl", &introduction.nl), ("en", &introduction.en)] {
            if text.is_empty() {
                check.push(format!("introduction.{lang}"), super::required());
            } else if text.chars().count() > MAX_TEXT {
                check.push(
                    format!("introduction.{lang}"),
                    Reason::of("error.too_long", &[("max", MAX_TEXT.to_string())]),
                );
            }
        }
        if self.questions.is_empty() {
            check.push(
                "questions".into(),
                Reason::of("questionnaire.error.no_questions", &[]),
            );
        }
        let questions: Vec<Question> = self
            .questions
            .into_iter()
            .enumerate()
            .map(|(i, q)| {
                check.question(q, &format!("questions[{i}]"), &(i + 1).to_string(), false)
            })
            .collect();
        if check.count > MAX_QUESTIONS {
            check.push(
                "questions".into(),
                Reason::of(
                    "questionnaire.error.too_many",
                    &[("max", MAX_QUESTIONS.to_string())],
                ),
            );
        }
        if check.errors.is_empty() {
            Ok(Questionnaire {
                code,
                title,
                introduction,
                questions,
            })
        } else {
            Err(check.errors)
        }
    }

    /// A questionnaire from its JSON text, validated.
    pub fn from_json(text: &str) -> Result<Questionnaire, Vec<FieldError>> {
        let raw: Questionnaire = serde_json::from_str(text)
            .map_err(|e| vec![FieldError::new("definition", e.to_string())])?;
        raw.validate()
    }

    /// The JSON text a version is stored as.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a questionnaire serialises")
    }

    /// The default inventory questionnaire (`data/questionnaires/inventory.json`).
    pub fn inventory() -> Questionnaire {
        Questionnaire::from_json(INVENTORY_JSON).unwrap_or_else(|errors| {
            panic!(
                "data/questionnaires/inventory.json is not a valid questionnaire: {}",
                super::error::describe_fields(&errors)
            )
        })
    }

    /// Every question, block children after their block.
    pub fn all_questions(&self) -> Vec<&Question> {
        let mut all = Vec::new();
        for q in &self.questions {
            all.push(q);
            all.extend(q.questions.iter());
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::language::Language;
    use crate::domain::service::ServiceType;

    fn question(code: &str, kind: QuestionKind) -> Question {
        Question {
            text: Texts::new("Vraag", "Question"),
            ..Question::blank(code, kind)
        }
    }

    fn options(codes: &[&str]) -> Vec<ChoiceOption> {
        codes
            .iter()
            .map(|c| ChoiceOption {
                code: c.to_string(),
                label: Texts::new(c, c),
            })
            .collect()
    }

    fn questionnaire(questions: Vec<Question>) -> Questionnaire {
        Questionnaire {
            code: "test".into(),
            title: Texts::new("Titel", "Title"),
            introduction: Texts::new("Inleiding", "Introduction"),
            questions,
        }
    }

    fn errors(q: Questionnaire) -> Vec<(String, String)> {
        q.validate()
            .expect_err("refused")
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn the_shipped_inventory_is_valid_and_asks_about_every_service() {
        let q = Questionnaire::inventory();
        assert_eq!(q.code, "inventory");
        let services = q
            .all_questions()
            .into_iter()
            .find(|q| {
                q.kind == QuestionKind::MultiChoice && q.maps_to.as_deref() == Some("services")
            })
            .expect("a question on the services of a location");
        let offered: Vec<&str> = services.options.iter().map(|o| o.code.as_str()).collect();
        let services: Vec<&str> = ServiceType::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(offered, services);
    }

    #[test]
    fn a_duplicate_code_is_refused_naming_the_question_and_field() {
        let mut block = question("locations", QuestionKind::LocationBlock);
        block.questions = vec![question("name", QuestionKind::Text)];
        let found = errors(questionnaire(vec![
            question("name", QuestionKind::Text),
            block,
        ]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "questions[1].questions[0].code");
        assert!(
            found[0].1.contains("'name'") || found[0].1.contains("name"),
            "{found:?}"
        );
    }

    #[test]
    fn a_choice_needs_two_options_with_unique_codes() {
        let mut one = question("kind", QuestionKind::Choice);
        one.options = options(&["a"]);
        let mut twice = question("other", QuestionKind::MultiChoice);
        twice.options = options(&["a", "a"]);
        let found = errors(questionnaire(vec![one, twice]));
        assert_eq!(found[0].0, "questions[0].options");
        assert!(found[0].1.contains("kind"), "{found:?}");
        assert_eq!(found[1].0, "questions[1].options[1].code");
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_location_block_has_questions_and_is_not_nested() {
        let mut inner = question("inner", QuestionKind::LocationBlock);
        inner.questions = vec![question("x", QuestionKind::Text)];
        let mut outer = question("outer", QuestionKind::LocationBlock);
        outer.questions = vec![inner];
        let empty = question("empty", QuestionKind::LocationBlock);
        let found = errors(questionnaire(vec![outer, empty]));
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["questions[0].questions[0].kind", "questions[1].questions"]
        );
    }

    #[test]
    fn both_languages_are_required_and_help_in_both_or_neither() {
        let mut q = question("open", QuestionKind::YesNo);
        q.text.en = " ".into();
        q.help = Texts::new("Uitleg", "");
        let found = errors(questionnaire(vec![q]));
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["questions[0].text.en", "questions[0].help.en"]);
        assert!(found[0].1.contains("open") && found[0].1.contains("English"));
    }

    #[test]
    fn number_bounds_must_be_consistent_and_only_on_numbers() {
        let mut places = question("places", QuestionKind::Number);
        places.min = Some(10);
        places.max = Some(2);
        let mut text = question("note", QuestionKind::Text);
        text.max = Some(3);
        let found = errors(questionnaire(vec![places, text]));
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["questions[0].max", "questions[1].max"]);
    }

    #[test]
    fn codes_and_register_fields_are_checked() {
        let mut q = question("Heroine Unit", QuestionKind::YesNo);
        q.maps_to = Some("favourite_colour".into());
        let found = errors(questionnaire(vec![q]));
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["questions[0].code", "questions[0].maps_to"]);
    }

    #[test]
    fn a_valid_questionnaire_comes_back_trimmed_and_round_trips() {
        let mut q = question(" open ", QuestionKind::YesNo);
        q.text = Texts::new(" Open? ", "Open?\r\n");
        let valid = questionnaire(vec![q]).validate().unwrap();
        assert_eq!(valid.questions[0].code, "open");
        assert_eq!(valid.questions[0].text, Texts::new("Open?", "Open?"));
        assert_eq!(Questionnaire::from_json(&valid.to_json()).unwrap(), valid);
    }

    /// The pages name kinds by `questionnaire.kind.{code}`, built at run time.
    #[test]
    fn every_kind_has_a_name_in_both_languages() {
        for kind in QuestionKind::ALL {
            for lang in Language::ALL {
                let key = format!("questionnaire.kind.{}", kind.code());
                assert!(
                    crate::domain::text::catalogue(lang).contains_key(&key),
                    "{key}"
                );
            }
            assert_eq!(QuestionKind::parse(kind.code()), Some(kind));
        }
    }

    /// The API document lists the register fields: keep it in step.
    #[test]
    fn the_documented_register_fields_are_the_accepted_ones() {
        let source = include_str!("questionnaire.rs");
        let doc = source
            .split("an answer proposes a change for: one of")
            .nth(1)
            .and_then(|rest| rest.split("(not on a location block)").next())
            .unwrap();
        let listed: Vec<&str> = doc.split('`').skip(1).step_by(2).collect();
        assert_eq!(listed, MAPS_TO);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let refused = Questionnaire::from_json(
            r#"{"code":"x","title":{"nl":"a","en":"b"},"introduction":{"nl":"a","en":"b"},"questions":[],"colour":1}"#,
        )
        .unwrap_err();
        assert!(refused[0].message.contains("colour"), "{refused:?}");
    }
}

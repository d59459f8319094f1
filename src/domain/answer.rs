//! Answers to a questionnaire (issue 14, the answer form): what a
//! respondent entered through the personal link, or what staff found by
//! phone or on a website and entered in the same form. Every way in (the
//! form's fields, the API's JSON, a stored draft) comes through
//! [`Answers::check`], which holds the values to the questionnaire's kinds,
//! options and bounds, runs free text through the personal-data guard, and
//! checks every location's register fields with the facility's own
//! validation ([`FacilityInput::validate`]): a postcode or opening hours
//! that the register would refuse are refused here, with the question's
//! field, before anything is stored.
//!
//! A form field is named by the question's code (`consumption_room`), and
//! inside a location block by the block, the location's position and the
//! code (`locations.0.postcode`); `locations.0._facility` names the
//! register facility a location describes (none for a new location). Errors
//! use the same names, so a page puts each next to its field and the API
//! names it the same way.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::facility::FacilityInput;
use super::personal::{check_field, Holds};
use super::provenance::{Source, SourceKind};
use super::questionnaire::{Question, QuestionKind, Questionnaire};
use super::{bounded_text, required, FieldError, Reason};

/// The most locations one answer may list per block.
pub const MAX_LOCATIONS: usize = 100;
/// The longest text answer.
pub const MAX_TEXT: usize = 2000;

/// One answer's value. Dates and choices are texts (`2026-03-01`, an
/// option's code); a multiple choice is a list of option codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Number(i64),
    Text(String),
    Choices(Vec<String>),
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// One location of a location block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationAnswer {
    /// The register facility this location describes; none for a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<i64>,
    /// Values by the block's question codes.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, Value>,
}

/// A whole answer: values by question code, and per location block its
/// locations in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    #[serde(default)]
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, Value>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub locations: BTreeMap<String, Vec<LocationAnswer>>,
}

/// A form's fields as posted or as a page shows them: values by field name
/// (several for a multiple choice).
pub type FormValues = BTreeMap<String, Vec<String>>;

/// The field name of a location's question.
pub fn field_name(block: &str, index: usize, code: &str) -> String {
    format!("{block}.{index}.{code}")
}

/// The field name that holds the facility a location describes.
pub fn facility_field(block: &str, index: usize) -> String {
    format!("{block}.{index}._facility")
}

fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "ja" | "true" | "1" => Some(true),
        "no" | "nee" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn invalid(field: &str, key: &'static str, args: &[(&'static str, String)]) -> FieldError {
    FieldError::because(field, Reason::of(key, args))
}

/// Reads one question's posted texts as a value (none when left empty).
fn read_value(q: &Question, field: &str, texts: &[String]) -> Result<Option<Value>, FieldError> {
    let first = texts
        .iter()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .unwrap_or("");
    if q.kind == QuestionKind::MultiChoice {
        let mut codes: Vec<String> = texts
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        codes.sort();
        codes.dedup();
        return Ok((!codes.is_empty()).then_some(Value::Choices(codes)));
    }
    if first.is_empty() {
        return Ok(None);
    }
    Ok(Some(match q.kind {
        QuestionKind::YesNo => Value::Bool(
            yes_no(first).ok_or_else(|| invalid(field, "answer.error.yes_no", &[]))?,
        ),
        QuestionKind::Number => Value::Number(
            first
                .replace(['.', ' '], "")
                .parse()
                .map_err(|_| invalid(field, "answer.error.number", &[]))?,
        ),
        _ => Value::Text(first.to_string()),
    }))
}

/// The text a form shows for a value.
fn show_value(value: &Value) -> Vec<String> {
    match value {
        Value::Bool(true) => vec!["yes".into()],
        Value::Bool(false) => vec!["no".into()],
        Value::Number(n) => vec![n.to_string()],
        Value::Text(t) => vec![t.clone()],
        Value::Choices(c) => c.clone(),
    }
}

/// The position in a field name `block.N.code`, if it is a valid one.
fn position(text: &str) -> Option<usize> {
    if text.len() > 4 || text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|i| *i < MAX_LOCATIONS)
}

impl Answers {
    /// Reads a posted form: every question's field by its name, the
    /// locations of every block by position (gaps closed up). Fields the
    /// questionnaire does not know are ignored (buttons, the CSRF token);
    /// a number that is no number or a yes/no that is neither is an error
    /// naming the field. The values are checked further by [`Answers::check`].
    pub fn from_form(q: &Questionnaire, form: &FormValues) -> Result<Answers, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut answers = Answers::default();
        for question in &q.questions {
            if question.kind == QuestionKind::LocationBlock {
                let prefix = format!("{}.", question.code);
                let mut found: BTreeMap<usize, LocationAnswer> = BTreeMap::new();
                for (name, texts) in form.range(prefix.clone()..) {
                    let Some(rest) = name.strip_prefix(&prefix) else {
                        break;
                    };
                    let Some((at, code)) = rest.split_once('.') else {
                        continue;
                    };
                    let Some(index) = position(at) else { continue };
                    let location = found.entry(index).or_default();
                    if code == "_facility" {
                        let text = texts.first().map(|t| t.trim()).unwrap_or("");
                        if !text.is_empty() {
                            match text.parse::<i64>() {
                                Ok(id) if id > 0 => location.facility_id = Some(id),
                                _ => errors.push(invalid(name, "answer.error.facility", &[])),
                            }
                        }
                        continue;
                    }
                    let Some(child) = question.questions.iter().find(|c| c.code == code) else {
                        continue;
                    };
                    match read_value(child, name, texts) {
                        Ok(Some(value)) => {
                            location.values.insert(code.to_string(), value);
                        }
                        Ok(None) => {}
                        Err(e) => errors.push(e),
                    }
                }
                let list: Vec<LocationAnswer> = found.into_values().collect();
                if !list.is_empty() {
                    answers.locations.insert(question.code.clone(), list);
                }
            } else if let Some(texts) = form.get(&question.code) {
                match read_value(question, &question.code, texts) {
                    Ok(Some(value)) => {
                        answers.values.insert(question.code.clone(), value);
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
            }
        }
        if errors.is_empty() {
            Ok(answers)
        } else {
            Err(errors)
        }
    }

    /// The form's fields for these answers (to show a draft or a prefill).
    pub fn to_form(&self) -> FormValues {
        let mut form = FormValues::new();
        for (code, value) in &self.values {
            form.insert(code.clone(), show_value(value));
        }
        for (block, list) in &self.locations {
            for (i, location) in list.iter().enumerate() {
                if let Some(id) = location.facility_id {
                    form.insert(facility_field(block, i), vec![id.to_string()]);
                }
                for (code, value) in &location.values {
                    form.insert(field_name(block, i, code), show_value(value));
                }
            }
        }
        form
    }

    /// How many locations a block lists.
    pub fn location_count(&self, block: &str) -> usize {
        self.locations.get(block).map_or(0, Vec::len)
    }

    /// Checks the answers against the questionnaire: known codes only,
    /// values of the question's kind, within its bounds and options, free
    /// text without personal data, and every location's register fields as
    /// the register checks them, over what the register holds for it
    /// (`register`, by facility id: a location of another organisation is
    /// refused). With `complete` (a submission) required questions must be
    /// answered and a location that is not open any more needs the day it
    /// closed. Returns the answers trimmed and normalised.
    pub fn check(
        mut self,
        q: &Questionnaire,
        complete: bool,
        register: &BTreeMap<i64, FacilityInput>,
        today: NaiveDate,
    ) -> Result<Answers, Vec<FieldError>> {
        let mut errors = Vec::new();
        for code in self.values.keys() {
            let known = q
                .questions
                .iter()
                .any(|x| x.code == *code && x.kind != QuestionKind::LocationBlock);
            if !known {
                errors.push(invalid(code, "answer.error.unknown_question", &[]));
            }
        }
        for block in self.locations.keys() {
            let known = q
                .questions
                .iter()
                .any(|x| x.code == *block && x.kind == QuestionKind::LocationBlock);
            if !known {
                errors.push(invalid(block, "answer.error.unknown_question", &[]));
            }
        }
        for question in &q.questions {
            if question.kind == QuestionKind::LocationBlock {
                let list = self.locations.remove(&question.code).unwrap_or_default();
                if list.len() > MAX_LOCATIONS {
                    errors.push(invalid(
                        &question.code,
                        "answer.error.too_many_locations",
                        &[("max", MAX_LOCATIONS.to_string())],
                    ));
                    continue;
                }
                if complete && question.required && list.is_empty() {
                    errors.push(FieldError::because(&question.code, required()));
                }
                let mut checked = Vec::new();
                for (i, mut location) in list.into_iter().enumerate() {
                    let prefix = format!("{}.{i}.", question.code);
                    for code in location.values.keys() {
                        if !question.questions.iter().any(|c| c.code == *code) {
                            errors.push(invalid(
                                &format!("{prefix}{code}"),
                                "answer.error.unknown_question",
                                &[],
                            ));
                        }
                    }
                    let base = match location.facility_id {
                        Some(id) => match register.get(&id) {
                            Some(base) => Some(base),
                            None => {
                                errors.push(invalid(
                                    &facility_field(&question.code, i),
                                    "answer.error.facility",
                                    &[],
                                ));
                                None
                            }
                        },
                        None => None,
                    };
                    let mut values = BTreeMap::new();
                    for child in &question.questions {
                        let field = format!("{prefix}{}", child.code);
                        let value = location.values.remove(&child.code);
                        if let Some(v) = check_value(child, &field, value, complete, &mut errors) {
                            values.insert(child.code.clone(), v);
                        }
                    }
                    location.values = values;
                    check_location(question, &prefix, &location, base, complete, today)
                        .unwrap_or_else(|e| errors.extend(e));
                    checked.push(location);
                }
                if !checked.is_empty() {
                    self.locations.insert(question.code.clone(), checked);
                }
            } else {
                let value = self.values.remove(&question.code);
                if let Some(v) = check_value(question, &question.code, value, complete, &mut errors)
                {
                    self.values.insert(question.code.clone(), v);
                }
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// Checks one value against its question; `None` when there is none (or it
/// is refused, with the error pushed).
fn check_value(
    q: &Question,
    field: &str,
    value: Option<Value>,
    complete: bool,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let value = match value {
        Some(Value::Text(t)) if t.trim().is_empty() => None,
        Some(Value::Choices(c)) if c.is_empty() => None,
        other => other,
    };
    let Some(value) = value else {
        if complete && q.required {
            errors.push(FieldError::because(field, required()));
        }
        return None;
    };
    let wrong = |errors: &mut Vec<FieldError>| {
        errors.push(invalid(
            field,
            "answer.error.kind",
            &[("kind", q.kind.code().to_string())],
        ));
        None
    };
    match (q.kind, value) {
        (QuestionKind::YesNo, Value::Bool(b)) => Some(Value::Bool(b)),
        (QuestionKind::Number, Value::Number(n)) => {
            let low = q.min.is_some_and(|min| n < min);
            let high = q.max.is_some_and(|max| n > max);
            if low || high {
                errors.push(invalid(
                    field,
                    "answer.error.bounds",
                    &[
                        ("min", q.min.map_or("-".into(), |m| m.to_string())),
                        ("max", q.max.map_or("-".into(), |m| m.to_string())),
                    ],
                ));
                return None;
            }
            Some(Value::Number(n))
        }
        (QuestionKind::Text, Value::Text(t)) => {
            let text = bounded_text(&Some(t), field, MAX_TEXT, errors)?;
            // The opening hours and the address hold what their register
            // fields hold; the facility's validation checks those.
            let holds = match q.maps_to.as_deref() {
                Some("street" | "address") => Some(Holds::Address),
                Some("phone") => Some(Holds::Phone),
                _ => None,
            };
            check_field(Some(&text), field, holds, errors);
            Some(Value::Text(text))
        }
        (QuestionKind::Date, Value::Text(t)) => {
            match NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d") {
                Ok(day) => Some(Value::Text(day.to_string())),
                Err(_) => {
                    errors.push(invalid(field, "answer.error.date", &[]));
                    None
                }
            }
        }
        (QuestionKind::Choice, Value::Text(t)) => {
            let code = t.trim().to_string();
            if q.options.iter().any(|o| o.code == code) {
                Some(Value::Text(code))
            } else {
                errors.push(invalid(field, "answer.error.option", &[("value", code)]));
                None
            }
        }
        (QuestionKind::MultiChoice, Value::Choices(mut codes)) => {
            codes.iter_mut().for_each(|c| *c = c.trim().to_string());
            codes.sort();
            codes.dedup();
            if let Some(bad) = codes
                .iter()
                .find(|c| !q.options.iter().any(|o| o.code == **c))
            {
                errors.push(invalid(
                    field,
                    "answer.error.option",
                    &[("value", bad.clone())],
                ));
                return None;
            }
            Some(Value::Choices(codes))
        }
        _ => wrong(errors),
    }
}

/// The facility input a location's answers describe: the register's facts
/// (`base`) with every answered register field put over them.
pub fn location_input(
    block: &Question,
    location: &LocationAnswer,
    base: Option<&FacilityInput>,
) -> FacilityInput {
    let mut input = base.cloned().unwrap_or_default();
    for child in &block.questions {
        let (Some(target), Some(value)) = (
            child.maps_to.as_deref(),
            location.values.get(&child.code),
        ) else {
            continue;
        };
        put(&mut input, target, value);
    }
    input
}

/// Puts one answer's value in the input's field it maps to.
fn put(input: &mut FacilityInput, target: &str, value: &Value) {
    let text = value.as_text().map(str::to_string);
    let number = match value {
        Value::Number(n) => Some(*n),
        _ => None,
    };
    let day = text
        .as_deref()
        .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
    match target {
        "name" => input.name = text,
        "street" | "address" => input.street = text,
        "postcode" => input.postcode = text,
        "city" => {
            // A new place: the municipality follows from it, not from the
            // register's old code.
            if input.city != text {
                input.municipality_code = None;
                input.municipality = None;
                input.province = None;
                input.latitude = None;
                input.longitude = None;
            }
            input.city = text;
        }
        "services" => {
            if let Value::Choices(c) = value {
                input.services = Some(c.clone());
            }
        }
        "features" => {
            if let Value::Choices(c) = value {
                input.features = Some(c.clone());
            }
        }
        "opened_on" => input.opened_on = day,
        "closed_on" => input.closed_on = day,
        "public_access" => input.public_access = value.as_bool(),
        "mobile" => input.mobile = value.as_bool(),
        "referral_required" => input.referral_required = value.as_bool(),
        "intake_required" => input.intake_required = value.as_bool(),
        "rooms" => input.rooms = number,
        "capacity" => input.capacity = number,
        "max_minutes_per_visit" => input.max_minutes_per_visit = number,
        "max_visits_per_day" => input.max_visits_per_day = number,
        "opening_hours" => input.opening_hours = text,
        "phone" => input.phone = text,
        "target_groups" => input.target_groups = text,
        _ => {}
    }
}

/// The question of a block that maps to a register field.
fn question_for<'a>(block: &'a Question, target: &str) -> Option<&'a Question> {
    block
        .questions
        .iter()
        .find(|c| c.maps_to.as_deref() == Some(target))
}

/// Whether a location says it is not open any more: `still_open` answered
/// no (the default questionnaire's question), or a day it closed.
pub fn says_closed(location: &LocationAnswer) -> bool {
    location.values.get("still_open") == Some(&Value::Bool(false))
}

/// Checks a location's register fields with the facility's validation and
/// names each error by the question that holds the field.
fn check_location(
    block: &Question,
    prefix: &str,
    location: &LocationAnswer,
    base: Option<&FacilityInput>,
    complete: bool,
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    let input = location_input(block, location, base);
    let mut errors = Vec::new();
    if complete && says_closed(location) && input.closed_on.is_none() {
        let field = question_for(block, "closed_on").map_or("still_open", |q| q.code.as_str());
        errors.push(invalid(
            &format!("{prefix}{field}"),
            "answer.error.closed_on",
            &[],
        ));
    }
    let source = Source::new(SourceKind::Survey, None);
    if let Err(found) = input.validate(&source, today) {
        for e in found {
            let target = match e.field.as_str() {
                "municipality" | "municipality_code" | "province" => "city",
                other => other,
            };
            // Missing facts matter only for a submission; what was typed
            // wrong matters always.
            let missing = matches!(&e.reason, Reason::Text { key, .. } if *key == "error.required");
            if missing && !complete {
                continue;
            }
            let field = match question_for(block, target) {
                Some(q) => format!("{prefix}{}", q.code),
                None => prefix.trim_end_matches('.').to_string(),
            };
            errors.push(FieldError::because(field, e.reason));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory() -> Questionnaire {
        Questionnaire::inventory()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        let mut f = FormValues::new();
        for (k, v) in pairs {
            f.entry(k.to_string()).or_default().push(v.to_string());
        }
        f
    }

    #[test]
    fn a_form_reads_into_answers_and_back() {
        let f = form(&[
            ("consumption_room", "ja"),
            ("locations.0._facility", "12"),
            ("locations.0.name", " De Brug "),
            ("locations.0.services", "syringe_exchange"),
            ("locations.0.services", "consumption_room"),
            ("locations.0.capacity", "12"),
            ("locations.3.name", "Nieuw"),
            ("csrf", "x"),
        ]);
        let a = Answers::from_form(&inventory(), &f).unwrap();
        assert_eq!(a.values["consumption_room"], Value::Bool(true));
        let locations = &a.locations["locations"];
        assert_eq!(locations.len(), 2, "gaps close up");
        assert_eq!(locations[0].facility_id, Some(12));
        assert_eq!(
            locations[0].values["services"],
            Value::Choices(vec!["consumption_room".into(), "syringe_exchange".into()])
        );
        assert_eq!(locations[1].facility_id, None);
        let back = a.to_form();
        assert_eq!(back["locations.0._facility"], vec!["12"]);
        assert_eq!(back["locations.1.name"], vec!["Nieuw"]);
        assert_eq!(back["consumption_room"], vec!["yes"]);
    }

    #[test]
    fn wrong_kinds_name_their_field() {
        let f = form(&[
            ("consumption_room", "misschien"),
            ("locations.0.capacity", "twaalf"),
            ("locations.0._facility", "-3"),
        ]);
        let errors = Answers::from_form(&inventory(), &f).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["consumption_room", "locations.0._facility", "locations.0.capacity"]
        );
    }

    #[test]
    fn huge_positions_are_ignored_not_allocated() {
        let f = form(&[("locations.99999999999.name", "x"), ("locations.100.name", "y")]);
        let a = Answers::from_form(&inventory(), &f).unwrap();
        assert_eq!(a.location_count("locations"), 0);
    }

    #[test]
    fn a_draft_may_be_partial_but_not_wrong() {
        let mut a = Answers::default();
        a.locations.insert(
            "locations".into(),
            vec![LocationAnswer {
                facility_id: None,
                values: [("postcode".to_string(), Value::Text("12345".into()))].into(),
            }],
        );
        let errors = a
            .clone()
            .check(&inventory(), false, &BTreeMap::new(), day())
            .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "locations.0.postcode");

        let partial = Answers {
            values: [("consumption_room".to_string(), Value::Bool(true))].into(),
            ..Answers::default()
        };
        assert!(partial
            .clone()
            .check(&inventory(), false, &BTreeMap::new(), day())
            .is_ok());
        let errors = partial
            .check(&inventory(), true, &BTreeMap::new(), day())
            .unwrap_err();
        assert!(errors.iter().any(|e| e.field == "syringe_exchange"));
        assert!(errors.iter().any(|e| e.field == "locations"));
    }

    #[test]
    fn bounds_options_personal_data_and_closing_day() {
        let location = LocationAnswer {
            facility_id: Some(7),
            values: [
                ("capacity".to_string(), Value::Number(5000)),
                (
                    "services".to_string(),
                    Value::Choices(vec!["bingo".into()]),
                ),
                (
                    "target_groups".to_string(),
                    Value::Text("bel jan@example.nl".into()),
                ),
                ("still_open".to_string(), Value::Bool(false)),
            ]
            .into(),
        };
        let a = Answers {
            locations: [("locations".to_string(), vec![location])].into(),
            ..Answers::default()
        };
        let base = FacilityInput {
            name: Some("Demo De Brug".into()),
            services: Some(vec!["consumption_room".into()]),
            city: Some("Utrecht".into()),
            ..FacilityInput::default()
        };
        let register = BTreeMap::from([(7, base)]);
        let errors = a.check(&inventory(), true, &register, day()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "locations.0.capacity",
            "locations.0.services",
            "locations.0.target_groups",
            "locations.0.closed_on",
        ] {
            assert!(fields.contains(&expected), "{expected} in {fields:?}");
        }
    }

    #[test]
    fn a_location_of_another_organisation_is_refused() {
        let a = Answers {
            locations: [(
                "locations".to_string(),
                vec![LocationAnswer {
                    facility_id: Some(99),
                    values: BTreeMap::new(),
                }],
            )]
            .into(),
            ..Answers::default()
        };
        let errors = a
            .check(&inventory(), false, &BTreeMap::new(), day())
            .unwrap_err();
        assert_eq!(errors[0].field, "locations.0._facility");
    }

    #[test]
    fn register_fields_are_checked_as_the_register_checks_them() {
        let location = LocationAnswer {
            facility_id: None,
            values: [
                ("name".to_string(), Value::Text("Nieuw punt".into())),
                ("opening_hours".to_string(), Value::Text("elke dag".into())),
                ("place".to_string(), Value::Text("Nergensdorp".into())),
            ]
            .into(),
        };
        let a = Answers {
            locations: [("locations".to_string(), vec![location])].into(),
            ..Answers::default()
        };
        let errors = a
            .check(&inventory(), false, &BTreeMap::new(), day())
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"locations.0.opening_hours"), "{fields:?}");
        assert!(fields.contains(&"locations.0.place"), "{fields:?}");
    }
}

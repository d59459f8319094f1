//! `/beheer/vragenlijsten` (admins and researchers): the questionnaires;
//! `/beheer/vragenlijsten/{code}`: one as its respondents will see it, in
//! Dutch and in English, with its versions; `…/bewerken`: the editor.
//!
//! The editor works without JavaScript: the whole questionnaire is one
//! form, so every button posts everything typed so far. "Add", "up",
//! "down" and "remove" change the form and show it again without storing
//! anything (a new question is still empty); "save" validates the whole
//! definition through the domain type and stores it as a new version, or
//! shows each error at its field. Field names are the domain's paths
//! (`questions[2].text.en`), so the domain's errors land where they belong.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::Deserialize;

use crate::campaigns::questionnaires::{self, Saved};
use crate::domain::questionnaire::{
    ChoiceOption, Question, QuestionKind, Questionnaire, Texts, MAPS_TO,
};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::error::sentence;
use crate::http::web::pages::{
    parse_query, see_other, urlencode, FieldErrors, Page, PageError, PageResult,
};

fn page_path(code: &str) -> String {
    format!("/beheer/vragenlijsten/{}", urlencode(code))
}

fn kind_label(page: &Page, kind: QuestionKind) -> String {
    page.text(&format!("questionnaire.kind.{}", kind.code()))
}

pub async fn list(page: Page, State(state): State<AppState>) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        let all = questionnaires::list(&state.store, who, &page.caller.actor()).await?;
        let rows: Vec<Value> = all
            .iter()
            .map(|v| {
                context! {
                    code => v.definition.code,
                    title => title(&page, &v.definition.title),
                    version => v.version,
                    changed_by => v.changed_by,
                    changed_at => v.changed_at,
                    questions => v.definition.all_questions().len(),
                }
            })
            .collect();
        Ok(page.render(
            "questionnaires/list.html",
            StatusCode::OK,
            context! { questionnaires => rows },
        ))
    })
    .await
}

fn title(page: &Page, texts: &Texts) -> String {
    match page.lang {
        crate::domain::language::Language::Nl => texts.nl.clone(),
        crate::domain::language::Language::En => texts.en.clone(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    versie: Option<i64>,
    melding: String,
}

pub async fn show(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    page.run(async {
        let query: ShowQuery = parse_query(query.as_deref())?;
        let who = page.caller.principal()?;
        let actor = page.caller.actor();
        let shown = questionnaires::read(&state.store, &code, query.versie, who, &actor)
            .await
            .map_err(not_found)?;
        let history = questionnaires::history(&state.store, &code, who).await?;
        let newest = history.first().map_or(shown.version, |v| v.version);
        let versions: Vec<Value> = history
            .iter()
            .map(|v| {
                context! {
                    version => v.version,
                    changed_by => v.changed_by,
                    changed_at => v.changed_at,
                    shown => v.version == shown.version,
                }
            })
            .collect();
        let kinds: HashMap<&str, String> = QuestionKind::ALL
            .into_iter()
            .map(|k| (k.code(), kind_label(&page, k)))
            .collect();
        let languages = [("nl", "Nederlands"), ("en", "English")];
        Ok(page.render(
            "questionnaires/show.html",
            StatusCode::OK,
            context! {
                q => shown.definition,
                title => title(&page, &shown.definition.title),
                version => shown.version,
                newest,
                versions,
                kinds,
                languages,
                message => page.message(&query.melding),
                edit_url => format!("{}/bewerken", page_path(&code)),
            },
        ))
    })
    .await
}

fn not_found(error: AppError) -> PageError {
    match error {
        AppError::NotFound(_) => PageError::not_found("questionnaire.not_found"),
        other => other.into(),
    }
}

pub async fn edit(page: Page, State(state): State<AppState>, Path(code): Path<String>) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        let current = questionnaires::read(&state.store, &code, None, who, &page.caller.actor())
            .await
            .map_err(not_found)?;
        render_editor(
            &page,
            StatusCode::OK,
            &current.definition,
            current.version,
            &Editor::default(),
        )
    })
    .await
}

/// What the editor shows besides the questionnaire: errors by field, and
/// numbers as typed when they could not be read.
#[derive(Debug, Default)]
struct Editor {
    errors: FieldErrors,
    typed: HashMap<String, String>,
    /// The field to scroll to (a question just added or moved).
    focus: Option<String>,
}

fn question_context(
    page: &Page,
    q: &Question,
    path: &str,
    number: &str,
    editor: &Editor,
    first: bool,
    last: bool,
) -> Value {
    let typed = |field: &str, value: Option<i64>| {
        editor
            .typed
            .get(&format!("{path}.{field}"))
            .cloned()
            .unwrap_or_else(|| value.map(|v| v.to_string()).unwrap_or_default())
    };
    let options: Vec<String> = q
        .options
        .iter()
        .map(|o| format!("{} | {} | {}", o.code, o.label.nl, o.label.en))
        .collect();
    let count = q.questions.len();
    let children: Vec<Value> = q
        .questions
        .iter()
        .enumerate()
        .map(|(i, child)| {
            question_context(
                page,
                child,
                &format!("{path}.questions[{i}]"),
                &format!("{number}.{}", i + 1),
                editor,
                i == 0,
                i + 1 == count,
            )
        })
        .collect();
    context! {
        path,
        number,
        code => q.code,
        kind => q.kind.code(),
        kind_label => kind_label(page, q.kind),
        text => q.text,
        help => q.help,
        required => q.required,
        maps_to => q.maps_to.clone().unwrap_or_default(),
        min => typed("min", q.min),
        max => typed("max", q.max),
        options => editor.typed.get(&format!("{path}.options")).cloned().unwrap_or_else(|| options.join("\n")),
        children,
        first,
        last,
    }
}

fn render_editor(
    page: &Page,
    status: StatusCode,
    q: &Questionnaire,
    based_on: i64,
    editor: &Editor,
) -> PageResult {
    let count = q.questions.len();
    let questions: Vec<Value> = q
        .questions
        .iter()
        .enumerate()
        .map(|(i, question)| {
            question_context(
                page,
                question,
                &format!("questions[{i}]"),
                &(i + 1).to_string(),
                editor,
                i == 0,
                i + 1 == count,
            )
        })
        .collect();
    let kinds: Vec<(String, String)> = QuestionKind::ALL
        .into_iter()
        .map(|k| (k.code().to_string(), kind_label(page, k)))
        .collect();
    let mut maps_to = vec![(String::new(), page.text("questionnaire.field.maps_to_none"))];
    maps_to.extend(MAPS_TO.iter().map(|m| (m.to_string(), m.to_string())));
    let mut places = vec![(String::new(), page.text("questionnaire.editor.add_top"))];
    places.extend(
        q.questions
            .iter()
            .enumerate()
            .filter(|(_, b)| b.kind == QuestionKind::LocationBlock)
            .map(|(i, b)| {
                (
                    format!("questions[{i}]"),
                    page.text_with(
                        "questionnaire.editor.add_in_block",
                        &[("code", b.code.clone())],
                    ),
                )
            }),
    );
    Ok(page.render(
        "questionnaires/edit.html",
        status,
        context! {
            code => q.code,
            q_title => q.title,
            introduction => q.introduction,
            title => title(page, &q.title),
            questions,
            based_on,
            kinds,
            maps_to,
            places,
            errors => editor.errors,
            focus => editor.focus,
            action => format!("{}/bewerken", page_path(&q.code)),
            back => page_path(&q.code),
        },
    ))
}

/// The posted form as a questionnaire, with the errors of what could not
/// be read (numbers, option lines) and those numbers as typed.
fn read_form(page: &Page, code: &str, fields: &[(String, String)]) -> (Questionnaire, Editor) {
    let values: HashMap<&str, &str> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let get = |name: &str| values.get(name).map_or(String::new(), |v| v.to_string());
    let texts = |prefix: &str| Texts {
        nl: get(&format!("{prefix}.nl")),
        en: get(&format!("{prefix}.en")),
    };
    let mut editor = Editor::default();
    let question = |path: &str, editor: &mut Editor| -> Question {
        let kind = QuestionKind::parse(&get(&format!("{path}.kind"))).unwrap_or(QuestionKind::Text);
        let mut number = |field: &str| -> Option<i64> {
            let name = format!("{path}.{field}");
            let text = get(&name);
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            match text.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    editor.typed.insert(name.clone(), text.to_string());
                    editor
                        .errors
                        .insert(name, page.text("questionnaire.error.whole_number"));
                    None
                }
            }
        };
        let (min, max) = if kind == QuestionKind::Number {
            (number("min"), number("max"))
        } else {
            (None, None)
        };
        let options = if kind.has_options() {
            let name = format!("{path}.options");
            let text = get(&name);
            let mut options = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                if let [code, nl, en] = parts[..] {
                    options.push(ChoiceOption {
                        code: code.into(),
                        label: Texts::new(nl, en),
                    });
                } else {
                    editor.typed.insert(name.clone(), text.clone());
                    editor.errors.entry(name.clone()).or_insert_with(|| {
                        page.text_with(
                            "questionnaire.error.option_line",
                            &[("line", (i + 1).to_string())],
                        )
                    });
                }
            }
            options
        } else {
            Vec::new()
        };
        let maps_to = Some(get(&format!("{path}.maps_to"))).filter(|m| !m.trim().is_empty());
        Question {
            code: get(&format!("{path}.code")),
            kind,
            text: texts(&format!("{path}.text")),
            help: texts(&format!("{path}.help")),
            required: values.contains_key(format!("{path}.required").as_str()),
            maps_to,
            min,
            max,
            options,
            questions: Vec::new(),
        }
    };
    let mut questions: Vec<(String, Question)> = Vec::new();
    for (name, _) in fields {
        let Some(path) = name.strip_suffix(".code") else {
            continue;
        };
        if !path.starts_with("questions[") {
            continue;
        }
        let read = question(path, &mut editor);
        match path.rsplit_once(".questions[") {
            Some((parent, _)) => {
                if let Some((_, block)) = questions.iter_mut().rev().find(|(p, _)| p == parent) {
                    block.questions.push(read);
                }
            }
            None => questions.push((path.to_string(), read)),
        }
    }
    let definition = Questionnaire {
        code: code.to_string(),
        title: texts("title"),
        introduction: texts("introduction"),
        questions: questions.into_iter().map(|(_, q)| q).collect(),
    };
    (definition, editor)
}

/// The list a question at `path` stands in, and its place there.
fn locate<'a>(q: &'a mut Questionnaire, path: &str) -> Option<(&'a mut Vec<Question>, usize)> {
    let index = |s: &str| {
        s.strip_prefix("questions[")?
            .strip_suffix(']')?
            .parse::<usize>()
            .ok()
    };
    match path.split_once('.') {
        None => {
            let i = index(path)?;
            (i < q.questions.len()).then_some((&mut q.questions, i))
        }
        Some((top, child)) => {
            let block = q.questions.get_mut(index(top)?)?;
            let j = index(child)?;
            (j < block.questions.len()).then_some((&mut block.questions, j))
        }
    }
}

/// A code no question has yet: `question_N`.
fn free_code(q: &Questionnaire) -> String {
    let taken: HashSet<&str> = q.all_questions().iter().map(|q| q.code.as_str()).collect();
    (q.all_questions().len() + 1..)
        .map(|n| format!("question_{n}"))
        .find(|c| !taken.contains(c.as_str()))
        .expect("a free code")
}

/// Where a form error of the domain shows: at its field when the editor
/// has one, at the question's options or block otherwise.
fn form_field(path: &str) -> String {
    if let Some((question, _)) = path.split_once(".options[") {
        return format!("{question}.options");
    }
    path.to_string()
}

pub async fn save(
    page: Page,
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        let fields: Vec<(String, String)> = page.form(&body)?;
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let based_on: i64 = field("based_on").and_then(|v| v.parse().ok()).unwrap_or(0);
        let action = field("action").unwrap_or_else(|| "save".into());
        let (mut definition, mut editor) = read_form(&page, &code, &fields);
        match action.split_once(':') {
            None if action == "add" => {
                let kind = field("add_kind")
                    .and_then(|k| QuestionKind::parse(&k))
                    .unwrap_or(QuestionKind::YesNo);
                let new = Question::blank(&free_code(&definition), kind);
                let to = field("add_to").unwrap_or_default();
                editor.errors.clear();
                editor.typed.clear();
                if to.is_empty() {
                    definition.questions.push(new);
                    editor.focus = Some(format!("questions[{}]", definition.questions.len() - 1));
                } else if kind == QuestionKind::LocationBlock {
                    editor.errors.insert(
                        "add_kind".into(),
                        page.text("questionnaire.error.block_in_block"),
                    );
                } else if let Some((list, i)) = locate(&mut definition, &to) {
                    let block = &mut list[i];
                    block.questions.push(new);
                    editor.focus = Some(format!("{to}.questions[{}]", block.questions.len() - 1));
                }
                render_editor(&page, StatusCode::OK, &definition, based_on, &editor)
            }
            Some((step @ ("up" | "down" | "remove"), path)) => {
                editor.errors.clear();
                editor.typed.clear();
                if let Some((list, i)) = locate(&mut definition, path) {
                    let parent = path.rsplit_once('[').map_or("", |(p, _)| p).to_string();
                    match step {
                        "up" if i > 0 => {
                            list.swap(i, i - 1);
                            editor.focus = Some(format!("{parent}[{}]", i - 1));
                        }
                        "down" if i + 1 < list.len() => {
                            list.swap(i, i + 1);
                            editor.focus = Some(format!("{parent}[{}]", i + 1));
                        }
                        "remove" => {
                            list.remove(i);
                        }
                        _ => {}
                    }
                }
                render_editor(&page, StatusCode::OK, &definition, based_on, &editor)
            }
            _ if !editor.errors.is_empty() => render_editor(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                &definition,
                based_on,
                &editor,
            ),
            _ => {
                let actor = page.caller.actor();
                match questionnaires::save(
                    &state.store,
                    &code,
                    definition.clone(),
                    Some(based_on),
                    who,
                    &actor,
                )
                .await
                {
                    Ok(Saved::New(_)) => Ok(see_other(&format!(
                        "{}?melding=vragenlijst-opgeslagen",
                        page_path(&code)
                    ))),
                    Ok(Saved::Unchanged(_)) => Ok(see_other(&format!(
                        "{}?melding=vragenlijst-ongewijzigd",
                        page_path(&code)
                    ))),
                    Err(AppError::Invalid(refused)) => {
                        for e in refused {
                            editor
                                .errors
                                .entry(form_field(&e.field))
                                .or_insert_with(|| sentence(&e.text(page.lang)));
                        }
                        render_editor(
                            &page,
                            StatusCode::UNPROCESSABLE_ENTITY,
                            &definition,
                            based_on,
                            &editor,
                        )
                    }
                    Err(AppError::Conflict(conflict)) => {
                        editor
                            .errors
                            .insert("form".into(), sentence(&conflict.reason.text(page.lang)));
                        render_editor(&page, StatusCode::CONFLICT, &definition, based_on, &editor)
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    })
    .await
}

//! `/beheer/campagnes/{name}/overzicht` (admins and researchers): a
//! campaign's dashboard (`campaigns::dashboard`) as a page: tiles with the
//! figures, the response rate day by day as a step chart
//! (`formats::svg_series::step_chart`, the dashboards' chart frame) with
//! the same numbers in a table, who still needs a call with a link to the
//! follow-up form on the campaign page, and the CSV download (the API's,
//! which a signed-in session may read).

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::{context, Value};

use crate::campaigns::dashboard::{dashboard, CampaignDashboard, DayFigures};
use crate::domain::date::today;
use crate::domain::number::written;
use crate::domain::phone::PhoneNumber;
use crate::formats::svg_series::{step_chart, Step, StepTexts};
use crate::http::app::AppState;
use crate::http::error::AppError;
use crate::http::web::pages::{urlencode, Page, PageError};

fn not_found(error: AppError) -> PageError {
    match error {
        AppError::NotFound(_) => PageError::not_found("campaigns.not_found"),
        other => other.into(),
    }
}

/// A percentage as the page's reader writes it (`41,7%`), or `–`.
fn percent(page: &Page, rate: Option<f64>) -> String {
    rate.map(|r| format!("{}%", written(r, 1, page.lang)))
        .unwrap_or_else(|| "–".into())
}

/// The tiles: (key of the name, count), in the order of a campaign.
fn tiles(board: &CampaignDashboard) -> Vec<(&'static str, usize)> {
    let f = &board.figures;
    vec![
        ("recipients", f.recipients),
        ("sent", f.sent),
        ("failed", f.failed),
        ("bounced", f.bounced),
        ("opened", f.opened),
        ("draft", f.draft),
        ("answered", f.answered),
        ("reminded", f.reminded),
        ("called", f.called),
        ("checked_on_website", f.checked_on_website),
    ]
}

/// The days the table lists: the first, every day something changed, and
/// the last (the chart and the JSON have every day).
fn table_days(days: &[DayFigures]) -> Vec<&DayFigures> {
    days.iter()
        .enumerate()
        .filter(|(i, d)| {
            let changed =
                |p: &DayFigures| (p.sent, p.opened, p.answered) != (d.sent, d.opened, d.answered);
            *i == 0 || *i + 1 == days.len() || changed(&days[i - 1])
        })
        .map(|(_, d)| d)
        .collect()
}

pub async fn show(page: Page, State(state): State<AppState>, Path(name): Path<String>) -> Response {
    page.run(async {
        let who = page.caller.principal()?;
        let board = dashboard(&state.store, who, &page.caller.actor(), &name, today())
            .await
            .map_err(not_found)?;
        let base = format!("/beheer/campagnes/{}", urlencode(&board.campaign));
        let tiles: Vec<Value> = tiles(&board)
            .into_iter()
            .map(|(key, count)| {
                context! {
                    key,
                    name => page.text(&format!("campaign_dashboard.figure.{key}")),
                    count,
                }
            })
            .collect();
        let steps: Vec<Step> = board
            .over_time
            .iter()
            .map(|d| Step {
                label: d.day.clone(),
                percent: d.response_rate,
                shown: percent(&page, d.response_rate),
            })
            .collect();
        let svg = step_chart(
            "antwoordpercentage",
            &steps,
            &StepTexts {
                title: page.text_with(
                    "campaign_dashboard.chart.title",
                    &[("name", board.campaign.clone())],
                ),
                unit: page.text("campaign_dashboard.chart.unit"),
            },
        );
        let days: Vec<Value> = table_days(&board.over_time)
            .into_iter()
            .map(|d| {
                context! {
                    day => d.day,
                    sent => d.sent,
                    opened => d.opened,
                    answered => d.answered,
                    rate => percent(&page, d.response_rate),
                }
            })
            .collect();
        let to_call: Vec<Value> = board
            .needs_call
            .iter()
            .map(|n| {
                context! {
                    organisation => n.organisation,
                    email => n.email,
                    phone => n.phone,
                    tel => n.phone.as_deref().and_then(|p| PhoneNumber::parse(p).ok()).and_then(|p| p.dial()),
                    status => page.text(&format!("campaigns.recipient.{}", n.status)),
                    unreachable => n.status == "failed" || n.status == "bounced",
                    invited_at => n.invited_at,
                    reminded_at => n.reminded_at,
                    called_at => n.called_at,
                    last_outcome => n.last_outcome.as_ref().map(|o| page.text(&format!("campaigns.follow_up.outcome.{o}"))),
                    follow_up_url => format!("{base}?organisatie={}#opvolging-nieuw", n.organisation_id),
                }
            })
            .collect();
        Ok(page.render(
            "campaigns/dashboard.html",
            axum::http::StatusCode::OK,
            context! {
                name => board.campaign,
                round => board.round,
                status => page.text(&format!("campaigns.status.{}", board.status.code())),
                closes_on => board.closes_on,
                rate => percent(&page, board.response_rate),
                answered => board.figures.answered,
                sent => board.figures.sent,
                tiles,
                chart => Value::from_safe_string(svg),
                has_days => !board.over_time.is_empty(),
                days,
                needs_call => to_call,
                campaign_url => base,
                csv_url => format!("/api/v1/campaigns/{}/dashboard?format=csv", urlencode(&board.campaign)),
            },
        ))
    })
    .await
}

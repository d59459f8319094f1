//! The import page as staff use it: the column list and the template come
//! from the importer's own columns and import back; the check lists, by
//! row and name, what it would add, change and reject.

use axum::http::{header, StatusCode};

use crate::browser::{csrf_token, signed_in};
use crate::common::*;
use vangnet::domain::language::Language;
use vangnet::domain::text::text;
use vangnet::formats::columns::COLUMNS;

/// A template's header with one row of the page's examples (the `id`
/// example names a facility that is not there, so it stays empty).
fn filled_in(template: &str, language: Language) -> String {
    let header = template.lines().next().unwrap();
    let row: Vec<String> = COLUMNS
        .iter()
        .map(|(_, name, _)| match *name {
            "id" => String::new(),
            name => {
                let example = text(language, &format!("register.import.example.{name}"), &[]);
                format!("\"{}\"", example.replace('"', "\"\""))
            }
        })
        .collect();
    format!("{header}\n{}\n", row.join(","))
}

#[tokio::test]
async fn the_template_in_either_language_filled_with_the_page_examples_imports() {
    let app = TestApp::new().await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    for language in Language::ALL {
        if language == Language::En {
            let switch = researcher.get("/taal?lang=en&terug=/beheer/import").await;
            assert_eq!(switch.status, StatusCode::SEE_OTHER);
        }
        let page = researcher.get("/beheer/import").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        let csv = researcher.get("/beheer/import/sjabloon.csv").await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        assert!(csv.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment"));
        let template = csv.text();
        assert_eq!(template.lines().count(), 1, "the header only: {template}");
        let (name_header, holds) = match language {
            Language::Nl => ("naam", "De naam van de voorziening."),
            Language::En => ("name", "The facility&#39;s name."),
        };
        assert!(
            template.starts_with(&format!("id,{name_header},")),
            "{template}"
        );
        // The page lists every column of the template, in the same language.
        for header in template.trim().split(',') {
            assert!(
                html.contains(&format!("<code>{header}</code>")),
                "{header} is not listed"
            );
        }
        assert!(html.contains(holds), "{html}");

        let filled = filled_in(&template, language);
        let report = import_bytes(&app.store, "sjabloon.csv", filled.as_bytes(), true).await;
        assert!(report.is_ok(), "{:?}: {filled}\n{report}", language);
        assert_eq!(report.created, 1);

        let xlsx = researcher.get("/beheer/import/sjabloon.xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert_eq!(
            xlsx.headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let report = import_bytes(&app.store, "sjabloon.xlsx", &xlsx.bytes, true).await;
        assert!(
            report.is_ok(),
            "the empty XLSX template checks clean: {report}"
        );
        assert_eq!(report.rows, 0);
    }
}

#[tokio::test]
async fn the_check_lists_each_row_it_would_add_change_and_reject_by_name() {
    let app = TestApp::new().await;
    let first = app
        .import(
            "eerst.csv",
            "naam;organisatie;voorzieningen;plaats;openingstijden\n\
             Demo Bestaand;Demo Zorg;spuitomruil;Utrecht;Mo-Fr 09:00-12:00\n",
        )
        .await;
    assert!(first.is_ok(), "{first}");
    let existing = app.facility_id("Demo Bestaand").await;
    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let token = csrf_token(&researcher.get("/beheer/import").await);
    let csv = "naam;organisatie;voorzieningen;plaats;openingstijden\n\
               Demo Nieuw;Demo Zorg;spuitomruil;Utrecht;\n\
               Demo Bestaand;Demo Zorg;spuitomruil;Utrecht;Mo-Fr 09:00-17:00\n\
               Demo Fout;Demo Zorg;spuitomruil;Nergenshuizen;\n";
    let checked = researcher
        .upload("/beheer/import", Some(&token), "drie.csv", csv.as_bytes())
        .await;
    assert_eq!(checked.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = checked.text();
    let section = |id: &str| {
        let start = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no {id}: {html}"));
        html[start..start + html[start..].find("</table>").unwrap()].to_string()
    };
    let added = section("rijen-toegevoegd");
    assert!(
        added.contains(">2</td><td class=\"utrecht-table__cell\">Demo Nieuw<"),
        "{added}"
    );
    assert!(
        !added.contains("Demo Bestaand") && !added.contains("Demo Fout"),
        "{added}"
    );
    let changed = section("rijen-bijgewerkt");
    assert!(
        changed.contains(&format!(
            "href=\"/beheer/voorzieningen/{existing}\">Demo Bestaand</a>"
        )),
        "{changed}"
    );
    assert!(
        changed.contains("Openingstijden"),
        "what changes: {changed}"
    );
    let rejected = section("rijen-afgewezen");
    assert!(rejected.contains("Afgewezen rijen (1)"), "{rejected}");
    assert!(
        rejected.contains("Demo Fout") && rejected.contains("Nergenshuizen"),
        "{rejected}"
    );
    assert!(
        app.facilities("q=Demo%20Nieuw").await.is_empty(),
        "nothing written"
    );
}

#[tokio::test]
async fn a_check_of_a_large_file_lists_the_first_100_rows_and_counts_the_rest() {
    let app = TestApp::new().await;
    let mut csv = String::from("naam;organisatie;voorzieningen;plaats\n");
    for i in 1..=130 {
        csv.push_str(&format!("Demo Rij {i};Demo Zorg;spuitomruil;Utrecht\n"));
    }
    let report = import_bytes(&app.store, "veel.csv", csv.as_bytes(), true).await;
    assert_eq!((report.created, report.added.len()), (130, 100));
    assert_eq!(report.added[99].name, "Demo Rij 100");

    let mut researcher = signed_in(&app, "onderzoek@example.org", "researcher", None).await;
    let token = csrf_token(&researcher.get("/beheer/import").await);
    let checked = researcher
        .upload("/beheer/import", Some(&token), "veel.csv", csv.as_bytes())
        .await;
    assert_eq!(checked.status, StatusCode::OK);
    let html = checked.text();
    assert!(html.contains("Zouden worden toegevoegd (130)"), "{html}");
    assert!(html.contains("Demo Rij 100<") && !html.contains("Demo Rij 101<"));
    assert!(html.contains("en nog 30 rijen"), "{html}");
}

//! The one catalogue of texts: every text people read (pages, reports,
//! charts, spreadsheet headers, mails, error reasons) by key, in Dutch and
//! English, from `i18n/<language>/*.json` (flat objects of keys, one file
//! per area), compiled into the binary. A key stands in one file and in
//! both languages; the tests hold every key used in templates and in Rust
//! to both catalogues.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::language::Language;

/// Keys and their texts in one language.
pub type Catalogue = BTreeMap<String, String>;

/// The translation files of one language: one per area of the site, so
/// that areas can grow independently. A key may stand in one file only.
type Files = &'static [(&'static str, &'static str)];

const NL_FILES: Files = &[
    ("common", include_str!("../../i18n/nl/common.json")),
    ("answers", include_str!("../../i18n/nl/answers.json")),
    (
        "campaign_dashboard",
        include_str!("../../i18n/nl/campaign_dashboard.json"),
    ),
    ("campaigns", include_str!("../../i18n/nl/campaigns.json")),
    ("contacts", include_str!("../../i18n/nl/contacts.json")),
    ("dashboards", include_str!("../../i18n/nl/dashboards.json")),
    (
        "dashboards_pages",
        include_str!("../../i18n/nl/dashboards_pages.json"),
    ),
    ("desk", include_str!("../../i18n/nl/desk.json")),
    ("errors", include_str!("../../i18n/nl/errors.json")),
    ("finder", include_str!("../../i18n/nl/finder.json")),
    ("hsds", include_str!("../../i18n/nl/hsds.json")),
    ("map", include_str!("../../i18n/nl/map.json")),
    ("monitoring", include_str!("../../i18n/nl/monitoring.json")),
    ("periods", include_str!("../../i18n/nl/periods.json")),
    (
        "questionnaires",
        include_str!("../../i18n/nl/questionnaires.json"),
    ),
    ("report", include_str!("../../i18n/nl/report.json")),
    ("register", include_str!("../../i18n/nl/register.json")),
    ("rounds", include_str!("../../i18n/nl/rounds.json")),
    ("stats", include_str!("../../i18n/nl/stats.json")),
];
const EN_FILES: Files = &[
    ("common", include_str!("../../i18n/en/common.json")),
    ("answers", include_str!("../../i18n/en/answers.json")),
    (
        "campaign_dashboard",
        include_str!("../../i18n/en/campaign_dashboard.json"),
    ),
    ("campaigns", include_str!("../../i18n/en/campaigns.json")),
    ("contacts", include_str!("../../i18n/en/contacts.json")),
    ("dashboards", include_str!("../../i18n/en/dashboards.json")),
    (
        "dashboards_pages",
        include_str!("../../i18n/en/dashboards_pages.json"),
    ),
    ("desk", include_str!("../../i18n/en/desk.json")),
    ("errors", include_str!("../../i18n/en/errors.json")),
    ("finder", include_str!("../../i18n/en/finder.json")),
    ("hsds", include_str!("../../i18n/en/hsds.json")),
    ("map", include_str!("../../i18n/en/map.json")),
    ("monitoring", include_str!("../../i18n/en/monitoring.json")),
    ("periods", include_str!("../../i18n/en/periods.json")),
    (
        "questionnaires",
        include_str!("../../i18n/en/questionnaires.json"),
    ),
    ("report", include_str!("../../i18n/en/report.json")),
    ("register", include_str!("../../i18n/en/register.json")),
    ("rounds", include_str!("../../i18n/en/rounds.json")),
    ("stats", include_str!("../../i18n/en/stats.json")),
];

fn load(lang: &str, files: Files) -> Catalogue {
    // Embedded at compile time and checked by the tests below.
    let mut all = Catalogue::new();
    for (name, text) in files {
        let texts: Catalogue = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("i18n/{lang}/{name}.json is not an object of texts: {e}"));
        for (key, value) in texts {
            if all.insert(key.clone(), value).is_some() {
                panic!("i18n/{lang}: the key '{key}' stands in two files");
            }
        }
    }
    all
}

static NL: LazyLock<Catalogue> = LazyLock::new(|| load("nl", NL_FILES));
static EN: LazyLock<Catalogue> = LazyLock::new(|| load("en", EN_FILES));

/// Every text of a language, by key.
pub fn catalogue(lang: Language) -> &'static Catalogue {
    match lang {
        Language::Nl => &NL,
        Language::En => &EN,
    }
}

/// Fills `{name}` placeholders.
pub fn fill(text: &str, args: &[(&str, String)]) -> String {
    args.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// The text for a count of `n`: the key's `.one` form for 1, `.other`
/// otherwise, with `{n}` and the other placeholders filled in.
pub fn text_count(lang: Language, key: &str, n: i64, args: &[(&str, String)]) -> String {
    let form = if n == 1 { "one" } else { "other" };
    let mut all = vec![("n", n.to_string())];
    all.extend(args.iter().cloned());
    text(lang, &format!("{key}.{form}"), &all)
}

/// The text for a key, with `{name}` placeholders filled in. A missing key
/// is a bug: it fails debug builds (and so the tests) and shows the key otherwise.
pub fn text(lang: Language, key: &str, args: &[(&str, String)]) -> String {
    match catalogue(lang).get(key) {
        Some(text) => fill(text, args),
        None => {
            debug_assert!(false, "no text for '{key}' in i18n/{}.json", lang.code());
            tracing::error!(key, lang = lang.code(), "missing translation");
            key.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_no_empty_texts() {
        let nl: Vec<&String> = NL.keys().collect();
        let en: Vec<&String> = EN.keys().collect();
        let only_nl: Vec<_> = nl.iter().filter(|k| !EN.contains_key(k.as_str())).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !NL.contains_key(k.as_str())).collect();
        assert!(
            only_nl.is_empty() && only_en.is_empty(),
            "only in nl: {only_nl:?}; only in en: {only_en:?}"
        );
        for lang in Language::ALL {
            for (key, text) in catalogue(lang) {
                assert!(!text.trim().is_empty(), "{key} is empty in {}", lang.code());
            }
        }
    }

    /// A value filled into one language's text is filled into the other's:
    /// a Dutch error must name the row and the value the English one names.
    #[test]
    fn both_languages_fill_in_the_same_values() {
        fn placeholders(text: &str) -> std::collections::BTreeSet<&str> {
            text.split('{')
                .skip(1)
                .filter_map(|piece| piece.split_once('}').map(|(name, _)| name))
                .filter(|name| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
                .collect()
        }
        let mut differ = Vec::new();
        for (key, nl) in NL.iter() {
            let Some(en) = EN.get(key) else { continue };
            if placeholders(nl) != placeholders(en) {
                differ.push(format!(
                    "{key}: nl {:?}, en {:?}",
                    placeholders(nl),
                    placeholders(en)
                ));
            }
        }
        assert!(differ.is_empty(), "{}", differ.join("\n"));
    }

    /// Every key Rust code asks for by name (`page.text("…")`,
    /// `.text_with("…"`, `text(lang, "…"`) is in both catalogues; keys built at run time
    /// (`format!("register.service.{code}")`) are checked where they are
    /// built.
    #[test]
    fn every_text_rust_asks_for_exists_in_both_languages() {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push((
                        path.display().to_string(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut asked = 0;
        for (path, source) in &files {
            if path.ends_with("domain/text.rs") {
                continue;
            }
            for opening in [
                "page.text(\"",
                "page.text_with(\"",
                "text(self.lang, \"",
                "text(lang, \"",
                "text(page.lang, \"",
                "Reason::of(\"",
                "FileError::of(\"",
            ] {
                for piece in source.split(opening).skip(1) {
                    let Some((key, _)) = piece.split_once('"') else {
                        continue;
                    };
                    if key.is_empty() || key.contains(['{', ' ', '…']) {
                        continue;
                    }
                    asked += 1;
                    for lang in Language::ALL {
                        assert!(
                            catalogue(lang).contains_key(key),
                            "{path} asks for '{key}', which i18n/{}/*.json lacks",
                            lang.code()
                        );
                    }
                }
            }
        }
        assert!(asked > 50, "found {asked} keys asked for in Rust");
    }
}

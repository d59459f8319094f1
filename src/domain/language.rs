//! The languages vangnet speaks: Dutch first (the register is Dutch and
//! its inventory is published in Dutch), English one click away. One type
//! for pages, reports, charts, spreadsheets and mails.

/// A language of the catalogue (`i18n/<code>/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Language {
    #[default]
    Nl,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Nl, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    /// The language a language switch offers.
    pub fn other(self) -> Language {
        match self {
            Language::Nl => Language::En,
            Language::En => Language::Nl,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_dutch_comes_first() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.code()), Some(language));
        }
        assert_eq!(Language::default(), Language::Nl);
        assert_eq!(Language::Nl.other(), Language::En);
        assert_eq!(Language::parse("de"), None);
    }
}

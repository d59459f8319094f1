//! Hours as people type them: Dutch day names (`ma-vr`, `zaterdag`), Dutch
//! states (`gesloten`, `dicht`), `t/m`, and short times (`9-17`, `9.30`)
//! become OpenStreetMap text (`Mo-Fr 09:00-17:00`) before the parser sees
//! them, so that every entry point (form, API, import, CLI) accepts them
//! through [`super::OpeningHoursText::parse`] and stores the canonical form.
//!
//! Written by hand, not with a grammar: it only swaps words and pads times,
//! and leaves anything it does not know (months, `week`, comments in
//! quotes) exactly as typed for the real parser to judge.

/// Dutch words and the OpenStreetMap text they stand for.
const WORDS: &[(&str, &str)] = &[
    ("ma", "Mo"),
    ("maandag", "Mo"),
    ("di", "Tu"),
    ("dinsdag", "Tu"),
    ("wo", "We"),
    ("woensdag", "We"),
    ("do", "Th"),
    ("donderdag", "Th"),
    ("vr", "Fr"),
    ("vrijdag", "Fr"),
    ("za", "Sa"),
    ("zaterdag", "Sa"),
    ("zo", "Su"),
    ("zondag", "Su"),
    ("feestdag", "PH"),
    ("feestdagen", "PH"),
    ("gesloten", "off"),
    ("dicht", "off"),
    ("t/m", "-"),
    ("tot", "-"),
    ("en", ","),
];

/// Where a bare number is an hour: right after a day selector, at the
/// start of a rule, or after another time in a list or range.
const DAY_CODES: &[&str] = &["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su", "PH", "SH"];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Number(String),
    Comment(String),
    Space,
    Other(char),
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut comment = String::from('"');
            for c in chars.by_ref() {
                comment.push(c);
                if c == '"' {
                    break;
                }
            }
            out.push(Token::Comment(comment));
        } else if c.is_alphabetic() {
            let mut word = String::from(c);
            while let Some(&n) = chars.peek() {
                // `t/m` is one word.
                let slash = n == '/' && word.eq_ignore_ascii_case("t");
                if !(n.is_alphabetic() || slash) {
                    break;
                }
                word.push(n);
                chars.next();
            }
            out.push(Token::Word(word));
        } else if c.is_ascii_digit() {
            let mut number = String::from(c);
            while let Some(&n) = chars.peek() {
                if !(n.is_ascii_digit() || n == ':' || n == '.') {
                    break;
                }
                number.push(n);
                chars.next();
            }
            out.push(Token::Number(number));
        } else if c.is_whitespace() {
            if out.last() != Some(&Token::Space) {
                out.push(Token::Space);
            }
        } else {
            out.push(Token::Other(c));
        }
    }
    out
}

/// `9` → `09:00`, `9.30` → `09:30`, `9:30` → `09:30`; `None` when it is
/// not an hour of an extended day (up to 48:00).
fn clock(number: &str) -> Option<String> {
    let (h, m) = match number.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None => (number, "00"),
    };
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 48 || (h == 48 && m == 0))).then(|| format!("{h:02}:{m:02}"))
}

/// The text with Dutch words and short times in OpenStreetMap form.
pub(super) fn to_osm(text: &str) -> String {
    let mut out: Vec<Token> = Vec::new();
    // Whether the last significant token was a time (so `-`/`,` continue it).
    let mut after_time = false;
    let all = tokens(text);
    for (i, token) in all.iter().cloned().enumerate() {
        // A bare number is an hour only where a range or list goes on
        // (`9-17`) or ends (`-17`), not in `24/7` or a date.
        let next = all[i + 1..].iter().find(|t| **t != Token::Space);
        let continues = match next {
            Some(Token::Other('-' | ',')) => true,
            Some(Token::Word(w)) => ["t/m", "tot", "en"].contains(&w.to_lowercase().as_str()),
            _ => false,
        };
        let token = match token {
            Token::Word(word) => {
                let lower = word.to_lowercase();
                match WORDS.iter().find(|(dutch, _)| *dutch == lower) {
                    Some((_, "-")) => Token::Other('-'),
                    Some((_, ",")) => Token::Other(','),
                    Some((_, osm)) => Token::Word(osm.to_string()),
                    None => Token::Word(word),
                }
            }
            other => other,
        };
        let previous = out.iter().rev().find(|t| **t != Token::Space);
        let time_context = match previous {
            None => true,
            Some(Token::Word(w)) => DAY_CODES.contains(&w.as_str()),
            Some(Token::Other(';' | '|')) => true,
            Some(Token::Other('-' | ',')) => after_time,
            _ => false,
        };
        let token = match token {
            Token::Number(n)
                if time_context && (continues || after_time || n.contains([':', '.'])) =>
            {
                match clock(&n) {
                    Some(time) => {
                        out.push(Token::Number(time));
                        after_time = true;
                        continue;
                    }
                    None => Token::Number(n),
                }
            }
            other => other,
        };
        if !matches!(token, Token::Space | Token::Other('-' | ',')) {
            after_time = false;
        }
        // `ma - vr`, `9 - 17`: no spaces around a range's dash.
        if token == Token::Other('-') && out.last() == Some(&Token::Space) {
            out.pop();
        }
        if token == Token::Space && out.last() == Some(&Token::Other('-')) {
            continue;
        }
        out.push(token);
    }
    join_lists(&mut out);
    out.iter()
        .map(|t| match t {
            Token::Word(w) | Token::Number(w) | Token::Comment(w) => w.clone(),
            Token::Space => " ".to_string(),
            Token::Other(c) => c.to_string(),
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Drops the spaces around a comma inside a list of days (`Mo, We`) or
/// times (`09:00-12:00, 13:00-17:00`): in OpenStreetMap text `, ` between
/// two rules adds a rule for every day, which is not what was meant.
fn join_lists(tokens: &mut Vec<Token>) {
    let is_day =
        |t: Option<&Token>| matches!(t, Some(Token::Word(w)) if DAY_CODES.contains(&w.as_str()));
    let is_time = |t: Option<&Token>| matches!(t, Some(Token::Number(n)) if n.len() == 5 && n.as_bytes()[2] == b':');
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == Token::Other(',') {
            let before = tokens[..i].iter().rev().find(|t| **t != Token::Space);
            let after = tokens[i + 1..].iter().find(|t| **t != Token::Space);
            let list = (is_day(before) && is_day(after)) || (is_time(before) && is_time(after));
            if list {
                while tokens.get(i + 1) == Some(&Token::Space) {
                    tokens.remove(i + 1);
                }
                while i > 0 && tokens[i - 1] == Token::Space {
                    tokens.remove(i - 1);
                    i -= 1;
                }
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::to_osm;

    #[test]
    fn dutch_days_and_short_times_become_openstreetmap_text() {
        let cases = [
            ("ma-vr 9-17", "Mo-Fr 09:00-17:00"),
            ("za 10:00-14:00", "Sa 10:00-14:00"),
            ("zo gesloten", "Su off"),
            ("zo dicht", "Su off"),
            ("Maandag t/m Vrijdag 9.30-17", "Mo-Fr 09:30-17:00"),
            ("ma - vr 9 - 12, 13 - 17", "Mo-Fr 09:00-12:00,13:00-17:00"),
            (
                "ma en wo 9-12; feestdagen gesloten",
                "Mo,We 09:00-12:00; PH off",
            ),
            ("vr 22-2", "Fr 22:00-02:00"),
            ("9-17", "09:00-17:00"),
        ];
        for (typed, osm) in cases {
            assert_eq!(to_osm(typed), osm, "{typed}");
        }
    }

    #[test]
    fn openstreetmap_text_dates_and_comments_are_left_alone() {
        for text in [
            "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
            "2026 Dec 24 off",
            "2026 Dec 24-2027 Jan 02 off",
            "week 1-10 Mo 10:00-12:00",
            "Mo-Fr 09:00-17:00 \"ma en di tot 9 dicht\"",
            "Su[1] 10:00-12:00",
            "24/7",
        ] {
            assert_eq!(to_osm(text), text);
        }
    }
}

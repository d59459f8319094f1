//! Text in XML and HTML output (SVG charts and maps, Table 1 and report
//! HTML) and in Markdown tables (Table 1, the change list, the spread),
//! written by hand where no template renders it.

/// The formatter of every HTML template (pages and the round report):
/// values are escaped with [`escape`], the five characters that matter in
/// text and in quoted attributes (minijinja's default also escapes `/`,
/// which makes every link unreadable in the page source); safe values
/// (finished markup) are written as they are.
pub fn html_formatter(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if state.auto_escape() != minijinja::AutoEscape::Html
        || value.is_safe()
        || value.is_none()
        || value.is_undefined()
    {
        return minijinja::escape_formatter(out, state, value);
    }
    out.write_str(&escape(&value.to_string()))?;
    Ok(())
}

/// Escapes text for XML or HTML content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Markdown table cell, shown as typed: what Markdown renders as
/// HTML becomes an entity (`<`, `>`, `&`), its markup characters are
/// escaped with a backslash (`\`, `|` which would end the cell, `` ` ``,
/// `*`, `_`, `[`, `]`, `~`), and line breaks, which would end the row,
/// become spaces. Notes and sources are typed by people; a rendered report
/// must not run or format what they typed.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal: `12`, `12.5`.
pub fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_coordinates_keep_one_decimal() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.46), "12.5");
        assert_eq!(number(-0.04), "0");
    }

    #[test]
    fn markdown_cells_show_html_and_markup_as_typed_text() {
        assert_eq!(
            markdown("<script>alert(1)</script> | *x*"),
            "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\*"
        );
        assert_eq!(
            markdown("[a](http://x) _b_ `c` ~d~ \\ &amp;"),
            "\\[a\\](http://x) \\_b\\_ \\`c\\` \\~d\\~ \\\\ &amp;amp;"
        );
        assert_eq!(markdown("twee\r\nregels\nen\rdrie"), "twee regels en drie");
        assert_eq!(markdown("≥29 (Trimbos 2026)"), "≥29 (Trimbos 2026)");
    }
}

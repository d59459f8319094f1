//! Where text goes in the figures drawn on the server (`chart`), so that no
//! two labels overlap. The server cannot measure text, so a label's box is
//! estimated from its length: 0.7 of the font size per character is wider
//! than the digits of the usual sans-serif faces (DejaVu Sans 0.64, Arial
//! 0.56, bold a little more), so an estimate errs on the side of room.
//! A layout library would be overkill for a handful of labels on one axis.

/// Share of the font size one character is taken to need.
const CHAR_WIDTH: f64 = 0.7;
/// Space kept between two labels, in drawing units.
pub const GAP: f64 = 6.0;

/// How a text is anchored at its x (SVG `text-anchor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn attribute(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// The estimated box of a text, in drawing units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextBox {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl TextBox {
    /// The box of `text` drawn at `x` and `baseline` in `font_size`.
    pub fn of(text: &str, x: f64, baseline: f64, font_size: f64, anchor: Anchor) -> TextBox {
        let width = text_width(text, font_size);
        let left = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - width / 2.0,
            Anchor::End => x - width,
        };
        TextBox {
            left,
            // Ascenders reach about 0.8 of the size above the baseline,
            // descenders 0.25 below.
            top: baseline - font_size * 0.8,
            right: left + width,
            bottom: baseline + font_size * 0.25,
        }
    }

    /// Whether the two boxes come closer than [`GAP`].
    pub fn collides(&self, other: &TextBox) -> bool {
        self.left < other.right + GAP
            && other.left < self.right + GAP
            && self.top < other.bottom
            && other.top < self.bottom
    }
}

/// The estimated width of `text` in `font_size`.
pub fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH * font_size
}

/// Which labels along an axis to print, left to right: the first and the
/// last always, and between them every label that keeps its distance from
/// the one printed before it (so every 2nd or 5th where they crowd).
pub fn thin_out(boxes: &[TextBox]) -> Vec<bool> {
    let mut keep = vec![false; boxes.len()];
    let mut last: Option<usize> = None;
    for (i, b) in boxes.iter().enumerate() {
        if last.is_none_or(|l| !boxes[l].collides(b)) {
            keep[i] = true;
            last = Some(i);
        }
    }
    // The last label wins over the ones before it that it would touch,
    // except the first.
    if let Some(end) = boxes.len().checked_sub(1).filter(|&e| e > 0 && !keep[e]) {
        if !boxes[0].collides(&boxes[end]) {
            for i in (1..end).rev() {
                if keep[i] && boxes[i].collides(&boxes[end]) {
                    keep[i] = false;
                }
            }
            keep[end] = true;
        }
    }
    keep
}

/// Splits `items` into lines no wider than `width` in `font_size`, joined
/// by `separator`.
pub fn wrap(items: &[&str], separator: &str, width: f64, font_size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line}{separator}{item}"), font_size) <= width => {
                line.push_str(separator);
                line.push_str(item);
            }
            _ => lines.push(item.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(x: f64) -> TextBox {
        TextBox::of("2013", x, 100.0, 14.0, Anchor::Middle)
    }

    #[test]
    fn crowded_axis_labels_are_thinned_keeping_the_first_and_the_last() {
        // One year apart at 11.5 units a year: "2013" needs about 39.
        let xs: Vec<f64> = (0..10).map(|i| i as f64 * 11.5).collect();
        let boxes: Vec<TextBox> = xs.iter().map(|x| year(*x)).collect();
        let keep = thin_out(&boxes);
        assert!(keep[0] && keep[9]);
        let kept: Vec<&TextBox> = boxes
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(b, _)| b)
            .collect();
        assert!(kept.len() >= 2 && kept.len() < 10);
        for pair in kept.windows(2) {
            assert!(!pair[0].collides(pair[1]), "{pair:?}");
        }
        // Far apart, all stay.
        let wide: Vec<TextBox> = (0..4).map(|i| year(i as f64 * 60.0)).collect();
        assert_eq!(thin_out(&wide), vec![true; 4]);
        assert_eq!(thin_out(&[]), Vec::<bool>::new());
    }

    #[test]
    fn boxes_follow_the_anchor_and_lines_wrap_between_items() {
        let b = TextBox::of("ab", 10.0, 20.0, 10.0, Anchor::End);
        assert_eq!((b.left, b.right), (-4.0, 10.0));
        assert!(!b.collides(&TextBox::of("ab", 10.0, 40.0, 10.0, Anchor::End)));
        assert_eq!(
            wrap(&["aaaa", "bb", "cc"], " · ", 60.0, 10.0),
            vec!["aaaa", "bb · cc"]
        );
    }
}

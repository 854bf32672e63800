//! Writes a placed graph as SVG that is valid standalone XML and also embeds inline in
//! HTML5: a title and description for assistive technology, a scoped `<style>` whose colours
//! are CSS custom properties with fallbacks (light, dark and print), edges under nodes, and
//! every node a focusable `<a href>` with its full label as a tooltip. It owns escaping
//! (labels and URLs are user data) and number formatting (one decimal, so bytes are stable);
//! it decides nothing about which nodes are shown or where they go.

use super::NodeKind;
use super::layout::{self, NodeSize, Point};
use crate::markdown::render::push_decimal;
use std::fmt::Write;

/// Font size of node labels, in px; the layout reserves room for labels at this size.
pub(super) const LABEL_FONT_PX: f64 = 12.0;
/// Longer labels are cut with an ellipsis on the drawing (the tooltip keeps them whole).
const MAX_LABEL_CHARS: usize = 32;
/// Height of the colour key above the drawing.
const LEGEND_HEIGHT: f64 = 24.0;
const LEGEND_WIDTH: f64 = 250.0;

pub(super) struct SvgNode<'a> {
    pub label: &'a str,
    pub display_label: &'a str,
    pub kind: NodeKind,
    pub href: &'a str,
    pub position: Point,
    pub radius: f64,
    pub is_center: bool,
}

pub(super) struct SvgEdge<'a> {
    pub from: Point,
    pub to: Point,
    pub title: &'a str,
    pub touches_center: bool,
}

pub(super) struct SvgDocument<'a> {
    pub id_prefix: String,
    pub title: &'a str,
    pub description: &'a str,
    pub width: f64,
    pub height: f64,
    pub nodes: &'a [SvgNode<'a>],
    pub edges: &'a [SvgEdge<'a>],
}

/// The colours, scoped to `.casefile-graph` because an inline `<style>` applies to the whole
/// HTML page. A theme recolours the graph by setting `--graph-person`, `--graph-company`,
/// `--graph-event`, `--graph-edge`, `--graph-text`, `--graph-background`, `--graph-focus`;
/// the fallbacks (Okabe–Ito hues, darkened for contrast on white) keep it readable standalone.
/// Each colour is declared twice, plain and then through `var()`, so renderers without custom
/// properties (librsvg before 2.57, some image viewers) keep the plain one instead of black.
const STYLE: &str = "\
.casefile-graph{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;font-size:12px}
.casefile-graph .graph-background{fill:#fff;fill:var(--graph-background,#fff)}
.casefile-graph .edge{stroke:#7c8594;stroke:var(--graph-edge,#7c8594);stroke-opacity:.5;stroke-width:1}
.casefile-graph .edge-center{stroke-opacity:.85;stroke-width:1.5}
.casefile-graph circle{stroke:#fff;stroke:var(--graph-background,#fff);stroke-width:1.5}
.casefile-graph .node-person circle{fill:#0b6fb0;fill:var(--graph-person,#0b6fb0)}
.casefile-graph .node-company circle{fill:#b86e00;fill:var(--graph-company,#b86e00)}
.casefile-graph .node-event circle{fill:#b0478f;fill:var(--graph-event,#b0478f)}
.casefile-graph text{fill:#1f2937;fill:var(--graph-text,#1f2937);text-anchor:middle;paint-order:stroke;stroke:#fff;stroke:var(--graph-background,#fff);stroke-width:3px;stroke-linejoin:round}
.casefile-graph .graph-legend text{text-anchor:start}
.casefile-graph .node-center circle{stroke:#1f2937;stroke:var(--graph-text,#1f2937);stroke-width:2.5}
.casefile-graph .node-center text{font-weight:700}
.casefile-graph a:hover circle,.casefile-graph a:focus circle{stroke:#d4380d;stroke:var(--graph-focus,#d4380d);stroke-width:4}
.casefile-graph a:hover text,.casefile-graph a:focus text{font-weight:700;text-decoration:underline}
@media (prefers-color-scheme:dark){
.casefile-graph .graph-background{fill:#111827;fill:var(--graph-background,#111827)}
.casefile-graph .edge{stroke:#94a3b8;stroke:var(--graph-edge,#94a3b8)}
.casefile-graph circle{stroke:#111827;stroke:var(--graph-background,#111827)}
.casefile-graph .node-person circle{fill:#56b4e9;fill:var(--graph-person,#56b4e9)}
.casefile-graph .node-company circle{fill:#e69f00;fill:var(--graph-company,#e69f00)}
.casefile-graph .node-event circle{fill:#e58fc4;fill:var(--graph-event,#e58fc4)}
.casefile-graph text{fill:#e5e7eb;fill:var(--graph-text,#e5e7eb);stroke:#111827;stroke:var(--graph-background,#111827)}
.casefile-graph .node-center circle{stroke:#e5e7eb;stroke:var(--graph-text,#e5e7eb)}
.casefile-graph a:hover circle,.casefile-graph a:focus circle{stroke:#ffb86b;stroke:var(--graph-focus,#ffb86b)}
}
@media print{
.casefile-graph .graph-background{fill:#fff}
.casefile-graph .edge{stroke:#555;stroke-opacity:.6}
.casefile-graph circle{stroke:#fff}
.casefile-graph .node-person circle{fill:#0b5a8f}
.casefile-graph .node-company circle{fill:#8f5500}
.casefile-graph .node-event circle{fill:#8f3273}
.casefile-graph text{fill:#000;stroke:#fff}
}
";

pub(super) fn write_svg(doc: &SvgDocument) -> String {
    let width = doc.width.max(LEGEND_WIDTH);
    let height = doc.height + LEGEND_HEIGHT;
    let offset = Point {
        x: (width - doc.width) / 2.0,
        y: LEGEND_HEIGHT,
    };
    let at = |p: Point| Point {
        x: p.x + offset.x,
        y: p.y + offset.y,
    };
    let prefix = &doc.id_prefix;
    // Every entity page draws one of these: the pieces are pushed straight into one buffer
    // (no `format!` or escaped copy per attribute), which halved the cost of writing them.
    let mut out =
        String::with_capacity(STYLE.len() + 1024 + doc.nodes.len() * 400 + doc.edges.len() * 160);
    let pushed_number = |value: f64| {
        let mut text = String::with_capacity(8);
        push_number(&mut text, value);
        text
    };
    let (w, h) = (pushed_number(width), pushed_number(height));
    for piece in [
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"casefile-graph\" id=\"",
        prefix,
        "\" viewBox=\"0 0 ",
        &w,
        " ",
        &h,
        "\" width=\"",
        &w,
        "\" height=\"",
        &h,
        "\" role=\"group\" aria-labelledby=\"",
        prefix,
        "-title\" aria-describedby=\"",
        prefix,
        "-desc\">\n<title id=\"",
        prefix,
        "-title\">",
    ] {
        out.push_str(piece);
    }
    push_escaped(&mut out, doc.title);
    for piece in ["</title>\n<desc id=\"", prefix, "-desc\">"] {
        out.push_str(piece);
    }
    push_escaped(&mut out, doc.description);
    for piece in [
        "</desc>\n<style>\n",
        STYLE,
        "</style>\n<rect class=\"graph-background\" width=\"",
        &w,
        "\" height=\"",
        &h,
        "\"/>\n",
    ] {
        out.push_str(piece);
    }
    out.push_str(LEGEND);

    if doc.nodes.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">No connections to show</text>",
            number(width / 2.0),
            number(LEGEND_HEIGHT + 36.0),
        );
    }

    out.push_str("<g class=\"edges\">\n");
    for edge in doc.edges {
        let (from, to) = (at(edge.from), at(edge.to));
        out.push_str(if edge.touches_center {
            "<line class=\"edge edge-center\" x1=\""
        } else {
            "<line class=\"edge\" x1=\""
        });
        push_number(&mut out, from.x);
        out.push_str("\" y1=\"");
        push_number(&mut out, from.y);
        out.push_str("\" x2=\"");
        push_number(&mut out, to.x);
        out.push_str("\" y2=\"");
        push_number(&mut out, to.y);
        out.push_str("\"><title>");
        push_escaped(&mut out, edge.title);
        out.push_str("</title></line>\n");
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for node in doc.nodes {
        let centre = at(node.position);
        let size = NodeSize {
            radius: node.radius,
            label_width: 0.0,
            label_height: LABEL_FONT_PX,
        };
        let baseline = layout::label_baseline(centre, &size);
        out.push_str("<a href=\"");
        push_escaped(&mut out, node.href);
        out.push_str("\" class=\"node ");
        out.push_str(node.kind.class_name());
        if node.is_center {
            out.push_str(" node-center");
        }
        out.push_str("\"><title>");
        push_escaped(&mut out, node.label);
        out.push_str(" (");
        out.push_str(node.kind.word());
        out.push_str(")</title><circle cx=\"");
        push_number(&mut out, centre.x);
        out.push_str("\" cy=\"");
        push_number(&mut out, centre.y);
        out.push_str("\" r=\"");
        push_number(&mut out, node.radius);
        out.push_str("\"/><text x=\"");
        push_number(&mut out, baseline.x);
        out.push_str("\" y=\"");
        push_number(&mut out, baseline.y);
        out.push_str("\">");
        push_escaped(&mut out, node.display_label);
        out.push_str("</text></a>\n");
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// The colour key, the same in every drawing: written out once rather than formatted (float
/// formatting was a fifth of the cost of writing a neighbourhood). A test checks it against
/// the key's layout: a dot and a word per kind, at x = 12, 92 and 182.
const LEGEND: &str = "<g class=\"graph-legend\" aria-hidden=\"true\">\
<g class=\"node-person\"><circle cx=\"17.0\" cy=\"12.0\" r=\"5.0\"/><text x=\"26.0\" y=\"16.0\">Person</text></g>\
<g class=\"node-company\"><circle cx=\"97.0\" cy=\"12.0\" r=\"5.0\"/><text x=\"106.0\" y=\"16.0\">Company</text></g>\
<g class=\"node-event\"><circle cx=\"187.0\" cy=\"12.0\" r=\"5.0\"/><text x=\"196.0\" y=\"16.0\">Event</text></g>\
</g>\n";

/// The label as drawn: whitespace collapsed, cut to `MAX_LABEL_CHARS` with an ellipsis.
pub(super) fn display_label(label: &str) -> String {
    // Nearly every label is already short and single-spaced, and every entity page asks for
    // a dozen of them: those are copied as they are, without splitting and joining.
    if label.len() <= MAX_LABEL_CHARS && is_collapsed(label) {
        return label.to_string();
    }
    let collapsed = label.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= MAX_LABEL_CHARS {
        return collapsed;
    }
    let mut cut: String = collapsed.chars().take(MAX_LABEL_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Whether `label` is what collapsing its whitespace would give: no whitespace at either
/// end, and only single spaces inside.
fn is_collapsed(label: &str) -> bool {
    let mut previous_was_space = true;
    for c in label.chars() {
        if c.is_whitespace() {
            if c != ' ' || previous_was_space {
                return false;
            }
            previous_was_space = true;
        } else {
            previous_was_space = false;
        }
    }
    !previous_was_space || label.is_empty()
}

/// Approximate width in px of `text` at `LABEL_FONT_PX` in a common sans-serif; enough to
/// keep labels apart without measuring fonts.
pub(super) fn estimate_text_width(text: &str) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | '\'' | '!' | '|' | ':' | ';' | 'I' => 0.28,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '-' | '[' | ']' => 0.36,
            'm' | 'w' | 'M' | 'W' => 0.86,
            c if c.is_ascii_uppercase() => 0.68,
            c if c.is_ascii_digit() => 0.56,
            c if c.is_ascii() => 0.55,
            // CJK and other full-width scripts.
            c if ('\u{1100}'..='\u{FFDC}').contains(&c)
                && !('\u{2000}'..='\u{2FFF}').contains(&c) =>
            {
                1.0
            }
            _ => 0.6,
        })
        .sum();
    // Fallback fonts (DejaVu Sans on Linux) run wider than the average, and labels turn
    // bold on focus; leave room for both.
    ems * LABEL_FONT_PX * 1.15
}

/// Bigger circles for better-connected notes, so hubs stand out; the centre of a
/// neighbourhood is always large.
pub(super) fn node_radius(degree: usize, is_center: bool) -> f64 {
    let radius = 4.5 + 1.6 * (degree as f64).sqrt();
    let radius = radius.min(15.0);
    if is_center { radius.max(11.0) } else { radius }
}

/// `graph-<seed>-<hash>`: readable, valid as an XML id and CSS selector, and different for
/// different seeds even when sanitising makes them look alike, so two drawings on one page
/// never share ids.
pub(super) fn id_prefix(seed: &str) -> String {
    let readable: String = seed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect::<String>()
        .to_ascii_lowercase();
    let mut hash: u32 = 0x811c_9dc5;
    for byte in seed.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    if readable.is_empty() {
        format!("graph-{hash:08x}")
    } else {
        format!("graph-{readable}-{hash:08x}")
    }
}

/// Escapes text for XML content and attribute values, and drops the characters XML 1.0 does
/// not allow at all (most control characters), which would make the document invalid.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The bytes [`escape`] keeps as they are, and that cannot start a character it drops
/// (0xEF starts U+FFFE and U+FFFF).
const PLAIN_BYTES: [bool; 256] = {
    let mut plain = [true; 256];
    let mut byte = 0;
    while byte < 0x20 {
        plain[byte] = false;
        byte += 1;
    }
    let specials = [b'&', b'<', b'>', b'"', b'\'', 0xEF];
    let mut i = 0;
    while i < specials.len() {
        plain[specials[i] as usize] = false;
        i += 1;
    }
    plain
};

/// [`escape`], pushed onto `out`; text with nothing to escape (nearly all of it) is copied
/// as it is.
fn push_escaped(out: &mut String, text: &str) {
    // One table look-up a byte: every label, href and tooltip of every drawing passes here.
    if text.bytes().all(|b| PLAIN_BYTES[usize::from(b)]) {
        out.push_str(text);
    } else {
        out.push_str(&escape(text));
    }
}

/// [`number`], pushed onto `out` without formatting machinery: the value times ten rounded
/// to an integer gives the same digits as `{:.1}` whenever it is not within a hair of a
/// rounding tie (the product's own rounding error is far below that hair for any coordinate
/// a drawing has); the rare near-tie takes the exact path.
fn push_number(out: &mut String, value: f64) {
    let tenths = value * 10.0;
    if tenths.is_finite() && tenths.abs() < 1e8 {
        // `tenths.floor()` without the call into libm that x86-64's baseline needs for it:
        // the truncation, one lower for a negative value with a fraction; exact below 1e8
        // (only -0.0 becomes 0.0, which rounds to the same digits).
        let truncated = tenths as i64;
        let floor = if truncated as f64 > tenths {
            truncated - 1
        } else {
            truncated
        };
        let fraction = tenths - floor as f64;
        if (fraction - 0.5).abs() > 1e-6 {
            let rounded = if fraction > 0.5 { floor + 1 } else { floor };
            if rounded < 0 {
                out.push('-');
            }
            let magnitude = rounded.unsigned_abs();
            push_decimal(out, (magnitude / 10) as usize);
            out.push('.');
            out.push(char::from(b'0' + (magnitude % 10) as u8));
            return;
        }
    }
    out.push_str(&number(value));
}

/// One decimal, never "-0.0" or "NaN", so the same drawing always gives the same bytes.
fn number(value: f64) -> String {
    if !value.is_finite() {
        return "0.0".to_string();
    }
    let text = format!("{value:.1}");
    if text == "-0.0" {
        "0.0".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushed_numbers_are_the_formatted_ones() {
        // Coordinates of every size, ties and near-ties, negatives around zero, non-finite.
        let mut values = vec![
            0.0,
            -0.0,
            0.05,
            -0.05,
            0.25,
            0.35,
            -0.04,
            -0.06,
            1.45,
            2.55,
            1e7,
            -1e7,
            1e9,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1028.0,
            645.04999999,
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            values.push((unit - 0.3) * 3000.0);
            values.push(((unit * 20000.0).round() + 0.5) / 10.0);
        }
        for value in values {
            let mut pushed = String::new();
            push_number(&mut pushed, value);
            assert_eq!(pushed, number(value), "{value:e}");
        }
    }

    #[test]
    fn the_written_out_legend_is_the_formatted_one() {
        let mut formatted = String::from("<g class=\"graph-legend\" aria-hidden=\"true\">");
        let kinds = [
            (NodeKind::Person, "Person", 12.0),
            (NodeKind::Company, "Company", 92.0),
            (NodeKind::Event, "Event", 182.0),
        ];
        for (kind, word, x) in kinds {
            let _ = write!(
                formatted,
                "<g class=\"{}\"><circle cx=\"{}\" cy=\"12.0\" r=\"5.0\"/><text x=\"{}\" y=\"16.0\">{word}</text></g>",
                kind.class_name(),
                number(x + 5.0),
                number(x + 14.0),
            );
        }
        formatted.push_str("</g>\n");
        assert_eq!(LEGEND, formatted);
    }

    #[test]
    fn short_labels_are_displayed_as_collapsing_would_give() {
        let slow = |label: &str| label.split_whitespace().collect::<Vec<_>>().join(" ");
        for label in [
            "",
            " ",
            "Apple",
            "Ruoming Pang",
            "two  spaces",
            " leading",
            "trailing ",
            "tab\there",
            "no\u{a0}break",
            "Café ✓",
        ] {
            assert_eq!(display_label(label), slow(label), "{label:?}");
        }
    }

    #[test]
    fn pushed_text_is_the_escaped_text() {
        for text in [
            "plain",
            "a & b",
            "<tag>",
            "\"quoted\" 'x'",
            "tab\there",
            "\u{FFFE}x",
            "Café ✓",
        ] {
            let mut pushed = String::new();
            push_escaped(&mut pushed, text);
            assert_eq!(pushed, escape(text));
        }
    }
}

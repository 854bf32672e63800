//! Fenced code highlighted by syntect into `<span class="hl-…">` (no inline styles), and the
//! one stylesheet for those classes, light and dark.
//!
//! The syntax and theme sets load lazily, once per process; a language is compiled the first
//! time a block of it is seen.
//!
//! Parsing a line costs syntect tens of regex searches (some 200,000 instructions for a line
//! of Rust), and code blocks repeat lines: blank lines, closing braces, `fn main() {`,
//! imports. Parsing is a pure function of the parser's state before the line and the line, so
//! each thread remembers what it made of the lines it has seen ([`ParsedLines`]) and a
//! repeated line in the same state costs a lookup.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The HTML of a code block: `<pre class="code" data-lang="…"><code>…</code></pre>`. Unknown
/// languages are shown as escaped plain text.
pub fn highlight_block(code: &str, lang: &str) -> String {
    let lang = lang.split([',', ' ']).next().unwrap_or("").trim();
    let set = syntaxes();
    let syntax = if lang.is_empty() {
        None
    } else {
        set.find_syntax_by_token(lang)
    };
    let mut html = String::with_capacity(code.len() * 2);
    html.push_str("<pre class=\"code\"");
    if !lang.is_empty() {
        html.push_str(" data-lang=\"");
        html.push_str(&escape_html(lang));
        html.push('"');
    }
    html.push_str("><code>");
    match syntax {
        Some(syntax) => match PARSED_LINES
            .with(|lines| classed_html(code, syntax, set, &mut lines.borrow_mut()))
        {
            Some(classed) => html.push_str(&classed),
            None => push_escaped_html(&mut html, code),
        },
        None => push_escaped_html(&mut html, code),
    }
    html.push_str("</code></pre>\n");
    html
}

/// `code` as syntect's `ClassedHTMLGenerator` writes it (the same calls in the same order, with
/// each line's parse taken from `lines` when it was seen before), or `None` where the
/// generator would fail.
fn classed_html(
    code: &str,
    syntax: &SyntaxReference,
    set: &SyntaxSet,
    lines: &mut ParsedLines,
) -> Option<String> {
    let mut state = ParseState::new(syntax);
    let mut scopes = ScopeStack::new();
    let mut open_spans: isize = 0;
    let mut html = String::with_capacity(code.len() * 4);
    for line in LinesWithEndings::from(code) {
        let (formatted, delta) = lines.with_ops(&mut state, line, set, |ops| {
            line_tokens_to_classed_spans(line, ops, CLASS_STYLE, &mut scopes).ok()
        })??;
        open_spans += delta;
        html.push_str(&formatted);
    }
    for _ in 0..open_spans {
        html.push_str("</span>");
    }
    Some(html)
}

/// One thread's memory of parsed lines: for each line's text, the states it was parsed from,
/// with the scope operations found and the state after it.
#[derive(Default)]
struct ParsedLines {
    by_text: HashMap<String, Vec<ParsedLine>>,
    count: usize,
}

struct ParsedLine {
    before: ParseState,
    ops: Vec<(usize, ScopeStackOp)>,
    after: ParseState,
}

/// Lines remembered per thread before the memory starts again (a few MB at most).
const MAX_PARSED_LINES: usize = 8192;

thread_local! {
    static PARSED_LINES: RefCell<ParsedLines> = RefCell::new(ParsedLines::default());
}

impl ParsedLines {
    /// Advances `state` over `line` and hands `use_ops` the line's scope operations, as
    /// `state.parse_line(line, set)` would; `None` if parsing fails.
    fn with_ops<T>(
        &mut self,
        state: &mut ParseState,
        line: &str,
        set: &SyntaxSet,
        use_ops: impl FnOnce(&[(usize, ScopeStackOp)]) -> T,
    ) -> Option<T> {
        if let Some(seen) = self
            .by_text
            .get(line)
            .and_then(|seen| seen.iter().find(|seen| seen.before == *state))
        {
            state.clone_from(&seen.after);
            return Some(use_ops(&seen.ops));
        }
        let before = state.clone();
        let ops = state.parse_line(line, set).ok()?;
        let result = use_ops(&ops);
        if self.count >= MAX_PARSED_LINES {
            self.by_text.clear();
            self.count = 0;
        }
        self.count += 1;
        let parsed = ParsedLine {
            before,
            ops,
            after: state.clone(),
        };
        match self.by_text.get_mut(line) {
            Some(seen) => seen.push(parsed),
            None => {
                self.by_text.insert(line.to_string(), vec![parsed]);
            }
        }
        Some(result)
    }
}

/// The stylesheet for highlighted code: the light theme, then the dark one inside
/// `prefers-color-scheme: dark`.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let themes = ThemeSet::load_defaults();
    let get = |name: &str| {
        themes.themes.get(name).ok_or_else(|| {
            let mut names: Vec<&String> = themes.themes.keys().collect();
            names.sort();
            format!("unknown highlight theme \"{name}\"; available: {names:?}")
        })
    };
    let light_css =
        css_for_theme_with_class_style(get(light)?, CLASS_STYLE).map_err(|e| e.to_string())?;
    let dark_css =
        css_for_theme_with_class_style(get(dark)?, CLASS_STYLE).map_err(|e| e.to_string())?;
    Ok(format!(
        "/* generated by casefile from the syntect themes {light} and {dark} */\n{light_css}\n@media (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n"
    ))
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped_html(&mut out, text);
    out
}

/// [`escape_html`] onto the end of `out`, sixteen bytes at a time: source pages, footnotes and
/// superscripts escape megabytes of text per build. pulldown-cmark's escaper (the one Tera's
/// `escape_html` calls too) replaces the same five characters with the same entities.
pub fn push_escaped_html(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The vectorised escaper against the five replacements made one character at a time,
        /// on text long enough to cross several sixteen-byte blocks.
        #[test]
        fn escaping_matches_replacing_each_character(text in "([a-z &<>\"'é—\n]){0,80}") {
            let expected: String = text
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    other => other.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(escape_html(&text), expected);
        }
    }

    #[test]
    fn escaping_replaces_exactly_the_five_characters() {
        assert_eq!(
            escape_html("a & b <c> \"d\" 'e' — é"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; — é"
        );
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("&&"), "&amp;&amp;");
    }

    #[test]
    fn code_gets_classes_not_styles() {
        let html = highlight_block("fn main() { let x = \"<b>\"; }\n", "rust");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
    }

    /// What syntect's own generator writes for `code`: the markup `classed_html` must match.
    fn generator_html(code: &str, lang: &str) -> Option<String> {
        use syntect::html::ClassedHTMLGenerator;
        let set = syntaxes();
        let syntax = set.find_syntax_by_token(lang).expect(lang);
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    }

    fn remembered_html(code: &str, lang: &str) -> Option<String> {
        let set = syntaxes();
        let syntax = set.find_syntax_by_token(lang).expect(lang);
        PARSED_LINES.with(|lines| classed_html(code, syntax, set, &mut lines.borrow_mut()))
    }

    const SAMPLES: &[(&str, &str)] = &[
        (
            "rust",
            "/// Sums.\nfn total(limit: u32) -> u32 {\n    let v: Vec<u32> = (1..=limit).collect();\n    v.iter().sum()\n}\n\nfn main() {\n    println!(\"{}\", total(3));\n}\n",
        ),
        (
            "rust",
            "/* open\n}\n*/ fn main() {\n    let s = r#\"a\n}\n\"#;\n}\n",
        ),
        (
            "python",
            "def f(x):\n    \"\"\"doc\n    }\n    \"\"\"\n    return x < 3 and '&'\n\n",
        ),
        ("js", "function f() {\n  return `a ${1 + 2}\n}\n`;\n}\n"),
        (
            "html",
            "<p class=\"x\">a &amp; b</p>\n<script>\nlet x = 1;\n}\n</script>\n}\n",
        ),
        ("sh", "cat <<EOF\n}\nEOF\necho \"$HOME\" > /dev/null\n"),
        ("yaml", "a: 1\nb: |\n  }\n  text\nc: [1, 2]\n"),
        (
            "c",
            "#include <stdio.h>\nint main() {\n  /* }\n  */ return 0;\n}\n",
        ),
        ("rust", "no newline at the end }"),
        ("rust", ""),
    ];

    #[test]
    fn remembered_lines_give_the_generators_markup() {
        // Twice over, so that the second round comes from the memory.
        for round in 0..2 {
            for (lang, code) in SAMPLES {
                assert_eq!(
                    remembered_html(code, lang),
                    generator_html(code, lang),
                    "round {round}, {lang}: {code:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn remembered_lines_match_the_generator_on_any_mix(
            picks in proptest::collection::vec(0usize..12, 1..12),
            lang in 0usize..4,
        ) {
            // Lines that open and close strings, comments and blocks, in any order, so that
            // the same text is met in many states.
            const LINES: [&str; 12] = [
                "}\n", "\n", "fn main() {\n", "/* a\n", "b */\n", "\"s\n", "x\"\n",
                "  let a = 1; // c\n", "'''\n", "<a href=\"&\">\n", "`t\n", "# h\n",
            ];
            let lang = ["rust", "python", "js", "html"][lang];
            let code: String = picks.iter().map(|&line| LINES[line]).collect();
            proptest::prop_assert_eq!(remembered_html(&code, lang), generator_html(&code, lang));
        }
    }

    #[test]
    fn unknown_language_is_plain_escaped_text() {
        let html = highlight_block("<script>", "no-such-lang");
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn stylesheet_has_both_modes() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(css.contains(".hl-"));
    }
}

//! The markup `serve` adds to HTML responses, and nothing else: the live-reload script (a
//! websocket to [`SOCKET_PATH`] that reloads the page on a `reload` message, and after the
//! server comes back), the error overlay listing a failed build's diagnostics, and the page
//! shown when no build has succeeded yet. Everything a user wrote is HTML-escaped here. The
//! built site itself is never changed; the injection happens per response.

use super::site::BuildErrors;
use crate::markdown::highlight::escape_html;

/// Where the live-reload script connects, on the same host and port as the site.
pub const SOCKET_PATH: &str = "/__casefile/ws";

/// Reconnects every second while the server is away, and reloads once it is back, so a page
/// left open across a restart of `casefile serve` picks up the new site.
const RELOAD_SCRIPT: &str = r#"<script data-casefile="live-reload">(function(){var seen=false;function connect(){var s=new WebSocket((location.protocol==="https:"?"wss://":"ws://")+location.host+"/__casefile/ws");s.onopen=function(){if(seen){location.reload();}seen=true;};s.onmessage=function(e){if(e.data==="reload"){location.reload();}};s.onclose=function(){setTimeout(connect,1000);};}connect();})();</script>"#;

/// Adds the overlay (if the latest build failed) and the reload script before the last
/// `</body>`, or at the end of a page that has none.
pub fn inject(html: &[u8], errors: Option<&BuildErrors>) -> Vec<u8> {
    let mut addition = String::new();
    if let Some(errors) = errors {
        addition.push_str(&overlay(errors));
    }
    addition.push_str(RELOAD_SCRIPT);
    let at = rfind_ascii_case_insensitive(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + addition.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(addition.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The page served for every path while no build has succeeded: the errors and the reload
/// script, so fixing them brings the site up in the open tab.
pub fn error_page(errors: &BuildErrors) -> Vec<u8> {
    let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>casefile: build failed</title></head><body>\
<main><h1>The brief does not build yet</h1>\
<p>Fix the errors below and save; this page reloads by itself.</p></main></body></html>\n";
    inject(page.as_bytes(), Some(errors))
}

/// `<div id="casefile-error" role="alert">`: a count line and each diagnostic in a `<pre>`.
/// Styled inline so it looks the same whatever the theme.
fn overlay(errors: &BuildErrors) -> String {
    let count = errors.count();
    let mut html = String::from(
        "<div id=\"casefile-error\" role=\"alert\" style=\"position:fixed;left:0;right:0;bottom:0;\
max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1em 1.25em;\
background:#fff4f4;color:#1b1b1b;border-top:4px solid #b00020;\
box-shadow:0 -4px 16px rgba(0,0,0,.25);font:14px/1.45 ui-monospace,Menlo,Consolas,monospace\">",
    );
    html.push_str(&format!(
        "<p style=\"margin:0 0 .75em;font-weight:bold\">casefile: the build failed with {count} error{}; \
the page below is from the last good build.</p>",
        if count == 1 { "" } else { "s" }
    ));
    for rendered in errors.rendered() {
        html.push_str(
            "<pre style=\"margin:0 0 1em;white-space:pre-wrap;color:inherit;background:none\">",
        );
        html.push_str(&escape_html(rendered.trim_end()));
        html.push_str("</pre>");
    }
    html.push_str("</div>");
    html
}

fn rfind_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("injection keeps UTF-8")
    }

    #[test]
    fn script_goes_before_the_closing_body_tag() {
        let page = text(inject(b"<html><body><p>hi</p></BODY></html>", None));
        let script = page.find("<script data-casefile").expect("script injected");
        assert!(script > page.find("<p>hi</p>").unwrap_or(usize::MAX));
        assert!(page.ends_with("</BODY></html>"));
        assert!(page.contains(SOCKET_PATH));
        assert!(!page.contains("casefile-error"));
    }

    #[test]
    fn page_without_body_tag_gets_the_script_at_the_end() {
        let page = text(inject(b"<p>fragment</p>", None));
        assert!(page.starts_with("<p>fragment</p><script"));
    }

    #[test]
    fn overlay_escapes_what_the_user_wrote() {
        let errors = BuildErrors::new(vec![
            "error: unknown link target \"<script>alert(1)</script>\"\n  --> content/a.md:3:1"
                .into(),
        ]);
        let page = text(inject(b"<body></body>", Some(&errors)));
        assert!(page.contains("<div id=\"casefile-error\" role=\"alert\""));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("content/a.md:3:1"));
        assert_eq!(page.matches("<script").count(), 1, "only the reload script");
    }

    #[test]
    fn error_page_lists_the_errors_and_reloads() {
        let errors = BuildErrors::new(vec!["error: one".into(), "error: two".into()]);
        let page = text(error_page(&errors));
        assert!(page.contains("failed with 2 errors"));
        assert!(page.contains("error: two"));
        assert!(page.contains(SOCKET_PATH));
    }
}

//! Converting the model's CommonMark into each platform's dialect.
//!
//! The converters handle the subset models actually write: fenced code blocks, inline code,
//! `**bold**`/`__bold__`, `*italic*`/`_italic_`, `~~strike~~`, `[text](url)` links and `#`
//! headings. Anything unmatched stays literal text, so the output is always well formed
//! (Telegram rejects a message whose HTML does not parse).
//!
//! | platform | function |
//! |---|---|
//! | Telegram (`parse_mode: HTML`) | [`to_telegram_html`] |
//! | Telegram (`parse_mode: MarkdownV2`) plain text | [`escape_markdown_v2`] |
//! | Slack | [`to_slack_mrkdwn`] |
//! | Discord | none: Discord renders CommonMark |

/// Escape `&`, `<` and `>` (what both Telegram HTML and Slack require).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape plain text for Telegram `MarkdownV2`: every special character gets a backslash.
pub fn escape_markdown_v2(text: &str) -> String {
    const SPECIAL: &str = "_*[]()~`>#+-=|{}.!\\";
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The markup a dialect uses for each inline construct.
struct Dialect {
    escape: fn(&str) -> String,
    bold: (&'static str, &'static str),
    italic: (&'static str, &'static str),
    strike: (&'static str, &'static str),
    code: (&'static str, &'static str),
    link: fn(&str, &str) -> String,
    heading: (&'static str, &'static str),
    code_block: fn(&str, &str) -> String,
}

const TELEGRAM: Dialect = Dialect {
    escape: escape_html,
    bold: ("<b>", "</b>"),
    italic: ("<i>", "</i>"),
    strike: ("<s>", "</s>"),
    code: ("<code>", "</code>"),
    link: |text, url| format!("<a href=\"{}\">{}</a>", escape_html(url), text),
    heading: ("<b>", "</b>"),
    code_block: |lang, code| {
        let code = escape_html(code);
        let lang = lang.split_whitespace().next().unwrap_or("");
        if lang.is_empty() {
            format!("<pre>{code}</pre>")
        } else {
            format!(
                "<pre><code class=\"language-{}\">{code}</code></pre>",
                escape_html(lang)
            )
        }
    },
};

fn escape_slack(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const SLACK: Dialect = Dialect {
    escape: escape_slack,
    bold: ("*", "*"),
    italic: ("_", "_"),
    strike: ("~", "~"),
    code: ("`", "`"),
    link: |text, url| format!("<{}|{}>", url.replace('|', "%7C"), text),
    heading: ("*", "*"),
    code_block: |_lang, code| format!("```\n{}```", escape_slack(code)),
};

/// Convert markdown to Telegram's HTML subset (`parse_mode: "HTML"`).
pub fn to_telegram_html(markdown: &str) -> String {
    convert(markdown, &TELEGRAM)
}

/// Convert markdown to Slack mrkdwn (`**b**` → `*b*`, `[t](u)` → `<u|t>`, ...).
pub fn to_slack_mrkdwn(markdown: &str) -> String {
    convert(markdown, &SLACK)
}

fn convert(markdown: &str, d: &Dialect) -> String {
    let mut out = String::with_capacity(markdown.len() + 32);
    let mut lines = markdown.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        let fence_len = trimmed.chars().take_while(|c| *c == '`').count();
        if fence_len >= 3 && !trimmed[fence_len..].contains('`') {
            let lang = trimmed[fence_len..].trim();
            let mut code = String::new();
            for inner in lines.by_ref() {
                let t = inner.trim();
                if t.len() >= fence_len && t.chars().all(|c| c == '`') {
                    break;
                }
                code.push_str(inner);
            }
            out.push_str(&(d.code_block)(lang, &code));
            out.push('\n');
            continue;
        }
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let hashes = body.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && body[hashes..].starts_with(' ') {
            out.push_str(d.heading.0);
            out.push_str(&inline(body[hashes..].trim(), d));
            out.push_str(d.heading.1);
        } else {
            out.push_str(&inline(body, d));
        }
        out.push_str(newline);
    }
    if !markdown.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Find `pat` in `s` at or after byte `from`, for a closing delimiter whose content is not
/// empty and does not start or end with a space.
fn find_closing(s: &str, from: usize, pat: &str) -> Option<usize> {
    let mut start = from;
    while let Some(i) = s[start..].find(pat) {
        let at = start + i;
        let inner = &s[from..at];
        if !inner.is_empty() && !inner.starts_with(' ') && !inner.ends_with(' ') {
            return Some(at);
        }
        start = at + pat.len();
    }
    None
}

fn inline(s: &str, d: &Dialect) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut plain_start = 0;
    let mut i = 0;
    let flush = |out: &mut String, from: usize, to: usize| out.push_str(&(d.escape)(&s[from..to]));
    while i < s.len() {
        let rest = &s[i..];
        let prev_alnum = s[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let mut handled: Option<(String, usize)> = None;
        if rest.starts_with('`') {
            if let Some(end) = s[i + 1..].find('`') {
                let code = &s[i + 1..i + 1 + end];
                if !code.is_empty() {
                    let rendered = format!("{}{}{}", d.code.0, (d.escape)(code), d.code.1);
                    handled = Some((rendered, i + 2 + end));
                }
            }
        } else if rest.starts_with("**") || rest.starts_with("__") || rest.starts_with("~~") {
            let pat = &rest[..2];
            if let Some(end) = find_closing(s, i + 2, pat) {
                let tags = match pat {
                    "~~" => d.strike,
                    _ => d.bold,
                };
                let inner = inline(&s[i + 2..end], d);
                handled = Some((format!("{}{}{}", tags.0, inner, tags.1), end + 2));
            }
        } else if (rest.starts_with('*') || rest.starts_with('_')) && !prev_alnum {
            let pat = &rest[..1];
            if let Some(end) = find_closing(s, i + 1, pat) {
                let next_alnum = s[end + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
                if !next_alnum {
                    let inner = inline(&s[i + 1..end], d);
                    handled = Some((format!("{}{}{}", d.italic.0, inner, d.italic.1), end + 1));
                }
            }
        } else if rest.starts_with('[')
            && let Some(close) = rest.find("](")
            && let Some(paren) = rest[close + 2..].find(')')
        {
            let text = &rest[1..close];
            let url = &rest[close + 2..close + 2 + paren];
            if !text.contains('\n') && !url.is_empty() && !url.contains(' ') {
                let rendered = (d.link)(&inline(text, d), url);
                handled = Some((rendered, i + close + 3 + paren));
            }
        }
        match handled {
            Some((rendered, next)) => {
                flush(&mut out, plain_start, i);
                out.push_str(&rendered);
                i = next;
                plain_start = next;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    flush(&mut out, plain_start, s.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_html_converts_common_markup() {
        assert_eq!(
            to_telegram_html("**bold** and *it* and `a<b` & [site](https://x.io/?a=1&b=2)"),
            "<b>bold</b> and <i>it</i> and <code>a&lt;b</code> &amp; <a href=\"https://x.io/?a=1&amp;b=2\">site</a>"
        );
        assert_eq!(to_telegram_html("# Title\ntext"), "<b>Title</b>\ntext");
        assert_eq!(to_telegram_html("~~old~~"), "<s>old</s>");
    }

    #[test]
    fn telegram_html_code_blocks_are_escaped_and_tagged() {
        let md = "before\n```rust\nif a < b { x && y }\n```\nafter";
        assert_eq!(
            to_telegram_html(md),
            "before\n<pre><code class=\"language-rust\">if a &lt; b { x &amp;&amp; y }\n</code></pre>\nafter"
        );
        assert_eq!(
            to_telegram_html("```\nplain\n```\n"),
            "<pre>plain\n</pre>\n"
        );
    }

    #[test]
    fn unmatched_markers_stay_literal_and_snake_case_survives() {
        assert_eq!(to_telegram_html("2 * 3 = 6"), "2 * 3 = 6");
        assert_eq!(to_telegram_html("my_var_name"), "my_var_name");
        assert_eq!(to_telegram_html("**open"), "**open");
        assert_eq!(to_telegram_html("a <tag>"), "a &lt;tag&gt;");
    }

    #[test]
    fn slack_mrkdwn_converts_bold_links_and_escapes() {
        assert_eq!(to_slack_mrkdwn("**b**"), "*b*");
        assert_eq!(to_slack_mrkdwn("__b__ and *i*"), "*b* and _i_");
        assert_eq!(
            to_slack_mrkdwn("[t](https://u.example)"),
            "<https://u.example|t>"
        );
        assert_eq!(to_slack_mrkdwn("a < b & c"), "a &lt; b &amp; c");
        assert_eq!(to_slack_mrkdwn("## Head"), "*Head*");
        assert_eq!(to_slack_mrkdwn("~~gone~~"), "~gone~");
        assert_eq!(
            to_slack_mrkdwn("```python\nx = 1 < 2\n```"),
            "```\nx = 1 &lt; 2\n```"
        );
    }

    #[test]
    fn markdown_v2_escapes_every_special_character() {
        assert_eq!(escape_markdown_v2("a.b!c_(d)"), "a\\.b\\!c\\_\\(d\\)");
        assert_eq!(escape_markdown_v2("plain"), "plain");
    }

    #[test]
    fn converters_never_panic_on_odd_input() {
        for s in [
            "`",
            "**",
            "[",
            "[a](",
            "[a]()",
            "_",
            "*a",
            "```",
            "é*ü*",
            "🦀`🦀`",
            "#",
            "# ",
        ] {
            let _ = to_telegram_html(s);
            let _ = to_slack_mrkdwn(s);
        }
    }
}

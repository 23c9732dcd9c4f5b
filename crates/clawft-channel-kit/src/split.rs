//! Splitting long replies into platform-sized chunks.
//!
//! Chat platforms cap a message's length (Telegram 4,096, Discord 2,000 characters and a
//! soft limit of lines before the client collapses it, Slack ~40,000 but unreadable long
//! before). [`split_message`] cuts a reply so that every chunk respects the limits and:
//!
//! * never cuts inside a UTF-8 character (it counts and cuts in `char`s);
//! * keeps code fences balanced: a chunk that ends inside a fenced block gets a closing
//!   fence, and the next chunk reopens it with the same info string (```` ```rust ````);
//! * prefers to cut at a paragraph break (blank line) in the second half of a chunk, then at
//!   a line end, then at a space, and only then in the middle of a word.
//!
//! The text of the chunks, without the fence lines the splitter inserted, concatenates back
//! to the input exactly (see [`Chunk::body`]). Chunks may start or end with whitespace;
//! callers skip chunks that are blank (`chunk.trim().is_empty()`).

/// Limits of one platform's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitLimits {
    /// Most characters (Unicode scalar values) in one message; at least 1.
    pub max_chars: usize,
    /// Most lines in one message; `0` means unlimited.
    pub max_lines: usize,
}

impl SplitLimits {
    /// Telegram: 4,000 characters (the API allows 4,096; the margin absorbs markup).
    pub const TELEGRAM: Self = Self {
        max_chars: 4_000,
        max_lines: 0,
    };
    /// Discord: 2,000 characters and at most 17 lines.
    pub const DISCORD: Self = Self {
        max_chars: 2_000,
        max_lines: 17,
    };
    /// Slack: 8,000 characters.
    pub const SLACK: Self = Self {
        max_chars: 8_000,
        max_lines: 0,
    };
}

/// One piece of a split message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The fence line (```` ```lang ````) the splitter put before `body` because the previous
    /// chunk ended inside a code block.
    pub reopen: Option<String>,
    /// A slice of the original text; the bodies of all chunks concatenate to the input.
    pub body: String,
    /// The fence marker (```` ``` ````) the splitter appended because the chunk ends inside a
    /// code block.
    pub close: Option<String>,
}

impl Chunk {
    /// The text to send: reopened fence, body, closing fence.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + 16);
        if let Some(open) = &self.reopen {
            out.push_str(open);
            out.push('\n');
        }
        out.push_str(&self.body);
        if let Some(close) = &self.close {
            if !self.body.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(close);
        }
        out
    }
}

/// An open code fence: its marker (```` ``` ```` or `~~~`, possibly longer) and the full
/// opening line (with the info string) used to reopen it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fence {
    marker: String,
    open_line: String,
}

/// Where the splitter may rewind to: a position in the input with its state.
#[derive(Debug, Clone)]
struct Mark {
    pos: usize,
    fence: Option<Fence>,
    body_len: usize,
    body_chars: usize,
    body_lines: usize,
}

/// Split `text` into rendered chunks that each fit `limits`. See the module docs.
pub fn split_message(text: &str, limits: SplitLimits) -> Vec<String> {
    split_chunks(text, limits)
        .iter()
        .map(Chunk::render)
        .collect()
}

/// The fence state after `line`, given the state before it.
fn fence_after(line: &str, fence: &Option<Fence>) -> Option<Fence> {
    let trimmed = line.trim();
    match fence {
        Some(open) => {
            let ch = open.marker.chars().next().unwrap_or('`');
            let run = trimmed.chars().take_while(|c| *c == ch).count();
            if run >= open.marker.chars().count() && trimmed.chars().all(|c| c == ch) {
                None
            } else {
                fence.clone()
            }
        }
        None => {
            for ch in ['`', '~'] {
                let run = trimmed.chars().take_while(|c| *c == ch).count();
                // A backtick fence's info string may not contain backticks.
                let info_ok = ch != '`' || !trimmed[run..].contains('`');
                if run >= 3 && info_ok {
                    return Some(Fence {
                        marker: std::iter::repeat_n(ch, run).collect(),
                        open_line: trimmed.to_owned(),
                    });
                }
            }
            None
        }
    }
}

/// The next line of `text` at `pos`, with its `\n` if it has one.
fn line_at(text: &str, pos: usize) -> &str {
    match text[pos..].find('\n') {
        Some(i) => &text[pos..pos + i + 1],
        None => &text[pos..],
    }
}

/// Cut `line` to at most `max_chars` characters (at least one), preferring the last space in
/// the second half. Returns the byte length of the head.
fn cut_line(line: &str, max_chars: usize) -> usize {
    let max_chars = max_chars.max(1);
    let mut end = line.len();
    let mut last_space = None;
    for (n, (i, c)) in line.char_indices().enumerate() {
        if n == max_chars {
            end = i;
            break;
        }
        if c.is_whitespace() && n + 1 > max_chars / 2 {
            last_space = Some(i + c.len_utf8());
        }
    }
    if end == line.len() {
        return end;
    }
    last_space.unwrap_or(end)
}

/// Split `text` into [`Chunk`]s that each render within `limits`. See the module docs.
pub fn split_chunks(text: &str, limits: SplitLimits) -> Vec<Chunk> {
    let max_chars = limits.max_chars.max(1);
    let max_lines = limits.max_lines;
    let mut chunks = Vec::new();
    let mut pos = 0;
    let mut fence: Option<Fence> = None;

    while pos < text.len() {
        // Decorate with fences only when they leave room for content.
        let decorate = |f: &Option<Fence>| -> bool {
            f.as_ref().is_some_and(|f| {
                let overhead = f.open_line.chars().count() + 2 + f.marker.chars().count();
                overhead * 2 <= max_chars && (max_lines == 0 || max_lines >= 3)
            })
        };
        let reopen = if decorate(&fence) {
            fence.as_ref().map(|f| f.open_line.clone())
        } else {
            None
        };
        let (budget_chars, budget_lines) = match &reopen {
            Some(open) => (
                max_chars - open.chars().count() - 1,
                max_lines.saturating_sub(1),
            ),
            None => (max_chars, max_lines),
        };
        // Characters and lines to keep free for a closing fence if we stop in `f`.
        let reserve = |f: &Option<Fence>| -> (usize, usize) {
            if decorate(f) {
                f.as_ref()
                    .map_or((0, 0), |f| (f.marker.chars().count() + 1, 1))
            } else {
                (0, 0)
            }
        };

        let mut body = String::new();
        let mut body_chars = 0;
        let mut body_lines = 0;
        let mut para: Option<Mark> = None;
        let mut before_last: Option<Mark> = None;
        let mut last_opened_fence = false;
        let mut cut_mid_line = false;

        while pos < text.len() {
            let line = line_at(text, pos);
            let after = fence_after(line, &fence);
            let line_chars = line.chars().count();
            let (rc, rl) = reserve(&after);
            let fits_chars = body_chars + line_chars + rc <= budget_chars;
            let fits_lines = max_lines == 0 || body_lines + 1 + rl <= budget_lines;
            if fits_chars && fits_lines {
                before_last = Some(Mark {
                    pos,
                    fence: fence.clone(),
                    body_len: body.len(),
                    body_chars,
                    body_lines,
                });
                last_opened_fence = fence.is_none() && after.is_some();
                body.push_str(line);
                body_chars += line_chars;
                body_lines += 1;
                pos += line.len();
                fence = after;
                if fence.is_none() && line.trim().is_empty() {
                    para = Some(Mark {
                        pos,
                        fence: None,
                        body_len: body.len(),
                        body_chars,
                        body_lines,
                    });
                }
                continue;
            }
            if body.is_empty() {
                // A single line longer than a whole chunk: cut it.
                let rc = reserve(&fence).0.max(reserve(&after).0);
                let room = budget_chars.saturating_sub(rc).max(1);
                let head = cut_line(line, room);
                if head == line.len() {
                    fence = after;
                }
                body.push_str(&line[..head]);
                body_chars += line[..head].chars().count();
                body_lines += 1;
                pos += head;
                cut_mid_line = true;
            }
            break;
        }

        if pos < text.len() && !cut_mid_line {
            // Prefer a paragraph break in the second half of the chunk, and never end a
            // chunk on the line that opens a fence.
            let rewind = match para {
                Some(p)
                    if p.body_len > 0
                        && p.body_len < body.len()
                        && p.body_chars * 2 >= body_chars
                        && p.body_lines * 2 >= body_lines =>
                {
                    Some(p)
                }
                _ if last_opened_fence => before_last.filter(|m| m.body_len > 0),
                _ => None,
            };
            if let Some(m) = rewind {
                body.truncate(m.body_len);
                pos = m.pos;
                fence = m.fence;
            }
        }

        let close = if pos < text.len() && decorate(&fence) {
            fence.as_ref().map(|f| f.marker.clone())
        } else {
            None
        };
        chunks.push(Chunk {
            reopen,
            body,
            close,
        });
    }
    chunks
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;

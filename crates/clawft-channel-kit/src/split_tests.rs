//! Tests of the reply splitter, including randomized property loops.

use super::*;

fn limits(max_chars: usize, max_lines: usize) -> SplitLimits {
    SplitLimits {
        max_chars,
        max_lines,
    }
}

fn line_count(s: &str) -> usize {
    s.trim_end_matches('\n').split('\n').count()
}

/// Whether every fence opened in `s` is closed in `s`.
fn fences_balanced(s: &str) -> bool {
    let mut fence = None;
    for line in s.split_inclusive('\n') {
        fence = fence_after(line, &fence);
    }
    fence.is_none()
}

/// A tiny deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_text(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "a",
        "b",
        "word",
        " ",
        " ",
        "  ",
        "\n",
        "\n\n",
        "é",
        "ß",
        "日本",
        "🦀",
        "👨‍👩‍👧",
        "```",
        "```rust\n",
        "\n```\n",
        "~~~\n",
        "`x`",
        "**bold**",
        "\t",
    ];
    let len = rng.below(400);
    let mut s = String::new();
    for _ in 0..len {
        if rng.below(20) == 0 {
            // A long word with no spaces.
            for _ in 0..rng.below(120) {
                s.push(['z', 'ü', '字'][rng.below(3)]);
            }
        } else {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
    }
    s
}

#[test]
fn short_text_is_one_chunk_unchanged() {
    let text = "hello\n```rust\nfn main() {}\n```\n";
    assert_eq!(
        split_message(text, SplitLimits::DISCORD),
        vec![text.to_owned()]
    );
    assert_eq!(
        split_message("", SplitLimits::DISCORD),
        Vec::<String>::new()
    );
}

#[test]
fn never_breaks_utf8_and_respects_char_limit() {
    let text = "日本語🦀".repeat(100);
    let chunks = split_message(&text, limits(7, 0));
    assert!(chunks.iter().all(|c| c.chars().count() <= 7));
    assert_eq!(chunks.concat(), text);
}

#[test]
fn prefers_paragraph_then_line_then_space() {
    let para = format!("{}\n\n{}", "a".repeat(60), "b".repeat(30));
    let chunks = split_message(&para, limits(80, 0));
    assert_eq!(chunks[0], format!("{}\n\n", "a".repeat(60)));
    assert_eq!(chunks[1], "b".repeat(30));

    let lines = format!("{}\n{}", "a".repeat(50), "b".repeat(50));
    let chunks = split_message(&lines, limits(80, 0));
    assert_eq!(
        chunks,
        vec![format!("{}\n", "a".repeat(50)), "b".repeat(50)]
    );

    let words = "alpha beta gamma delta epsilon zeta eta theta";
    let chunks = split_message(words, limits(20, 0));
    assert!(chunks.iter().all(|c| c.chars().count() <= 20));
    assert_eq!(chunks[0], "alpha beta gamma ");
    assert_eq!(chunks.concat(), words);
}

#[test]
fn code_fence_is_closed_and_reopened_with_language() {
    let code: String = (0..40).map(|i| format!("let x{i} = {i};\n")).collect();
    let text = format!("Here:\n```rust\n{code}```\nDone.");
    let chunks = split_message(&text, limits(120, 0));
    assert!(chunks.len() > 2);
    for (i, c) in chunks.iter().enumerate() {
        assert!(c.chars().count() <= 120, "chunk {i} too long");
        assert!(fences_balanced(c), "chunk {i} unbalanced: {c:?}");
    }
    assert!(chunks[1].starts_with("```rust\n"));
    assert!(chunks[0].ends_with("```"));
    assert!(chunks.last().is_some_and(|c| c.ends_with("Done.")));
}

#[test]
fn chunk_does_not_end_on_an_opening_fence() {
    let text = format!("{}\n```py\nprint(1)\nprint(2)\n```\n", "t".repeat(30));
    let chunks = split_chunks(&text, limits(45, 0));
    assert_eq!(chunks[0].body, format!("{}\n", "t".repeat(30)));
    assert!(chunks[1].body.starts_with("```py\n"));
}

#[test]
fn discord_line_limit_is_respected_inside_code() {
    let code: String = (0..60).map(|i| format!("{i}\n")).collect();
    let text = format!("```\n{code}```");
    let chunks = split_message(&text, SplitLimits::DISCORD);
    assert!(chunks.len() >= 4);
    for c in &chunks {
        assert!(line_count(c) <= 17, "{} lines", line_count(c));
        assert!(fences_balanced(c));
    }
}

#[test]
fn longer_fence_marker_is_reopened_verbatim() {
    let text = format!("````md\n{}````\n", "```\ninner\n```\n".repeat(10));
    let chunks = split_chunks(&text, limits(40, 0));
    assert!(chunks.len() > 1);
    assert_eq!(chunks[0].close.as_deref(), Some("````"));
    assert_eq!(chunks[1].reopen.as_deref(), Some("````md"));
}

#[test]
fn random_strings_never_panic_and_round_trip() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let limit_set = [
        limits(1, 0),
        limits(2, 1),
        limits(5, 2),
        limits(13, 3),
        limits(40, 4),
        limits(100, 0),
        limits(200, 17),
        SplitLimits::DISCORD,
    ];
    for round in 0..1500 {
        let text = random_text(&mut rng);
        let lim = limit_set[round % limit_set.len()];
        let chunks = split_chunks(&text, lim);
        let bodies: String = chunks.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(
            bodies, text,
            "round {round}: bodies do not concatenate to the input"
        );
        for (i, c) in chunks.iter().enumerate() {
            let r = c.render();
            assert!(!c.body.is_empty(), "round {round}: empty chunk {i}");
            assert!(
                r.chars().count() <= lim.max_chars,
                "round {round} chunk {i}: {} chars > {}",
                r.chars().count(),
                lim.max_chars
            );
            if lim.max_lines > 0 {
                assert!(
                    line_count(&r) <= lim.max_lines,
                    "round {round} chunk {i}: {} lines > {}: {r:?}",
                    line_count(&r),
                    lim.max_lines
                );
            }
        }
        // Inserted fences pair up: a chunk closes exactly when the next one reopens.
        for pair in chunks.windows(2) {
            assert_eq!(pair[0].close.is_some(), pair[1].reopen.is_some());
        }
    }
}

#[test]
fn random_balanced_markdown_keeps_every_chunk_balanced() {
    let mut rng = Rng(42);
    for round in 0..400 {
        let mut text = String::new();
        for _ in 0..rng.below(12) + 1 {
            if rng.below(2) == 0 {
                let words = rng.below(80);
                for _ in 0..words {
                    text.push_str(["lorem ", "ipsum ", "dolor\n", "\n\n", "ünï "][rng.below(5)]);
                }
                text.push('\n');
            } else {
                text.push_str(["```rust\n", "```\n", "~~~sh\n"][rng.below(3)]);
                let close = if text.ends_with("~~~sh\n") {
                    "~~~\n"
                } else {
                    "```\n"
                };
                for i in 0..rng.below(40) {
                    text.push_str(&format!("code line {i} é\n"));
                }
                text.push_str(close);
            }
        }
        let lim = [SplitLimits::DISCORD, limits(150, 0), limits(300, 6)][round % 3];
        for (i, c) in split_message(&text, lim).iter().enumerate() {
            assert!(
                fences_balanced(c),
                "round {round} chunk {i} unbalanced:\n{c}"
            );
            assert!(c.chars().count() <= lim.max_chars);
        }
    }
}

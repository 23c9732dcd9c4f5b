//! "Did you mean" suggestions for mistyped names (commands, tools, skills, config keys).

/// `"; did you mean `x`?"` for the candidate closest to `typed`, if one is close enough.
pub fn did_you_mean<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(typed, candidates).map(|c| format!("; did you mean `{c}`?"))
}

/// The candidate closest to `typed` by edit distance, if it is a plausible typo.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(typed, c), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            closest("read_fiel", ["read_file", "write_file"]),
            Some("read_file")
        );
        assert_eq!(closest("zzzzzz", ["read_file", "write_file"]), None);
        assert_eq!(
            did_you_mean("agnet", ["agent"]).as_deref(),
            Some("; did you mean `agent`?")
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

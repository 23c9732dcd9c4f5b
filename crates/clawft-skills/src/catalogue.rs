//! The skill catalogue in the system prompt (progressive disclosure: the model sees name,
//! description and location, and reads a `SKILL.md` only when one applies).
//!
//! Layout, as OpenClaw and the Agent Skills reference formatter give it: a short
//! instruction, then `<available_skills>` with one XML-escaped
//! `<skill><name>…</name><description>…</description><location>…</location></skill>` per
//! line, home prefixes shortened to `~/`. Skills with `disable-model-invocation` and
//! unavailable skills are left out. Budget: at most `max_skills_in_prompt` skills (higher
//! layers first) and `max_catalogue_chars` characters for the whole text. Over budget,
//! descriptions are dropped first (with a warning line), then the largest prefix of skills
//! that fits is kept with `Skills truncated: included N of M`. Nothing is cut silently:
//! [`Catalogue`] lists what was left out and why, for the caller to log.

use std::path::Path;

use crate::command::truncate_chars;
use crate::gating::{Availability, GateContext};
use crate::limits::SkillLimits;
use crate::loaded::LoadedSkill;

/// The instruction placed before the list.
pub const CATALOGUE_INSTRUCTION: &str = "\
The skills below give specialised instructions for particular tasks. Before replying, scan \
their descriptions. If exactly one skill clearly applies, read its SKILL.md at <location> \
with your file-reading tool, then follow it. If several could apply, pick the most specific \
one. Never read more than one skill up front. Resolve relative paths in a skill against the \
folder that holds its SKILL.md.";

/// The warning line shown when descriptions were dropped to fit the budget.
pub const COMPACT_WARNING: &str = "Skills catalogue shortened: descriptions omitted to fit \
the prompt budget; read a skill's SKILL.md to learn what it does.";

/// The rendered catalogue and an account of every cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// The prompt text (empty when no skill is eligible or the budget fits nothing).
    pub text: String,
    /// Names listed, in order.
    pub included: Vec<String>,
    /// Eligible skills left out by the count or character budget, in order.
    pub omitted: Vec<String>,
    /// Skills never eligible, with the reason (model invocation disabled, unavailable).
    pub excluded: Vec<(String, String)>,
    /// Whether descriptions were dropped to fit.
    pub descriptions_dropped: bool,
}

impl Catalogue {
    /// Whether any eligible skill was left out.
    pub fn truncated(&self) -> bool {
        !self.omitted.is_empty()
    }
}

/// Escapes `& < > " '` for XML text.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `path` with a leading `home` replaced by `~` (`/home/u/x` → `~/x`).
pub fn shorten_home(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|home| path.strip_prefix(home).ok()) {
        Some(rest) if !rest.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    }
}

struct Entry {
    name: String,
    description: String,
    location: String,
}

fn render(entries: &[Entry], with_descriptions: bool, note: Option<&str>) -> String {
    let mut out = String::from(CATALOGUE_INSTRUCTION);
    out.push('\n');
    if let Some(note) = note {
        out.push_str(note);
        out.push('\n');
    }
    out.push_str("<available_skills>\n");
    for e in entries {
        out.push_str("<skill><name>");
        out.push_str(&e.name);
        out.push_str("</name>");
        if with_descriptions {
            out.push_str("<description>");
            out.push_str(&e.description);
            out.push_str("</description>");
        }
        out.push_str("<location>");
        out.push_str(&e.location);
        out.push_str("</location></skill>\n");
    }
    out.push_str("</available_skills>");
    out
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Builds the catalogue from `skills` (any order), gated by `ctx`, within `limits`;
/// `home` is shortened to `~/` in locations.
pub fn build_catalogue<'a>(
    skills: impl IntoIterator<Item = &'a LoadedSkill>,
    ctx: &GateContext,
    limits: &SkillLimits,
    home: Option<&Path>,
) -> Catalogue {
    let mut catalogue = Catalogue::default();
    let mut eligible: Vec<&LoadedSkill> = Vec::new();
    for skill in skills {
        if skill.doc.disable_model_invocation {
            catalogue.excluded.push((
                skill.name().to_owned(),
                "model invocation disabled (`disable-model-invocation: true`)".to_owned(),
            ));
        } else if let Availability::Unavailable(reason) = skill.availability(ctx) {
            catalogue
                .excluded
                .push((skill.name().to_owned(), format!("unavailable: {reason}")));
        } else {
            eligible.push(skill);
        }
    }
    eligible.sort_by(|a, b| (a.layer, &a.doc.name).cmp(&(b.layer, &b.doc.name)));
    let total = eligible.len();
    if total == 0 {
        return catalogue;
    }
    let entries: Vec<Entry> = eligible
        .iter()
        .take(limits.max_skills_in_prompt)
        .map(|s| Entry {
            name: xml_escape(s.name()),
            description: xml_escape(&truncate_chars(
                s.doc.description.trim(),
                limits.max_catalogue_description_chars,
            )),
            location: xml_escape(&shorten_home(s.path(), home)),
        })
        .collect();
    let budget = limits.max_catalogue_chars;
    let truncation_note = |n: usize, compact: bool| {
        format!(
            "Skills truncated: included {n} of {total}{}.",
            if compact {
                " (descriptions omitted)"
            } else {
                ""
            }
        )
    };
    let count_cut = entries.len() < total;

    let full_note = count_cut.then(|| truncation_note(entries.len(), false));
    let full = render(&entries, true, full_note.as_deref());
    let (text, kept, compact) = if chars(&full) <= budget {
        (full, entries.len(), false)
    } else {
        let compact_note = |n: usize| {
            if n < total {
                truncation_note(n, true)
            } else {
                COMPACT_WARNING.to_owned()
            }
        };
        let all = render(&entries, false, Some(&compact_note(entries.len())));
        if chars(&all) <= budget {
            (all, entries.len(), true)
        } else {
            // Largest prefix that fits (the text grows with the prefix, so binary search).
            let fits = |n: usize| {
                let text = render(&entries[..n], false, Some(&compact_note(n)));
                (chars(&text) <= budget).then_some(text)
            };
            let (mut lo, mut hi) = (0usize, entries.len());
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if fits(mid).is_some() {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            match fits(lo) {
                Some(text) if lo > 0 => (text, lo, true),
                _ => (String::new(), 0, true),
            }
        }
    };
    catalogue.text = text;
    catalogue.descriptions_dropped = compact;
    catalogue.included = eligible[..kept]
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    catalogue.omitted = eligible[kept..]
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    if catalogue.truncated() || compact {
        tracing::warn!(
            included = kept,
            total,
            descriptions_dropped = compact,
            omitted = ?catalogue.omitted,
            "skill catalogue over budget"
        );
    }
    catalogue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::SkillLayer;
    use crate::metadata::Os;
    use crate::parse::parse_skill_md;

    fn skill(name: &str, extra: &str, layer: SkillLayer) -> LoadedSkill {
        let text = format!("---\nname: {name}\ndescription: Does {name} & <more>.\n{extra}\n---\n");
        let path = format!("/home/u/skills/{name}/SKILL.md");
        let doc = parse_skill_md(&text, Path::new(&path), &SkillLimits::default())
            .expect("valid")
            .doc;
        LoadedSkill::new(doc, layer, "/home/u/skills")
    }

    fn ctx() -> GateContext {
        GateContext::current()
            .with_os(Os::Linux)
            .with_path("")
            .with_env(|_| false)
    }

    #[test]
    fn renders_escaped_entries_with_short_home() {
        let skills = [skill("a", "", SkillLayer::Managed)];
        let cat = build_catalogue(
            &skills,
            &ctx(),
            &SkillLimits::default(),
            Some(Path::new("/home/u")),
        );
        assert!(cat.text.starts_with(CATALOGUE_INSTRUCTION));
        assert!(cat.text.contains(
            "<skill><name>a</name><description>Does a &amp; &lt;more&gt;.</description>\
             <location>~/skills/a/SKILL.md</location></skill>"
        ));
        assert_eq!(cat.included, ["a"]);
        assert!(!cat.truncated() && !cat.descriptions_dropped);
    }

    #[test]
    fn disabled_and_unavailable_are_left_out_with_reasons() {
        let skills = [
            skill(
                "hidden",
                "disable-model-invocation: true",
                SkillLayer::Managed,
            ),
            skill(
                "needs",
                "metadata: {\"openclaw\":{\"requires\":{\"bins\":[\"zz\"]}}}",
                SkillLayer::Managed,
            ),
            skill("ok", "", SkillLayer::Managed),
        ];
        let cat = build_catalogue(&skills, &ctx(), &SkillLimits::default(), None);
        assert_eq!(cat.included, ["ok"]);
        assert_eq!(cat.excluded.len(), 2);
        assert!(cat.excluded[1].1.contains("missing binary `zz`"));
        assert!(!cat.text.contains("hidden"));
    }

    #[test]
    fn count_limit_prefers_higher_layers() {
        let skills = [
            skill("a", "", SkillLayer::Bundled),
            skill("b", "", SkillLayer::Workspace),
            skill("c", "", SkillLayer::Managed),
        ];
        let limits = SkillLimits {
            max_skills_in_prompt: 2,
            ..SkillLimits::default()
        };
        let cat = build_catalogue(&skills, &ctx(), &limits, None);
        assert_eq!(cat.included, ["b", "c"]);
        assert_eq!(cat.omitted, ["a"]);
        assert!(cat.text.contains("Skills truncated: included 2 of 3."));
    }

    #[test]
    fn over_budget_drops_descriptions_then_truncates() {
        let skills: Vec<LoadedSkill> = (0..20)
            .map(|i| skill(&format!("skill-{i:02}"), "", SkillLayer::Managed))
            .collect();
        let full = build_catalogue(&skills, &ctx(), &SkillLimits::default(), None);
        let compact_budget = chars(&full.text) - 10;
        let limits = SkillLimits {
            max_catalogue_chars: compact_budget,
            ..SkillLimits::default()
        };
        let cat = build_catalogue(&skills, &ctx(), &limits, None);
        assert!(cat.descriptions_dropped);
        assert!(!cat.truncated());
        assert!(cat.text.contains(COMPACT_WARNING));
        assert!(!cat.text.contains("<description>"));
        assert!(chars(&cat.text) <= compact_budget);

        let tight = SkillLimits {
            max_catalogue_chars: chars(CATALOGUE_INSTRUCTION) + 400,
            ..SkillLimits::default()
        };
        let cat = build_catalogue(&skills, &ctx(), &tight, None);
        assert!(cat.truncated());
        assert!(chars(&cat.text) <= tight.max_catalogue_chars);
        let n = cat.included.len();
        assert!(n > 0 && n < 20);
        assert_eq!(cat.included.len() + cat.omitted.len(), 20);
        assert!(cat.text.contains(&format!(
            "Skills truncated: included {n} of 20 (descriptions omitted)."
        )));
        // The largest prefix: one more entry would not have fitted.
        let entry = |s: &LoadedSkill| Entry {
            name: s.name().to_owned(),
            description: String::new(),
            location: s.path().display().to_string(),
        };
        let one_more: Vec<Entry> = skills[..=n].iter().map(entry).collect();
        let note = format!(
            "Skills truncated: included {} of 20 (descriptions omitted).",
            n + 1
        );
        assert!(chars(&render(&one_more, false, Some(&note))) > tight.max_catalogue_chars);
    }

    #[test]
    fn budget_below_overhead_yields_nothing() {
        let skills = [skill("a", "", SkillLayer::Managed)];
        let limits = SkillLimits {
            max_catalogue_chars: 10,
            ..SkillLimits::default()
        };
        let cat = build_catalogue(&skills, &ctx(), &limits, None);
        assert_eq!(cat.text, "");
        assert_eq!(cat.omitted, ["a"]);
    }

    #[test]
    fn long_descriptions_are_cut() {
        let skills = [skill("a", "", SkillLayer::Managed)];
        let limits = SkillLimits {
            max_catalogue_description_chars: 5,
            ..SkillLimits::default()
        };
        let cat = build_catalogue(&skills, &ctx(), &limits, None);
        assert!(
            cat.text.contains("<description>Does…</description>"),
            "{}",
            cat.text
        );
    }

    #[test]
    fn shorten_home_only_strips_a_real_prefix() {
        let home = Some(Path::new("/home/u"));
        assert_eq!(
            shorten_home(Path::new("/home/u/a/SKILL.md"), home),
            "~/a/SKILL.md"
        );
        assert_eq!(
            shorten_home(Path::new("/home/user2/a"), home),
            "/home/user2/a"
        );
        assert_eq!(shorten_home(Path::new("/x"), None), "/x");
    }
}

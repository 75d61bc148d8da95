//! Advice: what the source document says about a verdict, in the project's words.
//!
//! An advice file (TOML, see `data/advice.toml`) has one table per label:
//!
//! ```toml
//! [labels.desperate]
//! display = "desperate / materialistic"
//!
//! [[labels.desperate.entries]]
//! id = "gifts"
//! section = "Why gifting your ex doesn't work? coz it gives a wrong message"
//! summary = "..."                      # paraphrase, in our own words
//! cues = ["gift", "flowers", "necklace"]
//!
//! [[labels.desperate.entries]]
//! id = "instead"
//! section = "The message you should be giving to your ex"
//! summary = "..."
//! always = true                         # shown after the matched entries
//! ```
//!
//! For a verdict, the entries whose cues occur among the terms that pushed it are
//! shown, by `priority` and then strongest push first; then the `always` entries. When no cue matches,
//! the `fallback` entries stand in. Cues are analysed like drafts (stemmed, and a
//! cue of several words matches that n-gram), so "flowers" matches "flower".

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::theme::{THEMES, ThemeScore};
use crate::model::{Pipeline, Verdict};
use crate::text::analyzer::{CAPS_MARKER, NUMBER_MARKER};
use crate::text::{Analyzer, AnalyzerSettings};

/// The advice file shipped with draftcheck (embedded in the binary).
pub const DEFAULT_ADVICE: &str = include_str!("../data/advice.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdviceFile {
    #[serde(default)]
    pub labels: BTreeMap<String, LabelAdvice>,
    /// Every entry's cues as vocabulary terms, for the analyzer settings they
    /// were prepared with: computed on first use, so that scoring many drafts
    /// analyses the cues once.
    #[serde(skip)]
    cue_terms: OnceLock<CueTerms>,
}

/// The analyzer settings cues were analysed with, and per label, per entry, the
/// vocabulary terms of its cues.
type CueTerms = (AnalyzerSettings, BTreeMap<String, Vec<Vec<String>>>);

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelAdvice {
    /// How to name this label to a person, e.g. "desperate / materialistic".
    pub display: Option<String>,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: Option<String>,
    /// Heading of the source document's section this draws on.
    pub section: String,
    /// The advice, in the project's own words.
    pub summary: String,
    #[serde(default)]
    pub cues: Vec<String>,
    /// Shown for every verdict of this label, after the matched entries.
    #[serde(default)]
    pub always: bool,
    /// Shown when no entry's cues matched.
    #[serde(default)]
    pub fallback: bool,
    /// Matched entries are listed by priority (higher first), then by how strongly
    /// their cues pushed the verdict. Topic entries (gifts, letters) outrank
    /// general ones (pressure) so that a gift draft leads with the gift advice.
    #[serde(default)]
    pub priority: i64,
}

/// The vocabulary term a cue stands for: a marker as it is, words analysed and
/// joined like an n-gram.
fn cue_term(analyzer: &Analyzer, cue: &str) -> String {
    if [CAPS_MARKER, NUMBER_MARKER].contains(&cue) {
        return cue.to_string();
    }
    let tokens = analyzer.tokenize(cue);
    if tokens.iter().any(|t| t.is_word) {
        let words: Vec<String> = tokens
            .into_iter()
            .filter(|t| t.is_word)
            .map(|t| t.term)
            .collect();
        words.join(" ")
    } else {
        tokens
            .into_iter()
            .map(|t| t.term)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One piece of advice chosen for a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    /// The draft's terms that matched this entry's cues (empty for always/fallback).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
    pub section: String,
    pub summary: String,
}

impl AdviceFile {
    /// Parses and checks an advice file; `source` names it in errors.
    pub fn parse(source: &Path, text: &str) -> Result<Self> {
        let file: AdviceFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            Error::at(
                source,
                line,
                format!("not a valid advice file: {}", e.message()),
            )
            .with_hint("see data/advice.toml for the expected layout")
        })?;
        // Advice is printed as written: no string in it may drive a terminal.
        if let Ok(value) = toml::from_str::<toml::Value>(text)
            && let Some((key, c)) = unsafe_string(&value, String::new())
        {
            return Err(Error::at(
                source,
                None,
                format!(
                    "'{key}' holds a control or bidirectional-formatting character (U+{:04X})",
                    c as u32
                ),
            )
            .with_hint("advice is shown on a terminal: remove the character"));
        }
        for (label, advice) in &file.labels {
            for (i, entry) in advice.entries.iter().enumerate() {
                if entry.section.trim().is_empty() || entry.summary.trim().is_empty() {
                    return Err(Error::at(
                        source,
                        None,
                        format!(
                            "entry {} of label '{label}' has an empty section or summary",
                            i + 1
                        ),
                    ));
                }
            }
        }
        Ok(file)
    }

    /// The advice embedded in the binary.
    pub fn embedded() -> Self {
        Self::parse(Path::new("<embedded advice>"), DEFAULT_ADVICE)
            .expect("the embedded advice file is valid")
    }

    /// Loads an advice file from disk.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::files::read_utf8(path)?;
        Self::parse(path, &text)
    }

    /// Display name of a label (the label itself when the file has none).
    pub fn display_name<'a>(&'a self, label: &'a str) -> &'a str {
        self.labels
            .get(label)
            .and_then(|a| a.display.as_deref())
            .unwrap_or(label)
    }

    /// Each label's entries' cues as vocabulary terms of `analyzer`.
    fn analyse_cues(&self, analyzer: &Analyzer) -> BTreeMap<String, Vec<Vec<String>>> {
        self.labels
            .iter()
            .map(|(label, advice)| {
                let entries = advice
                    .entries
                    .iter()
                    .map(|e| e.cues.iter().map(|c| cue_term(analyzer, c)).collect())
                    .collect();
                (label.clone(), entries)
            })
            .collect()
    }

    /// Picks the advice for a verdict of `pipeline`.
    pub fn select(&self, pipeline: &Pipeline, verdict: &Verdict) -> Vec<Advice> {
        let label = &pipeline.labels()[verdict.label];
        let Some(advice) = self.labels.get(label) else {
            return Vec::new();
        };
        let analyzer = pipeline.analyzer();
        let cached = self
            .cue_terms
            .get_or_init(|| (analyzer.settings().clone(), self.analyse_cues(analyzer)));
        let fresh;
        let cue_terms = if &cached.0 == analyzer.settings() {
            &cached.1[label]
        } else {
            fresh = self.analyse_cues(analyzer);
            &fresh[label]
        };
        // Terms of the draft that did not push against the verdict, with their
        // push. An ending term (a model trained with `--ending`) adds to the
        // term it repeats: cues are terms of the whole draft.
        let mut push: BTreeMap<&str, f64> = BTreeMap::new();
        for c in &verdict.contributions {
            *push.entry(c.ending_base().unwrap_or(&c.term)).or_default() += c.weight;
        }
        let pushing: BTreeMap<&str, f64> = push.into_iter().filter(|&(_, w)| w >= 0.0).collect();
        let mut matched: Vec<(i64, f64, usize, Vec<String>)> = Vec::new();
        for (i, entry) in advice.entries.iter().enumerate() {
            if entry.always || entry.fallback {
                continue;
            }
            let mut hits: Vec<String> = Vec::new();
            let mut strength = 0.0;
            for term in &cue_terms[i] {
                if let Some(&w) = pushing.get(term.as_str())
                    && !hits.contains(term)
                {
                    strength += w;
                    hits.push(term.clone());
                }
            }
            if !hits.is_empty() {
                matched.push((entry.priority, strength, i, hits));
            }
        }
        matched.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut out: Vec<Advice> = matched
            .into_iter()
            .map(|(_, _, i, hits)| Advice {
                section: advice.entries[i].section.clone(),
                summary: advice.entries[i].summary.clone(),
                matched: hits,
            })
            .collect();
        let fallback = out.is_empty();
        out.extend(
            advice
                .entries
                .iter()
                .filter(|e| e.always || (fallback && e.fallback))
                .map(|e| Advice {
                    section: e.section.clone(),
                    summary: e.summary.clone(),
                    matched: Vec::new(),
                }),
        );
        merge_sections(out)
    }

    /// The advice for a verdict by its learned themes: the entry of each theme
    /// (by id: `gifts`, `love-letters`, `pressure`) that is chosen (its
    /// probability reaches its threshold), most probable first (the most
    /// probable one if none is),
    /// then the entries shown always. None when this label has no entry for
    /// any theme (an advice file of the user's own: its cues decide).
    pub fn select_by_themes(
        &self,
        pipeline: &Pipeline,
        verdict: &Verdict,
        scores: &[ThemeScore],
    ) -> Option<Vec<Advice>> {
        let label = &pipeline.labels()[verdict.label];
        let advice = self.labels.get(label)?;
        let entry_of = |theme: &str| {
            let id = THEMES.iter().find(|(name, _)| *name == theme)?.1;
            advice
                .entries
                .iter()
                .position(|e| e.id.as_deref() == Some(id))
        };
        let mut candidates: Vec<(&ThemeScore, usize)> = scores
            .iter()
            .filter_map(|s| Some((s, entry_of(&s.theme)?)))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        candidates.sort_by(|a, b| b.0.probability.total_cmp(&a.0.probability));
        // The chosen themes (each against its own threshold, so a chosen theme
        // may be less probable than one that is not), most probable first; the
        // most probable one if none is.
        let chosen: Vec<(&ThemeScore, usize)> = candidates
            .iter()
            .copied()
            .filter(|(s, _)| s.chosen)
            .collect();
        let shown = if chosen.is_empty() {
            candidates.into_iter().take(1).collect()
        } else {
            chosen
        };
        let terms = pipeline.vectorizer().terms();
        let mut out: Vec<Advice> = shown
            .into_iter()
            .map(|(s, i)| Advice {
                section: advice.entries[i].section.clone(),
                summary: advice.entries[i].summary.clone(),
                matched: s
                    .contributions
                    .iter()
                    .filter(|(_, w)| *w > 0.0)
                    .take(4)
                    .map(|&(j, _)| terms[j].to_string())
                    .collect(),
            })
            .collect();
        out.extend(advice.entries.iter().filter(|e| e.always).map(|e| Advice {
            section: e.section.clone(),
            summary: e.summary.clone(),
            matched: Vec::new(),
        }));
        Some(merge_sections(out))
    }
}

/// Entries drawing on the same section read as one piece of advice.
fn merge_sections(out: Vec<Advice>) -> Vec<Advice> {
    let mut merged: Vec<Advice> = Vec::with_capacity(out.len());
    for item in out {
        match merged.iter_mut().find(|m| m.section == item.section) {
            Some(m) => {
                m.summary = format!("{} {}", m.summary, item.summary);
                m.matched.extend(item.matched);
            }
            None => merged.push(item),
        }
    }
    merged
}

/// The first string (its key path) in a TOML value, key names included, that
/// holds a character that could drive a terminal, with that character.
fn unsafe_string(value: &toml::Value, at: String) -> Option<(String, char)> {
    let bad = |s: &str| {
        s.chars()
            .find(|&c| crate::terminal::unsafe_on_a_terminal(c))
    };
    match value {
        toml::Value::String(s) => bad(s).map(|c| (at, c)),
        toml::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| unsafe_string(v, format!("{at}[{}]", i + 1))),
        toml::Value::Table(table) => table.iter().find_map(|(k, v)| {
            let key = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            let key = crate::terminal::terminal_safe(&key).into_owned();
            match bad(k) {
                Some(c) => Some((key, c)),
                None => unsafe_string(v, key),
            }
        }),
        _ => None,
    }
}

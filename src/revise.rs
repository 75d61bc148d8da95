//! Revision help: which sentences make a draft read the way it does, and what
//! to cut so that it reads otherwise.
//!
//! The model is linear, but tf-idf normalisation makes a term's weight depend on
//! the rest of the draft, so a sentence's effect is measured exactly: by scoring
//! the draft without it. A suggestion removes whole sentences (the fewest, picked
//! greedily), then narrows each to a phrase within it where that is enough, and
//! is confirmed by scoring the draft with exactly those bytes removed. Nothing is
//! ever written in their place.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::model::{Pipeline, Verdict};
use crate::text::Token;

/// One sentence's part in a verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceEffect {
    /// Byte range of the sentence in the draft (surrounding spaces excluded).
    pub range: Range<usize>,
    /// The verdict's logit minus the same label's logit without the sentence:
    /// positive when the sentence pushes toward the verdict.
    pub delta_logit: f64,
    /// The verdict label's probability without the sentence.
    pub probability_without: f64,
    /// The theme the sentence carries on its own (see [`sentence_themes`]).
    pub theme: Option<String>,
}

/// A cut that makes the draft read otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// Byte ranges to remove, disjoint, in text order.
    pub remove: Vec<Range<usize>>,
    /// The label of the draft with those ranges removed, and its probability.
    pub label_after: usize,
    pub probability_after: f64,
}

/// The sentences of a draft (Unicode sentence boundaries, UAX #29), as byte
/// ranges without their surrounding white space; blank ones are left out.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    text.split_sentence_bound_indices()
        .filter_map(|(start, s)| trimmed(start, s))
        .collect()
}

/// The phrases of a sentence: its parts between commas, semicolons, colons and
/// dashes, and before the conjunctions "and", "but" and "because", as byte
/// ranges of the draft.
fn phrases(text: &str, sentence: &Range<usize>) -> Vec<Range<usize>> {
    let s = &text[sentence.clone()];
    let lower = s.to_lowercase();
    // Where a phrase may end: after clause punctuation, or before a conjunction.
    let mut cuts: Vec<usize> = s
        .char_indices()
        .filter(|&(_, c)| matches!(c, ',' | ';' | ':' | '—' | '–'))
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    if lower.len() == s.len() {
        for word in [" and ", " but ", " because "] {
            cuts.extend(lower.match_indices(word).map(|(i, _)| i + 1));
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts {
        if cut > start {
            out.extend(trimmed(sentence.start + start, &s[start..cut]));
            start = cut;
        }
    }
    out.extend(trimmed(sentence.start + start, &s[start..]));
    out
}

fn trimmed(start: usize, s: &str) -> Option<Range<usize>> {
    let lead = s.len() - s.trim_start().len();
    let body = s.trim();
    (!body.is_empty()).then(|| start + lead..start + lead + body.len())
}

/// The text with `ranges` (disjoint) removed.
pub fn without(text: &str, ranges: &[Range<usize>]) -> String {
    let mut sorted: Vec<&Range<usize>> = ranges.iter().collect();
    sorted.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in sorted {
        out.push_str(&text[at..r.start.max(at)]);
        at = at.max(r.end);
    }
    out.push_str(&text[at..]);
    out
}

/// Each sentence's exact effect on the verdict, in text order.
pub fn sentence_effects(pipeline: &Pipeline, text: &str, verdict: &Verdict) -> Vec<SentenceEffect> {
    let label = verdict.label;
    sentences(text)
        .into_iter()
        .map(|range| {
            let (logit, probabilities) =
                pipeline.logit_of(&without(text, std::slice::from_ref(&range)), label);
            SentenceEffect {
                range,
                delta_logit: verdict.logit - logit,
                probability_without: probabilities[label],
                theme: None,
            }
        })
        .collect()
}

/// Gives each sentence that pushes toward the verdict the theme it carries on
/// its own: the most probable of the model's themes for the sentence's text
/// alone, if it is chosen (reaches its threshold). (The themes are fitted on desperate drafts, so
/// a sentence that pushes the other way would get one by their prior alone.)
/// Nothing when the model has no themes.
pub fn sentence_themes(pipeline: &Pipeline, text: &str, effects: &mut [SentenceEffect]) {
    let Some(themes) = pipeline.themes() else {
        return;
    };
    for effect in effects.iter_mut().filter(|e| e.delta_logit > 0.0) {
        let sentence = &text[effect.range.clone()];
        let row = pipeline.row_of_tokens(&pipeline.analyzer().tokenize(sentence));
        effect.theme = themes
            .score(&row)
            .into_iter()
            .filter(|t| t.chosen)
            .max_by(|a, b| a.probability.total_cmp(&b.probability))
            .map(|t| t.theme);
    }
}

/// Scores the draft without some ranges, quickly: from the draft's tokens, less
/// those inside the ranges (no new segmentation or stemming). Used to rank
/// candidates; every claim is confirmed with [`Pipeline::logit_of`].
struct Cutter<'a> {
    pipeline: &'a Pipeline,
    tokens: Vec<Token>,
    label: usize,
}

impl Cutter<'_> {
    fn logit_without(&self, ranges: &[Range<usize>]) -> f64 {
        let kept: Vec<Token> = self
            .tokens
            .iter()
            .filter(|t| {
                !ranges
                    .iter()
                    .any(|r| r.start <= t.span.start && t.span.end <= r.end)
            })
            .cloned()
            .collect();
        self.pipeline
            .logit_of_row(&self.pipeline.row_of_tokens(&kept), self.label)
            .0
    }
}

/// Cuts units (sentences or phrases) one at a time, each time the one that
/// lowers the verdict's logit most, until the verdict changes (confirmed by
/// scoring the text); at least one unit is kept. None if it never changes.
fn greedy(
    cutter: &Cutter,
    pipeline: &Pipeline,
    text: &str,
    units: &[Range<usize>],
) -> Option<Vec<Range<usize>>> {
    let label = cutter.label;
    let mut removed: Vec<Range<usize>> = Vec::new();
    let mut remaining = units.to_vec();
    while remaining.len() > 1 {
        let (best, _) = remaining
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut trial = removed.clone();
                trial.push(r.clone());
                (i, cutter.logit_without(&trial))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        removed.push(remaining.remove(best));
        if confirm(pipeline, text, &removed, label).0 != label {
            return Some(removed);
        }
    }
    None
}

/// The label and probabilities of the text without `ranges`, exactly.
fn confirm(
    pipeline: &Pipeline,
    text: &str,
    ranges: &[Range<usize>],
    label: usize,
) -> (usize, Vec<f64>) {
    let (_, probabilities) = pipeline.logit_of(&without(text, ranges), label);
    (
        crate::model::classifier::argmax(&probabilities),
        probabilities,
    )
}

/// The fewest sentences to cut (then narrowed to phrases where that is enough)
/// for the draft to stop reading as its verdict. None when no cut that leaves
/// at least one sentence does it (a draft that is one long plea).
pub fn suggest(pipeline: &Pipeline, text: &str, verdict: &Verdict) -> Option<Revision> {
    let label = verdict.label;
    let units = sentences(text);
    let cutter = Cutter {
        pipeline,
        tokens: pipeline.analyzer().tokenize(text),
        label,
    };
    // Greedy: cut the sentence that lowers the verdict's logit most, until the
    // verdict changes (confirmed by scoring the text), keeping at least one.
    // When no set of whole sentences does it, the same with phrases.
    let all_phrases: Vec<Range<usize>> = units.iter().flat_map(|u| phrases(text, u)).collect();
    let mut removed = greedy(&cutter, pipeline, text, &units)
        .or_else(|| greedy(&cutter, pipeline, text, &all_phrases))?;
    // Drop any cut the others make unnecessary (last cut first).
    for i in (0..removed.len()).rev() {
        if removed.len() > 1 {
            let mut trial = removed.clone();
            trial.remove(i);
            if confirm(pipeline, text, &trial, label).0 != label {
                removed = trial;
            }
        }
    }
    // Narrow each cut sentence to one of its phrases where that is enough.
    for i in 0..removed.len() {
        let candidates = phrases(text, &removed[i]);
        if candidates.len() < 2 {
            continue;
        }
        let mut ranked: Vec<(f64, Range<usize>)> = candidates
            .into_iter()
            .map(|p| {
                let mut trial = removed.clone();
                trial[i] = p.clone();
                (cutter.logit_without(&trial), p)
            })
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, phrase) in ranked {
            let mut trial = removed.clone();
            trial[i] = phrase;
            if confirm(pipeline, text, &trial, label).0 != label {
                removed = trial;
                break;
            }
        }
    }
    removed.sort_by_key(|r| r.start);
    let (label_after, probabilities) = confirm(pipeline, text, &removed, label);
    (label_after != label).then(|| Revision {
        remove: removed,
        label_after,
        probability_after: probabilities[label_after],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_trimmed_byte_ranges() {
        let text = "Hi there.  I miss you!\n\nCall me? ";
        let s: Vec<&str> = sentences(text).iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(s, ["Hi there.", "I miss you!", "Call me?"]);
        assert!(sentences("   ").is_empty());
    }

    #[test]
    fn phrases_split_at_clause_punctuation() {
        let text = "Well, I bought you roses; they are at the door — go and look.";
        let all = 0..text.len();
        let p: Vec<&str> = phrases(text, &all)
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(
            p,
            [
                "Well,",
                "I bought you roses;",
                "they are at the door —",
                "go",
                "and look."
            ]
        );
    }

    #[test]
    fn without_removes_exactly_those_bytes() {
        let text = "One. Two. Three.";
        assert_eq!(without(text, std::slice::from_ref(&(5..9))), "One.  Three.");
        assert_eq!(without(text, &[10..16, 0..4]), " Two. ");
        assert_eq!(without("née 💐", std::slice::from_ref(&(5..9))), "née ");
    }
}

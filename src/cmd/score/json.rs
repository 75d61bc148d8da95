//! JSON output of `score`: one object per draft, as the types below serialise
//! (their fields, in this order, are the format).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::advice::Advice;
use crate::cmd::score::Reading;
use crate::model::Pipeline;

/// The JSON object of one verdict.
#[derive(Debug, Serialize)]
pub struct VerdictJson<'a> {
    /// The advice entries shown, in order.
    pub advice: &'a [Advice],
    /// Whether the verdict is too close, or rests on too few known terms, to trust.
    pub borderline: bool,
    /// The terms behind the verdict, strongest first.
    pub contributions: Vec<TermJson<'a>>,
    /// The predicted label's intercept.
    pub intercept: f64,
    pub label: &'a str,
    /// The line of a `--batch` row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The predicted label's logit: the intercept plus every contribution.
    pub logit: f64,
    /// Which model scored it.
    pub model: &'a str,
    /// Every label's probability.
    pub probabilities: BTreeMap<&'a str, f64>,
    /// The predicted label's probability.
    pub probability: f64,
    /// What to cut to change the verdict, or null (not a verdict to revise, or
    /// no cut changes it).
    pub revision: Option<RevisionJson<'a>>,
    /// Each sentence's effect (empty for a one-sentence draft).
    pub sentences: Vec<SentenceJson<'a>>,
    /// Theme probabilities (a verdict to revise, with a model that has themes).
    pub themes: Vec<ThemeJson<'a>>,
}

/// One term's contribution to the verdict.
#[derive(Debug, Serialize)]
pub struct TermJson<'a> {
    /// The term as analysed (stemmed, n-grams joined by spaces).
    pub term: &'a str,
    /// The term as written in the draft.
    pub text: String,
    /// Whether it is an ending term: `text` counted again because it is in
    /// the draft's last sentences (a model trained with `--ending`; absent
    /// otherwise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ending: bool,
    /// Its contribution to the predicted label's logit.
    pub weight: f64,
}

/// One sentence: where it is, and what removing it would do.
#[derive(Debug, Serialize)]
pub struct SentenceJson<'a> {
    /// The draft's logit minus the same label's logit with these bytes removed.
    pub delta_logit: f64,
    /// Byte range in the draft's UTF-8 text.
    pub end: usize,
    /// The label's probability without the sentence.
    pub probability_without: f64,
    pub start: usize,
    pub text: &'a str,
    /// The theme the sentence carries on its own (null when none, or for a
    /// verdict not to revise, or a model without themes).
    pub theme: Option<&'a str>,
}

/// What to cut: byte ranges, and the verdict of what is left.
#[derive(Debug, Serialize)]
pub struct RevisionJson<'a> {
    pub label_after: &'a str,
    pub probability_after: f64,
    pub remove: Vec<SpanJson>,
}

/// A byte range of the draft.
#[derive(Debug, Serialize)]
pub struct SpanJson {
    pub end: usize,
    pub start: usize,
}

/// One theme's probability, whether it is chosen (its probability reaches
/// its threshold), and the terms that pushed it most.
#[derive(Debug, Serialize)]
pub struct ThemeJson<'a> {
    pub chosen: bool,
    pub probability: f64,
    pub terms: Vec<ThemeTermJson<'a>>,
    pub theme: &'a str,
    pub threshold: f64,
}

/// A term behind a theme, and its contribution to the theme's logit.
#[derive(Debug, Serialize)]
pub struct ThemeTermJson<'a> {
    pub term: &'a str,
    pub weight: f64,
}

/// The JSON object for one verdict (`line`: the row's line in a batch).
pub fn verdict_json<'a>(
    pipeline: &'a Pipeline,
    draft: &'a str,
    reading: &'a Reading,
    source: &'a str,
    line: Option<u64>,
) -> VerdictJson<'a> {
    let verdict = &reading.verdict;
    let labels = pipeline.labels();
    let terms = pipeline.vectorizer().terms();
    VerdictJson {
        advice: &reading.advice,
        borderline: verdict.is_borderline(),
        contributions: verdict
            .contributions
            .iter()
            .map(|c| TermJson {
                term: &c.term,
                text: c.as_written(draft),
                ending: c.ending_base().is_some(),
                weight: c.weight,
            })
            .collect(),
        intercept: verdict.intercept,
        label: &labels[verdict.label],
        line,
        logit: verdict.logit,
        model: source,
        probabilities: labels
            .iter()
            .map(String::as_str)
            .zip(verdict.probabilities.iter().copied())
            .collect(),
        probability: verdict.probability(),
        revision: reading.revision.as_ref().map(|r| RevisionJson {
            label_after: &labels[r.label_after],
            probability_after: r.probability_after,
            remove: r
                .remove
                .iter()
                .map(|x| SpanJson {
                    end: x.end,
                    start: x.start,
                })
                .collect(),
        }),
        sentences: reading
            .sentences
            .iter()
            .map(|s| SentenceJson {
                delta_logit: s.delta_logit,
                end: s.range.end,
                probability_without: s.probability_without,
                start: s.range.start,
                text: &draft[s.range.clone()],
                theme: s.theme.as_deref(),
            })
            .collect(),
        themes: reading
            .themes
            .iter()
            .map(|t| ThemeJson {
                chosen: t.chosen,
                probability: t.probability,
                terms: t
                    .contributions
                    .iter()
                    .filter(|(_, w)| *w > 0.0)
                    .take(4)
                    .map(|&(j, w)| ThemeTermJson {
                        term: &terms[j],
                        weight: w,
                    })
                    .collect(),
                theme: &t.theme,
                threshold: t.threshold,
            })
            .collect(),
    }
}

//! What `score` reads in one draft: the verdict, its advice and themes, each
//! sentence's effect, and what to cut.

use crate::advice::Advice;
use crate::cmd::score::{MAX_EXPLAINED_SENTENCES, Scorer};
use crate::model::Verdict;
use crate::model::theme::ThemeScore;
use crate::revise::{self, Revision, SentenceEffect};

/// Everything `score` says about one draft.
pub struct Reading {
    pub verdict: Verdict,
    pub advice: Vec<Advice>,
    /// Theme probabilities (a verdict to revise, with a model that has themes).
    pub themes: Vec<ThemeScore>,
    /// Each sentence's effect (text order; empty for a one-sentence draft).
    pub sentences: Vec<SentenceEffect>,
    /// What to cut, if the verdict is the one to revise and a cut changes it.
    pub revision: Option<Revision>,
    /// Whether the verdict is the one to revise (then no revision means no
    /// cut that leaves some of the draft changes it).
    pub to_revise: bool,
}

impl Reading {
    /// The sentences that push toward the verdict, strongest first.
    pub fn pushing(&self) -> Vec<&SentenceEffect> {
        let mut pushing: Vec<&SentenceEffect> = self
            .sentences
            .iter()
            .filter(|x| x.delta_logit > 0.0)
            .collect();
        pushing.sort_by(|a, b| b.delta_logit.total_cmp(&a.delta_logit));
        pushing
    }
}

impl Scorer<'_> {
    /// Scores a draft with its sentences, revision and advice.
    pub(crate) fn read(&self, draft: &str) -> Reading {
        let pipeline = &self.model.pipeline;
        let (verdict, row) = pipeline.score_with_row(draft);
        // A desperate verdict's advice follows its learned themes, when the
        // model has them and the advice file has their entries; else cues.
        let to_revise = self.revise == Some(verdict.label);
        let themes: Vec<ThemeScore> = match pipeline.themes() {
            Some(t) if to_revise => t.score(&row),
            _ => Vec::new(),
        };
        let advice = self
            .advice
            .select_by_themes(pipeline, &verdict, &themes)
            .filter(|_| !themes.is_empty())
            .unwrap_or_else(|| self.advice.select(pipeline, &verdict));
        // Each sentence costs a rescoring of the whole draft (and a cut, several):
        // a long letter is explained sentence by sentence up to a size.
        let n = revise::sentences(draft).len();
        let mut sentences = if (2..=MAX_EXPLAINED_SENTENCES).contains(&n) {
            revise::sentence_effects(pipeline, draft, &verdict)
        } else {
            Vec::new()
        };
        if to_revise {
            revise::sentence_themes(pipeline, draft, &mut sentences);
        }
        let to_revise = to_revise && n <= MAX_EXPLAINED_SENTENCES;
        let revision = if to_revise {
            revise::suggest(pipeline, draft, &verdict)
        } else {
            None
        };
        Reading {
            verdict,
            advice,
            themes,
            sentences,
            revision,
            to_revise,
        }
    }
}

//! The whole model: settings -> fitted analyzer and vocabulary -> fitted classifier.
//!
//! [`Settings`] gathers the three units' settings and is what a model file stores.
//! [`Settings::check`] validates them into a [`Trainer`], which analyses texts and
//! fits a [`Pipeline`]. A pipeline scores a draft: label probabilities plus an exact
//! explanation of the predicted label's logit, term by term.

use std::ops::Range;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::budget;
use crate::model::classifier::{CheckedClassifierSettings, Classifier, ClassifierSettings, argmax};
use crate::model::solver::csr::CsrBuilder;
use crate::model::solver::{FitReport, Problem, Solver};
use crate::model::theme::Themes;
pub use crate::model::warm::{ColdStart, WARM_START_TOLERANCE, WarmStart, max_difference};
use crate::text::{
    Analyzer, AnalyzerSettings, CheckedVectorizerSettings, Corpus, FeatureMap, SparseRow,
    Vectorizer, VectorizerSettings,
};

/// Every setting that shapes a model; stored in the model file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub analyzer: AnalyzerSettings,
    pub vectorizer: VectorizerSettings,
    pub classifier: ClassifierSettings,
}

impl Settings {
    /// Validates every part once and returns a trainer for these settings. A
    /// bad setting's error names its field (`classifier.alpha`); commands map
    /// it to their option (`--alpha`) with [`crate::Error::for_flags`].
    pub fn check(&self) -> Result<Trainer> {
        Ok(Trainer {
            settings: self.clone(),
            analyzer: self.analyzer.build()?,
            vectorizer: self.vectorizer.check()?,
            classifier: self.classifier.check()?,
            memory_budget: budget::DEFAULT_MEMORY_BUDGET,
        })
    }
}

/// How [`Trainer::fit_from`] runs its warm start.
#[derive(Debug, Clone, Copy, Default)]
pub struct WarmOptions {
    /// Also fit from scratch and compare, for the record.
    pub compare_cold: bool,
    /// Stop at this gradient norm per row when the tolerance is below it (see
    /// [`Problem::fit`]); both starts do.
    ///
    /// [`Problem::fit`]: crate::model::solver::Problem::fit
    pub stop_at: Option<f64>,
}

/// Checked settings: a ready analyzer, and the checked vectorizer and
/// classifier settings that fits take.
#[derive(Debug)]
pub struct Trainer {
    settings: Settings,
    analyzer: Analyzer,
    vectorizer: CheckedVectorizerSettings,
    classifier: CheckedClassifierSettings,
    memory_budget: u64,
}

impl Trainer {
    /// Sets the most memory the dense feature matrix of a fit may take (see
    /// [`budget`]); a fit that would need more fails before allocating it.
    pub fn with_memory_budget(mut self, bytes: u64) -> Self {
        self.memory_budget = bytes;
        self
    }

    pub fn memory_budget(&self) -> u64 {
        self.memory_budget
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The checked vectorizer settings.
    pub fn vectorizer(&self) -> &CheckedVectorizerSettings {
        &self.vectorizer
    }

    /// The checked classifier settings (themes are fitted with them too).
    pub fn classifier(&self) -> &CheckedClassifierSettings {
        &self.classifier
    }

    /// Analyses every text once, on every core (in input order), into a corpus of
    /// term ids that can be reused across folds and fits.
    pub fn analyze_all<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Corpus {
        Corpus::analyze(&self.analyzer, texts)
    }

    /// Fits the vocabulary on `documents` (term ids into the corpus's terms),
    /// with the corpus's map into it. [`Trainer::fit`] fits its own; one fitted
    /// here ahead serves [`Trainer::fit_on`] and whatever else needs the final
    /// model's features before its classifier is fitted (the themes).
    pub fn vocabulary(
        &self,
        corpus: &Corpus,
        documents: &[&[u32]],
        targets: &[usize],
        n_labels: usize,
    ) -> Result<Vocabulary> {
        let (vectorizer, map) =
            self.vectorizer
                .fit_ids(corpus.terms(), documents, targets, n_labels)?;
        Ok(Vocabulary { vectorizer, map })
    }

    /// Turns `documents` into feature rows of `vocabulary` and builds the
    /// solver's problem, checking the memory budget before the matrix is
    /// allocated (the dense one) or as it grows (the sparse one).
    fn problem(
        &self,
        vocabulary: &Vocabulary,
        documents: &[&[u32]],
        targets: &[usize],
        n_labels: usize,
    ) -> Result<Problem> {
        let n_features = vocabulary.vectorizer.len();
        let solver = self.classifier.solver.resolve(documents.len(), n_features);
        let transform = |d: &&[u32]| vocabulary.row(d);
        let problem = match solver {
            Solver::Linfa => {
                budget::check_dense(documents.len(), n_features, self.memory_budget)?;
                let rows: Vec<SparseRow> = documents.par_iter().map(transform).collect();
                Problem::new(solver, &rows, n_features, targets, n_labels)?
            }
            Solver::Sparse => {
                if n_labels < 2 {
                    return Err(Error::new("training needs at least two labels"));
                }
                let mut builder = CsrBuilder::new(n_features);
                for chunk in documents.chunks(ROWS_PER_CHUNK) {
                    let rows: Vec<SparseRow> = chunk.par_iter().map(transform).collect();
                    builder.extend(&rows);
                    // Projected from the rows so far, so that a fit too large stops early.
                    let projected = (builder.nnz() as f64 / builder.rows() as f64
                        * documents.len() as f64) as usize;
                    budget::check_sparse(
                        documents.len(),
                        n_features,
                        projected,
                        n_labels,
                        self.memory_budget,
                    )?;
                }
                Problem::Sparse(builder.finish(targets, n_labels))
            }
        };
        Ok(problem)
    }

    /// Fits the vocabulary and the classifier on analysed documents, from scratch.
    /// `targets[i]` indexes `labels`; every label must occur.
    pub fn fit(
        &self,
        corpus: &Corpus,
        documents: &[&[u32]],
        targets: &[usize],
        labels: &[String],
    ) -> Result<Pipeline> {
        let vocabulary = self.vocabulary(corpus, documents, targets, labels.len())?;
        self.fit_on(vocabulary, documents, targets, labels)
    }

    /// Like [`Trainer::fit`], on a vocabulary fitted ahead on the same
    /// documents (see [`Trainer::vocabulary`]).
    pub fn fit_on(
        &self,
        vocabulary: Vocabulary,
        documents: &[&[u32]],
        targets: &[usize],
        labels: &[String],
    ) -> Result<Pipeline> {
        let problem = self.problem(&vocabulary, documents, targets, labels.len())?;
        // The map is one number per corpus term: not kept through the fit.
        let vectorizer = vocabulary.into_vectorizer();
        let (classifier, report) = self.classifier.fit_problem(&problem, None, None)?;
        self.assemble(vectorizer, classifier, report, labels)
    }

    /// Like [`Trainer::fit_on`], but starts the solver from `previous` when it was
    /// trained with the same settings and labels (its weights mapped onto the new
    /// vocabulary): one fit, from a point near the optimum. Both starts stop at
    /// the same gradient tolerance, so they land within [`WARM_START_TOLERANCE`]
    /// of each other (a test checks it); a `stop_at` above the tolerance (see
    /// [`WarmOptions`]) stops both earlier, and then they may land further
    /// apart. See [`WarmOptions`] for a cold fit beside it, too.
    pub fn fit_from(
        &self,
        vocabulary: Vocabulary,
        documents: &[&[u32]],
        targets: &[usize],
        labels: &[String],
        previous: &Pipeline,
        WarmOptions {
            compare_cold,
            stop_at,
        }: WarmOptions,
    ) -> Result<(Pipeline, Option<WarmStart>)> {
        let problem = self.problem(&vocabulary, documents, targets, labels.len())?;
        let vectorizer = vocabulary.into_vectorizer();
        let classifier_settings = &self.classifier;
        let Some(init) = previous.warm_start_for(&self.settings, &vectorizer, labels) else {
            let (classifier, report) = classifier_settings.fit_problem(&problem, None, stop_at)?;
            return Ok((self.assemble(vectorizer, classifier, report, labels)?, None));
        };
        let started = Instant::now();
        let (warm, warm_report) =
            classifier_settings.fit_problem(&problem, Some(&init), stop_at)?;
        let warm_seconds = started.elapsed().as_secs_f64();
        let cold = if compare_cold {
            let started = Instant::now();
            let (cold, cold_report) = classifier_settings.fit_problem(&problem, None, stop_at)?;
            Some(ColdStart {
                iterations: cold_report.iterations,
                seconds: started.elapsed().as_secs_f64(),
                max_difference: max_difference(&warm, &cold),
            })
        } else {
            None
        };
        let report = WarmStart {
            iterations: warm_report.iterations,
            seconds: warm_seconds,
            cold,
        };
        Ok((
            self.assemble(vectorizer, warm, warm_report, labels)?,
            Some(report),
        ))
    }

    fn assemble(
        &self,
        vectorizer: Vectorizer,
        classifier: Classifier,
        fit_report: FitReport,
        labels: &[String],
    ) -> Result<Pipeline> {
        Ok(Pipeline {
            settings: self.settings.clone(),
            analyzer: self.settings.analyzer.build()?,
            vectorizer,
            classifier,
            labels: labels.to_vec(),
            fit_report: Some(fit_report),
            themes: None,
        })
    }
}

/// A vocabulary fitted on a corpus's documents, with the map from the
/// corpus's term ids into it.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    vectorizer: Vectorizer,
    map: FeatureMap,
}

impl Vocabulary {
    /// Terms kept: the number of features.
    pub fn len(&self) -> usize {
        self.vectorizer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectorizer.is_empty()
    }

    /// The feature row of a document of the corpus it was fitted on.
    pub fn row(&self, document: &[u32]) -> SparseRow {
        self.vectorizer
            .transform_indices(self.map.features(document))
    }

    /// The terms kept, in column order.
    pub fn terms(&self) -> &crate::text::Terms {
        self.vectorizer.terms()
    }

    /// The vocabulary alone, its map into the corpus dropped.
    fn into_vectorizer(self) -> Vectorizer {
        self.vectorizer
    }
}

/// Documents turned into feature rows at a time on the sparse path.
const ROWS_PER_CHUNK: usize = 8192;

/// A fitted model: analyzer, vocabulary, classifier and label names.
#[derive(Debug)]
pub struct Pipeline {
    settings: Settings,
    analyzer: Analyzer,
    vectorizer: Vectorizer,
    classifier: Classifier,
    labels: Vec<String>,
    /// How the classifier was fitted (None for a model loaded from a file).
    fit_report: Option<FitReport>,
    /// What a desperate draft does, if the data had themes.
    themes: Option<Themes>,
}

/// One term's part in a verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The vocabulary term (stemmed words joined by spaces, or a marker).
    pub term: String,
    /// Its exact contribution to the predicted label's logit.
    pub weight: f64,
    /// Where the term occurs in the draft (byte ranges), for quoting and highlighting.
    pub spans: Vec<Range<usize>>,
}

impl Contribution {
    /// The term as the draft writes it: the text of its first occurrence, with
    /// its spacing folded ("Thanks  for" for the stemmed bigram "thank for"); the
    /// term itself when it has no span (markers).
    pub fn as_written(&self, draft: &str) -> String {
        self.spans
            .first()
            .and_then(|span| draft.get(span.clone()))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.term.clone())
    }

    /// [`Contribution::as_written`], for a list a person reads: an ending
    /// term (see [`AnalyzerSettings::ending`]) says so, "call me (at the
    /// end)", since the same words also count as a term of the whole draft.
    ///
    /// [`AnalyzerSettings::ending`]: crate::text::AnalyzerSettings::ending
    pub fn shown(&self, draft: &str) -> String {
        match self.ending_base() {
            Some(_) => format!("{} (at the end)", self.as_written(draft)),
            None => self.as_written(draft),
        }
    }

    /// The term this one repeats, when it is an ending term.
    pub fn ending_base(&self) -> Option<&str> {
        crate::text::analyzer::ending_base(&self.term)
    }
}

/// The verdict on one draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Index of the predicted label.
    pub label: usize,
    /// Probability of every label, in label order.
    pub probabilities: Vec<f64>,
    /// The predicted label's logit, = intercept + sum of contribution weights.
    pub logit: f64,
    pub intercept: f64,
    /// Every vocabulary term present in the draft, strongest push first.
    pub contributions: Vec<Contribution>,
}

/// A verdict resting on fewer known terms than this is called borderline.
pub const MIN_KNOWN_TERMS: usize = 2;

/// A verdict whose probability is below this is called borderline (for two labels:
/// between 0.4 and 0.6).
pub const BORDERLINE: f64 = 0.6;

impl Verdict {
    /// Probability of the predicted label.
    pub fn probability(&self) -> f64 {
        self.probabilities[self.label]
    }

    /// Whether the verdict is too close to call: its probability is below
    /// [`BORDERLINE`], or fewer than [`MIN_KNOWN_TERMS`] of the draft's terms
    /// are known to the model (see [`Verdict::too_few_terms`]).
    pub fn is_borderline(&self) -> bool {
        self.probability() < BORDERLINE || self.too_few_terms()
    }

    /// Whether fewer than [`MIN_KNOWN_TERMS`] of the draft's terms are in the
    /// vocabulary: then the verdict rests on the prior and one or no term (a
    /// bare "hi" reads as composed because "hi" does), and says little about
    /// the draft.
    ///
    /// Ending terms repeat terms of the whole draft, so they are not counted:
    /// "hi" is one known term, whether or not it also counts as the ending.
    pub fn too_few_terms(&self) -> bool {
        self.contributions
            .iter()
            .filter(|c| c.ending_base().is_none())
            .count()
            < MIN_KNOWN_TERMS
    }
}

impl Pipeline {
    /// Assembles a pipeline from stored parts, checking that they fit together.
    pub fn from_parts(
        settings: Settings,
        vectorizer: Vectorizer,
        classifier: Classifier,
        labels: Vec<String>,
    ) -> Result<Self> {
        let analyzer = settings.analyzer.build()?;
        if classifier.n_features() != vectorizer.len() || classifier.n_labels() != labels.len() {
            return Err(Error::new(
                "the classifier does not match the vocabulary or the labels",
            ));
        }
        Ok(Pipeline {
            settings,
            analyzer,
            vectorizer,
            classifier,
            labels,
            fit_report: None,
            themes: None,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }
    pub fn vectorizer(&self) -> &Vectorizer {
        &self.vectorizer
    }
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
    /// The themes model, if there is one.
    pub fn themes(&self) -> Option<&Themes> {
        self.themes.as_ref()
    }

    /// Adds (or removes) the themes model, reading the columns of this
    /// pipeline's rows that themes read (see [`ThemeColumns`]).
    ///
    /// [`ThemeColumns`]: crate::model::theme::ThemeColumns
    pub fn with_themes(mut self, themes: Option<Themes>) -> Self {
        let columns = crate::model::theme::ThemeColumns::of(
            self.vectorizer.terms(),
            self.settings.vectorizer.l2_normalize,
        );
        self.themes = themes.map(|t| t.with_columns(columns));
        self
    }

    /// The same pipeline with every logit divided by `temperature` (see
    /// [`crate::model::temperature`]).
    pub fn with_temperature(mut self, temperature: f64) -> Self {
        self.classifier = self.classifier.with_temperature(temperature);
        self
    }

    /// The feature row of a corpus document, through the corpus's feature map.
    pub fn row_of_document(&self, map: &FeatureMap, document: &[u32]) -> SparseRow {
        self.vectorizer.transform_indices(map.features(document))
    }

    /// How the classifier was fitted, for a pipeline fitted in this process.
    pub fn fit_report(&self) -> Option<&FitReport> {
        self.fit_report.as_ref()
    }

    /// Feature row of an analysed document.
    pub fn transform(&self, terms: &[String]) -> SparseRow {
        self.vectorizer.transform(terms)
    }

    /// Label probabilities of an analysed document (for evaluation).
    pub fn probabilities_terms(&self, terms: &[String]) -> Vec<f64> {
        self.classifier.probabilities(&self.transform(terms))
    }

    /// Each term of a corpus to its feature index in this model's vocabulary.
    pub fn feature_map(&self, corpus: &Corpus) -> FeatureMap {
        self.vectorizer.feature_map(corpus.terms())
    }

    /// Label probabilities of a corpus document, through the corpus's feature map.
    pub fn probabilities_ids(&self, map: &FeatureMap, document: &[u32]) -> Vec<f64> {
        self.classifier
            .probabilities(&self.row_of_document(map, document))
    }

    /// Each label's logit for a corpus document (see [`Classifier::logits`]).
    pub fn logits_ids(&self, map: &FeatureMap, document: &[u32]) -> Vec<f64> {
        self.classifier.logits(&self.row_of_document(map, document))
    }

    /// Scores a draft: probabilities, the predicted label, and its explanation.
    pub fn score(&self, text: &str) -> Verdict {
        self.score_with_row(text).0
    }

    /// Like [`Pipeline::score`], with the draft's feature row (for the themes,
    /// which weigh the same row).
    pub fn score_with_row(&self, text: &str) -> (Verdict, SparseRow) {
        let tokens = self.analyzer.tokenize(text);
        let terms = self.analyzer.analyze_tokens(&tokens);
        let mut spans: FxHashMap<usize, Vec<Range<usize>>> = FxHashMap::default();
        let mut indices = Vec::with_capacity(terms.len());
        for (term, span) in terms {
            if let Some(i) = self.vectorizer.index_of(&term) {
                spans.entry(i).or_default().push(span);
                indices.push(i);
            }
        }
        let row = self.vectorizer.transform_indices(indices);
        let probabilities = self.classifier.probabilities(&row);
        let label = argmax(&probabilities);
        let explanation = self.classifier.explain(&row, label);
        let mut contributions: Vec<Contribution> = explanation
            .contributions
            .iter()
            .map(|&(j, weight)| Contribution {
                term: self.vectorizer.terms()[j].to_string(),
                weight,
                spans: spans.remove(&j).unwrap_or_default(),
            })
            .collect();
        contributions.sort_by(|a, b| {
            b.weight
                .abs()
                .total_cmp(&a.weight.abs())
                .then_with(|| a.term.cmp(&b.term))
        });
        let verdict = Verdict {
            label,
            probabilities,
            logit: explanation.logit,
            intercept: explanation.intercept,
            contributions,
        };
        (verdict, row)
    }

    /// The feature row of already-made tokens (see [`Analyzer::tokenize`]).
    pub fn row_of_tokens(&self, tokens: &[crate::text::Token]) -> SparseRow {
        let terms = self.analyzer.analyze_tokens(tokens);
        self.vectorizer.transform_indices(
            terms
                .iter()
                .filter_map(|(term, _)| self.vectorizer.index_of(term)),
        )
    }

    /// `label`'s logit and every label's probability for a feature row.
    pub fn logit_of_row(&self, row: &SparseRow, label: usize) -> (f64, Vec<f64>) {
        (
            self.classifier.explain(row, label).logit,
            self.classifier.probabilities(row),
        )
    }

    /// `label`'s logit and every label's probability for a text, exactly as
    /// [`Pipeline::score`] computes them.
    pub fn logit_of(&self, text: &str, label: usize) -> (f64, Vec<f64>) {
        self.logit_of_row(&self.row_of_tokens(&self.analyzer.tokenize(text)), label)
    }

    /// This model's weights mapped onto another vocabulary, as a solver start point.
    /// Only when the settings and labels match; terms new to `vectorizer` start at 0.
    fn warm_start_for(
        &self,
        settings: &Settings,
        vectorizer: &Vectorizer,
        labels: &[String],
    ) -> Option<Classifier> {
        if self.labels != labels || &self.settings != settings {
            return None;
        }
        let old = &self.classifier;
        let mut weights = ndarray::Array2::zeros((old.weights().nrows(), vectorizer.len()));
        for (j, term) in vectorizer.terms().iter().enumerate() {
            if let Some(i) = self.vectorizer.index_of(term) {
                weights.column_mut(j).assign(&old.weights().column(i));
            }
        }
        Some(Classifier::new(
            weights,
            old.intercepts().clone(),
            old.n_labels(),
        ))
    }
}

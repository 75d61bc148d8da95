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
use crate::model::classifier::{Classifier, ClassifierSettings, Problem, argmax};
use crate::text::{Analyzer, AnalyzerSettings, SparseRow, Vectorizer, VectorizerSettings};

/// Every setting that shapes a model; stored in the model file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub analyzer: AnalyzerSettings,
    pub vectorizer: VectorizerSettings,
    pub classifier: ClassifierSettings,
}

impl Settings {
    /// Validates every part and returns a trainer for these settings.
    pub fn check(&self) -> Result<Trainer> {
        let analyzer = self.analyzer.build()?;
        self.vectorizer.validate()?;
        self.classifier.validate()?;
        Ok(Trainer {
            settings: self.clone(),
            analyzer,
            memory_budget: budget::DEFAULT_MEMORY_BUDGET,
        })
    }
}

/// Checked settings with a ready analyzer.
#[derive(Debug)]
pub struct Trainer {
    settings: Settings,
    analyzer: Analyzer,
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

    /// Analyses every text once, on every core (in input order); the result can
    /// be reused across folds and fits.
    pub fn analyze_all<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<String>> {
        texts
            .par_iter()
            .map(|t| self.analyzer.analyze(t.as_ref()))
            .collect()
    }

    /// Fits the vocabulary and turns every document into its feature row, after
    /// checking that the solver's dense matrix fits the memory budget.
    fn features(
        &self,
        documents: &[&[String]],
        targets: &[usize],
        n_labels: usize,
    ) -> Result<(Vectorizer, Vec<SparseRow>)> {
        let vectorizer = self.settings.vectorizer.fit(documents, targets, n_labels)?;
        budget::check(documents.len(), vectorizer.len(), self.memory_budget)?;
        vectorizer.build_index();
        let rows = documents
            .par_iter()
            .map(|d| vectorizer.transform(d))
            .collect();
        Ok((vectorizer, rows))
    }

    /// Fits the vocabulary and the classifier on analysed documents, from scratch.
    /// `targets[i]` indexes `labels`; every label must occur.
    pub fn fit(
        &self,
        documents: &[&[String]],
        targets: &[usize],
        labels: &[String],
    ) -> Result<Pipeline> {
        let (vectorizer, rows) = self.features(documents, targets, labels.len())?;
        let classifier =
            self.settings
                .classifier
                .fit(&rows, vectorizer.len(), targets, labels.len(), None)?;
        self.assemble(vectorizer, classifier, labels)
    }

    /// Like [`Trainer::fit`], but starts the solver from `previous` when it was
    /// trained with the same settings and labels (its weights mapped onto the new
    /// vocabulary). A warm start is checked against a cold one: both are fitted and
    /// timed, and the warm result is kept only if it matches the cold one within
    /// [`WARM_START_TOLERANCE`]; otherwise the cold one is kept. With
    /// `count_iterations`, the solver iterations of both are counted too (see
    /// [`ClassifierSettings::iterations`]: several extra fits).
    pub fn fit_from(
        &self,
        documents: &[&[String]],
        targets: &[usize],
        labels: &[String],
        previous: &Pipeline,
        count_iterations: bool,
    ) -> Result<(Pipeline, Option<WarmStart>)> {
        let (vectorizer, rows) = self.features(documents, targets, labels.len())?;
        let classifier_settings = &self.settings.classifier;
        let problem = Problem::new(&rows, vectorizer.len(), targets, labels.len())?;
        let Some(init) = previous.warm_start_for(&self.settings, &vectorizer, labels) else {
            let classifier = classifier_settings.fit_problem(&problem, None)?;
            return Ok((self.assemble(vectorizer, classifier, labels)?, None));
        };
        let started = Instant::now();
        let warm = classifier_settings.fit_problem(&problem, Some(&init))?;
        let warm_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let cold = classifier_settings.fit_problem(&problem, None)?;
        let cold_seconds = started.elapsed().as_secs_f64();
        let (warm_iterations, cold_iterations) = if count_iterations {
            (
                Some(classifier_settings.iterations(&problem, Some(&init), &warm)?),
                Some(classifier_settings.iterations(&problem, None, &cold)?),
            )
        } else {
            (None, None)
        };
        let max_difference = warm
            .weights()
            .iter()
            .chain(warm.intercepts())
            .zip(cold.weights().iter().chain(cold.intercepts()))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let agrees = max_difference <= WARM_START_TOLERANCE;
        let report = WarmStart {
            warm_iterations,
            cold_iterations,
            warm_seconds,
            cold_seconds,
            max_difference,
            kept_warm: agrees,
        };
        let classifier = if agrees { warm } else { cold };
        Ok((self.assemble(vectorizer, classifier, labels)?, Some(report)))
    }

    fn assemble(
        &self,
        vectorizer: Vectorizer,
        classifier: Classifier,
        labels: &[String],
    ) -> Result<Pipeline> {
        Ok(Pipeline {
            settings: self.settings.clone(),
            analyzer: self.settings.analyzer.build()?,
            vectorizer,
            classifier,
            labels: labels.to_vec(),
        })
    }
}

/// Largest weight difference between a warm and a cold start for the warm result
/// to be kept. Both stop once the gradient is below the solver tolerance, so they
/// land near the same optimum but not on the same point; at the default tolerance
/// they differ by about 0.01 on the bundled data (weights of order 1 to 10).
pub const WARM_START_TOLERANCE: f64 = 0.05;

/// How a warm start compared with a cold one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    pub warm_iterations: Option<u64>,
    pub cold_iterations: Option<u64>,
    pub warm_seconds: f64,
    pub cold_seconds: f64,
    /// Largest absolute difference between the warm and the cold weights.
    pub max_difference: f64,
    /// Whether the warm result was kept (it agreed with the cold one).
    pub kept_warm: bool,
}

/// A fitted model: analyzer, vocabulary, classifier and label names.
#[derive(Debug)]
pub struct Pipeline {
    settings: Settings,
    analyzer: Analyzer,
    vectorizer: Vectorizer,
    classifier: Classifier,
    labels: Vec<String>,
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

/// A verdict whose probability is below this is called borderline (for two labels:
/// between 0.4 and 0.6).
pub const BORDERLINE: f64 = 0.6;

impl Verdict {
    /// Probability of the predicted label.
    pub fn probability(&self) -> f64 {
        self.probabilities[self.label]
    }

    /// Whether the verdict is too close to call: its probability is below
    /// [`BORDERLINE`], or no word of the draft is known to the model, so that the
    /// verdict rests on the intercept alone and says nothing about this draft.
    pub fn is_borderline(&self) -> bool {
        self.probability() < BORDERLINE || self.contributions.is_empty()
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

    /// Feature row of an analysed document.
    pub fn transform(&self, terms: &[String]) -> SparseRow {
        self.vectorizer.transform(terms)
    }

    /// Label probabilities of an analysed document (for evaluation).
    pub fn probabilities_terms(&self, terms: &[String]) -> Vec<f64> {
        self.classifier.probabilities(&self.transform(terms))
    }

    /// Scores a draft: probabilities, the predicted label, and its explanation.
    pub fn score(&self, text: &str) -> Verdict {
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
                term: self.vectorizer.terms()[j].clone(),
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
        Verdict {
            label,
            probabilities,
            logit: explanation.logit,
            intercept: explanation.intercept,
            contributions,
        }
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

//! The two solvers fit the same model: `linfa` (linfa-logistic on the dense
//! matrix) and `sparse` (argmin's L-BFGS on the sparse matrix) minimise the same
//! objective, so on the same features they agree on every prediction and land
//! within the tolerance band of the same optimum.
//!
//! The test uses the first 2,260 bundled drafts (the original set: a dense fit of
//! all of them takes a minute in a test build).
//!
//! How close: the objective is `alpha`-strongly convex in the weights (the
//! intercepts are not penalised, but the data curves them far more: by the sum
//! of p(1 - p) over the rows), so a point whose gradient has norm `g` lies within
//! `g / alpha` of the optimum, and two points within `(g1 + g2) / alpha` of each
//! other. The test computes both gradients exactly (in f64, with the sparse
//! solver's loss) and holds the two fits to that bound, and to the same label on
//! every row. (Each solver's own stopping test is not enough: `linfa-logistic`
//! works in f32 and may stop on the change in cost before the gradient is below
//! the tolerance.)

use draftcheck::dataset::load_labelled;
use draftcheck::model::pipeline::max_difference;
use draftcheck::model::solver::loss::loss_and_gradient;
use draftcheck::model::solver::sparse::SparseProblem;
use draftcheck::model::solver::{Problem, Solver};
use draftcheck::model::{Classifier, ClassifierSettings, Settings};
use draftcheck::text::SparseRow;

mod common;
use common::root;

/// The rows the test fits on.
const ROWS: usize = 2260;

/// Maps a row's (label, theme) to the label a test trains on.
type Relabel = dyn Fn(&str, &str) -> String;

/// Feature rows and targets of a labelled CSV of the repository, with the
/// default analysis and vocabulary; `relabel` may map (label, theme) to a new label.
fn features(relabel: Option<&Relabel>) -> (Vec<SparseRow>, usize, Vec<usize>, usize) {
    let path = root().join("data/drafts.csv");
    let mut data = load_labelled(&path, "text", "label").unwrap();
    data.texts.truncate(ROWS);
    data.targets.truncate(ROWS);
    let (targets, n_labels) = match relabel {
        None => (data.targets.clone(), data.labels.len()),
        Some(relabel) => {
            let mut reader = csv::Reader::from_path(&path).unwrap();
            let labels: Vec<String> = reader
                .records()
                .take(ROWS)
                .map(|r| {
                    let r = r.unwrap();
                    relabel(&r[1], &r[2])
                })
                .collect();
            let mut names = labels.clone();
            names.sort();
            names.dedup();
            let targets = labels
                .iter()
                .map(|l| names.binary_search(l).unwrap())
                .collect();
            (targets, names.len())
        }
    };
    let settings = Settings::default();
    let trainer = settings.check().unwrap();
    let corpus = trainer.analyze_all(&data.texts);
    let (vectorizer, map) = settings
        .vectorizer
        .check()
        .unwrap()
        .fit_ids(corpus.terms(), &corpus.all(), &targets, n_labels)
        .unwrap();
    let rows: Vec<SparseRow> = corpus
        .documents()
        .map(|d| vectorizer.transform_indices(map.features(d)))
        .collect();
    (rows, vectorizer.len(), targets, n_labels)
}

fn fit(
    solver: Solver,
    tolerance: f64,
    data: &(Vec<SparseRow>, usize, Vec<usize>, usize),
) -> Classifier {
    let (rows, n_features, targets, n_labels) = data;
    let settings = ClassifierSettings {
        gradient_tolerance: tolerance,
        max_iterations: 1000,
        ..ClassifierSettings::default()
    };
    let problem = Problem::new(solver, rows, *n_features, targets, *n_labels).unwrap();
    settings
        .check()
        .unwrap()
        .fit_problem(&problem, None, None)
        .unwrap()
        .0
}

/// Euclidean distance between the weights (and intercepts) of two classifiers.
fn distance(a: &Classifier, b: &Classifier) -> f64 {
    a.weights()
        .iter()
        .chain(a.intercepts())
        .zip(b.weights().iter().chain(b.intercepts()))
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn assert_same_model(data: &(Vec<SparseRow>, usize, Vec<usize>, usize)) {
    // The defaults: the same label for every row.
    let tolerance = ClassifierSettings::default().gradient_tolerance;
    let dense = fit(Solver::Linfa, tolerance, data);
    let sparse = fit(Solver::Sparse, tolerance, data);
    for (i, row) in data.0.iter().enumerate() {
        assert_eq!(dense.predict(row), sparse.predict(row), "row {}", i + 1);
    }
    let largest = max_difference(&dense, &sparse);
    let d = distance(&dense, &sparse);
    let (g_dense, g_sparse) = (gradient_norm(&dense, data), gradient_norm(&sparse, data));
    // Both are near the optimum of the same objective: linfa's result, measured
    // with the sparse solver's loss, has a gradient a thousandth of the one at
    // the start (zero weights) or less.
    let zero = Classifier::new(
        ndarray::Array2::zeros(dense.weights().dim()),
        ndarray::Array1::zeros(dense.intercepts().len()),
        dense.n_labels(),
    );
    let g_zero = gradient_norm(&zero, data);
    eprintln!(
        "gradient norms: start {g_zero}, linfa {g_dense}, sparse {g_sparse}; distance {d}, largest {largest}"
    );
    assert!(
        g_dense <= 1e-3 * g_zero,
        "linfa's fit is not at the sparse objective's optimum"
    );
    let bound = (g_dense + g_sparse) / ClassifierSettings::default().alpha;
    assert!(
        d <= bound,
        "weights {d} apart (largest difference {largest}), above the bound {bound}"
    );
}

/// The Euclidean norm of the objective's gradient at a classifier's weights.
fn gradient_norm(c: &Classifier, data: &(Vec<SparseRow>, usize, Vec<usize>, usize)) -> f64 {
    let (rows, n_features, targets, n_labels) = data;
    let problem = SparseProblem::new(rows, *n_features, targets, *n_labels);
    let k = c.weights().nrows();
    let mut w = vec![0.0; (n_features + 1) * k];
    for out in 0..k {
        for j in 0..*n_features {
            w[j * k + out] = c.weights()[[out, j]];
        }
        w[n_features * k + out] = c.intercepts()[out];
    }
    let (_, gradient) = loss_and_gradient(&problem, ClassifierSettings::default().alpha, &w);
    gradient.iter().map(|g| g * g).sum::<f64>().sqrt()
}

#[test]
fn both_solvers_fit_the_same_binary_model_on_the_bundled_drafts() {
    assert_same_model(&features(None));
}

#[test]
fn both_solvers_fit_the_same_three_label_model() {
    // Three labels from the bundled drafts: composed, desperate with a gift,
    // desperate without one.
    let relabel = |label: &str, theme: &str| {
        if label == "composed" {
            "composed".to_string()
        } else if theme.contains("gift") {
            "gift".to_string()
        } else {
            "other".to_string()
        }
    };
    let data = features(Some(&relabel));
    assert_eq!(data.3, 3);
    assert_same_model(&data);
}

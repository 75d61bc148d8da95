//! Classification metrics: accuracy, per-label precision/recall/F1, macro-F1,
//! the confusion matrix, log loss and (for two labels) ROC AUC.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Precision, recall, F1 and support of one label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Confusion matrix: `matrix[true][predicted]`, in `labels` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub labels: Vec<String>,
    pub matrix: Vec<Vec<usize>>,
}

/// Every metric of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub rows: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Mean negative log-likelihood of the true label (probabilities clipped to 1e-15).
    pub log_loss: f64,
    /// Area under the ROC curve of the second label, for two labels only.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub roc_auc: Option<f64>,
    pub per_class: BTreeMap<String, ClassMetrics>,
    pub confusion: Confusion,
    /// Expected calibration error over 10 equal-width bins of confidence (the
    /// predicted label's probability): how far "96% sure" is from being right
    /// 96% of the time, weighted by how many verdicts fall in each bin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ece: Option<f64>,
    /// Brier score: the mean over rows of the squared distance between the
    /// probability vector and the true label's one-hot vector (0 is perfect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brier: Option<f64>,
}

/// Expected calibration error over `bins` equal-width bins of confidence.
pub fn expected_calibration_error(truth: &[usize], probabilities: &[Vec<f64>], bins: usize) -> f64 {
    let mut count = vec![0usize; bins];
    let mut confidence = vec![0.0f64; bins];
    let mut correct = vec![0usize; bins];
    for (&t, p) in truth.iter().zip(probabilities) {
        let predicted = crate::model::classifier::argmax(p);
        let c = p[predicted];
        let b = ((c * bins as f64) as usize).min(bins - 1);
        count[b] += 1;
        confidence[b] += c;
        correct[b] += usize::from(predicted == t);
    }
    let n = truth.len().max(1) as f64;
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| {
            let m = count[b] as f64;
            (m / n) * (correct[b] as f64 / m - confidence[b] / m).abs()
        })
        .sum()
}

/// The multi-class Brier score.
pub fn brier_score(truth: &[usize], probabilities: &[Vec<f64>]) -> f64 {
    let total: f64 = truth
        .iter()
        .zip(probabilities)
        .map(|(&t, p)| {
            p.iter()
                .enumerate()
                .map(|(k, &q)| (q - if k == t { 1.0 } else { 0.0 }).powi(2))
                .sum::<f64>()
        })
        .sum();
    total / truth.len().max(1) as f64
}

impl Report {
    /// Computes the report from true labels and predicted probability vectors
    /// (the prediction is the most probable label).
    pub fn new(labels: &[String], truth: &[usize], probabilities: &[Vec<f64>]) -> Report {
        let n_labels = labels.len();
        let predicted: Vec<usize> = probabilities
            .iter()
            .map(|p| crate::model::classifier::argmax(p))
            .collect();
        let mut matrix = vec![vec![0usize; n_labels]; n_labels];
        for (&t, &p) in truth.iter().zip(&predicted) {
            matrix[t][p] += 1;
        }
        let rows = truth.len();
        let correct: usize = (0..n_labels).map(|k| matrix[k][k]).sum();
        let mut per_class = BTreeMap::new();
        let mut f1_sum = 0.0;
        for k in 0..n_labels {
            let tp = matrix[k][k] as f64;
            let support: usize = matrix[k].iter().sum();
            let predicted_k: usize = (0..n_labels).map(|t| matrix[t][k]).sum();
            let precision = ratio(tp, predicted_k as f64);
            let recall = ratio(tp, support as f64);
            let f1 = ratio(2.0 * precision * recall, precision + recall);
            f1_sum += f1;
            per_class.insert(
                labels[k].clone(),
                ClassMetrics {
                    precision,
                    recall,
                    f1,
                    support,
                },
            );
        }
        let log_loss = truth
            .iter()
            .zip(probabilities)
            .map(|(&t, p)| -p[t].clamp(1e-15, 1.0).ln())
            .sum::<f64>()
            / rows.max(1) as f64;
        let roc_auc = (n_labels == 2).then(|| {
            let scores: Vec<f64> = probabilities.iter().map(|p| p[1]).collect();
            roc_auc(truth, &scores)
        });
        Report {
            rows,
            accuracy: ratio(correct as f64, rows as f64),
            macro_f1: f1_sum / n_labels as f64,
            log_loss,
            roc_auc: roc_auc.flatten(),
            per_class,
            confusion: Confusion {
                labels: labels.to_vec(),
                matrix,
            },
            ece: Some(expected_calibration_error(truth, probabilities, 10)),
            brier: Some(brier_score(truth, probabilities)),
        }
    }

    /// Accuracy and macro-F1 in a few words.
    pub fn headline(&self) -> String {
        format!(
            "accuracy {:.3}, macro-F1 {:.3}",
            self.accuracy, self.macro_f1
        )
    }

    /// The report as an aligned plain-text table.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "accuracy {:.3}  macro-F1 {:.3}  log loss {:.3}",
            self.accuracy, self.macro_f1, self.log_loss
        );
        if let Some(auc) = self.roc_auc {
            out.push_str(&format!("  ROC AUC {auc:.3}"));
        }
        if let (Some(ece), Some(brier)) = (self.ece, self.brier) {
            out.push_str(&format!("  ECE {ece:.3}  Brier {brier:.3}"));
        }
        out.push_str(&format!("  ({} drafts)\n", self.rows));
        let width = self
            .confusion
            .labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        out.push_str(&format!(
            "  {:<width$}  precision  recall     f1  support\n",
            "label"
        ));
        for label in &self.confusion.labels {
            let m = &self.per_class[label];
            out.push_str(&format!(
                "  {:<width$}  {:>9.3}  {:>6.3}  {:>5.3}  {:>7}\n",
                label, m.precision, m.recall, m.f1, m.support
            ));
        }
        out.push_str("  confusion (rows: true label, columns: predicted)\n");
        out.push_str(&format!("  {:<width$}", ""));
        for label in &self.confusion.labels {
            out.push_str(&format!("  {:>width$}", label));
        }
        out.push('\n');
        for (label, row) in self.confusion.labels.iter().zip(&self.confusion.matrix) {
            out.push_str(&format!("  {:<width$}", label));
            for count in row {
                out.push_str(&format!("  {:>width$}", count));
            }
            out.push('\n');
        }
        out
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

/// ROC AUC for label 1 against label 0 (ties count one half); None without both labels.
pub fn roc_auc(truth: &[usize], scores: &[f64]) -> Option<f64> {
    let mut pairs: Vec<(f64, usize)> = scores.iter().copied().zip(truth.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n_pos = truth.iter().filter(|&&t| t == 1).count();
    let n_neg = truth.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    // Mann-Whitney U with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        let avg_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += avg_rank * pairs[i..j].iter().filter(|p| p.1 == 1).count() as f64;
        i = j;
    }
    let u = rank_sum - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos * n_neg) as f64)
}

/// Two models scored on the same rows: the rows only the first gets right
/// (`lost`, for a replacement: what it loses) and those only the second does
/// (`gained`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paired {
    pub lost: usize,
    pub gained: usize,
}

impl Paired {
    /// Counts, over rows scored by both, where `before` and `after` (whether
    /// each model got the row right) part.
    pub fn of(before: &[bool], after: &[bool]) -> Paired {
        let count = |a: bool, b: bool| {
            before
                .iter()
                .zip(after)
                .filter(|&(&x, &y)| x == a && y == b)
                .count()
        };
        Paired {
            lost: count(true, false),
            gained: count(false, true),
        }
    }

    /// McNemar's exact test: how often, if the two models were equally good
    /// (each row they part on as likely to go either way), the rows they part
    /// on would split at least this unevenly (two-sided). 1 when they part on
    /// none.
    pub fn chance(&self) -> f64 {
        use statrs::distribution::{Binomial, DiscreteCDF};
        let n = (self.lost + self.gained) as u64;
        if n == 0 {
            return 1.0;
        }
        let fewer = self.lost.min(self.gained) as u64;
        let binomial = Binomial::new(0.5, n).expect("p = 0.5 is a valid binomial");
        (2.0 * binomial.cdf(fewer)).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    #[test]
    fn report_matches_a_hand_computed_case() {
        // truth: a a a b b ; predicted: a a b b a
        let truth = [0, 0, 0, 1, 1];
        let p = |b: f64| vec![1.0 - b, b];
        let probs = vec![p(0.1), p(0.2), p(0.6), p(0.9), p(0.4)];
        let r = Report::new(&labels(), &truth, &probs);
        assert_eq!(r.confusion.matrix, vec![vec![2, 1], vec![1, 1]]);
        assert!((r.accuracy - 0.6).abs() < 1e-12);
        let a = &r.per_class["a"];
        assert!((a.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((a.recall - 2.0 / 3.0).abs() < 1e-12);
        let b = &r.per_class["b"];
        assert!((b.f1 - 0.5).abs() < 1e-12);
        assert!((r.macro_f1 - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-12);
        // positives 0.9, 0.4; negatives 0.1, 0.2, 0.6: 0.9 beats 3, 0.4 beats 2 -> 5/6.
        assert!((r.roc_auc.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        let ll = -(0.9f64.ln() + 0.8f64.ln() + 0.4f64.ln() + 0.9f64.ln() + 0.4f64.ln()) / 5.0;
        assert!((r.log_loss - ll).abs() < 1e-12);
        assert!(r.to_text().contains("accuracy 0.600"));
    }

    #[test]
    fn auc_handles_ties_and_missing_labels() {
        assert_eq!(roc_auc(&[0, 1], &[0.5, 0.5]), Some(0.5));
        assert_eq!(roc_auc(&[1, 1], &[0.2, 0.5]), None);
    }
}

#[cfg(test)]
mod paired_tests {
    use super::*;

    #[test]
    fn paired_counts_the_rows_two_models_part_on() {
        let before = [true, true, true, false, false, true];
        let after = [true, false, false, true, false, false];
        assert_eq!(Paired::of(&before, &after), Paired { lost: 3, gained: 1 });
    }

    #[test]
    fn the_chance_of_a_split_is_mcnemars_exact_test() {
        // 3 against 0: both 3-0 splits of 8 equally likely outcomes.
        assert!((Paired { lost: 3, gained: 0 }.chance() - 0.25).abs() < 1e-12);
        assert!((Paired { lost: 0, gained: 3 }.chance() - 0.25).abs() < 1e-12);
        // 10 against 0: 2 of 1024.
        let p = Paired {
            lost: 10,
            gained: 0,
        }
        .chance();
        assert!((p - 2.0 / 1024.0).abs() < 1e-12, "{p}");
        // 5 against 3 of 8: 2 * P(X <= 3) = 2 * 93 / 256.
        let p = Paired { lost: 5, gained: 3 }.chance();
        assert!((p - 186.0 / 256.0).abs() < 1e-12, "{p}");
        // An even split, and no split at all, are what chance gives.
        assert_eq!(Paired { lost: 4, gained: 4 }.chance(), 1.0);
        assert_eq!(Paired { lost: 0, gained: 0 }.chance(), 1.0);
    }
}

#[cfg(test)]
mod calibration_tests {
    use super::*;

    #[test]
    fn calibration_error_is_zero_when_confidence_matches_accuracy() {
        // Four verdicts at 75%: three right, one wrong.
        let p = vec![vec![0.25, 0.75]; 4];
        assert!(expected_calibration_error(&[1, 1, 1, 0], &p, 10) < 1e-12);
        // Always 95% sure and always wrong: 0.95.
        let p = vec![vec![0.95, 0.05]; 3];
        assert!((expected_calibration_error(&[1, 1, 1], &p, 10) - 0.95).abs() < 1e-12);
    }

    #[test]
    fn brier_is_the_mean_squared_distance_to_the_truth() {
        assert!(brier_score(&[0], &[vec![1.0, 0.0]]).abs() < 1e-12);
        assert!((brier_score(&[1], &[vec![0.6, 0.4]]) - 0.72).abs() < 1e-12);
    }
}

//! Temperature scaling: one number `T` that divides every logit of the
//! classifier, fitted on predictions of drafts the model was not trained on,
//! so that "96% sure" is right about 96% of the time.
//!
//! Dividing the logits by `T` keeps the predicted label (the order of the
//! logits does not change) and keeps explanations exact: each contribution and
//! the intercept are divided by the same `T`, so they still add up to the
//! logit. On probabilities it is `p_k^(1/T)`, normalised: for two labels that
//! is `sigmoid(z / T)`, for more `softmax(z / T)`.

/// Fewest held-out drafts a temperature is fitted on: on a handful, one
/// unlucky draft decides it (six drafts of a 30-draft file gave 20, the
/// upper bound, which makes every verdict a coin toss).
pub const MIN_ROWS: usize = 100;

/// The smallest and largest temperature considered.
const RANGE: (f64, f64) = (0.05, 20.0);

/// Probabilities below this count as this in the log loss (as
/// [`crate::eval::metrics`]'s).
const FLOOR: f64 = 1e-15;

/// A fitted temperature, with the log loss it gives and the one without it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fitted {
    pub temperature: f64,
    /// Mean log loss of the predictions at temperature 1, and at `temperature`.
    pub log_loss_before: f64,
    pub log_loss_after: f64,
}

/// Probabilities `p` at temperature `t`: `p_k^(1/t)`, normalised.
pub fn rescale(p: &[f64], t: f64) -> Vec<f64> {
    let logs: Vec<f64> = p.iter().map(|&x| x.max(FLOOR).ln() / t).collect();
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Mean log loss of `probabilities` (one row per draft) at temperature `t`.
pub fn log_loss(truth: &[usize], probabilities: &[Vec<f64>], t: f64) -> f64 {
    let total: f64 = truth
        .iter()
        .zip(probabilities)
        .map(|(&y, p)| -rescale(p, t)[y].max(FLOOR).ln())
        .sum();
    total / truth.len().max(1) as f64
}

/// The temperature that minimises the mean log loss of `probabilities`
/// (predictions of drafts the model did not see) against `truth`, by
/// golden-section search on `ln T` (the loss is unimodal in it). None if no
/// temperature lowers the log loss by at least 0.1% (then 1 is kept), or
/// with fewer than two drafts.
pub fn fit(truth: &[usize], probabilities: &[Vec<f64>]) -> Option<Fitted> {
    if truth.len() < 2 {
        return None;
    }
    let loss = |ln_t: f64| log_loss(truth, probabilities, ln_t.exp());
    let (mut a, mut b) = (RANGE.0.ln(), RANGE.1.ln());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - ratio * (b - a), a + ratio * (b - a));
    let (mut fc, mut fd) = (loss(c), loss(d));
    // The bracket shrinks by the golden ratio each step: 60 steps take it
    // from ln 400 to below 1e-11.
    for _ in 0..60 {
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - ratio * (b - a);
            fc = loss(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + ratio * (b - a);
            fd = loss(d);
        }
    }
    let temperature = ((a + b) / 2.0).exp();
    let log_loss_before = loss(0.0);
    let log_loss_after = loss(temperature.ln());
    (log_loss_after < log_loss_before * 0.999).then_some(Fitted {
        temperature,
        log_loss_before,
        log_loss_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescaling_keeps_the_order_and_sums_to_one() {
        let p = [0.7, 0.2, 0.1];
        for t in [0.5, 1.0, 2.0] {
            let q = rescale(&p, t);
            assert!((q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(q[0] > q[1] && q[1] > q[2]);
        }
        // T = 1 changes nothing; T > 1 softens, T < 1 sharpens.
        assert!((rescale(&p, 1.0)[0] - 0.7).abs() < 1e-12);
        assert!(rescale(&p, 2.0)[0] < 0.7 && rescale(&p, 0.5)[0] > 0.7);
    }

    #[test]
    fn two_labels_rescale_as_the_logit_divided_by_t() {
        let z: f64 = 1.7;
        let p1 = 1.0 / (1.0 + (-z).exp());
        let q = rescale(&[1.0 - p1, p1], 2.5);
        assert!((q[1] - 1.0 / (1.0 + (-z / 2.5).exp())).abs() < 1e-12);
    }

    /// Overconfident predictions (right 75% of the time, 99% sure) get a
    /// temperature above 1 that brings them near 75%; calibrated ones none.
    #[test]
    fn an_overconfident_model_gets_a_temperature_that_calibrates_it() {
        let mut truth = Vec::new();
        let mut probabilities = Vec::new();
        for i in 0..400 {
            let right = i % 4 != 0;
            truth.push(if right { 1 } else { 0 });
            probabilities.push(vec![0.01, 0.99]);
        }
        let fitted = fit(&truth, &probabilities).expect("a temperature");
        assert!(fitted.temperature > 1.0, "{fitted:?}");
        assert!(fitted.log_loss_after < fitted.log_loss_before);
        let p = rescale(&[0.01, 0.99], fitted.temperature)[1];
        assert!((p - 0.75).abs() < 1e-3, "{p}");

        let calibrated: Vec<Vec<f64>> = (0..400).map(|_| vec![0.25, 0.75]).collect();
        assert_eq!(fit(&truth, &calibrated), None);
    }
}

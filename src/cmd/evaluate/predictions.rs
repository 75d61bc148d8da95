//! `evaluate --predictions PATH.csv`: every row's out-of-fold prediction, as
//! scikit-learn's `cross_val_predict` gives them, with the row's place in the
//! data and its text, so that a coach can sort the drafts cross-validation
//! gets wrong, and a script can compute any measure of its own.

use std::path::Path;

use crate::atomic::write_atomically;
use crate::cmd::score::spreadsheet_safe;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::eval::cv::CrossValidation;

/// The header: `row,line,fold,label,predicted,p_<label>...,text`.
fn header(labels: &[String]) -> Vec<String> {
    let mut h: Vec<String> = ["row", "line", "fold", "label", "predicted"]
        .map(String::from)
        .into();
    h.extend(labels.iter().map(|l| format!("p_{l}")));
    h.push("text".into());
    h
}

/// Refuses a predictions path that is one of the input files (the data, the
/// evaluation set or the stress set): writing it would replace their rows.
pub fn check_path(path: &Path, inputs: &[&Path]) -> Result<()> {
    let same = |input: &Path| {
        input == path
            || matches!((input.canonicalize(), path.canonicalize()), (Ok(a), Ok(b)) if a == b)
    };
    match inputs.iter().find(|input| same(input)) {
        Some(input) => Err(Error::usage(format!(
            "--predictions {} is an input of this run ({}): writing it would replace its drafts",
            path.display(),
            input.display()
        ))
        .with_hint("give another file, e.g. --predictions predictions.csv")),
        None => Ok(()),
    }
}

/// Writes the out-of-fold predictions of `cv` (over the rows of `dataset`)
/// to `path`, atomically. Probabilities have 6 decimals; cells that a
/// spreadsheet would read as a formula are escaped, as in `score`'s CSV.
pub fn write(path: &Path, dataset: &Dataset, cv: &CrossValidation) -> Result<()> {
    let labels = &dataset.labels;
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(cv.predictions.len() + 1);
    rows.push(header(labels));
    for (i, p) in cv.predictions.iter().enumerate() {
        let predicted = p
            .probabilities
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .map_or(0, |(k, _)| k);
        let mut row = vec![
            (i + 1).to_string(),
            dataset.lines[i].to_string(),
            (p.fold + 1).to_string(),
            spreadsheet_safe(&labels[dataset.targets[i]]).into_owned(),
            spreadsheet_safe(&labels[predicted]).into_owned(),
        ];
        row.extend(p.probabilities.iter().map(|q| format!("{q:.6}")));
        row.push(spreadsheet_safe(&dataset.texts[i]).into_owned());
        rows.push(row);
    }
    let bytes = crate::csv_format::encode(rows, false)?;
    write_atomically(path, |w| w.write_all(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_has_one_probability_column_per_label() {
        let labels = ["negative", "neutral", "positive"].map(String::from);
        assert_eq!(
            header(&labels).join(","),
            "row,line,fold,label,predicted,p_negative,p_neutral,p_positive,text"
        );
    }

    #[test]
    fn an_input_file_is_refused_under_any_of_its_names() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("drafts.csv");
        std::fs::write(&data, "text,label\n").unwrap();
        let other_name = dir.path().join(".").join("drafts.csv");
        let err = check_path(&other_name, &[Path::new("x.csv"), &data]).unwrap_err();
        assert!(err.to_string().contains("is an input of this run"), "{err}");
        check_path(&dir.path().join("predictions.csv"), &[&data]).unwrap();
    }
}

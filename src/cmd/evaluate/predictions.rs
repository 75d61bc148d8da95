//! `evaluate --predictions PATH.csv`: every row's out-of-fold prediction, as
//! scikit-learn's `cross_val_predict` gives them, with the row's place in the
//! data and its text, so that a coach can sort the drafts cross-validation
//! gets wrong, and a script can compute any measure of its own (the
//! probabilities are written in full, as the shortest decimal that reads
//! back as the same number).
//!
//! Cells that a spreadsheet would read as a formula (the label, the text)
//! get a leading `'`, as in `score`'s CSV; scripts join on `row` or `line`.

use std::path::Path;

use crate::atomic::write_atomically;
use crate::cmd::score::spreadsheet_safe;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::eval::cv::CrossValidation;
use crate::files::same_file;
use crate::model::classifier::argmax;

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
/// evaluation set or the stress set: writing it would replace their rows),
/// or the `--plot` file (one would overwrite the other).
pub fn check_path(path: &Path, inputs: &[&Path], plot: Option<&Path>) -> Result<()> {
    if let Some(input) = inputs.iter().find(|input| same_file(input, path)) {
        return Err(Error::usage(format!(
            "--predictions {} is an input of this run ({}): writing it would replace its drafts",
            path.display(),
            input.display()
        ))
        .with_hint("give another file, e.g. --predictions predictions.csv"));
    }
    if plot.is_some_and(|plot| same_file(plot, path)) {
        return Err(Error::usage(format!(
            "--predictions and --plot name the same file, {}",
            path.display()
        ))
        .with_hint("give each its own file, e.g. --plot curve.svg --predictions predictions.csv"));
    }
    Ok(())
}

/// Writes the out-of-fold predictions of `cv` (kept by
/// `cross_validate_keeping`, over the rows of `dataset`) to `path`,
/// atomically, a row at a time.
pub fn write(path: &Path, dataset: &Dataset, cv: &CrossValidation) -> Result<()> {
    if cv.predictions.len() != dataset.len() {
        return Err(Error::new(format!(
            "internal error: {} out-of-fold predictions for {} rows",
            cv.predictions.len(),
            dataset.len()
        )));
    }
    let labels = &dataset.labels;
    write_atomically(path, |w| {
        let mut out = crate::csv_format::writer(w, false);
        let fail = |e: csv::Error| std::io::Error::other(e.to_string());
        out.write_record(header(labels)).map_err(fail)?;
        for (i, p) in cv.predictions.iter().enumerate() {
            let mut row = vec![
                (i + 1).to_string(),
                dataset.lines[i].to_string(),
                (p.fold + 1).to_string(),
                spreadsheet_safe(&labels[dataset.targets[i]]).into_owned(),
                spreadsheet_safe(&labels[argmax(&p.probabilities)]).into_owned(),
            ];
            row.extend(p.probabilities.iter().map(|q| q.to_string()));
            row.push(spreadsheet_safe(&dataset.texts[i]).into_owned());
            out.write_record(&row).map_err(fail)?;
        }
        out.flush()
    })
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
        let err = check_path(&other_name, &[Path::new("x.csv"), &data], None).unwrap_err();
        assert!(err.to_string().contains("is an input of this run"), "{err}");
        let out = dir.path().join("predictions.csv");
        check_path(&out, &[&data], None).unwrap();
        let err = check_path(&out, &[&data], Some(&out)).unwrap_err();
        assert!(err.to_string().contains("name the same file"), "{err}");
    }
}

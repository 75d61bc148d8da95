//! Retraining keeps the replaced model's settings: an option left out of the
//! command line takes the value the model it replaces was trained with, not
//! the command's default. A coach who trained once with `--ngrams 1-3` (or the
//! bundled model, trained so) retrains with a plain `draftcheck train`, gets
//! the same kind of model, and the promotion gate compares like with like.

use crate::cmd::SMALL_DATA_ROWS;
use crate::model::Settings;

/// How to copy one setting from the replaced model's settings, returning how
/// to name its value as an option.
type Copy = fn(&mut Settings, &Settings) -> Option<String>;

/// Copies one field when it differs, returning "--flag value" for the message.
macro_rules! field {
    ($flag:literal, $($path:ident).+, $show:expr) => {
        |to: &mut Settings, from: &Settings| {
            if to.$($path).+ == from.$($path).+ {
                return None;
            }
            to.$($path).+ = from.$($path).+.clone();
            let show: fn(&Settings) -> String = $show;
            Some(format!("{} {}", $flag, show(from)))
        }
    };
}

/// The options that set a model setting, by their clap ids (an on/off
/// setting has two options, either of which counts as given), each with how
/// to copy it.
const INHERITED: &[(&[&str], Copy)] = &[
    (
        &["alpha"],
        field!("--alpha", classifier.alpha, |s| s
            .classifier
            .alpha
            .to_string()),
    ),
    (
        &["max_iterations"],
        field!("--max-iterations", classifier.max_iterations, |s| s
            .classifier
            .max_iterations
            .to_string()),
    ),
    (
        &["tolerance"],
        field!("--tolerance", classifier.gradient_tolerance, |s| s
            .classifier
            .gradient_tolerance
            .to_string()),
    ),
    (
        &["solver"],
        field!("--solver", classifier.solver, |s| format!(
            "{:?}",
            s.classifier.solver
        )
        .to_lowercase()),
    ),
    (&["ngrams"], |to, from| {
        let (a, b) = (&from.analyzer, &mut to.analyzer);
        if (a.ngram_min, a.ngram_max) == (b.ngram_min, b.ngram_max) {
            return None;
        }
        (b.ngram_min, b.ngram_max) = (a.ngram_min, a.ngram_max);
        Some(format!("--ngrams {}-{}", a.ngram_min, a.ngram_max))
    }),
    (
        &["min_df"],
        field!("--min-df", vectorizer.min_df, |s| s
            .vectorizer
            .min_df
            .to_string()),
    ),
    (
        &["max_df"],
        field!("--max-df", vectorizer.max_df, |s| s
            .vectorizer
            .max_df
            .to_string()),
    ),
    (
        &["max_features"],
        field!("--max-features", vectorizer.max_features, |s| s
            .vectorizer
            .max_features
            .to_string()),
    ),
    (
        &["select"],
        field!("--select", vectorizer.selection, |s| format!(
            "{:?}",
            s.vectorizer.selection
        )
        .to_lowercase()),
    ),
    (
        &["weighting"],
        field!("--weighting", vectorizer.weighting, |s| format!(
            "{:?}",
            s.vectorizer.weighting
        )
        .to_lowercase()),
    ),
    (&["no_normalize", "normalize"], |to, from| {
        if to.vectorizer.l2_normalize == from.vectorizer.l2_normalize {
            return None;
        }
        to.vectorizer.l2_normalize = from.vectorizer.l2_normalize;
        Some(
            if from.vectorizer.l2_normalize {
                "--normalize"
            } else {
                "--no-normalize"
            }
            .into(),
        )
    }),
    (
        &["language"],
        field!("--language", analyzer.language, |s| s
            .analyzer
            .language
            .clone()),
    ),
    (
        &["ending"],
        field!("--ending", analyzer.ending, |s| s
            .analyzer
            .ending
            .to_string()),
    ),
    (&["no_markers", "markers"], |to, from| {
        if to.analyzer.markers == from.analyzer.markers {
            return None;
        }
        to.analyzer.markers = from.analyzer.markers;
        Some(
            if from.analyzer.markers {
                "--markers"
            } else {
                "--no-markers"
            }
            .into(),
        )
    }),
];

/// Gives `settings` the replaced model's value (`previous`, a model trained on
/// `previous_rows` drafts) of every setting whose option is not in `given`
/// (clap ids of the options on the command line). min_df is kept only from a
/// model of at least [`SMALL_DATA_ROWS`] drafts: below that, its 1 may be the
/// small-data default rather than a choice. Returns the settings that
/// changed: each option's id, and the option as it would be given
/// ("--ngrams 1-3"), for the message.
pub fn inherit(
    settings: &mut Settings,
    previous: &Settings,
    previous_rows: usize,
    given: &[String],
) -> Vec<(&'static str, String)> {
    let mut kept = Vec::new();
    for (ids, copy) in INHERITED {
        if given.iter().any(|g| ids.contains(&g.as_str())) {
            continue;
        }
        if ids[0] == "min_df" && previous_rows < SMALL_DATA_ROWS {
            continue;
        }
        if let Some(text) = copy(settings, previous) {
            kept.push((ids[0], text));
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_left_out_take_the_replaced_models_values() {
        let mut old = Settings::default();
        old.analyzer.ngram_max = 3;
        old.classifier.alpha = 0.5;
        old.vectorizer.min_df = 3;
        let mut settings = Settings::default();
        let kept = inherit(&mut settings, &old, 1000, &[]);
        assert_eq!(settings, old);
        let options: Vec<&str> = kept.iter().map(|(_, o)| o.as_str()).collect();
        assert_eq!(options, ["--alpha 0.5", "--ngrams 1-3", "--min-df 3"]);
    }

    #[test]
    fn options_given_win() {
        let mut old = Settings::default();
        old.analyzer.ngram_max = 3;
        old.classifier.alpha = 0.5;
        let mut settings = Settings::default();
        let kept = inherit(&mut settings, &old, 1000, &["ngrams".to_string()]);
        assert_eq!(settings.analyzer.ngram_max, 2);
        assert_eq!(settings.classifier.alpha, 0.5);
        assert_eq!(kept, [("alpha", "--alpha 0.5".to_string())]);
    }

    #[test]
    fn an_off_switch_is_kept_until_its_on_switch_is_given() {
        let mut old = Settings::default();
        old.analyzer.markers = false;
        old.vectorizer.l2_normalize = false;
        let mut settings = Settings::default();
        let kept = inherit(&mut settings, &old, 1000, &[]);
        assert!(!settings.analyzer.markers && !settings.vectorizer.l2_normalize);
        assert_eq!(kept.len(), 2);
        let mut settings = Settings::default();
        let given = ["markers".to_string(), "normalize".to_string()];
        assert!(inherit(&mut settings, &old, 1000, &given).is_empty());
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn a_small_models_min_df_is_not_kept() {
        let mut old = Settings::default();
        old.vectorizer.min_df = 1;
        let mut settings = Settings::default();
        assert!(inherit(&mut settings, &old, SMALL_DATA_ROWS - 1, &[]).is_empty());
        assert_eq!(
            settings.vectorizer.min_df,
            Settings::default().vectorizer.min_df
        );
    }

    #[test]
    fn every_setting_option_is_inherited() {
        // Each option of FeatureArgs that sets a model setting has an entry.
        use clap::CommandFactory;
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            features: crate::cmd::FeatureArgs,
        }
        let ids: Vec<String> = Wrapper::command()
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .filter(|id| id != "help")
            .collect();
        let inherited: Vec<&str> = INHERITED
            .iter()
            .flat_map(|(ids, _)| ids.iter().copied())
            .collect();
        let (mut ids, mut inherited) = (ids, inherited);
        ids.sort();
        inherited.sort();
        assert_eq!(ids, inherited);
    }
}

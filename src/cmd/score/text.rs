//! Readable text output of `score`: the verdict, its strength, the draft with the
//! words that pushed it marked, the weights and the advice.

use std::ops::Range;

use anstyle::{AnsiColor, Style};

use crate::cmd::score::{Reading, Scorer};
use crate::model::Verdict;

/// Colours of labels in text output, by the label's index in the model (labels
/// are sorted: for the bundled model composed is green and desperate red).
const PALETTE: [AnsiColor; 6] = [
    AnsiColor::Green,
    AnsiColor::Red,
    AnsiColor::Cyan,
    AnsiColor::Magenta,
    AnsiColor::Yellow,
    AnsiColor::Blue,
];

/// The style of the label at `index`.
pub fn label_style(index: usize) -> Style {
    Style::new().fg_color(Some(PALETTE[index % PALETTE.len()].into()))
}

/// Sorts byte ranges and merges those that overlap or touch.
pub fn merge_spans(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// The draft with each of `spans` (sorted, disjoint, on character boundaries)
/// replaced by `mark` of its text.
pub fn highlight(draft: &str, spans: &[Range<usize>], mark: impl Fn(&str) -> String) -> String {
    let mut marked = String::with_capacity(draft.len() + spans.len() * 2);
    let mut at = 0;
    for span in spans {
        marked.push_str(&draft[at..span.start]);
        marked.push_str(&mark(&draft[span.clone()]));
        at = span.end;
    }
    marked.push_str(&draft[at..]);
    marked
}

impl Scorer<'_> {
    /// How the verdict moved from one version of a draft to the next:
    /// "Since the last version: desperate 93% → composed 71%".
    pub fn movement(&self, before: (usize, f64), now: (usize, f64)) -> String {
        let labels = self.model.pipeline.labels();
        format!(
            "Since the last version: {} {} → {} {}",
            labels[before.0],
            percent(before.1),
            labels[now.0],
            percent(now.1)
        )
    }

    pub fn verdict_text(&self, draft: &str, reading: &Reading) -> String {
        let (verdict, advice) = (&reading.verdict, &reading.advice);
        let pipeline = &self.model.pipeline;
        let label = &pipeline.labels()[verdict.label];
        let name = self.advice.display_name(label);
        let p = verdict.probability();
        let width = textwrap::termwidth().clamp(40, 100);
        let paint = |style: Style, text: &str| -> String {
            if self.colour {
                format!("{style}{text}{style:#}")
            } else {
                text.to_string()
            }
        };
        let style = label_style(verdict.label);
        let verdict_style = style.bold();
        let mut s = String::new();
        s.push_str(&paint(verdict_style, &headline(name, verdict)));
        s.push('\n');
        let filled = (p * 20.0).round() as usize;
        if self.colour {
            s.push_str(&format!(
                "  {}{}\n",
                paint(style, &"█".repeat(filled)),
                "░".repeat(20 - filled)
            ));
        } else {
            s.push_str(&format!(
                "  [{}{}]\n",
                "#".repeat(filled),
                ".".repeat(20 - filled)
            ));
        }
        if pipeline.labels().len() > 2 || verdict.is_borderline() {
            let all: Vec<String> = pipeline
                .labels()
                .iter()
                .zip(&verdict.probabilities)
                .map(|(l, p)| format!("{l} {}", percent(*p)))
                .collect();
            s.push_str(&format!("  ({})\n", all.join(", ")));
        }
        let shown: Vec<_> = verdict.contributions.iter().take(self.top).collect();
        if shown.is_empty() {
            s.push_str("None of the draft's words are in the model's vocabulary, so this rests on the model's prior alone.\n");
        } else {
            if verdict.too_few_terms() {
                s.push_str("Only one of the draft's terms is known to the model: too little to judge by, so this is borderline whatever the percentage.\n");
            }
            // The draft itself, with the words that pushed toward the verdict marked.
            let merged = merge_spans(
                shown
                    .iter()
                    .filter(|c| c.weight > 0.0)
                    .flat_map(|c| c.spans.iter().cloned())
                    .collect(),
            );
            let marked = highlight(draft, &merged, |word| {
                if self.colour {
                    paint(style.bold().underline(), word)
                } else {
                    format!("[{word}]")
                }
            });
            let flat = marked.split_whitespace().collect::<Vec<_>>().join(" ");
            s.push_str(&format!(
                "In your draft ({} marks what pushed it there):\n",
                if self.colour { "colour" } else { "[ ]" }
            ));
            let options = textwrap::Options::new(width)
                .initial_indent("    ")
                .subsequent_indent("    ");
            for line in textwrap::wrap(&flat, options) {
                s.push_str(&line);
                s.push('\n');
            }
            s.push_str(&format!(
                "Words that weighed most (+ toward {label}, - against):\n"
            ));
            for c in shown {
                let quoted = c.shown(draft);
                let weight = format!("{:+.2}", c.weight);
                let weight = if c.weight > 0.0 {
                    paint(style, &weight)
                } else {
                    weight
                };
                s.push_str(&format!("  {weight}  {quoted}\n"));
            }
        }
        // The sentences that push toward the verdict, strongest first.
        let pushing = reading.pushing();
        if !pushing.is_empty() {
            s.push_str(&format!(
                "Sentences that push it most (what each adds to the logit of {label}):\n"
            ));
            for x in pushing.iter().take(3) {
                let quoted = quote(&draft[x.range.clone()], width.saturating_sub(26));
                let theme = x
                    .theme
                    .as_ref()
                    .map_or_else(String::new, |t| format!("  ({t})"));
                s.push_str(&format!(
                    "  {}  {quoted}{theme}\n",
                    paint(style, &format!("{:+.2}", x.delta_logit))
                ));
            }
        }
        if let Some(cut) = &reading.revision {
            let after = self
                .advice
                .display_name(&pipeline.labels()[cut.label_after]);
            let what = match cut.remove.len() {
                1 => "this".to_string(),
                2 => "these two".to_string(),
                n => format!("these {n}"),
            };
            s.push_str(&paint(
                Style::new().bold(),
                &format!(
                    "To revise: without {what} it reads {after} ({}):",
                    percent(cut.probability_after)
                ),
            ));
            s.push('\n');
            for r in &cut.remove {
                s.push_str(&format!(
                    "  - {}\n",
                    quote(&draft[r.clone()], width.saturating_sub(6))
                ));
            }
        } else if reading.to_revise {
            s.push_str(&format!(
                "No cut makes it read otherwise: the whole draft pulls toward {label}. Start again from the advice below.\n"
            ));
        }
        if !advice.is_empty() {
            s.push_str(&paint(Style::new().bold(), "Advice:"));
            s.push('\n');
            for a in advice {
                s.push_str(&format!("  * {}\n", paint(Style::new().bold(), &a.section)));
                let options = textwrap::Options::new(width)
                    .initial_indent("    ")
                    .subsequent_indent("    ");
                for line in textwrap::wrap(&a.summary, options) {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        }
        s.push_str(&paint(
            Style::new().dimmed(),
            &format!("(model: {})", self.model.source),
        ));
        s.push('\n');
        s
    }
}

/// A sentence in quotes on one line, its spacing folded, cut to `width`
/// characters with an ellipsis.
fn quote(text: &str, width: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let width = width.max(20);
    if flat.chars().count() <= width {
        format!("“{flat}”")
    } else {
        let cut: String = flat.chars().take(width - 1).collect();
        format!("“{}…”", cut.trim_end())
    }
}

/// "Reads as NAME (93% sure)", or "Borderline: leans NAME (55%)".
pub fn headline(name: &str, verdict: &Verdict) -> String {
    let p = verdict.probability();
    if verdict.is_borderline() {
        format!("Borderline: leans {name} ({})", percent(p))
    } else {
        format!("Reads as {name} ({} sure)", percent(p))
    }
}

/// A probability as a whole percentage that never claims a certainty it lacks:
/// 0.996 is ">99%", not "100%".
pub fn percent(p: f64) -> String {
    if p > 0.99 && p < 1.0 {
        ">99%".to_string()
    } else if p < 0.01 && p > 0.0 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_and_touching_spans_merge() {
        assert_eq!(
            merge_spans(vec![5..9, 0..2, 1..3, 9..12, 20..21]),
            vec![0..3, 5..12, 20..21]
        );
        assert_eq!(merge_spans(vec![]), Vec::<Range<usize>>::new());
    }

    #[test]
    fn highlighting_marks_each_span_and_keeps_the_rest() {
        let draft = "please call me, I miss you";
        let marked = highlight(draft, &[0..6, 18..22], |w| format!("[{w}]"));
        assert_eq!(marked, "[please] call me, I [miss] you");
        assert_eq!(highlight(draft, &[], |w| w.to_uppercase()), draft);
        // Multi-byte text: spans on character boundaries.
        assert_eq!(
            highlight("née 💐 ok", std::slice::from_ref(&(5..9)), |w| format!(
                "<{w}>"
            )),
            "née <💐> ok"
        );
    }

    #[test]
    fn labels_get_distinct_colours_whatever_their_names() {
        assert_ne!(label_style(0), label_style(1));
        assert_eq!(label_style(0), label_style(PALETTE.len()));
    }
}

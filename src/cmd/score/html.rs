//! `score --format html`: one self-contained page (inline styles, no scripts,
//! no network), for one draft or a whole --batch. Every piece of a draft's text
//! is escaped: drafts are untrusted input.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use crate::cmd::score::text::{headline, merge_spans, percent};
use crate::cmd::score::{Reading, Scorer};
use crate::revise::without;

/// What the page's summary counts.
#[derive(Debug, Default)]
pub struct Report {
    drafts: usize,
    /// Drafts per label index.
    labels: BTreeMap<usize, usize>,
    /// Advice sections shown for drafts with the label to revise.
    themes: BTreeMap<String, usize>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f6f5f2;color:#222}
header{background:#fff;border-bottom:1px solid #ddd;padding:1.2rem 2rem}
h1{margin:0 0 .3rem;font-size:1.4rem}
main{max-width:60rem;margin:0 auto;padding:1rem 2rem 3rem}
article{background:#fff;border:1px solid #ddd;border-left:6px solid #888;border-radius:6px;margin:1rem 0;padding:1rem 1.4rem}
article.l0{border-left-color:#2e8b57}article.l1{border-left-color:#c0392b}article.l2{border-left-color:#2980b9}
h2{font-size:1rem;margin:0 0 .4rem;color:#555;font-weight:600}
.verdict{font-size:1.15rem;font-weight:700}
.bar{height:.55rem;background:#e5e5e5;border-radius:.3rem;margin:.35rem 0 .8rem;overflow:hidden;max-width:24rem}
.bar span{display:block;height:100%;background:#888}
.l0 .bar span{background:#2e8b57}.l1 .bar span{background:#c0392b}.l2 .bar span{background:#2980b9}
.text{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;border-radius:4px;padding:.6rem .8rem}
.s{border-radius:3px;padding:.05rem 0}
mark{background:none;border-bottom:2px solid #c0392b;color:inherit;font-weight:600}
.l0 mark{border-bottom-color:#2e8b57}
.legend,.note{color:#666;font-size:.9rem}
.cut{margin:.8rem 0;padding:.5rem .8rem;background:#fff8e1;border:1px solid #f0d98c;border-radius:4px}
.cut del{background:#fde2e1;text-decoration:line-through}
ol.sentences{padding-left:1.4rem}ol.sentences li{margin:.15rem 0}
.w{font-variant-numeric:tabular-nums;color:#555}
ul.advice{padding-left:1.2rem}ul.advice li{margin:.4rem 0}
";

/// The section of one draft.
pub fn draft_section(scorer: &Scorer, draft: &str, line: Option<u64>, reading: &Reading) -> String {
    let pipeline = &scorer.model.pipeline;
    let verdict = &reading.verdict;
    let label = &pipeline.labels()[verdict.label];
    let name = scorer.advice.display_name(label);
    let p = verdict.probability();
    let number = {
        let mut report = scorer.report.lock().expect("not poisoned");
        report.drafts += 1;
        *report.labels.entry(verdict.label).or_default() += 1;
        if reading.to_revise {
            for a in &reading.advice {
                *report.themes.entry(a.section.clone()).or_default() += 1;
            }
        }
        report.drafts
    };
    let mut s = String::new();
    let _ = write!(s, "<article class=\"draft l{}\">", verdict.label.min(2));
    // Rows of a batch are scored in parallel: they are named by their line.
    let _ = match line {
        Some(l) => write!(s, "<h2>Line {l}</h2>"),
        None => write!(s, "<h2>Draft {number}</h2>"),
    };
    let headline = headline(name, verdict);
    let _ = write!(
        s,
        "<div class=\"verdict\">{}</div><div class=\"bar\" title=\"{}\"><span style=\"width:{:.0}%\"></span></div>",
        escape(&headline),
        escape(&percent(p)),
        p * 100.0
    );
    // The text: sentences shaded by how much they push toward the verdict, the
    // words that push it marked.
    let words = merge_spans(
        verdict
            .contributions
            .iter()
            .filter(|c| c.weight > 0.0)
            .flat_map(|c| c.spans.iter().cloned())
            .collect(),
    );
    let strongest = reading
        .sentences
        .iter()
        .map(|x| x.delta_logit)
        .fold(0.0f64, f64::max);
    let mut text = String::new();
    let mut at = 0;
    let sentences: Vec<(Range<usize>, f64)> = if reading.sentences.is_empty() {
        vec![(0..draft.len(), 0.0)]
    } else {
        reading
            .sentences
            .iter()
            .map(|x| (x.range.clone(), x.delta_logit))
            .collect()
    };
    for (range, delta) in &sentences {
        text.push_str(&marked(draft, at..range.start, &words));
        let alpha = if *delta > 0.0 && strongest > 0.0 {
            0.08 + 0.32 * delta / strongest
        } else {
            0.0
        };
        let _ = write!(
            text,
            "<span class=\"s\" style=\"background:rgba(230,126,34,{alpha:.2})\" title=\"{:+.2} toward the verdict\">{}</span>",
            delta,
            marked(draft, range.clone(), &words)
        );
        at = range.end;
    }
    text.push_str(&marked(draft, at..draft.len(), &words));
    let _ = write!(s, "<div class=\"text\">{text}</div>");
    let _ = write!(
        s,
        "<p class=\"legend\">Shaded: sentences that push toward this verdict (darker = stronger). Underlined: the words that push it.</p>"
    );
    if let Some(cut) = &reading.revision {
        let after = &pipeline.labels()[cut.label_after];
        let parts: Vec<String> = cut
            .remove
            .iter()
            .map(|r| format!("<del>{}</del>", escape(&draft[r.clone()])))
            .collect();
        let _ = write!(
            s,
            "<div class=\"cut\"><strong>What to cut:</strong> without {} it reads {} ({}): {}<br><span class=\"note\">What is left: “{}”</span></div>",
            if cut.remove.len() == 1 {
                "this".to_string()
            } else {
                format!("these {}", cut.remove.len())
            },
            escape(scorer.advice.display_name(after)),
            escape(&percent(cut.probability_after)),
            parts.join(" "),
            escape(
                without(draft, &cut.remove)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .as_str()
            )
        );
    } else if reading.to_revise {
        let _ = write!(
            s,
            "<div class=\"cut\"><strong>No single cut changes the verdict:</strong> the whole draft pulls the same way. Start again from the advice below.</div>"
        );
    }
    let ranked = reading.pushing();
    if !ranked.is_empty() {
        s.push_str("<ol class=\"sentences\">");
        for x in ranked.iter().take(3) {
            let theme = x.theme.as_ref().map_or_else(String::new, |t| {
                format!(" <span class=\"note\">({})</span>", escape(t))
            });
            let _ = write!(
                s,
                "<li><span class=\"w\">{:+.2}</span> {}{theme}</li>",
                x.delta_logit,
                escape(&draft[x.range.clone()])
            );
        }
        s.push_str("</ol>");
    }
    if !reading.advice.is_empty() {
        s.push_str("<ul class=\"advice\">");
        for a in &reading.advice {
            let _ = write!(
                s,
                "<li><strong>{}</strong><br>{}</li>",
                escape(&a.section),
                escape(&a.summary)
            );
        }
        s.push_str("</ul>");
    }
    s.push_str("</article>\n");
    s
}

/// `draft[range]`, escaped, with the word spans in it marked.
fn marked(draft: &str, range: Range<usize>, words: &[Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = range.start;
    for w in words {
        let (start, end) = (w.start.max(range.start), w.end.min(range.end));
        if start >= end || start < at {
            continue;
        }
        out.push_str(&escape(&draft[at..start]));
        let _ = write!(out, "<mark>{}</mark>", escape(&draft[start..end]));
        at = end;
    }
    out.push_str(&escape(&draft[at..range.end]));
    out
}

/// The whole page: the summary, then the drafts' sections.
pub fn page(scorer: &Scorer, sections: &str) -> String {
    let report = scorer.report.lock().expect("not poisoned");
    let labels = scorer.model.pipeline.labels();
    let counts: Vec<String> = report
        .labels
        .iter()
        .map(|(&l, n)| format!("{n} {}", escape(scorer.advice.display_name(&labels[l]))))
        .collect();
    let mut themes: Vec<(&String, &usize)> = report.themes.iter().collect();
    themes.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let themes: Vec<String> = themes
        .iter()
        .take(3)
        .map(|(t, n)| format!("{} ({n})", escape(t)))
        .collect();
    let mut s = String::from("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    s.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
    let _ = write!(
        s,
        "<title>draftcheck report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        s,
        "<header><h1>draftcheck report</h1><p class=\"summary\"><strong>{} draft{}</strong>: {}.</p>",
        report.drafts,
        if report.drafts == 1 { "" } else { "s" },
        counts.join(", ")
    );
    if !themes.is_empty() {
        let _ = write!(
            s,
            "<p class=\"summary\">Most common advice for the drafts to revise: {}.</p>",
            themes.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "<p class=\"note\">Model: {}.</p></header><main>{sections}</main></body></html>",
        escape(&scorer.model.source)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn marked_text_is_escaped_inside_and_out() {
        let draft = "<b>please</b> call";
        assert_eq!(
            marked(draft, 0..draft.len(), std::slice::from_ref(&(3..9))),
            "&lt;b&gt;<mark>please</mark>&lt;/b&gt; call"
        );
    }
}

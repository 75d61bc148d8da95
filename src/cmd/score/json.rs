//! JSON output of `score`: one object per draft.

use serde_json::json;

use crate::cmd::score::Reading;
use crate::model::Pipeline;

/// The JSON object for one verdict.
///
/// `sentences`: each sentence's byte range (`start`, `end`) in the draft's UTF-8
/// text, its `delta_logit` (the draft's logit minus the same label's logit with
/// those bytes removed) and `probability_without` (the label's probability
/// then); `theme`, the theme the sentence carries on its own (null when none,
/// or for a verdict not to revise, or a model without themes). `revision`: byte ranges
/// to `remove` and the `label_after` and `probability_after` of what is left, or
/// null (not a verdict to revise, or no cut changes it).
pub fn verdict_json(
    pipeline: &Pipeline,
    draft: &str,
    reading: &Reading,
    source: &str,
) -> serde_json::Value {
    let (verdict, advice) = (&reading.verdict, &reading.advice);
    let labels = pipeline.labels();
    let sentences: Vec<serde_json::Value> = reading
        .sentences
        .iter()
        .map(|s| {
            json!({
                "text": &draft[s.range.clone()],
                "start": s.range.start,
                "end": s.range.end,
                "delta_logit": s.delta_logit,
                "probability_without": s.probability_without,
                "theme": s.theme,
            })
        })
        .collect();
    let terms = pipeline.vectorizer().terms();
    let themes: Vec<serde_json::Value> = reading
        .themes
        .iter()
        .map(|t| {
            json!({
                "theme": t.theme,
                "probability": t.probability,
                "terms": t.contributions.iter().filter(|(_, w)| *w > 0.0).take(4)
                    .map(|&(j, w)| json!({"term": terms[j], "weight": w})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let revision = reading.revision.as_ref().map(|r| {
        json!({
            "remove": r.remove.iter().map(|x| json!({"start": x.start, "end": x.end})).collect::<Vec<_>>(),
            "label_after": labels[r.label_after],
            "probability_after": r.probability_after,
        })
    });
    let probabilities: serde_json::Map<String, serde_json::Value> = labels
        .iter()
        .zip(&verdict.probabilities)
        .map(|(l, p)| (l.clone(), json!(p)))
        .collect();
    let contributions: Vec<serde_json::Value> = verdict
        .contributions
        .iter()
        .map(|c| json!({"term": c.term, "text": c.as_written(draft), "weight": c.weight}))
        .collect();
    json!({
        "label": labels[verdict.label],
        "probability": verdict.probability(),
        "probabilities": probabilities,
        "borderline": verdict.is_borderline(),
        "logit": verdict.logit,
        "intercept": verdict.intercept,
        "contributions": contributions,
        "advice": advice,
        "sentences": sentences,
        "revision": revision,
        "themes": themes,
        "model": source,
    })
}

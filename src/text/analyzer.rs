//! Text analysis: from a raw draft to the list of terms the model counts.
//!
//! The pipeline is: Unicode word segmentation (UAX #29) -> classification of each
//! segment (word, number, `!`/`?` run, emoji, other punctuation) -> lowercasing and
//! Snowball stemming of words -> word n-grams. A few non-word signals are kept as
//! separate *marker* terms; see [`Token`] for what each one is and why.
//!
//! `AnalyzerSettings` (plain, serialisable settings) is validated into an
//! [`Analyzer`], which owns the stemmer and does the work. The settings are stored
//! in every model file so that scoring analyses text exactly as training did.

use std::borrow::Cow;
use std::ops::Range;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use unicode_properties::UnicodeEmoji;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Result};

/// Marker term for a word written in capitals (two or more letters, e.g. "PLEASE").
///
/// Shouting is a sign of emotional pressure, so it gets its own feature; the word
/// itself is still counted in lower case, so "PLEASE" and "please" share their
/// meaning and the capitals only add the "shouting" signal on top.
pub const CAPS_MARKER: &str = "<caps>";
/// What an *ending* term starts with: the same term, found in the draft's last
/// sentences (see [`AnalyzerSettings::ending`]). No word contains `<`, so an
/// ending term never collides with a term of the draft as a whole.
pub const ENDING_PREFIX: &str = "<end> ";

/// Most sentences `ending` may cover.
pub const MAX_ENDING: usize = 10;

/// The term an ending term repeats ("<end> call me" -> "call me"), or None for a
/// term of the draft as a whole.
pub fn ending_base(term: &str) -> Option<&str> {
    term.strip_prefix(ENDING_PREFIX)
}

/// Marker term for a number written in digits ("I called 15 times").
///
/// The exact value rarely matters; that a draft counts calls, days or money does.
pub const NUMBER_MARKER: &str = "<num>";

/// Settings of the analyzer, as stored in a model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzerSettings {
    /// Snowball stemmer language (e.g. "english"), or "none" for no stemming.
    pub language: String,
    /// Smallest word n-gram length (at least 1).
    pub ngram_min: usize,
    /// Largest word n-gram length (at least `ngram_min`).
    pub ngram_max: usize,
    /// Emit marker terms for "!", "!!", "?", "??", capitals, numbers and emoji.
    pub markers: bool,
    /// The last this many sentences' terms (of the sentences that have a
    /// word; markers after the last of them go with it) are counted a second
    /// time, as ending terms ([`ENDING_PREFIX`]); 0 (the default, and the
    /// value of model files written before it existed) adds none.
    ///
    /// The labelling guide's rule is that the ending decides: cheerful news
    /// that closes on a plan the ex is expected to join is desperate, the same
    /// news closing on good wishes is composed. In a bag of words the closing
    /// ask is a few terms among many; its own copy of them lets the model
    /// weigh what a draft ends on apart from what it tells on the way.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ending: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Default for AnalyzerSettings {
    fn default() -> Self {
        AnalyzerSettings {
            language: "english".to_string(),
            ngram_min: 1,
            ngram_max: 2,
            markers: true,
            ending: 0,
        }
    }
}

/// Upper bound on n-gram length: longer n-grams are almost never seen twice and only
/// make the vocabulary explode.
pub const MAX_NGRAM: usize = 5;

/// The one rule for an n-gram range: 1 <= MIN <= MAX <= [`MAX_NGRAM`] (for
/// `--ngrams` as for a model file's settings); what is wrong if it is broken.
pub fn check_ngram_range(min: usize, max: usize) -> std::result::Result<(), String> {
    if min == 0 || max < min || max > MAX_NGRAM {
        return Err(format!(
            "{min}-{max} is not an n-gram range: need 1 <= MIN <= MAX <= {MAX_NGRAM}, e.g. 1-2"
        ));
    }
    Ok(())
}

/// The one rule for `ending` (for `--ending` as for a model file's settings).
pub fn check_ending(ending: usize) -> std::result::Result<(), String> {
    if ending > MAX_ENDING {
        return Err(format!(
            "{ending} is too many sentences for the ending: use 0 (none) to {MAX_ENDING}, e.g. 2"
        ));
    }
    Ok(())
}

/// Names accepted for `language`, with their Snowball algorithms.
const LANGUAGES: &[(&str, Algorithm)] = &[
    ("arabic", Algorithm::Arabic),
    ("danish", Algorithm::Danish),
    ("dutch", Algorithm::Dutch),
    ("english", Algorithm::English),
    ("finnish", Algorithm::Finnish),
    ("french", Algorithm::French),
    ("german", Algorithm::German),
    ("greek", Algorithm::Greek),
    ("hungarian", Algorithm::Hungarian),
    ("italian", Algorithm::Italian),
    ("norwegian", Algorithm::Norwegian),
    ("portuguese", Algorithm::Portuguese),
    ("romanian", Algorithm::Romanian),
    ("russian", Algorithm::Russian),
    ("spanish", Algorithm::Spanish),
    ("swedish", Algorithm::Swedish),
    ("tamil", Algorithm::Tamil),
    ("turkish", Algorithm::Turkish),
];

impl AnalyzerSettings {
    /// Checks the settings and builds the analyzer they describe.
    pub fn build(&self) -> Result<Analyzer> {
        check_ngram_range(self.ngram_min, self.ngram_max)
            .map_err(|problem| Error::setting("analyzer.ngram_min/ngram_max", problem))?;
        check_ending(self.ending).map_err(|problem| Error::setting("analyzer.ending", problem))?;
        let stemmer = if self.language == "none" {
            None
        } else {
            let algorithm = LANGUAGES
                .iter()
                .find(|(name, _)| *name == self.language)
                .map(|(_, algorithm)| *algorithm)
                .ok_or_else(|| {
                    let names: Vec<&str> = LANGUAGES.iter().map(|(name, _)| *name).collect();
                    Error::setting(
                        "analyzer.language",
                        format!("'{}' is not a stemmer language", self.language),
                    )
                    .with_hint(format!("use one of: none, {}", names.join(", ")))
                })?;
            Some(Stemmer::create(algorithm))
        };
        Ok(Analyzer {
            settings: self.clone(),
            stemmer,
        })
    }
}

/// One analysed piece of a draft: its normalised form and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised term (stemmed word, or a marker such as `!!` or `<caps>`).
    pub term: String,
    /// Byte range of the source text it came from.
    pub span: Range<usize>,
    /// Whether this is a word (takes part in n-grams) or a marker (stands alone).
    pub is_word: bool,
    /// Which sentence of the text it is in (UAX #29 sentence boundaries,
    /// counted from 0); always 0 when the analyzer has no `ending`, which is
    /// the only thing it is for.
    pub sentence: usize,
}

/// What a word segment becomes: its term (lower-cased, apostrophes folded,
/// stemmed) and whether it was written in capitals, or nothing (a word the
/// stemmer strips to nothing).
type WordForm = Option<(Box<str>, bool)>;

/// Word segments already made into terms, for analysing many texts with one
/// [`Analyzer`]: most words come back, and lower-casing and stemming them was
/// a fifth of the time of analysing a large corpus. The cache changes no
/// result (a word's term depends on the word alone).
#[derive(Debug, Default)]
pub struct WordCache(FxHashMap<Box<str>, WordForm>);

/// A checked analyzer, ready to turn text into terms.
pub struct Analyzer {
    settings: AnalyzerSettings,
    stemmer: Option<Stemmer>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Analyzer {
    pub fn settings(&self) -> &AnalyzerSettings {
        &self.settings
    }

    /// Splits `text` into tokens (words and markers), in order.
    ///
    /// How the non-word signals are represented, and why:
    /// - Words are lower-cased and stemmed; typographic apostrophes are folded to `'`
    ///   so "don’t" and "don't" are one word.
    /// - A word in capitals also yields [`CAPS_MARKER`]: shouting adds pressure.
    /// - Numbers in digits become [`NUMBER_MARKER`]: "15 missed calls" and "20 missed
    ///   calls" say the same thing.
    /// - A single `!` or `?` is kept as such; a run of two or more (`!!!`, `??`, `?!?`)
    ///   becomes `!!` and/or `??`: one exclamation mark is ordinary, a row of them is
    ///   insistence, and the length of the row beyond two adds little.
    /// - An emoji is kept as its own term, without skin-tone or presentation
    ///   modifiers (🥺 and 😭 read differently from 🙂 and 👍).
    /// - Other punctuation and symbols are dropped.
    ///
    /// Markers are single terms: they do not take part in word n-grams, so "please
    /// call" stays one bigram whatever punctuation surrounds it. With `markers` off,
    /// only words are produced.
    pub fn tokenize(&self, text: &str) -> Vec<Token> {
        self.tokenize_with(text, None)
    }

    /// [`Analyzer::tokenize`], looking words up in `cache` first (and adding
    /// the new ones).
    pub fn tokenize_with(&self, text: &str, mut cache: Option<&mut WordCache>) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut pending_punct: Option<(usize, usize, usize, usize)> = None; // (start, end, '!' count, '?' count)
        let markers = self.settings.markers;

        let flush = |tokens: &mut Vec<Token>,
                     pending: &mut Option<(usize, usize, usize, usize)>| {
            if let Some((start, end, bangs, questions)) = pending.take() {
                for (count, one, many) in [(bangs, "!", "!!"), (questions, "?", "??")] {
                    if count > 0 {
                        tokens.push(Token {
                            term: if count == 1 { one } else { many }.to_string(),
                            span: start..end,
                            is_word: false,
                            sentence: 0,
                        });
                    }
                }
            }
        };

        for (start, segment) in text.split_word_bound_indices() {
            let end = start + segment.len();
            let is_bang_or_question = segment
                .chars()
                .all(|c| matches!(c, '!' | '?' | '！' | '？'));
            if is_bang_or_question {
                if markers {
                    let bangs = segment.chars().filter(|c| matches!(c, '!' | '！')).count();
                    let questions = segment.chars().count() - bangs;
                    let entry = pending_punct.get_or_insert((start, end, 0, 0));
                    entry.1 = end;
                    entry.2 += bangs;
                    entry.3 += questions;
                }
                continue;
            }
            // Whitespace between "!" and "!" still makes one run ("! ! !").
            if segment.chars().all(char::is_whitespace) {
                continue;
            }
            flush(&mut tokens, &mut pending_punct);

            if segment.chars().any(char::is_alphanumeric) {
                self.push_word(&mut tokens, segment, start..end, cache.as_deref_mut());
            } else if markers && is_emoji(segment) {
                let term: String = segment.chars().filter(|&c| !is_emoji_modifier(c)).collect();
                if !term.is_empty() {
                    tokens.push(Token {
                        term,
                        span: start..end,
                        is_word: false,
                        sentence: 0,
                    });
                }
            }
        }
        flush(&mut tokens, &mut pending_punct);
        if self.settings.ending > 0 {
            let starts: Vec<usize> = text
                .split_sentence_bound_indices()
                .map(|(start, _)| start)
                .collect();
            for token in &mut tokens {
                token.sentence = starts
                    .partition_point(|&start| start <= token.span.start)
                    .saturating_sub(1);
            }
        }
        tokens
    }

    fn push_word(
        &self,
        tokens: &mut Vec<Token>,
        segment: &str,
        span: Range<usize>,
        cache: Option<&mut WordCache>,
    ) {
        if segment
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        {
            if self.settings.markers {
                tokens.push(Token {
                    term: NUMBER_MARKER.to_string(),
                    span,
                    is_word: false,
                    sentence: 0,
                });
            }
            return;
        }
        let form = match cache {
            Some(WordCache(map)) => match map.get(segment) {
                Some(form) => form.clone(),
                None => {
                    let form = self.word_form(segment);
                    map.insert(segment.into(), form.clone());
                    form
                }
            },
            None => self.word_form(segment),
        };
        let Some((term, shouted)) = form else {
            return;
        };
        tokens.push(Token {
            term: term.into(),
            span: span.clone(),
            is_word: true,
            sentence: 0,
        });
        if shouted && self.settings.markers {
            tokens.push(Token {
                term: CAPS_MARKER.to_string(),
                span,
                is_word: false,
                sentence: 0,
            });
        }
    }

    /// A word segment's term and whether it is in capitals (see [`WordForm`]).
    fn word_form(&self, segment: &str) -> WordForm {
        const APOSTROPHES: [char; 3] = ['\u{2019}', '\u{2018}', '\u{02BC}'];
        let folded: Cow<str> = if segment.contains(APOSTROPHES) {
            segment
                .chars()
                .map(|c| if APOSTROPHES.contains(&c) { '\'' } else { c })
                .collect::<String>()
                .into()
        } else {
            segment.into()
        };
        let lower = folded.to_lowercase();
        let letters = folded.chars().filter(|c| c.is_alphabetic()).count();
        let shouted = letters >= 2
            && folded
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
        let term = match &self.stemmer {
            // A word the stemmer leaves as it is keeps its string (no copy).
            Some(stemmer) => match stemmer.stem(&lower) {
                Cow::Owned(stem) => Some(stem),
                Cow::Borrowed(_) => None,
            }
            .unwrap_or(lower),
            None => lower,
        };
        // The stemmer can strip a word to nothing (English: "ʼʼs", apostrophes and a
        // possessive s): an empty term means nothing and would join n-grams with a
        // double space, so such a word is dropped.
        (!term.is_empty()).then(|| (term.into_boxed_str(), shouted))
    }

    /// The terms of `text`: markers, and word n-grams of every length in the
    /// configured range (words joined by a space), in text order.
    pub fn analyze(&self, text: &str) -> Vec<String> {
        self.analyze_tokens(&self.tokenize(text))
            .into_iter()
            .map(|(term, _)| term)
            .collect()
    }

    /// Calls `each` with every term of `tokens` and the byte span it covers:
    /// the markers, then the word n-grams of each length in the configured
    /// range, in text order. Each term is built in one reused buffer (no
    /// string per term: interning a large corpus looks most terms up, and
    /// keeps only the new ones).
    ///
    /// With `ending`, the terms of the tokens in the last `ending` sentences
    /// that have a word follow, the same way, each after [`ENDING_PREFIX`]. The
    /// sentences are the tokens' own ([`Token::sentence`]): with some tokens
    /// left out (a sentence cut from the draft), the ending is the last
    /// sentences of those that are left.
    pub fn for_each_term(&self, tokens: &[Token], mut each: impl FnMut(&str, Range<usize>)) {
        let mut term = String::new();
        self.terms_of(tokens, "", &mut term, &mut each);
        let ending = self.settings.ending;
        if ending > 0 {
            // The first sentence of the ending: the `ending`-th distinct one
            // with a word, from the end (tokens are in text order). A
            // sentence of markers alone ("😭", "??") does not count as one,
            // but is part of the ending when it comes after it.
            let mut first = 0;
            let mut seen = 0;
            for token in tokens.iter().rev().filter(|t| t.is_word) {
                if seen == 0 || token.sentence < first {
                    if seen == ending {
                        break;
                    }
                    first = token.sentence;
                    seen += 1;
                }
            }
            // Fewer sentences with a word than the ending: all of the draft.
            let start = if seen < ending {
                0
            } else {
                tokens.partition_point(|t| t.sentence < first)
            };
            if seen > 0 {
                self.terms_of(&tokens[start..], ENDING_PREFIX, &mut term, &mut each);
            }
        }
    }

    /// The markers and word n-grams of `tokens`, each after `prefix`, built in
    /// `term`.
    fn terms_of(
        &self,
        tokens: &[Token],
        prefix: &str,
        term: &mut String,
        each: &mut impl FnMut(&str, Range<usize>),
    ) {
        let (min_n, max_n) = (self.settings.ngram_min, self.settings.ngram_max);
        for token in tokens.iter().filter(|t| !t.is_word) {
            if prefix.is_empty() {
                each(&token.term, token.span.clone());
            } else {
                term.clear();
                term.push_str(prefix);
                term.push_str(&token.term);
                each(term, token.span.clone());
            }
        }
        let words: Vec<&Token> = tokens.iter().filter(|t| t.is_word).collect();
        for n in min_n..=max_n {
            for window in words.windows(n) {
                term.clear();
                term.push_str(prefix);
                for (i, token) in window.iter().enumerate() {
                    if i > 0 {
                        term.push(' ');
                    }
                    term.push_str(&token.term);
                }
                each(term, window[0].span.start..window[n - 1].span.end);
            }
        }
    }

    /// Like [`Analyzer::analyze`], from already-made tokens, keeping the byte span each
    /// term covers in the text (for explanations and highlighting).
    pub fn analyze_tokens(&self, tokens: &[Token]) -> Vec<(String, Range<usize>)> {
        let (min_n, max_n) = (self.settings.ngram_min, self.settings.ngram_max);
        let mut terms = Vec::with_capacity(tokens.len() * (max_n - min_n + 1));
        self.for_each_term(tokens, |term, span| terms.push((term.to_string(), span)));
        terms
    }
}

/// Whether a non-alphanumeric word segment is an emoji (a pictograph, possibly with
/// modifiers and joiners), as opposed to punctuation or another symbol.
fn is_emoji(segment: &str) -> bool {
    let mut chars = segment.chars();
    match chars.next() {
        // ASCII characters with the Emoji property are digits, '#' and '*' (keycap bases).
        Some(first) => !first.is_ascii() && first.is_emoji_char(),
        None => false,
    }
}

/// Presentation selectors, skin-tone modifiers and joiners, dropped from emoji terms.
fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c,
        '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer(ngram_max: usize) -> Analyzer {
        AnalyzerSettings {
            ngram_max,
            ..AnalyzerSettings::default()
        }
        .build()
        .unwrap()
    }

    #[test]
    fn words_are_lowercased_and_stemmed() {
        assert_eq!(
            analyzer(1).analyze("Flowers DELIVERED"),
            vec!["<caps>", "flower", "deliv"]
        );
    }

    #[test]
    fn bigrams_join_stemmed_words() {
        let terms = analyzer(2).analyze("please call me");
        assert_eq!(terms, vec!["pleas", "call", "me", "pleas call", "call me"]);
    }

    #[test]
    fn punctuation_runs_are_collapsed() {
        let terms = analyzer(1).analyze("why?? answer me!!! now! ok?");
        assert_eq!(
            terms,
            vec!["??", "!!", "!", "?", "whi", "answer", "me", "now", "ok"]
        );
    }

    #[test]
    fn typographic_apostrophes_are_folded() {
        assert_eq!(analyzer(1).analyze("don’t"), analyzer(1).analyze("don't"));
    }

    #[test]
    fn numbers_and_emoji_become_markers() {
        let terms = analyzer(1).analyze("called 15 times 😭😭 👍🏽");
        assert_eq!(terms, vec!["<num>", "😭", "😭", "👍", "call", "time"]);
    }

    #[test]
    fn single_capital_letter_is_not_shouting() {
        assert!(
            !analyzer(1)
                .analyze("I miss you")
                .contains(&CAPS_MARKER.to_string())
        );
    }

    #[test]
    fn markers_can_be_turned_off() {
        let analyzer = AnalyzerSettings {
            markers: false,
            ngram_max: 1,
            ..AnalyzerSettings::default()
        }
        .build()
        .unwrap();
        assert_eq!(
            analyzer.analyze("CALL me 5 times!!! 😭"),
            vec!["call", "me", "time"]
        );
    }

    #[test]
    fn no_stemming_with_language_none() {
        let analyzer = AnalyzerSettings {
            language: "none".into(),
            ngram_max: 1,
            ..AnalyzerSettings::default()
        }
        .build()
        .unwrap();
        assert_eq!(analyzer.analyze("Flowers"), vec!["flowers"]);
    }

    #[test]
    fn bad_settings_are_refused() {
        for (min, max) in [(0, 1), (3, 1), (1, MAX_NGRAM + 1)] {
            let settings = AnalyzerSettings {
                ngram_min: min,
                ngram_max: max,
                ..AnalyzerSettings::default()
            };
            assert!(settings.build().is_err(), "{min}-{max} accepted");
        }
        let settings = AnalyzerSettings {
            language: "klingon".into(),
            ..AnalyzerSettings::default()
        };
        assert!(
            settings
                .build()
                .unwrap_err()
                .to_string()
                .contains("klingon")
        );
    }

    #[test]
    fn a_word_stemmed_to_nothing_is_dropped() {
        // Found by the analyzer fuzz target: U+02BC (a letter, so one word with the
        // s) folds to an apostrophe, and the English stemmer strips "''s" to "".
        let terms = analyzer(2).analyze("call \u{2BC}\u{2BC}s me");
        assert_eq!(terms, vec!["call", "me", "call me"]);
    }

    fn with_ending(ending: usize) -> Analyzer {
        AnalyzerSettings {
            ngram_max: 1,
            ending,
            ..AnalyzerSettings::default()
        }
        .build()
        .unwrap()
    }

    #[test]
    fn the_last_sentences_count_again_as_ending_terms() {
        let text = "I got the job. We start Monday! Dinner at 8?";
        let terms = with_ending(2).analyze(text);
        let ending: Vec<&str> = terms.iter().filter_map(|t| ending_base(t)).collect();
        // The last two sentences, markers first, as for the whole draft.
        assert_eq!(
            ending,
            ["!", "<num>", "?", "we", "start", "monday", "dinner", "at"]
        );
        // Every term of the whole draft is still there, once.
        let whole: Vec<&String> = terms.iter().filter(|t| ending_base(t).is_none()).collect();
        assert_eq!(
            whole,
            with_ending(0).analyze(text).iter().collect::<Vec<_>>()
        );
        // An ending term's span is the same words, in the last sentences.
        let analyzer = with_ending(1);
        let tokens = analyzer.tokenize(text);
        for (term, span) in analyzer.analyze_tokens(&tokens) {
            if let Some(base) = ending_base(&term) {
                assert!(
                    span.start >= text.find("Dinner").unwrap(),
                    "{term} at {span:?}"
                );
                assert!(analyzer.analyze(&text[span]).contains(&base.to_string()));
            }
        }
    }

    #[test]
    fn without_ending_no_term_is_repeated_and_a_short_draft_is_all_ending() {
        assert!(
            with_ending(0)
                .analyze("Hi. How are you? Bye.")
                .iter()
                .all(|t| ending_base(t).is_none())
        );
        // Fewer sentences than the ending: the whole draft is its ending.
        let terms = with_ending(3).analyze("hi there");
        assert_eq!(terms, ["hi", "there", "<end> hi", "<end> there"]);
        let terms = with_ending(3).analyze("😭. Hi there.");
        assert!(terms.contains(&"<end> 😭".to_string()), "{terms:?}");
        assert!(with_ending(2).analyze("").is_empty());
        // A sentence with no word (an ellipsis, an emoji) does not count as
        // one, but belongs to the ending after the last that does.
        let terms = with_ending(1).analyze("Fine. See you soon. 😭 ...");
        let ending: Vec<&str> = terms.iter().filter_map(|t| ending_base(t)).collect();
        assert_eq!(ending, ["😭", "see", "you", "soon"]);
        // Nothing but markers: no ending terms.
        let terms = with_ending(1).analyze("😭😭 ??");
        assert!(terms.iter().all(|t| ending_base(t).is_none()), "{terms:?}");
    }

    #[test]
    fn with_a_sentence_left_out_the_ending_moves_to_the_last_one_left() {
        let analyzer = with_ending(1);
        let text = "Congrats on the move. Call me tonight.";
        let cut = text.find("Call").unwrap();
        let kept: Vec<Token> = analyzer
            .tokenize(text)
            .into_iter()
            .filter(|t| t.span.start < cut)
            .collect();
        assert_eq!(
            analyzer
                .analyze_tokens(&kept)
                .into_iter()
                .map(|(t, _)| t)
                .collect::<Vec<_>>(),
            analyzer.analyze("Congrats on the move.")
        );
    }

    #[test]
    fn model_files_without_an_ending_read_as_none_and_are_written_without_one() {
        let old: AnalyzerSettings = serde_json::from_str(
            r#"{"language":"english","ngram_min":1,"ngram_max":2,"markers":true}"#,
        )
        .unwrap();
        assert_eq!(old, AnalyzerSettings::default());
        assert!(!serde_json::to_string(&old).unwrap().contains("ending"));
        let two = AnalyzerSettings {
            ending: 2,
            ..AnalyzerSettings::default()
        };
        assert!(
            serde_json::to_string(&two)
                .unwrap()
                .contains(r#""ending":2"#)
        );
        let too_many = AnalyzerSettings {
            ending: MAX_ENDING + 1,
            ..AnalyzerSettings::default()
        };
        let error = too_many.build().unwrap_err().to_string();
        assert!(error.contains("ending"), "{error}");
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "Please, call me";
        let analyzer = analyzer(2);
        for (term, span) in analyzer.analyze_tokens(&analyzer.tokenize(text)) {
            assert!(
                text.get(span.clone()).is_some(),
                "{term}: bad span {span:?}"
            );
        }
    }
}

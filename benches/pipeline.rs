//! Criterion benchmarks of draftcheck's pipeline, through the library API, with the
//! default settings (`Settings::default()`: English stemming, markers, word
//! 1-2-grams, sublinear tf-idf, L2 normalisation, alpha 0.01).
//!
//! Groups:
//! - `analysis`: tokenize + analyze (stem, n-grams, markers) a short draft and a
//!   long letter;
//! - `vectorisation`: fit the vocabulary on every text of `data/drafts.csv`
//!   (analysis done beforehand), and transform one analysed draft;
//! - `fit`: fit the whole default pipeline (vocabulary + logistic regression) on a
//!   fixed subset of 500 analysed drafts;
//! - `scoring`: `Pipeline::score` of one draft (analysis, vector, probabilities and
//!   the term-by-term explanation) with a pipeline fitted on all drafts.
//!
//! Run: `cargo bench` (or `cargo bench -- scoring` for one group). See
//! `benches/README.md`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use draftcheck::dataset::{Dataset, load_labelled};
use draftcheck::model::{Pipeline, Settings, Trainer};

const SHORT_DRAFT: &str = "I bought you a necklace for your birthday, please call me back";

/// A long letter (about 300 words) of the kind `score --file` gets.
const LONG_LETTER: &str = "Dear Sam,\n\n\
I have been thinking about us every single day since you left. I know you said you \
needed space, and I have tried to give it to you, but I can't stop wondering whether \
you miss me the way I miss you. I wrote this letter three times before sending it!!\n\n\
Do you remember the weekend in Lisbon? The little hotel, the rain, the tram we took \
the wrong way twice? I still have the ticket. I bought you the blue scarf you liked \
in that shop by the river; it is waiting for you here, wrapped, with a card. I know \
a present cannot fix what went wrong, but I wanted you to have something that \
reminds you of the good days. PLEASE just tell me you got it.\n\n\
I have changed, I promise. I go running, I cook, I see my friends again, I started \
the pottery class I always talked about. My sister says I look happier, and some \
days I am. But every evening I check my phone 20 times hoping for a message, and \
when nothing comes I feel like I am back at the start. Why won't you answer?? Was it \
something I said, or did you meet someone else?\n\n\
I am not asking you to come back tomorrow. I am asking for one coffee, one hour, to \
talk like we used to. If you say no I will respect it, I swear, but I need to hear \
it from you. Your birthday is next month and I don't want to spend it wondering.\n\n\
Congratulations on the new job, by the way. I saw it online and I was so proud of \
you 🥺 You deserve it more than anyone.\n\n\
Whatever you decide, I hope you are doing well and that you are happy.\n\n\
With all my love, always,\nAlex";

/// Rows of the fixed subset the `fit` group trains on.
const FIT_ROWS: usize = 500;

fn drafts() -> Dataset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/drafts.csv");
    load_labelled(&path, "text", "label").expect("data/drafts.csv loads")
}

fn trainer() -> Trainer {
    Settings::default()
        .check()
        .expect("default settings are valid")
}

/// A fixed, balanced subset: every `step`-th row, so both labels are in it
/// whatever the file's order.
fn subset(dataset: &Dataset, trainer: &Trainer, rows: usize) -> (Vec<Vec<String>>, Vec<usize>) {
    let step = (dataset.len() / rows).max(1);
    let picked: Vec<usize> = (0..dataset.len()).step_by(step).take(rows).collect();
    let documents = picked
        .iter()
        .map(|&i| trainer.analyzer().analyze(&dataset.texts[i]))
        .collect();
    let targets = picked.iter().map(|&i| dataset.targets[i]).collect();
    (documents, targets)
}

fn fit_all(dataset: &Dataset, trainer: &Trainer) -> Pipeline {
    let corpus = trainer.analyze_all(&dataset.texts);
    trainer
        .fit(&corpus, &corpus.all(), &dataset.targets, &dataset.labels)
        .expect("the default pipeline fits on data/drafts.csv")
}

fn analysis(c: &mut Criterion) {
    let trainer = trainer();
    let analyzer = trainer.analyzer();
    let mut group = c.benchmark_group("analysis");
    for (name, text) in [("short_draft", SHORT_DRAFT), ("long_letter", LONG_LETTER)] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("tokenize", name), text, |b, text| {
            b.iter(|| analyzer.tokenize(black_box(text)))
        });
        group.bench_with_input(
            BenchmarkId::new("tokenize_analyze", name),
            text,
            |b, text| {
                b.iter(|| {
                    let tokens = analyzer.tokenize(black_box(text));
                    analyzer.analyze_tokens(&tokens)
                })
            },
        );
    }
    group.finish();
}

fn vectorisation(c: &mut Criterion) {
    let dataset = drafts();
    let trainer = trainer();
    let corpus = trainer.analyze_all(&dataset.texts);
    let refs = corpus.all();
    let vectorizer_settings = trainer.vectorizer();
    let n_labels = dataset.labels.len();

    let mut group = c.benchmark_group("vectorisation");
    group.sample_size(20);
    group.throughput(Throughput::Elements(dataset.len() as u64));
    group.bench_function(BenchmarkId::new("fit_vocabulary", dataset.len()), |b| {
        b.iter(|| {
            vectorizer_settings
                .fit_ids(corpus.terms(), black_box(&refs), &dataset.targets, n_labels)
                .expect("vocabulary fits")
        })
    });

    let (vectorizer, _) = vectorizer_settings
        .fit_ids(corpus.terms(), &refs, &dataset.targets, n_labels)
        .expect("vocabulary fits");
    let draft = trainer.analyzer().analyze(SHORT_DRAFT);
    group.throughput(Throughput::Elements(1));
    group.bench_function("transform_one_draft", |b| {
        b.iter(|| vectorizer.transform(black_box(&draft)))
    });
    group.finish();
}

fn fit(c: &mut Criterion) {
    let dataset = drafts();
    let trainer = trainer();
    let (documents, targets) = subset(&dataset, &trainer, FIT_ROWS);
    let corpus = draftcheck::text::Corpus::from_terms(&documents);
    let refs = corpus.all();

    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.throughput(Throughput::Elements(refs.len() as u64));
    group.bench_function(BenchmarkId::new("default_pipeline", refs.len()), |b| {
        b.iter(|| {
            trainer
                .fit(&corpus, black_box(&refs), &targets, &dataset.labels)
                .expect("the pipeline fits")
        })
    });
    group.finish();
}

fn scoring(c: &mut Criterion) {
    let dataset = drafts();
    let trainer = trainer();
    let pipeline = fit_all(&dataset, &trainer);

    let mut group = c.benchmark_group("scoring");
    for (name, text) in [("short_draft", SHORT_DRAFT), ("long_letter", LONG_LETTER)] {
        group.bench_with_input(BenchmarkId::new("score", name), text, |b, text| {
            b.iter(|| pipeline.score(black_box(text)))
        });
    }
    group.finish();
}

/// A desperate draft of ten sentences, for the cost of revision help.
const TEN_SENTENCES: &str = "Hi, it's me again. I know you said you needed space. \
I have tried to give it to you, honestly. But it has been three weeks and I cannot sleep. \
I bought the ring back from the shop yesterday. It is sitting on the table where you left yours. \
Your mum thinks we should talk, and so does Sam. I booked our table at Rosa's for Friday at eight. \
Please just come, one dinner, that is all I ask. I will be waiting for you either way.";

/// What revision help adds to a score: each sentence's exact effect and the
/// suggested cut, on a ten-sentence draft (issue target: at most 5 ms more).
fn revision(c: &mut Criterion) {
    let dataset = drafts();
    let trainer = trainer();
    let pipeline = fit_all(&dataset, &trainer);
    assert_eq!(draftcheck::revise::sentences(TEN_SENTENCES).len(), 10);
    let mut group = c.benchmark_group("revision");
    group.bench_function("score_only", |b| {
        b.iter(|| pipeline.score(black_box(TEN_SENTENCES)))
    });
    group.bench_function("score_sentences_and_cut", |b| {
        b.iter(|| {
            let verdict = pipeline.score(black_box(TEN_SENTENCES));
            let effects = draftcheck::revise::sentence_effects(&pipeline, TEN_SENTENCES, &verdict);
            let cut = draftcheck::revise::suggest(&pipeline, TEN_SENTENCES, &verdict);
            (effects, cut)
        })
    });
    group.finish();
}

/// A synthetic three-label problem of `n` rows over `d` features: 17 terms a
/// row, drawn with a skew like text's (feature `d · u³`), for the two ways of
/// taking the gradient (see `src/model/solver/loss.rs`).
fn synthetic(n: usize, d: usize) -> (Vec<draftcheck::text::SparseRow>, Vec<usize>) {
    let mut state = 12345u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let mut row: Vec<(usize, f64)> = (0..17)
                .map(|_| (((d as f64) * uniform().powi(3)) as usize, 0.25))
                .collect();
            row.sort_by_key(|x| x.0);
            row.dedup_by_key(|x| x.0);
            (row, i % 3)
        })
        .unzip()
}

/// One evaluation of the loss and gradient, by columns (two passes) and by
/// rows (one pass), at shapes of 1 to 10 rows per feature.
fn gradient(c: &mut Criterion) {
    use draftcheck::model::solver::loss::loss_and_gradient;
    use draftcheck::model::solver::sparse::SparseProblem;
    let mut group = c.benchmark_group("gradient");
    group.sample_size(10);
    for (n, d) in [(100_000, 100_000), (400_000, 100_000), (1_000_000, 100_000)] {
        let (rows, targets) = synthetic(n, d);
        let w: Vec<f64> = (0..(d + 1) * 3)
            .map(|i| ((i * 7919 % 1000) as f64 - 500.0) / 5000.0)
            .collect();
        for (way, problem) in [
            (
                "by_columns",
                SparseProblem::new(&rows, d, &targets, 3).by_columns(),
            ),
            (
                "by_rows",
                SparseProblem::new(&rows, d, &targets, 3).by_rows(),
            ),
        ] {
            group.bench_function(BenchmarkId::new(way, format!("{n}x{d}")), |b| {
                b.iter(|| loss_and_gradient(&problem, 0.01, black_box(&w)))
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    analysis,
    vectorisation,
    fit,
    scoring,
    revision,
    gradient
);
criterion_main!(benches);

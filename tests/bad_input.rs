//! Every bad input of the issue's list ends with a clear one-line error naming the
//! file (and line), a non-zero exit, no panic, and the previous model untouched.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A folder holding a good model at `model.json`, whose bytes must survive.
struct Setup {
    dir: tempfile::TempDir,
    model: PathBuf,
    model_bytes: Vec<u8>,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let model = train_small(dir.path());
        let model_bytes = std::fs::read(&model).unwrap();
        Setup {
            dir,
            model,
            model_bytes,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `train` on `data` into the existing model: must fail with `needles`.
    fn train_fails(&self, data: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        // --force: the model there was trained on other data, and this is about
        // the data's own error (the guard has tests of its own, in cli_train).
        cmd.args(["train", "--force", "--data"])
            .arg(data)
            .arg("--model")
            .arg(&self.model);
        let stderr = assert_clean_failure(&mut cmd, 1, needles);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        self.assert_model_untouched();
    }

    fn assert_model_untouched(&self) {
        assert_eq!(
            std::fs::read(&self.model).unwrap(),
            self.model_bytes,
            "the model changed"
        );
        let leftovers: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    /// `score` with a given model file: must fail with `needles`.
    fn score_fails(&self, model: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["score", "--model"])
            .arg(model)
            .arg("please call me");
        assert_clean_failure(&mut cmd, 1, needles);
    }
}

#[test]
fn missing_data_file() {
    let s = Setup::new();
    s.train_fails(&s.path("nope.csv"), &["nope.csv", "cannot read"]);
}

#[test]
fn empty_data_file() {
    let s = Setup::new();
    s.train_fails(&s.write("empty.csv", ""), &["empty.csv", "empty"]);
}

#[test]
fn header_only() {
    let s = Setup::new();
    s.train_fails(&s.write("h.csv", "text,label\n"), &["h.csv", "no rows"]);
}

#[test]
fn missing_text_column() {
    let s = Setup::new();
    s.train_fails(
        &s.write("c.csv", "body,label\nhi,composed\n"),
        &["c.csv:1", "'text'", "--text-column"],
    );
}

#[test]
fn missing_label_column() {
    let s = Setup::new();
    s.train_fails(
        &s.write("c.csv", "text,mood\nhi,composed\n"),
        &["c.csv:1", "'label'", "--label-column"],
    );
}

#[test]
fn empty_text_field() {
    let s = Setup::new();
    s.train_fails(
        &s.write("e.csv", "text,label\nhello,composed\n  ,desperate\n"),
        &["e.csv:3", "'text' field is empty"],
    );
}

#[test]
fn empty_label_field() {
    let s = Setup::new();
    s.train_fails(
        &s.write("e.csv", "text,label\nhello,composed\nplease,\n"),
        &["e.csv:3", "'label' field is empty"],
    );
}

#[test]
fn ragged_row() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "r.csv",
            "text,label\nhello,composed\nhi, it's me,desperate\n",
        ),
        &["r.csv:3", "3 fields", "header has 2", "quote"],
    );
}

#[test]
fn invalid_utf8_names_the_line() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "l.csv",
            b"text,label\nhello,composed\ncaf\xe9 tonight?,desperate\n",
        ),
        &["l.csv:3", "UTF-8"],
    );
}

#[test]
fn a_single_label() {
    let s = Setup::new();
    s.train_fails(
        &s.write("one.csv", "text,label\nhi,composed\nbye,composed\n"),
        &["one.csv", "two labels"],
    );
}

#[test]
fn missing_model_file() {
    let s = Setup::new();
    s.score_fails(&s.path("gone.json"), &["gone.json", "cannot read"]);
}

#[test]
fn truncated_model_file() {
    let s = Setup::new();
    let half = &s.model_bytes[..s.model_bytes.len() / 2];
    s.score_fails(
        &s.write("half.json", half),
        &["half.json", "not valid JSON"],
    );
}

#[test]
fn model_file_that_is_not_json() {
    let s = Setup::new();
    s.score_fails(
        &s.write("x.json", "text,label\n"),
        &["x.json", "not a draftcheck model"],
    );
    s.score_fails(
        &s.write("y.json", "{\"hello\": 1}"),
        &["y.json", "not a draftcheck model"],
    );
    s.score_fails(&s.write("z.json", ""), &["z.json", "empty"]);
}

#[test]
fn model_of_another_format_version() {
    let s = Setup::new();
    let mut value: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    value["format_version"] = 99.into();
    s.score_fails(
        &s.write("v.json", value.to_string()),
        &["v.json", "version 99", "retrain"],
    );
}

#[test]
fn model_whose_dimensions_do_not_match() {
    let s = Setup::new();
    let base: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    let mut short = base.clone();
    short["weights"][0].as_array_mut().unwrap().pop();
    s.score_fails(
        &s.write("w.json", short.to_string()),
        &["w.json", "weight row 0"],
    );
    let mut labels = base.clone();
    labels["labels"] = serde_json::json!(["a", "b", "c"]);
    s.score_fails(
        &s.write("l.json", labels.to_string()),
        &["l.json", "3 labels need 3 weight row"],
    );
    let mut dupes = base.clone();
    dupes["labels"] = serde_json::json!(["a", "a"]);
    s.score_fails(
        &s.write("d.json", dupes.to_string()),
        &["d.json", "not unique"],
    );
    let mut df = base;
    df["vocabulary"]["doc_freq"].as_array_mut().unwrap().pop();
    s.score_fails(
        &s.write("f.json", df.to_string()),
        &["f.json", "document frequencies"],
    );
}

#[test]
fn unknown_format_is_a_usage_error() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--format", "xml", "hi"]);
    assert_clean_failure(&mut cmd, 2, &["xml", "--format"]);
}

#[test]
fn alpha_must_be_a_positive_number() {
    let s = Setup::new();
    for (alpha, needle) in [
        ("0", "positive"),
        ("-1", "positive"),
        ("abc", "abc"),
        ("NaN", "positive"),
    ] {
        let mut cmd = draftcheck_in(s.dir.path());
        cmd.args(["train", "--alpha", alpha, "--data"])
            .arg(small_csv())
            .arg("--model")
            .arg(&s.model);
        assert_clean_failure(&mut cmd, 2, &[needle]);
        s.assert_model_untouched();
    }
}

impl Setup {
    /// `train` with `args` on the fixture fails as a usage error naming
    /// `needle`, and the model stays as it was.
    fn train_is_a_usage_error(&self, args: &[&str], needle: &str) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.arg("train")
            .args(args)
            .arg("--data")
            .arg(small_csv())
            .arg("--model")
            .arg(&self.model);
        assert_clean_failure(&mut cmd, 2, &[needle]);
        self.assert_model_untouched();
    }
}

#[test]
fn other_bad_options_are_usage_errors() {
    let s = Setup::new();
    for (args, needle) in [
        (vec!["--ngrams", "3-1"], "3-1"),
        (vec!["--ngrams", "x"], "n-gram"),
        (vec!["--test-fraction", "1.5"], "test-fraction"),
        (vec!["--min-df", "0"], "min-df"),
        (vec!["--language", "klingon"], "klingon"),
    ] {
        s.train_is_a_usage_error(&args, needle);
    }
}

#[test]
fn scoring_an_empty_draft_is_refused() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"]).arg(&s.model).arg("   ");
    assert_clean_failure(&mut cmd, 2, &["empty"]);
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"]).arg(&s.model).write_stdin("");
    assert_clean_failure(&mut cmd, 2, &["empty"]);
}

#[test]
fn an_unwritable_model_folder_keeps_nothing_half_written() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["train", "--test-fraction", "0", "--data"])
        .arg(small_csv())
        .arg("--model")
        .arg(s.path("no/such/folder/m.json"));
    assert_clean_failure(&mut cmd, 1, &["no/such/folder"]);
}

#[test]
fn a_bad_advice_file_names_its_line() {
    let s = Setup::new();
    let advice = s.write(
        "advice.toml",
        "[labels.desperate]\ndisplay = \"x\"\n[[labels.desperate.entries]]\nsection = 3\n",
    );
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg("--advice")
        .arg(&advice)
        .arg("hi");
    assert_clean_failure(&mut cmd, 1, &["advice.toml:4"]);
}

// ---------------------------------------------------------------------------
// Awkward but valid: what spreadsheets and editors write must simply work.
// ---------------------------------------------------------------------------

impl Setup {
    /// `train` on `data` into a fresh model `name`; must succeed. Returns the model
    /// file as JSON.
    fn train_works(&self, data: &Path, name: &str, extra: &[&str]) -> serde_json::Value {
        let model = self.path(name);
        let mut cmd = draftcheck_in(self.dir.path());
        // These files have a handful of rows: keep terms seen once (the default
        // min_df of 2 is for real data sets).
        cmd.args(["train", "--test-fraction", "0", "--min-df", "1"])
            .args(extra)
            .arg("--data")
            .arg(data)
            .arg("--model")
            .arg(&model);
        assert_works(&mut cmd);
        serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap()
    }

    /// Scores `drafts` as JSON with `model`; must succeed. Returns one object each.
    fn score_works(&self, model: &Path, args: &[&str]) -> Vec<serde_json::Value> {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["score", "--format", "json", "--model"])
            .arg(model)
            .args(args);
        json_lines(&assert_works(&mut cmd).stdout)
    }
}

fn labels_of(model: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(model["labels"].clone()).unwrap()
}

fn rows_of(model: &serde_json::Value) -> u64 {
    model["training"]["rows"].as_u64().unwrap()
}

const DESPERATE: &str = "desperate";
const COMPOSED: &str = "composed";

#[test]
fn a_byte_order_mark_is_ignored() {
    let s = Setup::new();
    let data = s.write(
        "bom.csv",
        b"\xef\xbb\xbftext,label\nplease call me back,desperate\nhave a nice day,composed\n",
    );
    let model = s.train_works(&data, "bom.json", &[]);
    assert_eq!(labels_of(&model), [COMPOSED, DESPERATE]);
    assert_eq!(rows_of(&model), 2);
    // The same file as a --batch input: its first column is found by name.
    let verdicts = s.score_works(&s.model, &["--batch", data.to_str().unwrap()]);
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts[0]["line"], 2);
}

#[test]
fn crlf_line_endings_leave_no_carriage_return_in_labels_or_texts() {
    let s = Setup::new();
    let data = s.write(
        "crlf.csv",
        "text,label\r\nplease call me back,desperate\r\nhave a nice day,composed\r\n",
    );
    let model = s.train_works(&data, "crlf.json", &[]);
    assert_eq!(labels_of(&model), [COMPOSED, DESPERATE]);
    let terms = model["vocabulary"]["terms"].to_string();
    assert!(!terms.contains("\\r"), "a carriage return became a term");
}

#[test]
fn trailing_empty_lines_are_ignored() {
    let s = Setup::new();
    for (name, body) in [
        (
            "lf.csv",
            "text,label\nplease call,desperate\nhave fun,composed\n\n",
        ),
        (
            "crlf.csv",
            "text,label\r\nplease call,desperate\r\nhave fun,composed\r\n\r\n\r\n",
        ),
        (
            "blank.csv",
            "text,label\n\nplease call,desperate\n\n\nhave fun,composed\n",
        ),
    ] {
        let model = s.train_works(&s.write(name, body), &format!("{name}.json"), &[]);
        assert_eq!(rows_of(&model), 2, "{name}");
    }
}

#[test]
fn a_missing_final_newline_is_fine() {
    let s = Setup::new();
    let data = s.write(
        "nonl.csv",
        "text,label\nplease call,desperate\nhave fun,composed",
    );
    let model = s.train_works(&data, "nonl.json", &[]);
    assert_eq!(labels_of(&model), [COMPOSED, DESPERATE]);
}

#[test]
fn quoted_fields_with_newlines_commas_and_quotes_read_whole() {
    let s = Setup::new();
    let data = s.write(
        "quoted.csv",
        "text,label\n\"I wrote you a letter,\nevery \"\"word\"\" true\",desperate\n\"Thanks, and\r\ngood luck\",composed\nsee you,composed\n",
    );
    let model = s.train_works(&data, "q.json", &["--ngrams", "1"]);
    assert_eq!(rows_of(&model), 3);
    let terms: Vec<String> = serde_json::from_value(model["vocabulary"]["terms"].clone()).unwrap();
    for word in ["letter", "word", "true", "luck"] {
        assert!(terms.iter().any(|t| t == word), "{word} missing: {terms:?}");
    }
    // Scored as a batch, each record is one draft, named by its first line.
    let verdicts = s.score_works(&s.model, &["--batch", data.to_str().unwrap()]);
    let lines: Vec<_> = verdicts
        .iter()
        .map(|v| v["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 4, 6]);
}

#[test]
fn extra_reordered_and_renamed_columns_work() {
    let s = Setup::new();
    let data = s.write(
        "cols.csv",
        "mood,id,note,message,\nanxious,1,x,please call me back,\ncalm,2,,have a nice day,\n",
    );
    let model = s.train_works(
        &data,
        "cols.json",
        &["--text-column", "message", "--label-column", "mood"],
    );
    assert_eq!(labels_of(&model), ["anxious", "calm"]);
}

#[test]
fn spaces_around_labels_do_not_make_new_labels() {
    let s = Setup::new();
    let data = s.write(
        "spaces.csv",
        "text,label\nplease call,desperate \nanswer me, desperate\nhave fun,\tcomposed\ngood luck,composed  \n",
    );
    let model = s.train_works(&data, "sp.json", &[]);
    assert_eq!(labels_of(&model), [COMPOSED, DESPERATE]);
    assert_eq!(model["training"]["label_counts"][DESPERATE], 2);
}

#[test]
fn text_in_any_script_with_emoji_and_controls_trains_and_scores() {
    let s = Setup::new();
    let data = s.write(
        "unicode.csv",
        "text,label\n\"שלום, תתקשר אליי 😭😭\",desperate\nمرحبا \u{202E}كيف حالك,composed\n\"e\u{301}\u{301}\u{301} 愛してる 👨\u{200D}👩\u{200D}👧 !!\",desperate\n\"Zalgo t\u{336}\u{337}e\u{338}x\u{335}t\u{0007}\",composed\n",
    );
    let model = s.train_works(&data, "u.json", &[]);
    assert_eq!(rows_of(&model), 4);
    let path = s.path("u.json");
    let verdicts = s.score_works(&path, &["😭😭 שלום", "\u{202E}\u{0301}", "👍🏽"]);
    assert_eq!(verdicts.len(), 3);
    for v in verdicts {
        let p = v["probability"].as_f64().unwrap();
        assert!((0.5..=1.0).contains(&p), "{v}");
    }
}

#[test]
fn a_ten_megabyte_field_is_handled() {
    let s = Setup::new();
    let huge = "x".repeat(10 * 1024 * 1024);
    let data = s.write(
        "huge.csv",
        format!("text,label\n{huge},desperate\nhave a nice day,composed\n"),
    );
    let model = s.train_works(&data, "h.json", &[]);
    assert_eq!(rows_of(&model), 2);
    let verdicts = s.score_works(&s.model, &["--batch", data.to_str().unwrap()]);
    assert_eq!(verdicts.len(), 2);
}

#[test]
fn an_advice_file_saved_by_an_editor_works() {
    // A byte-order mark and CRLF line endings, as Notepad writes them.
    let s = Setup::new();
    let advice = std::fs::read_to_string(root().join("data/advice.toml")).unwrap();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(advice.replace('\n', "\r\n").into_bytes());
    let path = s.write("advice.toml", bytes);
    let verdicts = s.score_works(
        &s.model,
        &[
            "--advice",
            path.to_str().unwrap(),
            "I bought you flowers, please call me",
        ],
    );
    let sections = verdicts[0]["advice"].to_string();
    assert!(sections.contains("gifting"), "{sections}");
}

#[test]
fn a_reformatted_model_file_still_loads() {
    // Pretty-printed with CRLF line endings and a trailing blank line.
    let s = Setup::new();
    let value: serde_json::Value = serde_json::from_slice(&s.model_bytes).unwrap();
    let pretty = serde_json::to_string_pretty(&value)
        .unwrap()
        .replace('\n', "\r\n")
        + "\r\n\r\n";
    let path = s.write("pretty.json", pretty);
    let before = s.score_works(&s.model, &["please call me"]);
    let after = s.score_works(&path, &["please call me"]);
    assert_eq!(before[0]["label"], after[0]["label"]);
    let (p, q) = (
        before[0]["probability"].as_f64().unwrap(),
        after[0]["probability"].as_f64().unwrap(),
    );
    assert!((p - q).abs() < 1e-12);
}

#[test]

fn a_model_file_with_a_byte_order_mark_loads() {
    let s = Setup::new();
    let path = s.write(
        "bom.json",
        [b"\xef\xbb\xbf", s.model_bytes.as_slice()].concat(),
    );
    s.score_works(&path, &["please call me"]);
}

// ---------------------------------------------------------------------------
// Bad data files.
// ---------------------------------------------------------------------------

#[test]
fn a_lone_quote_is_a_clear_error() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "q.csv",
            "text,label\nhi there,composed\n\"bye now,desperate\nsee you,composed\n",
        ),
        &["q.csv:3"],
    );
}

/// An unterminated quote at the start of the last column swallows every row after
/// it into that field: here rows 4 and 5 vanish into a label
/// "desperate\nsee you,composed\nplease call,desperate" and training succeeds on
/// two rows. csv's reader accepts a quoted field that runs to the end of the file.
#[test]

fn a_lone_quote_in_the_last_column_does_not_swallow_rows() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "q.csv",
            "text,label\nhi there,composed\nbye now,\"desperate\nsee you,composed\nplease call,desperate\n",
        ),
        &["q.csv:3", "quote"],
    );
}

/// NUL bytes mean a binary or UTF-16 file, never a draft: refuse them, naming the line.
#[test]

fn nul_bytes_are_refused() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "nul.csv",
            b"text,label\nhello there,composed\nplease\x00 call,desperate\n",
        ),
        &["nul.csv:3"],
    );
}

#[test]
fn a_utf16_file_is_refused_as_not_utf8() {
    let s = Setup::new();
    let mut bytes = vec![0xff, 0xfe];
    for unit in "text,label\nhi,composed\nbye,desperate\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    s.train_fails(&s.write("u16.csv", bytes), &["u16.csv:1", "UTF-8"]);
}

#[test]
fn duplicate_header_names_are_refused() {
    let s = Setup::new();
    s.train_fails(
        &s.write(
            "dup.csv",
            "text,label,text\nhi,composed,a\nbye,desperate,b\n",
        ),
        &["dup.csv:1", "'text' twice"],
    );
}

#[test]
fn a_label_column_of_blanks_names_the_first_blank() {
    let s = Setup::new();
    s.train_fails(
        &s.write("blank.csv", "text,label\nhello,  \nplease call,\t\nbye,\n"),
        &["blank.csv:2", "'label' field is empty"],
    );
}

#[test]
fn texts_without_a_single_word_are_a_clear_error() {
    let s = Setup::new();
    s.train_fails(
        &s.write("punct.csv", "text,label\n...,composed\n---,desperate\n"),
        &["vocabulary is empty"],
    );
}

#[test]
fn an_evaluation_set_with_other_labels_is_refused() {
    let s = Setup::new();
    let eval = s.write("eval.csv", "text,label\nhi there,happy\nbye now,sad\n");
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["train", "--test-fraction", "0", "--data"])
        .arg(small_csv())
        .arg("--eval")
        .arg(&eval)
        .arg("--model")
        .arg(&s.model);
    assert_clean_failure(&mut cmd, 1, &["eval.csv", "'happy'"]);
    s.assert_model_untouched();
}

#[test]
fn a_folder_given_as_data_or_model_is_a_clear_error() {
    let s = Setup::new();
    s.train_fails(s.dir.path(), &["cannot read", "directory"]);
    s.score_fails(s.dir.path(), &["cannot read", "directory"]);
}

// ---------------------------------------------------------------------------
// Bad model files.
// ---------------------------------------------------------------------------

impl Setup {
    /// The good model with one edit, written as `name`; scoring with it must fail.
    fn edited_model_fails(
        &self,
        name: &str,
        edit: impl FnOnce(&mut serde_json::Value),
        needles: &[&str],
    ) {
        let mut value: serde_json::Value = serde_json::from_slice(&self.model_bytes).unwrap();
        edit(&mut value);
        let path = self.write(name, value.to_string());
        let mut all = vec![name];
        all.extend_from_slice(needles);
        self.score_fails(&path, &all);
    }
}

#[test]
fn a_model_with_numbers_that_are_not_finite() {
    let s = Setup::new();
    s.edited_model_fails(
        "nan.json",
        |v| v["weights"][0][0] = "NaN".into(),
        &["malformed"],
    );
    // JSON has no infinity: 1e999 is out of range.
    let text = String::from_utf8(s.model_bytes.clone()).unwrap();
    let at = text.find("\"intercepts\":[").unwrap() + "\"intercepts\":[".len();
    let path = s.write("inf.json", format!("{}1e999,{}", &text[..at], &text[at..]));
    s.score_fails(&path, &["inf.json", "out of range"]);
}

#[test]
fn a_model_with_a_broken_vocabulary() {
    let s = Setup::new();
    s.edited_model_fails(
        "unsorted.json",
        |v| {
            v["vocabulary"]["terms"].as_array_mut().unwrap().reverse();
        },
        &["not sorted"],
    );
    s.edited_model_fails(
        "df.json",
        |v| v["vocabulary"]["doc_freq"][0] = 0.into(),
        &["document frequency"],
    );
    s.edited_model_fails(
        "ndocs.json",
        |v| v["vocabulary"]["n_docs"] = 0.into(),
        &["document frequency"],
    );
}

#[test]
fn a_model_with_one_label_or_an_empty_label() {
    let s = Setup::new();
    s.edited_model_fails(
        "one.json",
        |v| v["labels"] = serde_json::json!(["composed"]),
        &["1 label"],
    );
    s.edited_model_fails(
        "empty.json",
        |v| v["labels"] = serde_json::json!(["", "desperate"]),
        &["empty label"],
    );
}

#[test]
fn a_model_with_unknown_or_invalid_settings() {
    let s = Setup::new();
    s.edited_model_fails(
        "unknown.json",
        |v| v["settings"]["analyzer"]["colour"] = "red".into(),
        &["unknown field `colour`"],
    );
    s.edited_model_fails(
        "ngram.json",
        |v| v["settings"]["analyzer"]["ngram_max"] = 9.into(),
        &["n-gram range 1-9"],
    );
    s.edited_model_fails(
        "alpha.json",
        |v| v["settings"]["classifier"]["alpha"] = (-1).into(),
        &["alpha"],
    );
    s.edited_model_fails(
        "lang.json",
        |v| v["settings"]["analyzer"]["language"] = "klingon".into(),
        &["klingon"],
    );
}

#[test]
fn a_model_whose_format_version_is_not_a_number() {
    let s = Setup::new();
    s.edited_model_fails(
        "ver.json",
        |v| v["format_version"] = "1".into(),
        &["format_version"],
    );
    s.score_fails(
        &s.write("arr.json", "[]"),
        &["arr.json", "not a draftcheck model"],
    );
}

// ---------------------------------------------------------------------------
// Bad advice files.
// ---------------------------------------------------------------------------

impl Setup {
    fn advice_fails(&self, advice: &Path, needles: &[&str]) {
        let mut cmd = draftcheck_in(self.dir.path());
        cmd.args(["score", "--model"])
            .arg(&self.model)
            .arg("--advice")
            .arg(advice)
            .arg("please call me");
        assert_clean_failure(&mut cmd, 1, needles);
    }
}

#[test]
fn a_missing_advice_file() {
    let s = Setup::new();
    s.advice_fails(&s.path("nope.toml"), &["nope.toml", "cannot read"]);
}

#[test]
fn an_advice_file_with_an_unknown_key_names_its_line() {
    let s = Setup::new();
    let path = s.write(
        "a.toml",
        "[labels.desperate]\ndisplay = \"x\"\ncolour = \"red\"\n",
    );
    s.advice_fails(&path, &["a.toml:3", "colour"]);
}

#[test]
fn an_advice_file_that_is_not_toml_or_not_utf8() {
    let s = Setup::new();
    s.advice_fails(
        &s.write("t.toml", "this is not toml at all\n"),
        &["t.toml:1", "not a valid advice file"],
    );
    s.advice_fails(&s.write("l.toml", b"x\xe9y = 1\n"), &["l.toml", "UTF-8"]);
    s.advice_fails(
        &s.write(
            "d.toml",
            "[labels.desperate]\ndisplay = \"x\"\n[labels.desperate]\ndisplay = \"y\"\n",
        ),
        &["d.toml:3", "duplicate"],
    );
}

#[test]
fn an_advice_entry_with_an_empty_summary() {
    let s = Setup::new();
    let path = s.write(
        "e.toml",
        "[labels.desperate]\n[[labels.desperate.entries]]\nsection = \"A\"\nsummary = \"  \"\n",
    );
    s.advice_fails(&path, &["e.toml", "empty section or summary"]);
}

// ---------------------------------------------------------------------------
// Bad command lines.
// ---------------------------------------------------------------------------

#[test]
fn folds_below_two_or_above_the_rows_are_usage_errors() {
    let s = Setup::new();
    for (folds, needle) in [
        ("1", "at least 2"),
        ("0", "at least 2"),
        ("50", "more than"),
    ] {
        let mut cmd = draftcheck_in(s.dir.path());
        cmd.args(["evaluate", "--folds", folds, "--data"])
            .arg(small_csv());
        assert_clean_failure(&mut cmd, 2, &["--folds", needle]);
    }
}

#[test]
fn more_bad_training_options_are_usage_errors() {
    let s = Setup::new();
    for (args, needle) in [
        (vec!["--max-iterations", "0"], "--max-iterations"),
        (vec!["--tolerance", "0"], "tolerance"),
        (vec!["--max-df", "0"], "--max-df"),
        (vec!["--max-df", "1.5"], "--max-df"),
        (vec!["--max-df", "NaN"], "--max-df"),
        (vec!["--test-fraction", "-0.1"], "--test-fraction"),
        (vec!["--test-fraction", "1"], "--test-fraction"),
        (vec!["--test-fraction", "NaN"], "--test-fraction"),
        (vec!["--alpha", "0.1,1"], "combinations"),
        (vec!["--weighting", "magic"], "magic"),
    ] {
        s.train_is_a_usage_error(&args, needle);
    }
}

#[test]
fn fail_on_an_unknown_label_is_a_usage_error() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--fail-on", "hopeful", "--model"])
        .arg(&s.model)
        .arg("hi");
    assert_clean_failure(&mut cmd, 2, &["hopeful", "composed, desperate"]);
}

#[test]
fn conflicting_missing_or_unknown_arguments_are_usage_errors() {
    let s = Setup::new();
    let model = s.model.to_str().unwrap();
    for (args, needle) in [
        (vec!["frobnicate"], "frobnicate"),
        (
            vec!["score", "--model", model, "--file", "x.txt", "hi"],
            "--file",
        ),
        (
            vec!["score", "--model", model, "--top", "abc", "hi"],
            "--top",
        ),
        (vec!["add", "hello"], "--label"),
    ] {
        let mut cmd = draftcheck_in(s.dir.path());
        cmd.args(&args);
        assert_clean_failure(&mut cmd, 2, &[needle]);
    }
    // No command at all: the usage, and exit 2.
    let output = draftcheck_in(s.dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let all = [output.stdout, output.stderr].concat();
    let all = String::from_utf8_lossy(&all);
    assert!(all.contains("Usage") && !all.contains("panicked"), "{all}");
}

#[test]
fn an_empty_draft_among_several_is_named() {
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .args(["please call me", "\t\n"]);
    let stderr = assert_clean_failure(&mut cmd, 2, &["draft 2 is empty"]);
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[cfg(unix)]
#[test]
fn a_draft_argument_that_is_not_utf8_is_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let s = Setup::new();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    assert_clean_failure(&mut cmd, 2, &["UTF-8"]);
}

#[test]
fn a_draft_file_that_is_not_utf8() {
    let s = Setup::new();
    let draft = s.write("letter.txt", b"Je t'aime, caf\xe9 ce soir?");
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg("--file")
        .arg(&draft);
    assert_clean_failure(&mut cmd, 1, &["letter.txt", "UTF-8"]);
}

#[test]
fn a_batch_without_the_text_column_names_the_file() {
    let s = Setup::new();
    let batch = s.write("b.csv", "message\nhello\n");
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--model"])
        .arg(&s.model)
        .arg("--batch")
        .arg(&batch);
    assert_clean_failure(&mut cmd, 1, &["b.csv:1", "'text'", "--text-column"]);
}

#[test]
fn a_blank_row_in_a_batch_names_its_line() {
    let s = Setup::new();
    let batch = s.write("b.csv", "text\nhello there\n\"  \"\nbye\n");
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["score", "--format", "json", "--model"])
        .arg(&s.model)
        .arg("--batch")
        .arg(&batch);
    assert_clean_failure(&mut cmd, 1, &["b.csv:3", "empty"]);
}

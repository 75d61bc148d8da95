//! Bad and awkward data files: a clear one-line error naming the file and
//! line (the model untouched), or, for what spreadsheets and editors write, it
//! simply works.

mod common;

use common::*;

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

/// `add` reads the file with the same reader as `train`: a quote left open is
/// refused at its line, and nothing is appended.
#[test]
fn add_to_a_file_with_an_unclosed_quote_changes_nothing() {
    let s = Setup::new();
    let data = s.write(
        "open.csv",
        "text,label\nfine,composed\nsecond,\"desperate\nthird,composed\n",
    );
    let before = std::fs::read(&data).unwrap();
    let mut cmd = draftcheck_in(s.dir.path());
    cmd.args(["add", "--label", "composed", "--data"])
        .arg(&data)
        .arg("a new draft");
    assert_clean_failure(&mut cmd, 1, &["open.csv:3", "never closed"]);
    assert_eq!(std::fs::read(&data).unwrap(), before);
}

//! Command-line conventions: version, help with examples, completions, the man
//! page, --quiet, interactive mode on piped input, and batch scoring in chunks.

mod common;

use std::process::Command as Process;

use common::*;

fn stdout_of(args: &[&str]) -> String {
    let output = assert_works(draftcheck_in(&root()).args(args));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn version_names_the_model_format() {
    let out = stdout_of(&["--version"]);
    assert_eq!(
        out.trim(),
        format!("draftcheck {} (model format 2)", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_command_has_help_with_examples() {
    for command in [
        "train",
        "score",
        "evaluate",
        "add",
        "info",
        "completions",
        "man",
    ] {
        let out = stdout_of(&[command, "--help"]);
        assert!(out.contains("Examples:"), "{command} --help: {out}");
        assert!(out.contains("draftcheck "), "{command} --help: {out}");
    }
    let top = stdout_of(&["--help"]);
    for needle in ["Exit codes:", "--quiet", "3  score --fail-on"] {
        assert!(top.contains(needle), "{needle}: {top}");
    }
}

/// Writes the completion script for `shell` into `dir` and returns its path.
fn completion_script(dir: &std::path::Path, shell: &str, name: &str) -> std::path::PathBuf {
    let script = stdout_of(&["completions", shell]);
    assert!(script.contains("draftcheck"), "{shell}: {script}");
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap();
    path
}

/// Fails clearly when `shell` is missing. (On a machine without it, and not
/// under CI, build.rs marks the test ignored instead: see `missing_zsh`.)
fn assert_shell(shell: &str) {
    let found = Process::new(shell)
        .args(["-c", "exit 0"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{shell} is not installed, but this test needs it (CI installs it: see .ci/run)"
    );
}

/// Runs a probe script in `shell`; it must succeed and print no errors. Returns
/// what it printed.
fn run_probe(shell: &str, args: &[&str]) -> String {
    let output = Process::new(shell).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.is_empty(), "{shell} printed errors: {stderr}");
    stdout.into_owned()
}

#[test]
#[cfg_attr(
    missing_bash,
    ignore = "bash is not installed on this machine (CI installs it: .ci/run)"
)]
fn bash_completions_load_and_complete_commands() {
    assert_shell("bash");
    let dir = tempfile::tempdir().unwrap();
    let script = completion_script(dir.path(), "bash", "draftcheck.bash");
    // Load the script, then ask it to complete `draftcheck sc` and `draftcheck score --fo`.
    let probe = format!(
        r#"set -e
source '{}'
complete -p draftcheck
COMP_WORDS=(draftcheck sc); COMP_CWORD=1; COMP_LINE="draftcheck sc"; COMP_POINT=${{#COMP_LINE}}
_draftcheck draftcheck sc draftcheck
echo "commands: ${{COMPREPLY[*]}}"
COMP_WORDS=(draftcheck score --fo); COMP_CWORD=2; COMP_LINE="draftcheck score --fo"; COMP_POINT=${{#COMP_LINE}}
_draftcheck draftcheck --fo score
echo "options: ${{COMPREPLY[*]}}"
"#,
        script.display()
    );
    let stdout = run_probe("bash", &["--norc", "--noprofile", "-c", &probe]);
    assert!(stdout.contains("-F _draftcheck draftcheck"), "{stdout}");
    assert!(stdout.contains("commands: score"), "{stdout}");
    assert!(stdout.contains("--format"), "{stdout}");
}

#[test]
#[cfg_attr(
    missing_zsh,
    ignore = "zsh is not installed on this machine (CI installs it: .ci/run)"
)]
fn zsh_completions_load() {
    assert_shell("zsh");
    let dir = tempfile::tempdir().unwrap();
    completion_script(dir.path(), "zsh", "_draftcheck");
    let probe = format!(
        r#"fpath=('{}' $fpath)
autoload -U compinit && compinit -u -d '{}/zcompdump'
autoload -Uz _draftcheck
print -r -- "completer: ${{_comps[draftcheck]}}"
whence -w _draftcheck
"#,
        dir.path().display(),
        dir.path().display()
    );
    let stdout = run_probe("zsh", &["-f", "-c", &probe]);
    assert!(stdout.contains("completer: _draftcheck"), "{stdout}");
    assert!(stdout.contains("_draftcheck: function"), "{stdout}");
}

#[test]
fn fish_and_powershell_completions_are_generated() {
    assert!(stdout_of(&["completions", "fish"]).contains("complete -c draftcheck"));
    assert!(stdout_of(&["completions", "powershell"]).contains("Register-ArgumentCompleter"));
    let mut bad = draftcheck_in(&root());
    bad.args(["completions", "tcsh"]);
    assert_clean_failure(&mut bad, 2, &["tcsh"]);
}

#[test]
fn man_pages_render() {
    let page = stdout_of(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH draftcheck 1"),
        "{page}"
    );
    assert!(page.contains("model format 2"));
    let dir = tempfile::tempdir().unwrap();
    draftcheck_in(&root())
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    for name in ["draftcheck.1", "draftcheck-score.1", "draftcheck-train.1"] {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(text.contains(".TH"), "{name}");
    }
}

#[test]
fn quiet_leaves_only_results() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let train = |quiet: bool| {
        let mut cmd = draftcheck_in(dir.path());
        if quiet {
            cmd.arg("--quiet");
        }
        cmd.args(["train", "--test-fraction", "0.25", "--force", "--data"])
            .arg(small_csv())
            .arg("--model")
            .arg(&model)
            .output()
            .unwrap()
    };
    let loud = train(false);
    assert!(loud.status.success());
    assert!(String::from_utf8_lossy(&loud.stdout).contains("wrote"));
    let quiet = train(true);
    assert!(quiet.status.success(), "{quiet:?}");
    assert!(quiet.stdout.is_empty(), "{quiet:?}");
    assert!(quiet.stderr.is_empty(), "{quiet:?}");
    assert!(model.is_file());
    // Results still come out with -q (a global flag, after the command too).
    let scored = draftcheck_in(dir.path())
        .args(["score", "-q", "--format", "json", "--model"])
        .arg(&model)
        .arg("please call me back")
        .output()
        .unwrap();
    assert!(scored.status.success());
    assert_eq!(json_lines(&scored.stdout).len(), 1);
}

#[test]
fn interactive_mode_scores_each_draft_ended_by_an_empty_line() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    // Two drafts (the first on two lines), stray blank lines, and a last draft
    // ended by the end of the input rather than an empty line.
    let input = "\n\nI bought you roses\nplease call me back\n\n\nhope the new job is great\n\nmiss you so much, please";
    let output = draftcheck_in(dir.path())
        .args(["score", "--interactive", "--format", "json", "--model"])
        .arg(&model)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let verdicts = json_lines(&output.stdout);
    assert_eq!(verdicts.len(), 3, "{verdicts:?}");
    // Each is scored exactly as the same text given as an argument.
    for (verdict, text) in verdicts.iter().zip([
        "I bought you roses\nplease call me back",
        "hope the new job is great",
        "miss you so much, please",
    ]) {
        let direct = draftcheck_in(dir.path())
            .args(["score", "--format", "json", "--model"])
            .arg(&model)
            .arg(text)
            .output()
            .unwrap();
        let direct = &json_lines(&direct.stdout)[0];
        assert_eq!(verdict["label"], direct["label"], "{text}");
        assert_eq!(verdict["probability"], direct["probability"], "{text}");
    }
    // --fail-on works in interactive mode too; no draft at all is no verdict.
    let guarded = draftcheck_in(dir.path())
        .args([
            "score",
            "--interactive",
            "--fail-on",
            "desperate",
            "--model",
        ])
        .arg(&model)
        .write_stdin("please please call me, I need you\n\n")
        .output()
        .unwrap();
    assert_eq!(guarded.status.code(), Some(3), "{guarded:?}");
    // CSV output has its header first, as for arguments.
    let csv = draftcheck_in(dir.path())
        .args(["score", "--interactive", "--format", "csv", "--model"])
        .arg(&model)
        .write_stdin("hope the new job is great\n\nplease call me\n")
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(lines[0], "text,label,probability,top_terms");
    let nothing = draftcheck_in(dir.path())
        .args(["score", "--interactive", "--model"])
        .arg(&model)
        .write_stdin("\n\n")
        .output()
        .unwrap();
    assert!(nothing.status.success());
    assert!(nothing.stdout.is_empty());
}

#[test]
fn batch_scoring_keeps_order_across_chunks_and_stops_at_a_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small(dir.path());
    let texts = [
        "please call me back, I need you",
        "congrats on the race, hope it went well",
        "I bought you a gift",
        "enjoying the new flat",
    ];
    // More rows than one chunk, so that several chunks and threads are used.
    let rows = draftcheck::cmd::score::BATCH_CHUNK_ROWS * 2 + 37;
    let mut csv = String::from("id,text\n");
    for i in 0..rows {
        csv.push_str(&format!("{i},\"{} ({i})\"\n", texts[i % texts.len()]));
    }
    let batch = dir.path().join("batch.csv");
    std::fs::write(&batch, &csv).unwrap();
    let output = draftcheck_in(dir.path())
        .args(["score", "--format", "json", "--model"])
        .arg(&model)
        .arg("--batch")
        .arg(&batch)
        .output()
        .unwrap();
    assert!(output.status.success());
    let verdicts = json_lines(&output.stdout);
    assert_eq!(verdicts.len(), rows);
    for (i, v) in verdicts.iter().enumerate() {
        assert_eq!(v["line"], (i + 2) as u64);
        assert_eq!(verdicts[i % texts.len()]["label"], v["label"], "row {i}");
    }
    // A blank text after the first chunk: every row before it is written, then
    // the error names the line.
    let bad_row = draftcheck::cmd::score::BATCH_CHUNK_ROWS + 10;
    let mut lines: Vec<&str> = csv.lines().collect();
    let blank = format!("{bad_row},\"  \"");
    lines[bad_row + 1] = &blank;
    std::fs::write(&batch, lines.join("\n")).unwrap();
    let mut cmd = draftcheck_in(dir.path());
    cmd.args(["score", "--format", "json", "--model"])
        .arg(&model)
        .arg("--batch")
        .arg(&batch);
    let output = cmd.output().unwrap();
    assert_eq!(json_lines(&output.stdout).len(), bad_row);
    assert_clean_failure(
        &mut cmd,
        1,
        &[
            &format!("batch.csv:{}", bad_row + 2),
            "'text' field is empty",
        ],
    );
}

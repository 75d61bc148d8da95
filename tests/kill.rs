//! Fault injection: `train` and `add` killed (SIGKILL) at random points, many of
//! them while they write, must leave the model and the data file exactly as they
//! were or exactly as the finished command would have left them; and a write that
//! fails (a read-only folder, a full disk) leaves the old file and says why.
//!
//! `DRAFTCHECK_KILL_ITERATIONS` sets how many kills each test makes (default 10),
//! `DRAFTCHECK_KILL_SEED` the seed of the kill points (default fixed). Each test
//! prints a summary of where the kills landed (`cargo test --test kill -- --nocapture`).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use draftcheck::model::ModelFile;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn iterations() -> usize {
    std::env::var("DRAFTCHECK_KILL_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

fn rng(test: u64) -> ChaCha8Rng {
    let seed = std::env::var("DRAFTCHECK_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_130);
    eprintln!("kill seed {seed} (DRAFTCHECK_KILL_SEED)");
    ChaCha8Rng::seed_from_u64(seed ^ test)
}

/// The binary as a plain process (to be killed), with a fixed clock so that a
/// model file is the same bytes every time it is trained on the same data.
fn process_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_draftcheck"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        // One thread: gentler on a shared machine (the model bytes are the same).
        .env("RAYON_NUM_THREADS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Names in `dir` that are temporary files of an atomic write.
fn temp_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

/// Every file in `dir` must be one of `expected` or a hidden temporary file
/// (`.draftcheck-XXXXXX.tmp`), which nothing could mistake for the real file.
fn assert_only(dir: &Path, expected: &[&str]) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let temp = name.starts_with(".draftcheck-") && name.ends_with(".tmp");
        assert!(
            temp || expected.contains(&name.as_str()),
            "unexpected file {name:?} beside the data"
        );
    }
}

fn remove_temp_files(dir: &Path) {
    for name in temp_files(dir) {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
}

/// How a kill is aimed.
#[derive(Debug, Clone, Copy)]
enum Aim {
    /// After a random delay anywhere within a whole run.
    Anywhere(Duration),
    /// A random few microseconds after the `n`th temporary file appears (0: the
    /// first write, e.g. train's backup; 1: the second, the model itself).
    Write { nth: usize, after: Duration },
}

/// Kills `child` as `aim` says; returns whether it had already finished.
fn kill(child: &mut Child, dir: &Path, aim: Aim) -> bool {
    match aim {
        Aim::Anywhere(delay) => {
            let until = Instant::now() + delay;
            while Instant::now() < until {
                if child.try_wait().unwrap().is_some() {
                    return true;
                }
                std::thread::sleep(Duration::from_micros(500));
            }
        }
        Aim::Write { nth, after } => {
            let mut seen: Vec<String> = Vec::new();
            loop {
                if child.try_wait().unwrap().is_some() {
                    return true;
                }
                for name in temp_files(dir) {
                    if !seen.contains(&name) {
                        seen.push(name);
                    }
                }
                if seen.len() > nth {
                    break;
                }
                std::thread::sleep(Duration::from_micros(100));
            }
            let until = Instant::now() + after;
            while Instant::now() < until {
                std::hint::spin_loop();
            }
        }
    }
    let finished = child.try_wait().unwrap().is_some();
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    finished
}

fn random_aim(rng: &mut ChaCha8Rng, i: usize, run: Duration, writes: usize) -> Aim {
    if i.is_multiple_of(3) {
        Aim::Anywhere(run.mul_f64(rng.random_range(0.0..1.2)))
    } else {
        Aim::Write {
            nth: rng.random_range(0..writes),
            after: Duration::from_micros(rng.random_range(0..3000)),
        }
    }
}

/// Writes a subset of the bundled drafts: every `step`th row from `offset`.
fn subset(path: &Path, offset: usize, step: usize) {
    let mut reader = csv::Reader::from_path(root().join("data/drafts.csv")).unwrap();
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records().skip(offset).step_by(step) {
        writer.write_record(&record.unwrap()).unwrap();
    }
    writer.flush().unwrap();
}

#[derive(Default, Debug)]
struct Tally {
    finished: usize,
    old: usize,
    new: usize,
    mid_write: usize,
    /// (train) of those, kills after the backup was written, during the model's write.
    mid_model_write: usize,
    temp_files_left: usize,
}

/// `train` replacing a model, killed at random points (most of them while it
/// writes the backup or the model): the model is byte for byte the old one or the
/// new one, and loads; the backup, if there is one, is the old model.
#[test]
fn a_killed_train_leaves_the_old_or_the_new_model() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // About 450 drafts: a 0.4 s fit and a 370 kB model, so the writes take a while.
    subset(&dir.join("old.csv"), 1, 5);
    subset(&dir.join("new.csv"), 0, 5);
    let train = |data: &str| {
        let mut cmd = process_in(dir);
        cmd.args([
            "train",
            "--test-fraction",
            "0",
            "--cold",
            "--force",
            "--data",
            data,
        ])
        .args(["--model", "model.json"]);
        cmd
    };
    let run = |data: &str| {
        let output = train(data).output().unwrap();
        assert!(output.status.success(), "{output:?}");
    };

    // The new model, from an uninterrupted run, and how long a run takes.
    let started = Instant::now();
    run("new.csv");
    let duration = started.elapsed();
    let new = std::fs::read(dir.join("model.json")).unwrap();
    run("old.csv");
    let old = std::fs::read(dir.join("model.json")).unwrap();
    assert_ne!(old, new);
    std::fs::remove_file(dir.join("model.json.prev")).unwrap();
    // Deterministic: the same data and clock give the same bytes.
    run("new.csv");
    assert_eq!(std::fs::read(dir.join("model.json")).unwrap(), new);

    let mut rng = rng(1);
    let mut tally = Tally::default();
    let started = Instant::now();
    for i in 0..iterations() {
        std::fs::write(dir.join("model.json"), &old).unwrap();
        let _ = std::fs::remove_file(dir.join("model.json.prev"));
        remove_temp_files(dir);

        let aim = random_aim(&mut rng, i, duration, 2);
        let mut child = train("new.csv").spawn().unwrap();
        let finished = kill(&mut child, dir, aim);

        let model = std::fs::read(dir.join("model.json")).unwrap();
        let backup = std::fs::read(dir.join("model.json.prev")).ok();
        let temps = temp_files(dir);
        assert!(
            model == old || model == new,
            "iteration {i} ({aim:?}): the model is neither the old nor the new one ({} bytes)",
            model.len()
        );
        if let Some(backup) = &backup {
            assert!(
                backup == &old,
                "iteration {i}: the backup is not the old model"
            );
        }
        if model == new {
            assert!(backup.is_some(), "iteration {i}: replaced without a backup");
        }
        assert_only(
            dir,
            &["old.csv", "new.csv", "model.json", "model.json.prev"],
        );
        // Whatever is there loads, through the library and through the binary.
        ModelFile::from_slice(Path::new("model.json"), &model)
            .unwrap()
            .to_pipeline()
            .unwrap();
        draftcheck_in(dir)
            .args(["info", "--model", "model.json"])
            .assert()
            .success();

        tally.finished += usize::from(finished);
        if model == new {
            tally.new += 1;
        } else {
            tally.old += 1;
        }
        tally.mid_write += usize::from(!temps.is_empty());
        tally.mid_model_write += usize::from(!temps.is_empty() && backup.is_some());
        tally.temp_files_left += temps.len();
    }
    eprintln!(
        "train: {} kills in {:.1} s (a run takes {:.2} s): {tally:?}",
        iterations(),
        started.elapsed().as_secs_f64(),
        duration.as_secs_f64()
    );
    // A run after all those kills still works, temporary files or not.
    run("new.csv");
    assert_eq!(std::fs::read(dir.join("model.json")).unwrap(), new);
}

/// `add` rewriting a large data file, killed at random points (most of them while
/// it writes): the file is exactly the old one or the old one plus the new row,
/// reads as CSV, and the lock of a killed `add` does not block the next one.
#[test]
fn a_killed_add_leaves_the_old_or_the_new_data() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let data = dir.join("big.csv");
    let mut body = String::from("text,label\n");
    for i in 0..60_000 {
        body.push_str(&format!(
            "\"draft number {i}, with a comma and a \"\"quote\"\"\",{}\n",
            if i % 2 == 0 { "composed" } else { "desperate" }
        ));
    }
    let old = body.into_bytes();
    std::fs::write(&data, &old).unwrap();
    let add = |text: &str| {
        let mut cmd = process_in(dir);
        cmd.args(["add", "--label", "desperate", "--data", "big.csv", text]);
        cmd
    };

    let started = Instant::now();
    let output = add("timing run").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let duration = started.elapsed();
    std::fs::write(&data, &old).unwrap();

    let mut rng = rng(2);
    let mut tally = Tally::default();
    let started = Instant::now();
    for i in 0..iterations() {
        remove_temp_files(dir);
        let text = format!("Killed add {i}, \"quoted\"\nover two lines");
        let new = [
            old.as_slice(),
            format!("\"Killed add {i}, \"\"quoted\"\"\nover two lines\",desperate\n").as_bytes(),
        ]
        .concat();

        let aim = random_aim(&mut rng, i, duration, 1);
        let mut child = add(&text).spawn().unwrap();
        let finished = kill(&mut child, dir, aim);

        let now = std::fs::read(&data).unwrap();
        let temps = temp_files(dir);
        assert!(
            now == old || now == new,
            "iteration {i} ({aim:?}): the file is neither the old nor the new version ({} bytes against {})",
            now.len(),
            old.len()
        );
        let mut rows = 0;
        for record in csv::Reader::from_reader(now.as_slice()).records() {
            record.expect("valid CSV");
            rows += 1;
        }
        assert_eq!(rows, 60_000 + usize::from(now == new));
        assert_only(dir, &["big.csv", ".big.csv.lock"]);

        tally.finished += usize::from(finished);
        if now == new {
            tally.new += 1;
            std::fs::write(&data, &old).unwrap();
        } else {
            tally.old += 1;
        }
        tally.mid_write += usize::from(!temps.is_empty());
        tally.temp_files_left += temps.len();
    }
    eprintln!(
        "add: {} kills in {:.1} s (a run takes {:.3} s): {tally:?}",
        iterations(),
        started.elapsed().as_secs_f64(),
        duration.as_secs_f64()
    );
    // The lock died with the killed process: the next add goes through at once.
    draftcheck_in(dir)
        .args([
            "add",
            "--label",
            "composed",
            "--data",
            "big.csv",
            "after the kills",
        ])
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let now = std::fs::read(&data).unwrap();
    assert_eq!(
        now,
        [old.as_slice(), b"after the kills,composed\n"].concat()
    );
}

/// `audit --review` dropping a row, killed at random points: the data file is
/// byte for byte the old one or the new one.
#[test]
fn a_killed_review_leaves_the_old_or_the_new_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = dir.join("d.csv");
    subset(&data, 0, 4);
    let old = std::fs::read(&data).unwrap();
    let review = || {
        let mut cmd = process_in(dir);
        cmd.args(["audit", "--review", "--top", "1", "--data", "d.csv"])
            .stdin(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(b"d\n").unwrap();
        child
    };
    let started = Instant::now();
    let mut child = review();
    assert!(child.wait().unwrap().success());
    let duration = started.elapsed();
    let new = std::fs::read(&data).unwrap();
    assert_ne!(new, old);
    std::fs::write(&data, &old).unwrap();
    let log = dir.join("d.csv.audit-log.csv");
    let _ = std::fs::remove_file(&log);

    let mut rng = rng(3);
    let mut tally = Tally::default();
    for i in 0..iterations() {
        remove_temp_files(dir);
        let aim = random_aim(&mut rng, i, duration, 1);
        let mut child = review();
        tally.finished += usize::from(kill(&mut child, dir, aim));
        let now = std::fs::read(&data).unwrap();
        assert!(
            now == old || now == new,
            "iteration {i} ({aim:?}): the data is neither the old nor the new version"
        );
        if now == new {
            tally.new += 1;
            std::fs::write(&data, &old).unwrap();
        } else {
            tally.old += 1;
        }
        let _ = std::fs::remove_file(&log);
    }
    eprintln!("review: {} kills: {tally:?}", iterations());
}

// ---------------------------------------------------------------------------
// Writes that fail.
// ---------------------------------------------------------------------------

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A folder holding a model trained on the small data set, a copy of that data
/// set, and more.csv (about 226 of the bundled drafts).
struct Folder {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    model: Vec<u8>,
    data: Vec<u8>,
}

impl Folder {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("work");
        std::fs::create_dir(&dir).unwrap();
        let model = train_small(&dir);
        std::fs::copy(small_csv(), dir.join("drafts.csv")).unwrap();
        // More drafts, for a new model much larger than the old one.
        subset(&dir.join("more.csv"), 0, 10);
        Folder {
            model: std::fs::read(model).unwrap(),
            data: std::fs::read(dir.join("drafts.csv")).unwrap(),
            dir,
            _tmp: tmp,
        }
    }

    fn train(&self) -> Command {
        let mut cmd = process_in(&self.dir);
        cmd.args([
            "train",
            "--test-fraction",
            "0",
            "--force",
            "--data",
            "more.csv",
        ])
        .args(["--model", "model.json"]);
        cmd
    }

    fn add(&self) -> Command {
        let mut cmd = process_in(&self.dir);
        cmd.args([
            "add",
            "--label",
            "composed",
            "--data",
            "drafts.csv",
            "Good luck with the move",
        ]);
        cmd
    }

    /// Neither file changed, and no temporary file was left behind.
    fn assert_untouched(&self) {
        assert_eq!(
            std::fs::read(self.dir.join("model.json")).unwrap(),
            self.model,
            "the model changed"
        );
        assert_eq!(
            std::fs::read(self.dir.join("drafts.csv")).unwrap(),
            self.data,
            "the data changed"
        );
        assert!(!self.dir.join("model.json.prev").exists());
        assert_eq!(temp_files(&self.dir), Vec::<String>::new());
    }
}

/// Runs `cmd`, expecting a clean failure (exit 1, one `error:` line with `needles`).
fn fails(cmd: Command, needles: &[&str]) -> String {
    let mut cmd = assert_cmd::Command::from_std(cmd);
    let stderr = assert_clean_failure(&mut cmd, 1, needles);
    eprintln!("{}", stderr.trim_end());
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

/// A read-only folder: the old model and data stay, and the error says that
/// permission was denied. Root ignores folder permissions, so as root the command
/// runs as the unprivileged user 65534 (`nobody`), which then owns the folder.
#[cfg(unix)]
#[test]
fn a_read_only_folder_keeps_the_old_files_and_says_why() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let folder = Folder::new();
    let dir = &folder.dir;
    let as_user = |mut cmd: Command| {
        if is_root() {
            cmd.uid(65534).gid(65534);
        }
        cmd
    };
    if is_root() {
        for path in [dir.parent().unwrap(), dir.as_path()] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for entry in std::fs::read_dir(dir).unwrap() {
            std::os::unix::fs::chown(entry.unwrap().path(), Some(65534), Some(65534)).unwrap();
        }
        std::os::unix::fs::chown(dir, Some(65534), Some(65534)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Make sure the folder really is read-only for the command.
    let probe = as_user({
        let mut c = Command::new("touch");
        c.arg(dir.join("probe")).stderr(Stdio::null());
        c
    })
    .status()
    .unwrap();
    if probe.success() {
        eprintln!("skipped: the folder is writable despite mode 0555 (a privileged user)");
        return;
    }

    fails(
        as_user(folder.train()),
        &["model.json", "Permission denied"],
    );
    folder.assert_untouched();
    // add: the lock file cannot be made, then (with the lock there from an
    // earlier run) the new file cannot be.
    fails(as_user(folder.add()), &["drafts.csv", "Permission denied"]);
    folder.assert_untouched();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let lock = dir.join(".drafts.csv.lock");
    std::fs::write(&lock, "").unwrap();
    if is_root() {
        std::os::unix::fs::chown(&lock, Some(65534), Some(65534)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    fails(
        as_user(folder.add()),
        &["cannot write drafts.csv", "Permission denied", "writable"],
    );
    folder.assert_untouched();
    // Writable again, both work.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(as_user(folder.add()).status().unwrap().success());
    assert!(as_user(folder.train()).status().unwrap().success());
}

/// A full disk, simulated with a file size limit (RLIMIT_FSIZE, which binds root
/// too; SIGXFSZ ignored so that the write fails with EFBIG instead of killing the
/// process): the old model and data stay, no temporary file is left, and the
/// error names the file and the cause.
#[cfg(unix)]
#[test]
fn a_full_disk_keeps_the_old_files_and_says_why() {
    use std::os::unix::process::CommandExt;
    let folder = Folder::new();
    let limited = |mut cmd: Command, bytes: u64| {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let limit = libc::rlimit {
                    rlim_cur: bytes as libc::rlim_t,
                    rlim_max: bytes as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        cmd
    };
    // The backup of the old model fits, the new model does not.
    let room = folder.model.len() as u64 + 100;
    fails(
        limited(folder.train(), room),
        &["cannot write model.json:", "File too large"],
    );
    assert_eq!(
        std::fs::read(folder.dir.join("model.json")).unwrap(),
        folder.model
    );
    assert_eq!(
        std::fs::read(folder.dir.join("model.json.prev")).unwrap(),
        folder.model,
        "the backup"
    );
    assert_eq!(temp_files(&folder.dir), Vec::<String>::new());
    let _ = std::fs::remove_file(folder.dir.join("model.json.prev"));
    // Nothing fits.
    fails(
        limited(folder.train(), 1000),
        &["cannot write model.json.prev:", "File too large"],
    );
    folder.assert_untouched();
    fails(
        limited(folder.add(), folder.data.len() as u64),
        &["cannot write drafts.csv", "File too large"],
    );
    folder.assert_untouched();
}

/// A model path whose folder is a regular file: a clear error, nothing written.
#[test]
fn a_model_path_under_a_regular_file_says_why() {
    let folder = Folder::new();
    let mut cmd = process_in(&folder.dir);
    cmd.args(["train", "--test-fraction", "0", "--data"])
        .arg(small_csv())
        .args(["--model", "drafts.csv/model.json"]);
    fails(cmd, &["drafts.csv/model.json", "Not a directory"]);
    folder.assert_untouched();
}

//! The HTML report as a browser shows it: headless Chromium renders a report of
//! untrusted drafts, and the test reads the page it built (its DOM, after
//! parsing and layout).

mod common;

use std::process::Command;

use common::*;

#[test]
#[cfg_attr(
    missing_chromium,
    ignore = "chromium is not installed on this machine (CI installs it: .ci/run)"
)]
fn chromium_renders_the_report_and_shows_scripts_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("clients.csv");
    std::fs::write(
        &data,
        "text,client\n\
         \"<script>document.title='pwned'</script>I bought you a necklace for your birthday. Please call me back tonight.\",A\n\
         \"Congrats on the new job, hope the first week went well!\",B\n\
         \"<img src=x onerror=alert(1)> I miss you so much. I wrote you a letter about us. Please read it.\",C\n",
    )
    .unwrap();
    let out = assert_works(
        draftcheck_in(dir.path())
            .args(["score", "--format", "html", "--batch"])
            .arg(&data)
            .arg("--model")
            .arg(root().join("models/drafts.json")),
    );
    let report = dir.path().join("report.html");
    std::fs::write(&report, &out.stdout).unwrap();

    let profile = dir.path().join("profile");
    let dom = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    // The page as parsed: the summary, each draft's verdict, the cut.
    assert!(
        dom.contains("<title>draftcheck report</title>"),
        "the script never ran: {dom}"
    );
    assert!(
        dom.contains("3 drafts</strong>: 1 composed and independent, 2 desperate / materialistic"),
        "{dom}"
    );
    assert!(dom.contains("Reads as desperate / materialistic"), "{dom}");
    assert!(dom.contains("Reads as composed and independent"), "{dom}");
    assert!(
        dom.contains("What to cut:") || dom.contains("No single cut"),
        "{dom}"
    );
    // The drafts' markup is text, not elements.
    assert!(!dom.contains("<script"), "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    assert!(dom.contains("&lt;script&gt;document.title="), "{dom}");
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"), "{dom}");
    assert_eq!(dom.matches("<article class=\"draft").count(), 3);
}

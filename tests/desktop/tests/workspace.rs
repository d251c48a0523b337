//! The desktop workspace end to end: the real app in a real window, driven like a person
//! would, and the repository files on disk checked after each step.

use poni_e2e_desktop::{unavailable, DesktopApp, DesktopOptions};

#[tokio::test(flavor = "multi_thread")]
async fn starts_on_a_fresh_default_repository_with_a_teaching_empty_state() {
    if let Some(why) = unavailable() {
        eprintln!("SKIPPED: {why}");
        return;
    }
    let app = DesktopApp::start(DesktopOptions::default()).await;
    // The default repository ($PONI_ROOT here) is created on first start.
    assert!(app.repo.join("repo.json").is_file());
    app.ui.screenshot("empty-repository").await;
    app.quit().await;
}

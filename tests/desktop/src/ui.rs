//! Small, readable steps over WebDriver, addressing controls by their `data-testid`.

use std::time::Duration;
use thirtyfour::prelude::*;

const WAIT: Duration = Duration::from_secs(15);

pub struct Ui {
    pub driver: WebDriver,
}

fn by_id(test_id: &str) -> By {
    By::Css(format!("[data-testid=\"{test_id}\"]"))
}

impl Ui {
    pub fn new(driver: WebDriver) -> Self {
        Self { driver }
    }

    /// Waits until the UI has rendered (React mounted something into #root).
    pub async fn wait_ready(&self) {
        self.css("#root > *").await;
    }

    /// The element with this test id, waiting for it to appear.
    pub async fn find(&self, test_id: &str) -> WebElement {
        self.driver
            .query(by_id(test_id))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await
            .unwrap_or_else(|e| panic!("no element [data-testid={test_id}] within {WAIT:?}: {e}"))
    }

    /// The first element matching a CSS selector, waiting for it.
    pub async fn css(&self, selector: &str) -> WebElement {
        self.driver
            .query(By::Css(selector))
            .wait(WAIT, Duration::from_millis(100))
            .first()
            .await
            .unwrap_or_else(|e| panic!("no element matching {selector} within {WAIT:?}: {e}"))
    }

    pub async fn exists(&self, test_id: &str) -> bool {
        !self.driver.find_all(by_id(test_id)).await.unwrap_or_default().is_empty()
    }

    /// Waits until no element has this test id.
    pub async fn gone(&self, test_id: &str) {
        let deadline = std::time::Instant::now() + WAIT;
        while self.exists(test_id).await {
            assert!(std::time::Instant::now() < deadline, "[data-testid={test_id}] still there after {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, test_id: &str) {
        let el = self.find(test_id).await;
        el.wait_until().clickable().await.unwrap_or_else(|e| panic!("[data-testid={test_id}] not clickable: {e}"));
        el.click().await.unwrap_or_else(|e| panic!("click [data-testid={test_id}]: {e}"));
    }

    /// Replaces the text of an input.
    pub async fn fill(&self, test_id: &str, text: &str) {
        let el = self.find(test_id).await;
        el.clear().await.unwrap_or_else(|e| panic!("clear [data-testid={test_id}]: {e}"));
        el.send_keys(text).await.unwrap_or_else(|e| panic!("type into [data-testid={test_id}]: {e}"));
    }

    pub async fn text(&self, test_id: &str) -> String {
        self.find(test_id).await.text().await.unwrap_or_default()
    }

    /// Waits until the element's text contains `expected`.
    pub async fn wait_text(&self, test_id: &str, expected: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let text = if self.exists(test_id).await { self.text(test_id).await } else { String::new() };
            if text.contains(expected) {
                return text;
            }
            assert!(std::time::Instant::now() < deadline, "[data-testid={test_id}] never showed {expected:?}; last text: {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends keys to the focused element (e.g. Key::Control + "n").
    pub async fn keys(&self, keys: impl Into<TypingData>) {
        self.driver.active_element().await.expect("focused element").send_keys(keys).await.expect("send keys");
    }

    /// Saves a screenshot of the window to tests/artifacts/<name>.png.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let path = crate::artifacts_dir().join(format!("{name}.png"));
        self.driver.screenshot(&path).await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        path
    }
}

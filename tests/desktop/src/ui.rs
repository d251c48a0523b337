//! Small, readable steps over WebDriver, addressing controls by their `data-testid`.

use std::time::Duration;
use thirtyfour::components::SelectElement;
use thirtyfour::error::WebDriverErrorInner;
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

    /// Opens `system` in the tree (selects it, Right arrow) until `child` shows.
    pub async fn unfold(&self, system: &str, child: &str) {
        self.find(&format!("tree-row-{system}")).await;
        if self.exists(&format!("tree-row-{child}")).await {
            return;
        }
        self.click(&format!("tree-row-{system}")).await;
        self.keys(Key::Right).await;
        self.find(&format!("tree-row-{child}")).await;
    }

    /// Whether an element matches a CSS selector now (no waiting).
    pub async fn css_exists(&self, selector: &str) -> bool {
        !self.driver.find_all(By::Css(selector)).await.unwrap_or_default().is_empty()
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
        self.retry(test_id, "click", |el| async move {
            el.wait_until().clickable().await?;
            // WebKitWebDriver scrolls only an element wholly out of view: one cut by the edge
            // of a scrolled pane is refused as "not interactable". People scroll to it first.
            el.scroll_into_view().await?;
            el.click().await
        })
        .await
    }

    /// Picks an option of a `<select>` by its value.
    pub async fn select(&self, test_id: &str, value: &str) {
        self.retry(test_id, "select", |el| async move { SelectElement::new(&el).await?.select_by_value(value).await }).await
    }

    /// Runs a step on the element, finding it afresh when React replaced it in between
    /// (a stale element): the UI re-renders as data arrives.
    async fn retry<F, Fut>(&self, test_id: &str, what: &str, step: F)
    where
        F: Fn(WebElement) -> Fut,
        Fut: std::future::Future<Output = WebDriverResult<()>>,
    {
        let mut attempt = 0;
        loop {
            let el = self.find(test_id).await;
            match step(el).await {
                Ok(()) => return,
                Err(e) if matches!(e.as_inner(), WebDriverErrorInner::StaleElementReference(_)) && attempt < 10 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{what} [data-testid={test_id}]: {e}"),
            }
        }
    }

    pub async fn double_click(&self, test_id: &str) {
        self.retry(test_id, "double-click", |el| async move { self.driver.action_chain().double_click_element(&el).perform().await }).await
    }

    /// Ctrl-click: adds the element to a multi-selection.
    pub async fn ctrl_click(&self, test_id: &str) {
        self.retry(test_id, "ctrl-click", |el| async move {
            self.driver.action_chain().key_down(Key::Control).click_element(&el).key_up(Key::Control).perform().await
        })
        .await
    }

    /// An attribute of the element (None when absent).
    pub async fn attr(&self, test_id: &str, name: &str) -> Option<String> {
        self.find(test_id).await.attr(name).await.ok().flatten()
    }

    /// Waits until the element's attribute has the value.
    pub async fn wait_attr(&self, test_id: &str, name: &str, expected: &str, within: Duration) {
        let deadline = std::time::Instant::now() + within;
        loop {
            let value = if self.exists(test_id).await { self.attr(test_id, name).await } else { None };
            if value.as_deref() == Some(expected) {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "[data-testid={test_id}] {name} never became {expected:?}; last {value:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The whole page's HTML, for checking what must never be shown.
    pub async fn page_source(&self) -> String {
        self.driver.source().await.unwrap_or_default()
    }

    /// Replaces the text of an input the way a person does (select all, type over it), so
    /// React sees every change; WebDriver's clear() bypasses React's change events.
    pub async fn fill(&self, test_id: &str, text: &str) {
        self.retry(test_id, "type into", |el| async move {
            el.send_keys(Key::Control + "a").await?;
            el.send_keys(Key::Backspace).await?;
            // An empty string is no keystroke at all (WebDriver refuses it): clearing is done.
            if text.is_empty() {
                return Ok(());
            }
            el.send_keys(text).await
        })
        .await;
        let value = self.find(test_id).await.prop("value").await.ok().flatten().unwrap_or_default();
        assert_eq!(value, text, "[data-testid={test_id}] holds {value:?} after typing {text:?}");
    }

    pub async fn text(&self, test_id: &str) -> String {
        self.find(test_id).await.text().await.unwrap_or_default()
    }

    /// The element's text content, for cells WebKitWebDriver reads no visible text from
    /// although the screenshot shows them (clipped cells of the wide fleet table).
    pub async fn text_content(&self, test_id: &str) -> String {
        self.find(test_id).await.prop("textContent").await.ok().flatten().unwrap_or_default()
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

    /// A key chord through WebDriver actions, to whatever has the focus, the way a keyboard
    /// sends it: the modifiers go down first and come up last (e.g. Ctrl+X: `chord(true, false, 'x')`).
    pub async fn chord(&self, ctrl: bool, shift: bool, key: char) {
        let mut chain = self.driver.action_chain();
        if ctrl {
            chain = chain.key_down(Key::Control);
        }
        if shift {
            chain = chain.key_down(Key::Shift);
        }
        chain = chain.key_down(key).key_up(key);
        if shift {
            chain = chain.key_up(Key::Shift);
        }
        if ctrl {
            chain = chain.key_up(Key::Control);
        }
        chain.perform().await.unwrap_or_else(|e| panic!("key chord ctrl={ctrl} shift={shift} {key:?}: {e}"));
    }

    /// Starts a drag with the mouse: presses on the centre of `from`, moves a few pixels (so the
    /// page sees a drag start), then moves to the centre of `to`, and keeps the button down.
    /// Finish with [`Ui::release_mouse`].
    pub async fn press_and_move(&self, from: &str, to: &str) {
        let source = self.find(from).await;
        let target = self.find(to).await;
        self.driver
            .action_chain()
            .click_and_hold_element(&source)
            .move_by_offset(0, 4)
            .move_by_offset(4, 4)
            .move_to_element_center(&target)
            .move_by_offset(3, 1)
            .perform()
            .await
            .unwrap_or_else(|e| panic!("drag from [data-testid={from}] to [data-testid={to}]: {e}"));
    }

    /// Like [`Ui::press_and_move`], but to a point of the window (viewport coordinates).
    pub async fn press_and_move_to(&self, from: &str, x: i64, y: i64) {
        let source = self.find(from).await;
        self.driver
            .action_chain()
            .click_and_hold_element(&source)
            .move_by_offset(0, 4)
            .move_by_offset(4, 4)
            .move_to(x, y)
            .move_to(x + 2, y + 1)
            .perform()
            .await
            .unwrap_or_else(|e| panic!("drag from [data-testid={from}] to ({x}, {y}): {e}"));
    }

    /// Lets go of the mouse button held by a drag.
    pub async fn release_mouse(&self) {
        self.driver.action_chain().release().perform().await.unwrap_or_else(|e| panic!("release the mouse button: {e}"));
    }

    /// The element's attribute, waiting up to `within` for it to become `expected`; returns the
    /// last value seen instead of failing (for a test that explains the failure itself).
    pub async fn poll_attr(&self, test_id: &str, name: &str, expected: &str, within: Duration) -> Option<String> {
        let deadline = std::time::Instant::now() + within;
        loop {
            // Never waits for the element itself: a drag that never started shows no hint at all.
            let found = self.driver.find_all(by_id(test_id)).await.unwrap_or_default();
            let value = match found.first() {
                Some(el) => el.attr(name).await.ok().flatten(),
                None => None,
            };
            if value.as_deref() == Some(expected) || std::time::Instant::now() >= deadline {
                return value;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot of the window to tests/artifacts/<name>.png.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let path = crate::artifacts_dir().join(format!("{name}.png"));
        self.driver.screenshot(&path).await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        path
    }
}

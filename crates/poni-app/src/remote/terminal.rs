//! Open terminals: each is a shell on a pseudo-terminal over its own SSH connection. Output
//! is batched (a few milliseconds, at most 64 KiB a batch) before it goes to the window, so a
//! flood of output is a few messages a frame, never one per byte.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poni_remote::{HostKeyOutcome, Session, ShellEvent, ShellWriter, SshTarget};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::{AppError, AppResult};
use poni_repo::ErrorCode;

/// How long output is gathered before it is sent: under a frame at 60 Hz.
const BATCH_WINDOW: Duration = Duration::from_millis(4);
const BATCH_BYTES: usize = 64 * 1024;

/// How a terminal's session ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(rename_all = "camelCase")]
pub enum TerminalEnd {
    /// The shell exited with this status.
    Exited { status: u32 },
    /// The connection was lost (the shell may still run remotely).
    Dropped,
    /// Closed from this side.
    Closed,
}

/// Where a terminal's output goes (the shell: Tauri channels).
pub trait TerminalSink: Send + Sync + 'static {
    /// False when nobody listens any more (the window went): the session then ends.
    fn output(&self, bytes: Vec<u8>) -> bool;
    fn ended(&self, end: TerminalEnd);
}

/// A terminal that opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TerminalInfo {
    pub id: u32,
    pub node: String,
    /// `user@host`, with `:port` when not 22.
    pub address: String,
    pub host_key: HostKeyOutcome,
}

#[derive(Default)]
pub struct Terminals {
    next: AtomicU32,
    open: Mutex<HashMap<u32, (Arc<ShellWriter>, CancellationToken)>>,
}

impl Terminals {
    /// Starts a shell on `session` and streams it to `sink` until it ends.
    pub async fn open(self: &Arc<Self>, target: &SshTarget, session: Session, cols: u16, rows: u16, sink: Arc<dyn TerminalSink>) -> AppResult<TerminalInfo> {
        let host_key = session.host_key;
        let (mut reader, writer) = session.shell(cols.max(1), rows.max(1)).await.map_err(|e| super::connect::remote_error(&e))?;
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let closed = CancellationToken::new();
        self.open.lock().unwrap_or_else(|e| e.into_inner()).insert(id, (Arc::new(writer), closed.clone()));
        let terminals = self.clone();
        tokio::spawn(async move {
            // The session lives as long as its shell.
            let _session = session;
            let mut status = None;
            'read: while let Some(event) = next_or_closed(&mut reader, &closed).await {
                let mut batch = match event {
                    ShellEvent::Output(bytes) => bytes,
                    ShellEvent::Exit(s) => {
                        status = Some(s);
                        continue;
                    }
                };
                let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
                while batch.len() < BATCH_BYTES {
                    match tokio::time::timeout_at(deadline, next_or_closed(&mut reader, &closed)).await {
                        Ok(Some(ShellEvent::Output(more))) => batch.extend_from_slice(&more),
                        Ok(Some(ShellEvent::Exit(s))) => status = Some(s),
                        Ok(None) => {
                            sink.output(batch);
                            break 'read;
                        }
                        Err(_) => break,
                    }
                }
                if !sink.output(batch) {
                    // The window is gone: end the session rather than keep it running unseen.
                    closed.cancel();
                    break;
                }
            }
            let closed_here = terminals.open.lock().unwrap_or_else(|e| e.into_inner()).remove(&id).is_none();
            sink.ended(match (status, closed_here) {
                (Some(status), _) => TerminalEnd::Exited { status },
                (None, true) => TerminalEnd::Closed,
                (None, false) => TerminalEnd::Dropped,
            });
        });
        let port = if target.port == 22 { String::new() } else { format!(":{}", target.port) };
        Ok(TerminalInfo { id, node: target.node.clone(), address: format!("{}@{}{port}", target.user, target.host), host_key })
    }

    fn writer(&self, id: u32) -> AppResult<Arc<ShellWriter>> {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .map(|(writer, _)| writer.clone())
            .ok_or_else(|| AppError::new(ErrorCode::RemoteDropped, "This terminal's session has ended: reconnect to go on."))
    }

    /// Keys typed (and text pasted) in the terminal.
    pub async fn input(&self, id: u32, bytes: &[u8]) -> AppResult<()> {
        self.writer(id)?.send(bytes).await.map_err(|e| super::connect::remote_error(&e))
    }

    pub async fn resize(&self, id: u32, cols: u16, rows: u16) -> AppResult<()> {
        self.writer(id)?.resize(cols.max(1), rows.max(1)).await.map_err(|e| super::connect::remote_error(&e))
    }

    /// Ends the session; false when it had already ended.
    pub async fn close(&self, id: u32) -> bool {
        let writer = self.open.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        match writer {
            Some((w, closed)) => {
                // The reader stops first; a stalled connection then cannot hold this call.
                closed.cancel();
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), w.close()).await;
                true
            }
            None => false,
        }
    }
}

/// The shell's next event; None once closed here (the channel's own close may then never
/// come back) or by the other side.
async fn next_or_closed(reader: &mut poni_remote::ShellReader, closed: &CancellationToken) -> Option<ShellEvent> {
    tokio::select! {
        event = reader.next() => event,
        _ = closed.cancelled() => None,
    }
}

//! After launch: terminals, Run command, Copy files, Open in my terminal. Output streams back
//! on the channels the window passes (see stream.rs); the work is in poni_app::remote.

use std::sync::Arc;

use crate::ctx::Ctx;
use crate::stream::{ByteStream, Stream};
use poni_app::remote::{ConnectRequest, CopyRequest, RunEvent, RunRecord, RunRequest, RunSink, RunSummary, TerminalEnd, TerminalOpened, TerminalSink};
use poni_app::AppResult;
use tauri::Runtime;

struct Window {
    output: ByteStream,
    ended: Stream<TerminalEnd>,
}

impl TerminalSink for Window {
    fn output(&self, bytes: Vec<u8>) -> bool {
        self.output.send(bytes)
    }

    fn ended(&self, end: TerminalEnd) {
        self.ended.send(end);
    }
}

/// A run's progress to the window's channel.
fn run_sink(events: Stream<RunEvent>) -> RunSink {
    Arc::new(move |e| {
        events.send(e);
    })
}

fn tree<R: Runtime>(ctx: &Ctx<R>) -> AppResult<poni_app::poni_repo::Tree> {
    ctx.read(|ws| Ok(ws.repo().tree()?))
}

#[tauri::command]
pub async fn terminal_open<R: Runtime>(
    ctx: Ctx<R>,
    request: ConnectRequest,
    cols: u16,
    rows: u16,
    output: ByteStream,
    ended: Stream<TerminalEnd>,
) -> AppResult<TerminalOpened> {
    let desk = ctx.desk();
    let in_sandbox = desk.credentials.sandbox().is_some();
    desk.remote.open_terminal(&tree(&ctx)?, &request, cols, rows, &desk.account, in_sandbox, Arc::new(Window { output, ended })).await
}

#[tauri::command]
pub async fn terminal_input<R: Runtime>(ctx: Ctx<R>, id: u32, data: String) -> AppResult<()> {
    ctx.desk().remote.terminals.input(id, data.as_bytes()).await
}

#[tauri::command]
pub async fn terminal_resize<R: Runtime>(ctx: Ctx<R>, id: u32, cols: u16, rows: u16) -> AppResult<()> {
    ctx.desk().remote.terminals.resize(id, cols, rows).await
}

#[tauri::command]
pub async fn terminal_close<R: Runtime>(ctx: Ctx<R>, id: u32) -> AppResult<bool> {
    Ok(ctx.desk().remote.terminals.close(id).await)
}

#[tauri::command]
pub async fn open_in_terminal<R: Runtime>(ctx: Ctx<R>, node: String) -> AppResult<String> {
    let desk = ctx.desk();
    desk.remote.open_in_terminal(&tree(&ctx)?, &node, desk.credentials.sandbox().is_some())
}

#[tauri::command]
pub async fn run_command<R: Runtime>(ctx: Ctx<R>, request: RunRequest, events: Stream<RunEvent>) -> AppResult<RunRecord> {
    let desk = ctx.desk();
    let in_sandbox = desk.credentials.sandbox().is_some();
    desk.remote.run_command(&tree(&ctx)?, request, &desk.account, in_sandbox, run_sink(events)).await
}

#[tauri::command]
pub async fn copy_files<R: Runtime>(ctx: Ctx<R>, request: CopyRequest, events: Stream<RunEvent>) -> AppResult<RunRecord> {
    let desk = ctx.desk();
    let in_sandbox = desk.credentials.sandbox().is_some();
    desk.remote.copy_files(&tree(&ctx)?, request, &desk.account, in_sandbox, run_sink(events)).await
}

#[tauri::command]
pub async fn run_cancel<R: Runtime>(ctx: Ctx<R>, id: String) -> AppResult<bool> {
    Ok(ctx.desk().remote.runs.cancel(&id))
}

#[tauri::command]
pub async fn runs_list<R: Runtime>(ctx: Ctx<R>) -> AppResult<Vec<RunSummary>> {
    Ok(ctx.desk().remote.runs.list())
}

#[tauri::command]
pub async fn run_get<R: Runtime>(ctx: Ctx<R>, id: String) -> AppResult<RunRecord> {
    ctx.desk().remote.runs.get(&id)
}

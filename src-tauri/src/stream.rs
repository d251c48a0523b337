//! Channels the UI hands to a command for what streams back (a terminal's output, a run's
//! progress), typed for the generated client like every other argument.
//! - [`Stream<T>`]: JSON messages of type `T` (`Channel<T>` in TypeScript);
//! - [`ByteStream`]: raw bytes, batched by the core (`Channel<ArrayBuffer>`), never JSON.

use tauri::ipc::{Channel, CommandArg, CommandItem, InvokeError, InvokeResponseBody, IpcResponse};
use tauri::Runtime;
use ts_rs::{Config, TypeVisitor, TS};

pub struct Stream<T: IpcResponse>(Channel<T>);

impl<T: IpcResponse> Stream<T> {
    /// Sends one message; false when the window has stopped listening.
    pub fn send(&self, message: T) -> bool {
        self.0.send(message).is_ok()
    }
}

impl<'de, R: Runtime, T: IpcResponse> CommandArg<'de, R> for Stream<T> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        Channel::from_command(command).map(Stream)
    }
}

impl<T: TS + IpcResponse> TS for Stream<T> {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(cfg: &Config) -> String {
        format!("Channel<{}>", T::name(cfg))
    }

    fn inline(cfg: &Config) -> String {
        format!("Channel<{}>", T::inline(cfg))
    }

    fn visit_generics(v: &mut impl TypeVisitor)
    where
        Self: 'static,
    {
        T::visit_generics(v);
        v.visit::<T>();
    }
}

pub struct ByteStream(Channel<InvokeResponseBody>);

impl ByteStream {
    pub fn send(&self, bytes: Vec<u8>) -> bool {
        self.0.send(InvokeResponseBody::Raw(bytes)).is_ok()
    }
}

impl<'de, R: Runtime> CommandArg<'de, R> for ByteStream {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        Channel::from_command(command).map(ByteStream)
    }
}

impl TS for ByteStream {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(_: &Config) -> String {
        "Channel<ArrayBuffer>".into()
    }

    fn inline(_: &Config) -> String {
        "Channel<ArrayBuffer>".into()
    }
}

//! The error every front-end call returns: a stable code for programs, a sentence for people.
//! It crosses IPC as `{code, message}`; the UI never parses the message. It is the cloud
//! core's [`ErrorPayload`](poni_cloud::ErrorPayload): one error shape across the app.

pub use poni_cloud::ErrorPayload as AppError;

pub type AppResult<T> = Result<T, AppError>;

//! The desktop end-to-end tests, one test binary (linking one binary per test file cost more than
//! running them). They share one display and the debug app binary, so they take turns: a
//! [`poni_e2e_desktop::DesktopApp`] holds the process's one turn while it runs, and the package
//! test (which rebuilds and installs the app and screenshots the whole display) takes the same
//! turn with [`poni_e2e_desktop::exclusive_turn`].

mod account;
mod cloud;
mod document;
mod fleet;
mod package;
mod remote;
mod wall;
mod workspace;

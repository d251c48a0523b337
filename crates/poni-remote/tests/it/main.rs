//! poni-remote against a real OpenSSH server (tests/src/sshd.rs) on loopback.
mod sessions;

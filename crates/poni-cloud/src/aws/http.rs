//! The one HTTP stack of this crate: hyper 1 + rustls on ring, with the system's root
//! certificates. (aws-config's default client would add aws-lc-sys, a long C build.)

use aws_sdk_ec2::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// A new HTTPS client (plain HTTP works too, for local emulators). Each provider builds its
/// own, so its connection pool belongs to the tokio runtime that uses it.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::Ring)).build_https()
}

//! This computer's public address, for "Allow SSH from this computer": asked of AWS's checkip
//! service (it answers with the address a request came from), over HTTPS with the system's
//! root certificates. The answer is hostile input: at most 64 bytes, one IPv4 address.

use super::AccountError;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

/// AWS's own "what is my address" service, which the EC2 console's "My IP" uses too.
pub const CHECKIP_URL: &str = "https://checkip.amazonaws.com/";
const MAX_ANSWER_BYTES: usize = 64;

fn unknown(url: &str, detail: impl std::fmt::Display) -> AccountError {
    // The detail may quote what the service sent: no control character reaches a terminal.
    let detail: String = detail.to_string().chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    AccountError::AddressUnknown { url: url.to_owned(), detail }
}

/// Asks `url` (plain HTTP allowed, for local test servers) for this computer's IPv4 address.
pub async fn public_ipv4(url: &str, timeout: Duration) -> Result<Ipv4Addr, AccountError> {
    let uri: hyper::Uri = url.parse().map_err(|e| unknown(url, e))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert); // one unreadable certificate does not spoil the others
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| unknown(url, e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().build();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let ask = async {
        let response = client.get(uri).await.map_err(|e| unknown(url, e))?;
        if !response.status().is_success() {
            return Err(unknown(url, format!("it answered {}", response.status())));
        }
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES).collect().await.map_err(|e| unknown(url, e))?;
        Ok(body.to_bytes())
    };
    let body = tokio::time::timeout(timeout, ask).await.map_err(|_| unknown(url, format!("no answer within {} s", timeout.as_secs())))??;
    parse_answer(&body).ok_or_else(|| unknown(url, "its answer is not an IPv4 address"))
}

/// One IPv4 address, with surrounding white space (the service ends it with a newline).
fn parse_answer(body: &[u8]) -> Option<Ipv4Addr> {
    std::str::from_utf8(body).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A real HTTP server on loopback that answers every request with `body` (or never answers).
    async fn server(body: Option<Vec<u8>>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let body = body.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 1024];
                    let _ = socket.read(&mut request).await;
                    let Some(body) = body else {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        return;
                    };
                    let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                });
            }
        });
        url
    }

    #[tokio::test]
    async fn the_address_is_read_from_the_answer() {
        let url = server(Some(b"203.0.113.7\n".to_vec())).await;
        assert_eq!(public_ipv4(&url, Duration::from_secs(10)).await.unwrap(), Ipv4Addr::new(203, 0, 113, 7));
    }

    #[tokio::test]
    async fn a_hostile_or_silent_service_is_refused_with_a_reason() {
        for (body, why) in [
            (Some(b"<html>not an address</html>".to_vec()), "not an IPv4 address"),
            (Some(vec![b'1'; 1 << 20]), "length limit exceeded"),
            (Some(b"\x1b[31m203.0.113.7".to_vec()), "not an IPv4 address"),
            (None, "no answer within 1 s"),
        ] {
            let url = server(body).await;
            let err = public_ipv4(&url, Duration::from_secs(1)).await.unwrap_err().to_string();
            assert!(err.contains(why) && err.contains(&url), "{err}");
            assert!(!err.chars().any(char::is_control), "{err:?}");
        }
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let err = public_ipv4(&format!("http://{closed}/"), Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(crate::Coded::code(&err), poni_repo::ErrorCode::SshAddressUnknown);
    }
}

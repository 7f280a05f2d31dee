//! The transport: a TCP listener, TLS (rustls, HTTP/1.1 by ALPN) or plain HTTP where allowed,
//! one hyper HTTP/1.1 connection task per client, and a graceful stop.
//!
//! Plain HTTP is served only on a loopback address, or when the configuration says
//! `allow_plain_http = true` (behind a proxy that terminates TLS): secrets travel in every
//! request's `Authorization` header.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::api::Hub;
use crate::config::{Config, TlsFiles};
use crate::error::HubError;
use crate::store::Store;

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a client has to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long requests under way may take to finish once the hub is asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Where the hub listens, once it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listening {
    /// The bound address (the actual port when the configuration said 0).
    pub addr: SocketAddr,
    /// Whether it speaks TLS.
    pub tls: bool,
}

impl Listening {
    /// The base URL, e.g. `https://127.0.0.1:8443`.
    pub fn url(&self) -> String {
        format!("{}://{}", if self.tls { "https" } else { "http" }, self.addr)
    }
}

/// Loads the certificate chain and key into a rustls server configuration (ring, TLS 1.2 and
/// 1.3, HTTP/1.1 by ALPN).
pub fn tls_config(files: &TlsFiles) -> Result<rustls::ServerConfig, HubError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| HubError::Tls(format!("không đọc được chứng thư {}: {e}", files.cert.display())))?;
    if certs.is_empty() {
        return Err(HubError::Tls(format!("tệp {} không có chứng thư PEM nào", files.cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| HubError::Tls(format!("không đọc được khoá riêng {}: {e}", files.key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| HubError::Tls(format!("chứng thư và khoá riêng không dùng được: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves the hub on `config.listen` until `shutdown` completes, then lets requests under way
/// finish (for a few seconds) and returns. `ready` is called once the address is bound.
pub async fn serve(
    config: &Config,
    store: Store,
    ready: impl FnOnce(&Listening),
    shutdown: impl Future<Output = ()>,
) -> Result<(), HubError> {
    let addr = tokio::net::lookup_host(&config.listen)
        .await
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| HubError::Listen(format!("Địa chỉ listen không hợp lệ: {}", config.listen)))?;
    let acceptor = match &config.tls {
        Some(files) => Some(TlsAcceptor::from(Arc::new(tls_config(files)?))),
        None if addr.ip().is_loopback() || config.allow_plain_http => None,
        None => {
            return Err(HubError::Listen(format!(
                "Không phục vụ HTTP không mã hoá trên {addr}: cần mục [tls] (cert, key), hoặc allow_plain_http = true \
                 khi đứng sau một proxy TLS"
            )));
        }
    };
    let listener =
        TcpListener::bind(addr).await.map_err(|source| HubError::Bind { addr: config.listen.clone(), source })?;
    let listening = Listening { addr: listener.local_addr()?, tls: acceptor.is_some() };
    let hub = Arc::new(Hub::new(store, config));
    ready(&listening);

    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    eprintln!("{} vanthu-hub: lỗi nhận kết nối: {e}", crate::now_rfc3339());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let (hub, acceptor, watcher) = (Arc::clone(&hub), acceptor.clone(), graceful.watcher());
        tokio::spawn(async move {
            match acceptor {
                None => connection(tcp, peer, hub, watcher).await,
                Some(acceptor) => match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => connection(tls, peer, hub, watcher).await,
                    Ok(Err(e)) => {
                        eprintln!("{} vanthu-hub: bắt tay TLS với {peer} thất bại: {e}", crate::now_rfc3339())
                    }
                    Err(_) => {}
                },
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(STOP_GRACE, graceful.shutdown()).await.is_err() {
        eprintln!("{} vanthu-hub: dừng khi còn yêu cầu chưa xong", crate::now_rfc3339());
    }
    Ok(())
}

/// One client connection: HTTP/1.1 requests, one at a time, each answered by the hub.
async fn connection<I>(io: I, peer: SocketAddr, hub: Arc<Hub>, watcher: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let hub = Arc::clone(&hub);
        async move { Ok::<_, Infallible>(hub.handle(request, peer).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(TokioIo::new(io), service);
    // A client that goes away mid-request is no event of the hub's.
    let _ = watcher.watch(conn).await;
}

//! The server's edge: who a request comes from, how many connections and
//! event streams one client (and everyone together) may hold open, and the
//! listener that serves connections.
//!
//! The listener speaks HTTP/1.1 only. In production a TLS proxy or CDN in
//! front speaks HTTP/2 or 3 to browsers (where multiplexing matters) and
//! HTTP/1.1 to us; on the plain port, HTTP/2 in clear text (h2c) would need
//! timeouts of its own for idle connections and streams, and event streams
//! here write HTTP/1.1 chunks straight onto the socket (see `state/rooms.rs`), which
//! an HTTP/2 connection cannot carry. A client that opens with HTTP/2's
//! preface is answered 400 and closed.
//!
//! Behind a reverse proxy every request arrives from the proxy's address, so a
//! per-client limit would see all buyers as one. `X-Forwarded-For` says who the
//! proxy was talking to, but anyone can send that header: it is believed only
//! when the peer is a proxy the operator named (`--trusted-proxy`), and then
//! read from the right, skipping further trusted hops, because the left end is
//! whatever the client claimed.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWrite;
use tower::ServiceExt;

use crate::state::Config;

/// An address block such as `10.0.0.0/8` or `::1/128` (a bare address is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = addr.trim().parse().map_err(|_| format!("not an IP address: {s}"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("bad prefix: {s}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (canonical(self.addr), ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)), u128::from(u32::from(ip)), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => masked(u128::from(net), u128::from(ip), 128, self.prefix),
            _ => false,
        }
    }
}

fn masked(net: u128, ip: u128, bits: u8, prefix: u8) -> bool {
    let shift = u32::from(bits - prefix.min(bits));
    (net.checked_shr(shift).unwrap_or(0)) == (ip.checked_shr(shift).unwrap_or(0))
}

/// IPv4 clients of a dual-stack socket show up as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client a request comes from, as far as it can be trusted, as per-client
/// limits count it (an IPv6 address by its /64, see [`client_key`]).
pub fn client_ip_of(headers: &HeaderMap, extensions: &Extensions, config: &Config) -> IpAddr {
    let peer =
        extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([127, 0, 0, 1]), |c| canonical(c.0.ip()));
    let trusted = |ip: IpAddr| config.trusted_proxies.iter().any(|c| c.contains(ip));
    if !trusted(peer) {
        return client_key(peer);
    }
    let mut client = peer;
    let hops = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    let hops: Vec<&str> = hops.collect();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else { break };
        client = canonical(ip);
        if !trusted(client) {
            break;
        }
    }
    client_key(client)
}

/// [`client_ip_of`] for a whole request.
pub fn client_ip(request: &axum::extract::Request, config: &Config) -> IpAddr {
    client_ip_of(request.headers(), request.extensions(), config)
}

/// Open event streams per client address, so one client cannot hold every
/// file the process may open.
#[derive(Clone, Default)]
pub struct StreamSlots {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One open stream; dropping it (the stream ends) frees the slot.
pub struct Slot {
    slots: StreamSlots,
    ip: IpAddr,
}

impl StreamSlots {
    /// A slot for `ip`, unless it already holds `max`.
    pub fn take(&self, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot { slots: self.clone(), ip })
    }

    pub fn open_for(&self, ip: IpAddr) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        release(&mut self.slots.open.lock().unwrap_or_else(|p| p.into_inner()), self.ip);
    }
}

/// One fewer held by `ip`; an address holding none is forgotten.
fn release(open: &mut HashMap<IpAddr, usize>, ip: IpAddr) {
    if let Some(n) = open.get_mut(&ip) {
        *n -= 1;
        if *n == 0 {
            open.remove(&ip);
        }
    }
}

/// Open connections: in all, and per client address, so one client (or a
/// botnet) cannot hold every file the process may open.
#[derive(Clone, Default)]
pub struct Connections {
    open: Arc<Mutex<(usize, HashMap<IpAddr, usize>)>>,
}

/// One admitted connection; dropping it (the socket closes) frees its place.
pub struct Connection {
    connections: Connections,
    ip: Option<IpAddr>,
}

impl Connections {
    /// A place for a connection from `ip` (None: a trusted proxy, not counted
    /// per address), unless the server or that address is full.
    pub fn admit(&self, ip: Option<IpAddr>, config: &Config) -> Option<Connection> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.0 >= config.max_connections {
            return None;
        }
        if let Some(ip) = ip {
            let n = open.1.entry(ip).or_insert(0);
            if *n >= config.max_connections_per_client {
                return None;
            }
            *n += 1;
        }
        open.0 += 1;
        Some(Connection { connections: self.clone(), ip })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let mut open = self.connections.open.lock().unwrap_or_else(|p| p.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(ip) = self.ip {
            release(&mut open.1, ip);
        }
    }
}

/// The key per-client limits count under: an IPv4 address, or an IPv6
/// address's /64 (one subscriber's network: a client given a /64 has 2^64
/// addresses to rotate through).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

/// A connection's socket, which a handler may take over from hyper: an event
/// stream writes its response head and backlog itself and leaves the socket to
/// its show's room (see `state/rooms.rs`), so an idle viewer costs no hyper task or
/// buffers.
///
/// After [`Takeover::take`], hyper's writes go nowhere and its next read sees the
/// end of the stream: it finishes the connection, and dropping its side hands
/// the socket to the room instead of closing it.
#[derive(Clone)]
pub struct Takeover(Arc<Mutex<Socket>>);

struct Socket {
    stream: Option<tokio::net::TcpStream>,
    /// The connection's place (see [`Connections`]), kept as long as the socket.
    connection: Option<Connection>,
    /// Set once taken: what becomes of the socket when hyper lets go of it.
    park: Option<Park>,
    taken: bool,
}

/// Where a taken socket goes once hyper lets go of it (an event stream's room).
pub type Park = Box<dyn FnOnce(std::net::TcpStream, Option<Connection>) + Send>;

/// hyper's side of a [`Takeover`].
pub struct Io(Takeover);

impl Takeover {
    fn wrap(stream: tokio::net::TcpStream, connection: Connection) -> (Io, Takeover) {
        let socket = Socket { stream: Some(stream), connection: Some(connection), park: None, taken: false };
        let shared = Takeover(Arc::new(Mutex::new(socket)));
        (Io(shared.clone()), shared)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Socket> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes `bytes` to the client directly (before [`Takeover::take`]).
    pub async fn write_all(&self, mut bytes: &[u8]) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let n = std::future::poll_fn(|cx| {
                let mut socket = self.lock();
                match socket.stream.as_mut() {
                    Some(s) => std::pin::Pin::new(s).poll_write(cx, bytes),
                    None => std::task::Poll::Ready(Err(std::io::ErrorKind::NotConnected.into())),
                }
            })
            .await?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            bytes = &bytes[n..];
        }
        Ok(())
    }

    /// Takes the socket from hyper: once hyper is done with it, `park` gets it.
    pub fn take(&self, park: Park) {
        let mut socket = self.lock();
        socket.taken = true;
        socket.park = Some(park);
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        let mut socket = self.0.lock();
        let (Some(stream), Some(park)) = (socket.stream.take(), socket.park.take()) else { return };
        // Out of the async runtime's reactor: from now on only `park`'s owner writes to it.
        match stream.into_std() {
            Ok(std_stream) => park(std_stream, socket.connection.take()),
            Err(e) => tracing::warn!(error = %e, "could not park an event stream"),
        }
    }
}

impl Io {
    /// `io` on the socket while hyper still owns it; once taken (or gone),
    /// `taken` instead: hyper's writes go nowhere and its reads see the end.
    fn on_socket<T>(
        &self,
        taken: T,
        io: impl FnOnce(std::pin::Pin<&mut tokio::net::TcpStream>) -> std::task::Poll<std::io::Result<T>>,
    ) -> std::task::Poll<std::io::Result<T>> {
        let mut socket = self.0.lock();
        match (socket.taken, socket.stream.as_mut()) {
            (true, _) | (_, None) => std::task::Poll::Ready(Ok(taken)),
            (false, Some(s)) => io(std::pin::Pin::new(s)),
        }
    }
}

impl tokio::io::AsyncRead for Io {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        // Taken: hyper sees the client finish, and ends the connection.
        self.on_socket((), |s| s.poll_read(cx, buf))
    }
}

impl tokio::io::AsyncWrite for Io {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.on_socket(buf.len(), |s| s.poll_write(cx, buf))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.on_socket((), |s| s.poll_flush(cx))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.on_socket((), |s| s.poll_shutdown(cx))
    }
}

/// How long open streams get to finish after a shutdown signal before the
/// process stops anyway (event streams never finish by themselves).
const DRAIN: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` resolves. Unlike `axum::serve`
/// it limits how long a client may take to send its request headers
/// (`config.header_read_timeout`), so slow clients cannot hold connections
/// open for nothing.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    config: &Config,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = hyper::server::conn::http1::Builder::new();
    // half_close: a client may close its sending side once its request is out
    // (a phone dropping off, a proxy that forwards whole requests). Without it
    // hyper, finding that close in the same read as the request, ends the
    // connection before it ever runs the handler: a complete checkout would be
    // lost without a trace (`tests/cuts.rs`). The answer still goes back on the
    // half that is open; an event stream's departure is found by its writes.
    builder.timer(TokioTimer::new()).header_read_timeout(config.header_read_timeout).half_close(true);
    let connections = Connections::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // A trusted proxy carries many clients: only the total limits it.
        let trusted = config.trusted_proxies.iter().any(|c| c.contains(peer.ip()));
        let Some(connection) = connections.admit((!trusted).then(|| client_key(peer.ip())), config) else {
            // Full: closed at once, before a byte is read.
            tracing::debug!(peer = %peer.ip(), "connection refused: too many open");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let (io, takeover) = Takeover::wrap(stream, connection);
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(takeover.clone());
            app.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = builder.serve_connection(TokioIo::new(io), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Errors here are clients going away or timing out; nothing to act on.
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(proxies: &[&str]) -> Config {
        Config { trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(), ..Config::default() }
    }

    fn from(peer: &str, xff: Option<&str>, config: &Config) -> IpAddr {
        let mut ext = Extensions::new();
        ext.insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 5000)));
        let mut headers = HeaderMap::new();
        if let Some(x) = xff {
            headers.insert("x-forwarded-for", x.parse().unwrap());
        }
        client_ip_of(&headers, &ext, config)
    }

    #[test]
    fn cidr_blocks() {
        let c: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(c.contains("10.1.200.3".parse().unwrap()));
        assert!(!c.contains("10.2.0.1".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one: Cidr = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()) && !one.contains("::2".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err() && "nope".parse::<Cidr>().is_err());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let none = config(&[]);
        // Nobody trusted: the header is the client's own claim and is ignored.
        assert_eq!(from("203.0.113.7", Some("1.2.3.4"), &none), "203.0.113.7".parse::<IpAddr>().unwrap());
        let lb = config(&["10.0.0.0/8"]);
        assert_eq!(from("10.0.0.2", Some("198.51.100.9"), &lb), "198.51.100.9".parse::<IpAddr>().unwrap());
        // A client that forges a left-hand entry gets its real address, the proxy's last entry.
        assert_eq!(from("10.0.0.2", Some("1.1.1.1, 198.51.100.9"), &lb), "198.51.100.9".parse::<IpAddr>().unwrap());
        // Two trusted hops (CDN -> LB) are skipped from the right.
        assert_eq!(from("10.0.0.2", Some("198.51.100.9, 10.0.0.5"), &lb), "198.51.100.9".parse::<IpAddr>().unwrap());
        // An untrusted peer cannot pretend to be behind the proxy.
        assert_eq!(from("198.51.100.1", Some("10.9.9.9"), &lb), "198.51.100.1".parse::<IpAddr>().unwrap());
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(from("10.0.0.2", Some("junk"), &lb), "10.0.0.2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn an_ipv6_client_is_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(client_key("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7".parse::<IpAddr>().unwrap());
        assert_eq!(from("2001:db8:1:2::9", None, &config(&[])), client_key(a));
    }

    #[test]
    fn stream_slots_are_capped_and_freed() {
        let slots = StreamSlots::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let a = slots.take(ip, 2).unwrap();
        let _b = slots.take(ip, 2).unwrap();
        assert!(slots.take(ip, 2).is_none());
        assert!(slots.take("192.0.2.2".parse().unwrap(), 2).is_some());
        drop(a);
        assert_eq!(slots.open_for(ip), 1);
        assert!(slots.take(ip, 2).is_some());
    }
}

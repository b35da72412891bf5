//! Event fan-out at scale: `cargo bench -p vetrina-server --bench fanout`.
//!
//! Starts the server as its own process (the release binary), opens many idle
//! event streams on it from separate viewer processes (a process may hold only
//! 20,000 open files here, and the server's memory must be measured alone), then
//! pins and unpins. Prints the server's memory per idle viewer (resident set
//! growth from before the viewers connected to after, divided by their number)
//! and the delivery latency from the pin request's start to each viewer's
//! receipt: p50, p99 and max over every (event, viewer).
//!
//! One instance on SQLite with `VETRINA_BENCH_VIEWERS` viewers (default
//! 18,000); with `VETRINA_TEST_POSTGRES` and `VETRINA_TEST_NATS` set (as
//! `cargo xtask bench` does), also two instances on one Postgres sharing events
//! over NATS, with twice the viewers, half on each. Viewer processes, the server
//! and the pinning all share this machine's cores: latencies include that.

#![allow(clippy::unwrap_used)] // a benchmark fails loudly on purpose

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{http, Sse};

const EVENTS: usize = 20;
/// Streams one viewer process opens (it needs a file per stream, and some to spare).
const PER_PROCESS: usize = 9_000;
const TOKEN: &str = "bench-token";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    if std::env::var("VETRINA_FANOUT_ROLE").as_deref() == Ok("viewers") {
        runtime.block_on(viewers());
    } else {
        runtime.block_on(drive());
    }
}

fn now_us() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros()
}

/// A viewer process: `VETRINA_FANOUT_COUNT` streams on `VETRINA_FANOUT_ADDR`;
/// says "ready" once all are open, then prints each receipt as
/// "event_id kernel_micros read_micros" until every stream has had `EVENTS`
/// events (or a minute passes): when the event reached the stream's socket
/// (the kernel's receive timestamp, `SO_TIMESTAMPNS`) and when this process
/// read it.
async fn viewers() {
    let addr: SocketAddr = std::env::var("VETRINA_FANOUT_ADDR").unwrap().parse().unwrap();
    let count: usize = std::env::var("VETRINA_FANOUT_COUNT").unwrap().parse().unwrap();
    let mut streams = Vec::with_capacity(count);
    // A few hundred connects at a time: the server's accept queue is finite.
    let mut pending = Vec::new();
    for i in 0..count {
        pending.push(tokio::spawn(Sse::connect(addr, "/api/shows/demo/events", None)));
        if pending.len() == 200 || i + 1 == count {
            for p in pending.drain(..) {
                streams.push(p.await.unwrap());
            }
        }
    }
    println!("ready");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, u128, u128)>();
    for sse in streams {
        let early = sse.reader.buffer().to_vec();
        let stream = sse.reader.into_inner();
        timestamps::enable(&stream);
        tokio::spawn(receive(stream, early, tx.clone()));
    }
    drop(tx);
    let mut out = std::io::stdout().lock();
    while let Some((id, kernel, read)) = rx.recv().await {
        writeln!(out, "{id} {kernel} {read}").unwrap();
    }
}

/// Reads one stream's events with their kernel receive times. Lean on
/// purpose: the viewer processes share the cores with the server, and every
/// microsecond they spend per event delays the next stream's read.
async fn receive(
    stream: tokio::net::TcpStream,
    mut pending: Vec<u8>,
    tx: tokio::sync::mpsc::UnboundedSender<(i64, u128, u128)>,
) {
    let mut buf = [0u8; 4096];
    let mut got = 0;
    while got < EVENTS {
        if tokio::time::timeout(Duration::from_secs(60), stream.readable()).await.is_err() {
            return;
        }
        let (n, kernel) = match stream.try_io(tokio::io::Interest::READABLE, || timestamps::recv(&stream, &mut buf)) {
            Ok((0, _)) => return,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return,
        };
        let read = now_us();
        pending.extend_from_slice(&buf[..n]);
        // Chunk framing puts each event's "id: N" at the start of a line.
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            if let Some(id) = pending[..end].strip_prefix(b"id: ") {
                let id: i64 = std::str::from_utf8(id).unwrap().trim().parse().unwrap();
                let _ = tx.send((id, kernel.unwrap_or(read), read));
                got += 1;
            }
            pending.drain(..=end);
        }
    }
}

/// Receive timestamps from the kernel: when data reached a socket, however
/// late the process reading it is scheduled.
#[allow(unsafe_code)] // setsockopt and recvmsg: libc calls with buffers owned here
mod timestamps {
    use std::os::fd::AsRawFd;

    pub fn enable(stream: &tokio::net::TcpStream) {
        let on: libc::c_int = 1;
        // SAFETY: a valid socket, and a c_int option value of the length given.
        let r = unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                std::ptr::from_ref(&on).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(r, 0, "SO_TIMESTAMPNS: {}", std::io::Error::last_os_error());
    }

    /// One non-blocking read: the bytes, and when the kernel received them (micros since the epoch).
    pub fn recv(stream: &tokio::net::TcpStream, buf: &mut [u8]) -> std::io::Result<(usize, Option<u128>)> {
        let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
        let mut control = [0u64; 16];
        // SAFETY: msghdr is plain data; zeroed is a valid empty header.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control);
        // SAFETY: msg points at `iov` (over `buf`) and `control`, both alive for the call.
        let n = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut at = None;
        // SAFETY: walking the control messages recvmsg just wrote, with libc's own macros.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                    let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                    at = Some(ts.tv_sec as u128 * 1_000_000 + ts.tv_nsec as u128 / 1_000);
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        Ok((n as usize, at))
    }
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(data: &std::path::Path, extra: &[&str]) -> Server {
    // The demo video is not needed: an empty file keeps ffmpeg from making it.
    std::fs::create_dir_all(data.join("media")).unwrap();
    std::fs::write(data.join("media/demo.mp4"), b"").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vetrina-server"))
        .args(["--demo", "--host-every", "0", "--demo-token", TOKEN, "--pins-per-second", "0"])
        .args(["--max-streams-per-client", "1000000", "--max-connections-per-client", "1000000"])
        .args(["--addr", &addr.to_string()])
        .arg("--data-dir")
        .arg(data)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Server { child, addr };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

async fn drive() {
    let viewers: usize = std::env::var("VETRINA_BENCH_VIEWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(18_000);
    let dir = tempfile::tempdir().unwrap();
    {
        let server = start_server(&dir.path().join("one"), &[]);
        run(&[server], viewers, "1 instance (SQLite)").await;
    }
    let (Ok(pg), Ok(nats)) = (std::env::var(common::POSTGRES_ENV), std::env::var("VETRINA_TEST_NATS")) else {
        println!("(two instances: set VETRINA_TEST_POSTGRES and VETRINA_TEST_NATS, as cargo xtask bench does)");
        return;
    };
    let url = common::postgres_url().await.unwrap();
    let _ = pg;
    let shared = ["--database", url.as_str(), "--nats", nats.as_str()];
    let a = start_server(&dir.path().join("a"), &shared);
    let b = start_server(&dir.path().join("b"), &shared);
    run(&[a, b], 2 * viewers, "2 instances (Postgres + NATS)").await;
}

/// Opens `viewers` streams spread evenly over `servers`, then pins and unpins
/// `EVENTS` times through the first server and prints what it measured.
async fn run(servers: &[Server], viewers: usize, label: &str) {
    // Warm up (the show's room opens with its first stream), then measure the base.
    drop(Sse::connect(servers[0].addr, "/api/shows/demo/events", None).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before: Vec<u64> = servers.iter().map(|s| rss_kib(s.child.id())).collect();

    let per_server = viewers / servers.len();
    let mut processes = Vec::new();
    let connecting = Instant::now();
    for server in servers {
        let mut left = per_server;
        while left > 0 {
            let n = left.min(PER_PROCESS);
            left -= n;
            let mut child = Command::new(std::env::current_exe().unwrap())
                .env("VETRINA_FANOUT_ROLE", "viewers")
                .env("VETRINA_FANOUT_ADDR", server.addr.to_string())
                .env("VETRINA_FANOUT_COUNT", n.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let out = BufReader::new(child.stdout.take().unwrap());
            processes.push((child, out.lines()));
        }
    }
    for (_, lines) in &mut processes {
        assert_eq!(lines.next().unwrap().unwrap(), "ready", "a viewer process could not connect");
    }
    let connected = connecting.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after: Vec<u64> = servers.iter().map(|s| rss_kib(s.child.id())).collect();

    let auth = ("authorization", format!("Bearer {TOKEN}"));
    let mut sent = std::collections::HashMap::new();
    for i in 0..EVENTS {
        let product = 1 + (i / 2) as i64 % 9;
        let at = now_us();
        let r = if i % 2 == 0 {
            let body = format!(r#"{{"product_id":{product}}}"#);
            http(servers[0].addr, "POST", "/api/shows/demo/pins", &[(auth.0, &auth.1)], Some(&body)).await
        } else {
            http(servers[0].addr, "DELETE", &format!("/api/shows/demo/pins/{product}"), &[(auth.0, &auth.1)], None)
                .await
        };
        sent.insert(r.json()["id"].as_i64().unwrap(), at);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Per (event, viewer): when its socket had it, and when its process read it.
    let mut at_socket: Vec<u128> = Vec::with_capacity(viewers * EVENTS);
    let mut read: Vec<u128> = Vec::with_capacity(viewers * EVENTS);
    for (mut child, lines) in processes {
        for line in lines {
            let line = line.unwrap();
            let mut fields = line.split(' ').map(|f| f.parse::<u128>().unwrap());
            let (id, kernel, app) = (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
            let sent_at = sent[&(id as i64)];
            at_socket.push(kernel.saturating_sub(sent_at));
            read.push(app.saturating_sub(sent_at));
        }
        let _ = child.wait();
    }
    let grown: u64 = after.iter().zip(&before).map(|(a, b)| a.saturating_sub(*b)).sum();
    println!("fan-out benchmark, {label}: {viewers} idle viewers, {EVENTS} pin/unpin events");
    println!(
        "  server memory: {:.2} KiB per idle viewer ({} KiB resident before the viewers, {} KiB after; \
         all connected in {:.1} s)",
        grown as f64 / viewers as f64,
        before.iter().sum::<u64>(),
        after.iter().sum::<u64>(),
        connected.as_secs_f64()
    );
    for (what, mut latencies) in [
        ("the event is in the viewer's socket (kernel receive time)", at_socket),
        ("the viewer process has read it (adds the load generator's own scheduling)", read),
    ] {
        latencies.sort_unstable();
        let ms = |us: u128| us as f64 / 1000.0;
        let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
        println!(
            "  pin request → {what}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} deliveries (of {} expected)",
            ms(pct(0.50)),
            ms(pct(0.99)),
            ms(latencies[latencies.len() - 1]),
            latencies.len(),
            viewers * EVENTS
        );
    }
}

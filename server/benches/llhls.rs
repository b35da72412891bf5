//! Low-latency HLS at a crowd's scale: `cargo bench -p vetrina-server --bench llhls`.
//!
//! Starts the server as its own process (the release binary) streaming the
//! demo live (`--live`: ffmpeg encodes the ladder, the packager feeds the
//! origin), then, for each crowd size, opens that many keep-alive connections
//! and has every one of them ask, at once, for the playlist that will list the
//! next part (`?_HLS_msn=M&_HLS_part=P`): what every player at the live edge
//! does twice a second. The origin holds them all until the part exists and
//! then answers them all. For each part, the spread from the first answer to
//! each later one is how long the last waiter waited beyond the first (the
//! first is woken at the part's arrival, give or take a millisecond): p50, p99
//! and max, over `ROUNDS` parts. One process of this benchmark holds a
//! connection per waiter (a process may hold 20,000 files here), the server
//! its own; both share this machine's two cores with ffmpeg.
//!
//! Prints the numbers and judges nothing (the README says what they mean).

#![allow(clippy::unwrap_used)] // a benchmark fails loudly on purpose

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CROWDS: [usize; 3] = [1_000, 4_000, 8_000];
const ROUNDS: usize = 6;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(drive());
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn drive() {
    let dir = tempfile::tempdir().unwrap();
    // The demo video is not needed: an empty file keeps ffmpeg from making it.
    std::fs::create_dir_all(dir.path().join("media")).unwrap();
    std::fs::write(dir.path().join("media/demo.mp4"), b"").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_vetrina-server"))
            .args(["--demo", "--live", "--host-every", "0", "--max-connections-per-client", "1000000"])
            .args(["--addr", &addr.to_string()])
            .arg("--data-dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while next_part(addr).await.is_none() {
        assert!(started.elapsed() < Duration::from_secs(120), "the live stream did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("LL-HLS blocking playlist requests for the next part (360p), {ROUNDS} parts per crowd:");
    println!("  waiters   answered   wait beyond the first answer: p50     p99     max");
    for crowd in CROWDS {
        run(addr, crowd).await;
    }
}

/// The part the playlist hints at next, as `(msn, part)`.
async fn next_part(addr: SocketAddr) -> Option<(u64, u64)> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let (_, body) = request(&mut stream, addr, "/live/demo/360p.m3u8").await.ok()?;
    let hint = body.lines().find(|l| l.starts_with("#EXT-X-PRELOAD-HINT"))?;
    let name = hint.rsplit('/').next()?.trim_end_matches(".m4s\"");
    let mut bits = name.split('.').skip(1);
    Some((bits.next()?.parse().ok()?, bits.next()?.parse().ok()?))
}

/// One GET on a kept-alive connection: status line and body.
async fn request(stream: &mut TcpStream, addr: SocketAddr, path: &str) -> std::io::Result<(String, String)> {
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).await?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buffer);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                let status = text.lines().next().unwrap_or_default().to_string();
                return Ok((status, text[end + 4..end + 4 + length].to_string()));
            }
        }
    }
}

async fn run(addr: SocketAddr, crowd: usize) {
    // Connect a few hundred at a time: the accept queue is finite.
    let mut streams = Vec::with_capacity(crowd);
    for batch in (0..crowd).collect::<Vec<_>>().chunks(200) {
        let opened: Vec<_> = batch.iter().map(|_| tokio::spawn(TcpStream::connect(addr))).collect();
        for o in opened {
            streams.push(o.await.unwrap().unwrap());
        }
    }
    let mut spreads = Vec::new();
    let mut answered = 0;
    let mut others: std::collections::BTreeMap<String, usize> = Default::default();
    for _ in 0..ROUNDS {
        let (msn, part) = next_part(addr).await.unwrap();
        let path = format!("/live/demo/360p.m3u8?_HLS_msn={msn}&_HLS_part={part}");
        let waiting: Vec<_> = streams
            .drain(..)
            .map(|mut s| {
                let path = path.clone();
                tokio::spawn(async move {
                    let mut result = request(&mut s, addr, &path).await;
                    if result.is_err() {
                        // Closed by the server while it sat idle (opening thousands
                        // of connections takes longer than its 10 s idle limit): again.
                        s = TcpStream::connect(addr).await.unwrap();
                        result = request(&mut s, addr, &path).await;
                    }
                    (s, result.map(|(status, _)| status), Instant::now())
                })
            })
            .collect();
        let mut times = Vec::new();
        for w in waiting {
            let (s, status, at) = w.await.unwrap();
            match status {
                Ok(s) if s.contains(" 200 ") => {
                    times.push(at);
                    answered += 1;
                }
                Ok(s) => *others.entry(s).or_default() += 1,
                Err(e) => *others.entry(e.kind().to_string()).or_default() += 1,
            }
            streams.push(s);
        }
        if let Some(first) = times.iter().min().copied() {
            spreads.extend(times.iter().map(|t| t.duration_since(first)));
        }
    }
    spreads.sort();
    let at = |q: f64| spreads.get(((spreads.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!(
        "  {crowd:>7}   {answered:>8}   {:>35} {:>7} {:>7}",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(spreads.last().copied().unwrap_or_default())
    );
    for (what, n) in others {
        println!("            not answered 200: {what} ×{n}");
    }
}

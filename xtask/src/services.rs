//! Throwaway servers the tests and the cluster start from Debian's packages:
//! Postgres (initdb into a temporary folder, its own port), NATS, HAProxy.
//! Each stops (and its folder goes) when its guard is dropped, so a failed
//! test leaves nothing running.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{is_root, run, Result};

/// A port nothing listens on now.
pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// A folder of our own under the system's temporary folder.
fn scratch(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("vetrina-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// A Postgres server of our own, stopped on drop. It runs in the foreground
/// (not daemonized by pg_ctl), so Ctrl-C on `cargo xtask cluster` stops it too.
pub struct Postgres {
    dir: PathBuf,
    child: Child,
    pub port: u16,
}

impl Postgres {
    /// Starts one. `durable: false` turns fsync off (tests: nothing here must
    /// survive a power cut, and initdb and CREATE DATABASE get much faster).
    pub fn start(durable: bool) -> Result<Self> {
        let bin = postgres_bin()?;
        let dir = scratch("pg")?;
        let port = free_port()?;
        // Postgres refuses to run as root: as root, run it as Debian's postgres user.
        if is_root() {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir))?;
        }
        let data = dir.join("data");
        let mut init = as_postgres(&bin.join("initdb"));
        init.arg("-D").arg(&data).args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
        run(init.stdout(Stdio::null()))?;
        let log = std::fs::File::create(dir.join("log")).map_err(|e| e.to_string())?;
        let child = as_postgres(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(&dir)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=500", "-c", "shared_buffers=256MB"])
            // Like SQLite's WAL with synchronous=NORMAL: a crash of the machine may
            // lose the last commits, a crash of a process never does.
            .args(["-c", "synchronous_commit=off", "-c", if durable { "fsync=on" } else { "fsync=off" }])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start postgres: {e}"))?;
        let pg = Self { dir, child, port };
        for _ in 0..300 {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(pg);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(format!("Postgres did not start; see {}", pg.dir.join("log").display()))
    }

    /// The URL of its `postgres` database, as its superuser.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Makes a database of this name and answers its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        run(Command::new("psql")
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .stdout(Stdio::null()))?;
        Ok(format!("postgres://postgres@127.0.0.1:{}/{name}", self.port))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Fast shutdown (SIGINT) of the postmaster itself (the child may be runuser).
        let pid = std::fs::read_to_string(self.dir.join("data/postmaster.pid")).unwrap_or_default();
        if let Some(pid) = pid.lines().next().filter(|p| !p.is_empty()) {
            let _ = Command::new("kill").args(["-INT", pid]).status();
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Debian keeps the server's programs under /usr/lib/postgresql/<version>/bin.
fn postgres_bin() -> Result<PathBuf> {
    let mut versions: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "Postgres is not installed (apt-get install postgresql)".to_string())?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort_unstable();
    let version = versions.last().ok_or("no Postgres version under /usr/lib/postgresql")?;
    Ok(PathBuf::from(format!("/usr/lib/postgresql/{version}/bin")))
}
/// A child process stopped (SIGKILL) on drop.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A NATS server on its own port, stopped on drop.
pub fn nats() -> Result<(Guard, u16)> {
    let port = free_port()?;
    let child = Command::new("nats-server")
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start nats-server (apt-get install nats-server): {e}"))?;
    crate::wait_for(&format!("127.0.0.1:{port}"))?;
    Ok((Guard(child), port))
}

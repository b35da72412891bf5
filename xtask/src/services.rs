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

/// A Postgres server of our own, stopped on drop.
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
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
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=500 -c synchronous_commit=off \
             -c fsync={} -c shared_buffers=256MB",
            dir.display(),
            if durable { "on" } else { "off" }
        );
        let mut start = as_postgres(&bin.join("pg_ctl"));
        start.arg("-D").arg(&data).args(["-o", &options, "-l"]).arg(dir.join("log")).args(["-w", "start"]);
        run(start.stdout(Stdio::null()))?;
        Ok(Self { dir, bin, port })
    }

    /// The URL of its `postgres` database, as its superuser.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let mut stop = as_postgres(&self.bin.join("pg_ctl"));
        stop.arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "stop"]);
        let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
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

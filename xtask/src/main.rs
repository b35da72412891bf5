//! The project's task runner: `cargo xtask demo` and `cargo xtask test`.
//!
//! Both start by making sure this machine has every tool they need, installing
//! what is missing and skipping what is there, and say what they do as they go.
//! The README's two set-up commands are exactly these, so a fresh Debian machine
//! and CI take the same path a developer does.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod cluster;
mod services;

/// trunk, pinned. 0.22 declares a newer rust-version than this machine's stable
/// and builds fine with `--ignore-rust-version` (see shared/TOOLCHAIN.md).
const TRUNK_VERSION: &str = "0.22.1";
/// wasm-split-cli (crates.io: wasm_split_cli_support), pinned: splits the
/// overlay's sheets into a wasm module of their own (see xtask/split.mjs).
const WASM_SPLIT_VERSION: &str = "0.2.4";
/// twiggy (wasm size profiler, crates.io), pinned; only the bench needs it.
const TWIGGY_VERSION: &str = "0.7.0";
/// Debian packages the tests and the demo need.
const APT_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "ffmpeg",
    "fonts-dejavu-core",
    "python3",
    "python3-venv",
    "postgresql",
    "nats-server",
    "haproxy",
];
/// Where the contract test's server listens.
const CONTRACT_ADDR: &str = "127.0.0.1:18082";
/// Where the demo listens, unless `--addr` says otherwise.
const DEMO_ADDR: &str = "127.0.0.1:8080";
/// Where the end-to-end tests' server listens (must match playwright.config.ts).
const E2E_ADDR: &str = "127.0.0.1:18080";
/// The demo show's creator token in the end-to-end tests (must match tests/e2e/helpers.ts).
const E2E_TOKEN: &str = "e2e-creator-token";
/// The bench's sample brand site (served as http://localhost:PORT, another origin).
const BENCH_BRAND_ADDR: &str = "127.0.0.1:18092";
/// The second end-to-end server, streaming live HLS (see playwright.config.ts).
const E2E_LIVE_ADDR: &str = "127.0.0.1:18081";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("setup") => setup(),
        Some("e2e") => setup().and_then(|()| build_overlay()).and_then(|()| e2e(&args[1..])),
        Some("contract") => setup().and_then(|()| contract()),
        Some("postgres") => setup().and_then(|()| server_tests_on_postgres()),
        Some("cluster") => cluster_command(&args[1..]),
        Some("bench") => setup().and_then(|()| bench()),
        Some("size") => setup().and_then(|()| build_overlay()).and_then(|()| wasm_profile()),
        _ => {
            eprintln!(
                "usage: cargo xtask <demo|test|setup|e2e|contract|postgres|bench|size|cluster>\n\n  demo   set up, build, and run the demo at http://{DEMO_ADDR}\n  test   set up, build, and run every test\n  setup  only install the tools (skipping what is there)\n  e2e    only the end-to-end browser tests (then Playwright's arguments: spec files, -g pattern)\n  contract  only the API contract test (schemathesis)\n  postgres  only the server's tests on a throwaway Postgres (and the cluster tests, with NATS)\n  cluster   the demo on 3 server instances + Postgres + NATS behind HAProxy (--instances N, --addr; --test: its tests)\n  bench  the benchmarks: checkout throughput and latency; overlay tap latency and memory; Lighthouse; the wasm size profile\n  size   only the wasm size profile (twiggy: bytes per crate, largest functions)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    // xtask/ lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| ".".into())
}

/// Announces a step, with how long the one before it took and the time
/// since the first: a slow step shows in the log (CI's time limit is 90 min).
fn say(step: &str) {
    use std::sync::Mutex;
    use std::time::Instant;
    static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    static LAST: Mutex<Option<Instant>> = Mutex::new(None);
    let started = *STARTED.get_or_init(Instant::now);
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(previous) = last.replace(Instant::now()) {
        println!(
            "    (took {:.0} s; {:.0} s in all)",
            previous.elapsed().as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
    }
    println!("\n==> {step}");
}

/// A command run from the workspace root with the tools' PATH and settings.
fn cmd(program: &str) -> Command {
    let root = root();
    let mut c = Command::new(program);
    c.current_dir(&root);
    let cargo_bin = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|p| p.join("bin"));
    let mut paths: Vec<PathBuf> = vec![root.join("node_modules/.bin")];
    paths.extend(cargo_bin);
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    c.env("PATH", env::join_paths(paths).unwrap_or_default());
    // Trunk must never reach for GitHub or crates.io on its own.
    c.env("TRUNK_SKIP_VERSION_CHECK", "true");
    c
}

fn run(c: &mut Command) -> Result {
    let shown = format!(
        "{} {}",
        c.get_program().to_string_lossy(),
        c.get_args().map(OsStr::to_string_lossy).collect::<Vec<_>>().join(" ")
    );
    println!("    $ {shown}");
    let status = c.status().map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

fn output(c: &mut Command) -> Option<String> {
    let out = c.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

/// `apt-get`, through sudo when not root.
fn apt() -> Command {
    let mut c = if is_root() {
        Command::new("apt-get")
    } else {
        let mut c = Command::new("sudo");
        c.arg("apt-get");
        c
    };
    c.env("DEBIAN_FRONTEND", "noninteractive");
    c
}

fn setup() -> Result {
    say("Rust target wasm32-unknown-unknown");
    let targets = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if targets.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        println!("    already installed");
    } else {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    say(&format!("Debian packages: {}", APT_PACKAGES.join(", ")));
    let mut wanted: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            !output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_some_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if output(Command::new("npm").arg("--version")).is_none() {
        wanted.extend(["nodejs", "npm"]);
    }
    if wanted.is_empty() {
        println!("    already installed");
    } else {
        run(apt().args(["update", "-q"]))?;
        run(apt().args(["install", "-y", "-q", "--no-install-recommends"]).args(&wanted))?;
    }

    let bindgen = wasm_bindgen_version()?;
    say(&format!("wasm-bindgen-cli {bindgen} (the version in Cargo.lock)"));
    let have = output(cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(bindgen.as_str()) {
        println!("    already installed");
    } else {
        // Not --locked: its lockfile pins a crate release the registry mirror lacks.
        run(cmd("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen]))?;
    }

    say(&format!("trunk {TRUNK_VERSION}"));
    let have = output(cmd("trunk").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        println!("    already installed");
    } else {
        run(cmd("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION, "--ignore-rust-version"]))?;
    }

    say(&format!("wasm-split-cli {WASM_SPLIT_VERSION} (crate wasm_split_cli_support)"));
    let installed = output(cmd("cargo").args(["install", "--list"])).unwrap_or_default();
    if installed.contains(&format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:")) {
        println!("    already installed");
    } else {
        run(cmd("cargo").args([
            "install",
            "--locked",
            "wasm_split_cli_support",
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
        ]))?;
    }

    say("npm packages from package-lock.json (wasm-opt 132, Playwright)");
    let stamp = root().join("node_modules/.package-lock.json");
    let lock = root().join("package-lock.json");
    let fresh = match (modified(&stamp), modified(&lock)) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    if fresh {
        println!("    already installed");
    } else {
        run(cmd("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }

    let pinned = std::fs::read_to_string(root().join("tests/schemathesis/requirements.txt"))
        .map_err(|e| format!("reading tests/schemathesis/requirements.txt: {e}"))?;
    let version = pinned.trim().strip_prefix("schemathesis==").unwrap_or("").to_string();
    say(&format!("schemathesis {version} (PyPI, in a virtualenv under target/py)"));
    let st = root().join("target/py/bin/st");
    let have = output(Command::new(&st).arg("--version")).unwrap_or_default();
    if !version.is_empty() && have.trim().ends_with(&version) {
        println!("    already installed");
    } else {
        run(cmd("python3").args(["-m", "venv", "target/py"]))?;
        run(cmd("target/py/bin/pip").args(["install", "--quiet", "-r", "tests/schemathesis/requirements.txt"]))?;
    }

    say("Rust crates (trunk builds offline, so fetch them first)");
    run(cmd("cargo").args(["fetch", "--quiet"]))?;
    Ok(())
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The wasm-bindgen version Cargo.lock resolved: the CLI must be exactly this.
fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn build_overlay() -> Result {
    say("Building the overlay (trunk, release: wasm-opt -Oz)");
    run(cmd("trunk").args(["build", "--release"]))?;
    say("Splitting the sheets into a wasm module of their own (xtask/split.mjs)");
    run(cmd("node").args(["xtask/split.mjs", "dist"]))?;
    // After the overlay: its trunk build empties dist/, this one fills dist/studio/.
    say("Building the creator studio (trunk, studio/Trunk.toml, into dist/studio)");
    run(cmd("trunk").args(["build", "--release", "--config", "studio/Trunk.toml"]))
}

/// The server for the demo: only its own crates (a first demo compiles
/// least this way).
fn build_server() -> Result {
    say("Building the server");
    run(cmd("cargo").args(["build", "--package", "vetrina-server"]))
}

/// The server the tests start (`target/debug/vetrina-server`), built by the
/// same `cargo test --workspace` that runs the native tests. Cargo resolves
/// a crate's features from the packages a command selects, dev-dependencies
/// included for tests, so `cargo build -p vetrina-server` and
/// `cargo test -p vetrina-server` each compiled the server and a good part of
/// its dependencies a second and a third time (about two and a half minutes
/// of a fresh `cargo xtask test`). Every cargo command of the test run selects
/// the whole workspace, so after the native tests this is only a check.
fn build_server_for_tests() -> Result {
    say("Building the server (as the native tests built it)");
    run(cmd("cargo").args(["test", "--workspace", "--no-run", "--quiet"]))
}

fn demo(args: &[String]) -> Result {
    let addr = match args {
        [] => DEMO_ADDR.to_string(),
        [flag, addr] if flag == "--addr" => addr.clone(),
        _ => return Err("usage: cargo xtask demo [--addr HOST:PORT]".into()),
    };
    setup()?;
    build_overlay()?;
    build_server()?;
    say("Starting the demo: a live HLS stream made by ffmpeg, pins on its clock (Ctrl-C stops it; data lives in .vetrina/)");
    run(cmd("target/debug/vetrina-server").args([
        "--demo",
        "--live",
        "--dist",
        "dist",
        "--data-dir",
        ".vetrina",
        "--addr",
        &addr,
        // The sample brand site, a second origin embedding the show.
        "--brand-addr",
        "127.0.0.1:8081",
    ]))
}

fn cluster_command(args: &[String]) -> Result {
    let (mut instances, mut addr, mut test) = (3, DEMO_ADDR.to_string(), false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--instances" => instances = args.next().and_then(|n| n.parse().ok()).ok_or("--instances N")?,
            "--addr" => addr = args.next().ok_or("--addr HOST:PORT")?.clone(),
            "--test" => test = true,
            other => {
                return Err(format!(
                    "usage: cargo xtask cluster [--instances N] [--addr HOST:PORT] [--test] ({other}?)"
                ))
            }
        }
    }
    setup()?;
    build_overlay()?;
    if test {
        build_server_for_tests()?;
    } else {
        build_server()?;
    }
    if test {
        cluster::test()
    } else {
        cluster::demo(instances, &addr)
    }
}

fn test() -> Result {
    let started = std::time::Instant::now();
    setup()?;
    say("Formatting and lints (rustfmt, clippy with warnings as errors)");
    run(cmd("cargo").args(["fmt", "--all", "--check"]))?;
    run(cmd("cargo").args(["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"]))?;
    say("Native tests: domain, wire types, server API (on SQLite)");
    run(cmd("cargo").args(["test", "--workspace", "--quiet"]))?;
    say("Component tests in headless Chromium (wasm-bindgen-test)");
    run(cmd("cargo")
        .args(["test", "--package", "vetrina", "--target", "wasm32-unknown-unknown", "--test", "web"])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver"))?;
    contract()?;
    build_overlay()?;
    e2e(&[])?;
    server_tests_on_postgres()?;
    cluster::test()?;
    println!("\nAll tests passed in {:.0} s.", started.elapsed().as_secs_f64());
    Ok(())
}

/// The server's own tests (API, commerce, cut connections, offers…) again,
/// each test on a fresh database of a throwaway Postgres server; then the
/// cluster tests (several instances on one database, events over NATS).
fn server_tests_on_postgres() -> Result {
    say("The server's tests again on Postgres (a throwaway server: initdb into a temporary folder)");
    let pg = services::Postgres::start(false)?;
    // The whole workspace, as before (see `build_server_for_tests`): the other
    // crates' tests run again too, in seconds.
    run(cmd("cargo").args(["test", "--workspace", "--quiet"]).env("VETRINA_TEST_POSTGRES", pg.url()))?;
    contract_on(Some(&pg.create_database("contract")?))?;
    say("Cluster tests: server instances sharing that Postgres, events over a throwaway NATS");
    let (_nats, port) = services::nats()?;
    run(cmd("cargo")
        .args(["test", "--workspace", "--test", "cluster", "--", "--ignored", "--nocapture"])
        .env("VETRINA_TEST_POSTGRES", pg.url())
        .env("VETRINA_TEST_NATS", format!("nats://127.0.0.1:{port}")))
}

/// The API against its own OpenAPI document: schemathesis fuzzes every
/// operation (examples, coverage, random and stateful phases, every check)
/// against a real server on a fresh database; any failure fails the run.
fn contract() -> Result {
    contract_on(None)
}

/// [`contract`] against a server on the Postgres database at `database`, if given.
fn contract_on(database: Option<&str>) -> Result {
    build_server_for_tests()?;
    say(&format!(
        "API contract: schemathesis --checks all against a running server ({})",
        if database.is_some() { "on Postgres" } else { "on SQLite" }
    ));
    let data = root().join("target/contract-data");
    for f in ["vetrina.sqlite", "vetrina.sqlite-wal", "vetrina.sqlite-shm"] {
        let _ = std::fs::remove_file(data.join(f));
    }
    let mut server = cmd("target/debug/vetrina-server")
        .args(["--demo", "--host-every", "0", "--demo-token", "contract-token", "--addr", CONTRACT_ADDR])
        // The fuzzer is one client sending hundreds of checkouts and pins.
        .args(["--checkouts-per-minute", "0", "--pins-per-second", "0", "--carts-per-minute", "0"])
        // It presents wrong tokens on purpose, over and over (guessing is throttled otherwise).
        .args(["--wrong-tokens-per-minute", "0"])
        .args(database.map(|url| ["--database", url]).into_iter().flatten())
        .arg("--data-dir")
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start the server: {e}"))?;
    let result = wait_for(CONTRACT_ADDR).and_then(|()| {
        run(cmd("target/py/bin/st")
            .args(["--config-file", "tests/schemathesis/schemathesis.toml"])
            .args(["run", &format!("http://{CONTRACT_ADDR}/api/openapi.json"), "--checks", "all"])
            .args(["-H", "Authorization: Bearer contract-token"])
            // Replacing the creator token would lock the fuzzer out of every
            // creator operation after it; server/tests/api.rs covers it.
            .args(["--exclude-path", "/api/shows/{show}/creator-token"])
            // Event streams never end by themselves: a short timeout reads their start.
            .args(["--max-examples", "30", "--request-timeout", "2", "--seed", "1"])
            .env("NO_COLOR", "1"))
    });
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// The browser tests against a real server on a fresh database. Screenshots of
/// every step land in target/e2e-screenshots/.
/// Every end-to-end test, or those `only` names (Playwright's own arguments:
/// spec files, `-g pattern`).
fn e2e(only: &[String]) -> Result {
    build_server_for_tests()?;
    say("End-to-end tests in headless Chromium (Playwright), and the bundle budget");
    let data = root().join("target/e2e-data");
    let live_data = root().join("target/e2e-live-data");
    let stripe_data = root().join("target/e2e-stripe-data");
    // Fresh databases every run; the generated media (the video) is kept.
    for dir in [&data, &live_data, &stripe_data] {
        for f in ["vetrina.sqlite", "vetrina.sqlite-wal", "vetrina.sqlite-shm"] {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    let _ = std::fs::remove_dir_all(root().join("target/e2e-screenshots"));
    // Named files run one test at a time without the projects' chains
    // (playwright.config.ts): a dependency project would otherwise run whole.
    let one_by_one: &[&str] = if only.is_empty() { &[] } else { &["--no-deps", "--workers", "1"] };
    run(cmd("npx")
        .args(["playwright", "test"])
        .args(one_by_one)
        .args(only)
        .env("VETRINA_E2E_ADDR", E2E_ADDR)
        .env("VETRINA_E2E_TOKEN", E2E_TOKEN)
        .env("VETRINA_E2E_DATA", &data)
        .env("VETRINA_E2E_LIVE_ADDR", E2E_LIVE_ADDR)
        .env("VETRINA_E2E_LIVE_DATA", &live_data)
        .env("VETRINA_E2E_STRIPE_DATA", &stripe_data))
}

/// The benchmarks. They print numbers and judge nothing; see the README.
fn bench() -> Result {
    say("Checkout benchmark (release build of the server), on SQLite");
    run(cmd("cargo").args(["bench", "--package", "vetrina-server", "--bench", "checkout"]))?;
    say("The same on a throwaway Postgres (fsync on, synchronous_commit off)");
    {
        let pg = services::Postgres::start(true)?;
        run(cmd("cargo")
            .args(["bench", "--package", "vetrina-server", "--bench", "checkout"])
            .env("VETRINA_TEST_POSTGRES", pg.url()))?;
    }
    say("Checkout with Stripe (the stand-in for its API, every answer 300 ms late), on SQLite");
    run(cmd("cargo").args(["bench", "--package", "vetrina-server", "--bench", "checkout_stripe"]))?;
    say("LL-HLS: a crowd's blocking playlist requests for the next part, each answered when it exists (release build)");
    run(cmd("cargo").args(["bench", "--package", "vetrina-server", "--bench", "llhls"]))?;
    say("Event fan-out benchmark (release build of the server): one instance, then two on Postgres + NATS");
    {
        let pg = services::Postgres::start(true)?;
        let (_nats, port) = services::nats()?;
        run(cmd("cargo")
            .args(["bench", "--package", "vetrina-server", "--bench", "fanout"])
            .env("VETRINA_TEST_POSTGRES", pg.url())
            .env("VETRINA_TEST_NATS", format!("nats://127.0.0.1:{port}")))?;
    }
    build_overlay()?;
    wasm_profile()?;
    // A release build, as a brand runs it: Lighthouse's simulation adds each
    // origin's observed server time to every request, so a debug server's
    // milliseconds would be charged to the embed and the page.
    say("Building the server (release)");
    run(cmd("cargo").args(["build", "--release", "--package", "vetrina-server"]))?;
    say("Overlay benchmark in headless Chromium (tap latency with 4x CPU throttling, memory over 500 events)");
    let data = root().join("target/bench-data");
    for f in ["vetrina.sqlite", "vetrina.sqlite-wal", "vetrina.sqlite-shm"] {
        let _ = std::fs::remove_file(data.join(f));
    }
    let addr = "127.0.0.1:18090";
    let mut server = cmd("target/release/vetrina-server")
        .args([
            "--demo",
            "--host-every",
            "0",
            "--demo-token",
            "bench-token",
            "--pins-per-second",
            "0",
            "--addr",
            addr,
            "--dist",
            "dist",
            // The sample brand site, for what the embed costs a product page.
            "--brand-addr",
            BENCH_BRAND_ADDR,
        ])
        .arg("--data-dir")
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start the server: {e}"))?;
    // The same demo streaming live HLS, for pins on the video's clock.
    let live_addr = "127.0.0.1:18091";
    let live_data = root().join("target/bench-live-data");
    for f in ["vetrina.sqlite", "vetrina.sqlite-wal", "vetrina.sqlite-shm"] {
        let _ = std::fs::remove_file(live_data.join(f));
    }
    let mut live_server = cmd("target/release/vetrina-server")
        .args(["--demo", "--live", "--host-every", "0", "--demo-token", "bench-token", "--pins-per-second", "0"])
        .args(["--addr", live_addr, "--dist", "dist"])
        .arg("--data-dir")
        .arg(&live_data)
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start the live server: {e}"))?;
    let result = wait_for(addr)
        .and_then(|()| wait_for(live_addr))
        .and_then(|()| {
            run(cmd("node").arg("tests/bench/overlay.mjs").env("VETRINA_BENCH_URL", format!("http://{addr}")))
        })
        .and_then(|()| {
            say("Pin sync benchmark: cards on the video's clock (live HLS), and pin-to-paint on the plain SSE path");
            run(cmd("node")
                .arg("tests/bench/sync.mjs")
                .env("VETRINA_BENCH_URL", format!("http://{addr}"))
                .env("VETRINA_BENCH_LIVE_URL", format!("http://{live_addr}")))
        })
        .and_then(|()| {
            say("Studio: pin request to card in the preview (p50/p95), and how far the live video runs behind");
            run(cmd("node")
                .arg("tests/bench/studio.mjs")
                .env("VETRINA_BENCH_URL", format!("http://{addr}"))
                .env("VETRINA_BENCH_LIVE_URL", format!("http://{live_addr}")))
        })
        .and_then(|()| {
            say("The embed on a brand's product page, Lighthouse mobile with and without it: performance, LCP, TBT, CLS");
            let port = BENCH_BRAND_ADDR.rsplit(':').next().unwrap_or_default();
            run(cmd("node").arg("tests/bench/embed.mjs").env("VETRINA_BENCH_BRAND_URL", format!("http://localhost:{port}")))
        })
        .and_then(|()| {
            say("Lighthouse on the live demo page (mobile: slow 4G, 4x CPU): performance, LCP, TBT, CLS");
            run(cmd("node")
                .arg("tests/bench/lighthouse.mjs")
                .env("VETRINA_BENCH_LIVE_URL", format!("http://{live_addr}")))
        });
    for s in [&mut server, &mut live_server] {
        // SIGTERM first, so the live server stops its ffmpeg.
        let _ = cmd("kill").arg(s.id().to_string()).status();
        let _ = s.wait();
    }
    result
}

/// Where the overlay's wasm bytes go: twiggy on the wasm trunk just built,
/// before wasm-opt dropped its function names (so sizes are ~10% above the
/// shipped file's, in the same proportions). Prints the bytes per crate and the
/// largest functions; the full tables are saved in `target/bench/`.
fn wasm_profile() -> Result {
    say(&format!("Wasm size profile (twiggy {TWIGGY_VERSION})"));
    let have = output(cmd("twiggy").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) != Some(TWIGGY_VERSION) {
        run(cmd("cargo").args(["install", "twiggy", "--version", TWIGGY_VERSION]))?;
    }
    let out = root().join("target/bench/twiggy");
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    // The same wasm-bindgen step trunk ran, without wasm-opt: twiggy 0.7 cannot
    // parse wasm-opt 132's output, and the names are what we are after.
    run(cmd("wasm-bindgen")
        .args(["--target", "web", "--out-dir"])
        .arg(&out)
        .arg("target/wasm32-unknown-unknown/wasm-release/vetrina.wasm"))?;
    let wasm = out.join("vetrina_bg.wasm");
    let csv = output(cmd("twiggy").args(["top", "-n", "1000000", "--format", "csv"]).arg(&wasm))
        .ok_or("twiggy top failed")?;
    let top = output(cmd("twiggy").args(["top", "-n", "60"]).arg(&wasm)).unwrap_or_default();
    let mut by_crate: std::collections::BTreeMap<String, u64> = Default::default();
    for line in csv.lines().skip(1) {
        // Name,ShallowSize,... with the name quoted when it holds a comma.
        let (name, rest) = match line.strip_prefix('"') {
            Some(quoted) => quoted.split_once("\",").unwrap_or((quoted, "")),
            None => line.split_once(',').unwrap_or((line, "")),
        };
        let bytes: u64 = rest.split(',').next().and_then(|b| b.parse().ok()).unwrap_or(0);
        *by_crate.entry(crate_of(name)).or_default() += bytes;
    }
    let mut rows: Vec<(String, u64)> = by_crate.into_iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    let table: String = rows.iter().take(25).map(|(c, b)| format!("{b:>9}  {c}\n")).collect();
    println!("    bytes per crate (before wasm-opt, names excluded):\n{table}");
    for (file, text) in [("top.txt", &top), ("top.csv", &csv), ("crates.txt", &table)] {
        std::fs::write(out.join(file), text).map_err(|e| format!("writing {file}: {e}"))?;
    }
    println!("    largest functions: target/bench/twiggy/top.txt");
    // The shipping build's two modules (xtask/split.mjs), which twiggy 0.7
    // cannot read: the same count by crate from the names the build keeps.
    let split = root().join("target/split/split");
    let mut modules: Vec<PathBuf> = std::fs::read_dir(&split)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension() == Some(OsStr::new("wasm"))).collect()
        })
        .unwrap_or_default();
    modules.sort();
    if modules.is_empty() {
        println!("    no split build in target/split/ yet: `cargo xtask demo` or `cargo xtask test` makes one");
    } else {
        say("The shipping build's modules by crate (xtask/wasm-size.mjs): what the first frame needs, and the sheets");
        let report =
            output(cmd("node").arg("xtask/wasm-size.mjs").args(&modules)).ok_or("xtask/wasm-size.mjs failed")?;
        println!("{report}");
        std::fs::write(out.join("split-modules.txt"), &report)
            .map_err(|e| format!("writing split-modules.txt: {e}"))?;
    }
    Ok(())
}

/// The crate a twiggy item belongs to: the first path segment of its name,
/// through `<T as crate::Trait>` and `<crate::Type>` wrappers.
fn crate_of(name: &str) -> String {
    if name.contains("function names") || name.starts_with("custom section") {
        return "(names and custom sections)".into();
    }
    if name.starts_with("data[") {
        return "(data: strings and constants)".into();
    }
    let name = name.trim_start_matches(['<', '&']).trim_start_matches("mut ").trim_start_matches("dyn ");
    let name = name.strip_prefix("T as ").unwrap_or(name);
    let end = name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(name.len());
    match &name[..end] {
        "" => "(other)".into(),
        first if name[end..].starts_with("::") || name[end..].starts_with('[') => first.to_string(),
        _ => "(other)".into(),
    }
}

/// Waits until something accepts connections at `addr` (the demo video may take
/// half a minute to generate on first start).
fn wait_for(addr: &str) -> Result {
    for _ in 0..600 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Err(format!("nothing listened on {addr} within a minute"))
}

//! The server's layers, checked from its source: each folder of `src/` is a
//! layer (see `src/lib.rs`), and a layer uses only the layers below it; the
//! store, at the bottom, owns every query; and no module needs another which
//! needs it back. A change that breaks one of these fails here
//! with the file and line, instead of surfacing later as a second database
//! that needs edits in every handler.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The file's lines of code (comments, and so doc links, left out), numbered from 1.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(i, line)| (i + 1, line.to_string()))
        .collect()
}

/// The top-level module a file belongs to: `util` for `src/util.rs`,
/// `store` for anything under `src/store/`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().to_string();
    first.trim_end_matches(".rs").to_string()
}

/// Modules named after `crate::` on the line, whether `crate::x::y`, `crate::x`
/// or `use crate::{x, y::z}`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(group.split(',').map(|item| item.trim().split("::").next().unwrap_or("").to_string()));
        } else {
            found.push(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect());
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

#[test]
fn only_the_store_talks_to_the_database() {
    let mut leaks = Vec::new();
    for file in rust_files(&src()) {
        if module_of(&file) == "store" {
            continue;
        }
        for (n, line) in code_lines(&file) {
            if line.contains("sqlx") {
                leaks.push(format!("{}:{n}: {}", file.display(), line.trim()));
            }
        }
    }
    assert!(leaks.is_empty(), "queries and database types belong in src/store/:\n{}", leaks.join("\n"));
}

#[test]
fn the_store_knows_nothing_above_it() {
    let mut leaks = Vec::new();
    for file in rust_files(&src().join("store")) {
        for (n, line) in code_lines(&file) {
            // `util` (time, ids, hashes) is the one layer below the store.
            let above =
                crate_paths(&line).iter().any(|m| m != "util") || line.contains("axum") || line.contains("AppState");
            if above {
                leaks.push(format!("{}:{n}: {}", file.display(), line.trim()));
            }
        }
    }
    assert!(leaks.is_empty(), "the store must not use handlers, rules or HTTP:\n{}", leaks.join("\n"));
}

#[test]
fn no_module_needs_one_that_needs_it_back() {
    let files = rust_files(&src());
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).filter(|m| m != "lib" && m != "main").collect();
    let mut needs: BTreeMap<String, BTreeSet<String>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for file in &files {
        let from = module_of(file);
        let Some(edges) = needs.get_mut(&from) else { continue };
        for (_, line) in code_lines(file) {
            for to in crate_paths(&line) {
                if to != from && modules.contains(&to) {
                    edges.insert(to);
                }
            }
        }
    }
    // Depth-first search for a path that comes back to where it started.
    fn visit(
        m: &str,
        needs: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut circle = path[at..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in &needs[m] {
            if let Some(circle) = visit(next, needs, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in needs.keys() {
        if let Some(circle) = visit(m, &needs, &mut Vec::new(), &mut done) {
            panic!("modules that need each other: {}", circle.join(" -> "));
        }
    }
    // The check sees real edges (a test that cannot fail proves nothing).
    assert!(needs["shop"].contains("store") && needs["show"].contains("live"), "{needs:?}");
}

/// The server's layers, bottom first. `lib.rs` (which gathers the endpoints
/// and builds the app) and `main.rs` stand above them all.
const LAYERS: &[&str] = &["util", "store", "state", "http", "live", "show", "shop", "edge", "demo"];

/// Every module `src/` holds besides `lib.rs` and `main.rs`, with what it uses.
fn uses() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut uses: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let from = module_of(&file);
        if from == "lib" || from == "main" {
            continue;
        }
        let entry = uses.entry(from.clone()).or_default();
        for (n, line) in code_lines(&file) {
            for to in crate_paths(&line) {
                if to != from {
                    entry.entry(to).or_insert_with(|| format!("{}:{n}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    uses
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let uses = uses();
    let unplaced: Vec<&String> = uses.keys().filter(|m| !LAYERS.contains(&m.as_str())).collect();
    assert!(unplaced.is_empty(), "place these modules in LAYERS (tests/architecture.rs): {unplaced:?}");
    let mut upward = Vec::new();
    for (from, used) in &uses {
        let level = LAYERS.iter().position(|l| l == from).unwrap();
        for (to, at) in used {
            let Some(to_level) = LAYERS.iter().position(|l| l == to) else {
                upward.push(format!("{at} (`{to}` is not a layer: name a module, not the crate root)"));
                continue;
            };
            if to_level > level {
                upward.push(format!("{at} ({from} uses {to}, a layer above it)"));
            }
        }
    }
    assert!(upward.is_empty(), "a layer may use only the layers below it:\n{}", upward.join("\n"));
    // The check sees real edges.
    assert!(uses["shop"].contains_key("show") && uses["http"].contains_key("state"), "{uses:?}");
}

#[test]
fn crate_paths_reads_every_form() {
    assert_eq!(crate_paths("use crate::store::{self, Pool};"), ["store"]);
    assert_eq!(crate_paths("use crate::{auth, events::record};"), ["auth", "events"]);
    assert_eq!(crate_paths("let x = crate::orders::load(crate::util::now_ms());"), ["orders", "util"]);
    assert!(crate_paths("let crater = 1;").is_empty());
}

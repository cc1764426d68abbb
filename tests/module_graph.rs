//! The shape of the code, checked like behaviour: no crate's modules import each other in a
//! circle of more than two files, and the server's store names no layer above it. A circle
//! makes every module in it depend on all the others; these were broken up on purpose (see
//! ARCHITECTURE.md) and must not come back unnoticed.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

/// Each module's file (the directory's `*.rs`, not `lib.rs`/`main.rs`/`mod.rs`) and the sibling
/// modules its non-test code names through `prefix` (`crate::` in a crate's root, `super::` in
/// a module's folder).
fn imports(dir: &Path, prefix: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs")
            && !["lib", "main", "build", "mod"].contains(&name)
        {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let code = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default()
                .to_string();
            files.insert(name.to_string(), code);
        }
    }
    files
        .iter()
        .map(|(name, code)| {
            let named = paths(code, prefix)
                .into_iter()
                .filter(|m| m != name && files.contains_key(m))
                .collect();
            (name.clone(), named)
        })
        .collect()
}

/// The first segment of every path after `prefix`, including each item of
/// `use crate::{a, b::c}`.
fn paths(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            found.insert(first_segment(&item));
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.remove("");
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The circles (strongly connected components of more than one module), by Tarjan.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        for next in w.graph.get(v).into_iter().flatten() {
            let next = next.as_str();
            if !w.index.contains_key(next) {
                visit(w, next);
                let low = w.low[v].min(w.low[next]);
                w.low.insert(v, low);
            } else if w.stack.contains(&next) {
                let low = w.low[v].min(w.index[next]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut circle = Vec::new();
            while let Some(m) = w.stack.pop() {
                circle.push(m.to_string());
                if m == v {
                    break;
                }
            }
            if circle.len() > 1 {
                circle.sort();
                w.found.push(circle);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            visit(&mut walk, v);
        }
    }
    walk.found
}

/// Every `.rs` file under `dir`, in its folders too.
fn rs_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(rs_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_crate_has_an_import_circle_of_more_than_two_files() {
    for (dir, prefix) in [
        ("crates/xin-proto/src", "crate::"),
        ("crates/xin-cache/src", "crate::"),
        ("crates/xin-core/src", "crate::"),
        ("crates/xin-server/src", "crate::"),
        // Not yet the store's own files: its writer, log and views still form one ring with the
        // domains whose writes they carry (see ARCHITECTURE.md).
        ("crates/xin-server/src/routes", "super::"),
        ("src-tauri", "crate::"),
    ] {
        let graph = imports(&root().join(dir), prefix);
        assert!(graph.len() > 3, "{dir}: only {} modules read", graph.len());
        let big: Vec<_> = circles(&graph)
            .into_iter()
            .filter(|c| c.len() > 2)
            .collect();
        assert!(big.is_empty(), "{dir} has import circles: {big:?}");
    }
}

/// The store reads and writes, asking the pure rules what is allowed; the layers above it (the
/// hub, auth, routes) use it, never the other way round. Besides the rules it may name only the
/// error type, the clock and the secret helpers.
#[test]
fn the_store_names_no_layer_above_it() {
    let allowed = ["error", "time", "secrets", "rules", "store"];
    let server = imports(&root().join("crates/xin-server/src"), "crate::");
    let modules: BTreeSet<&String> = server.keys().collect();
    let files = rs_files(&root().join("crates/xin-server/src/store"));
    assert!(files.len() > 20, "{} store files read", files.len());
    for path in files {
        let code = std::fs::read_to_string(&path).unwrap_or_default();
        let code = code
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        for named in paths(code, "crate::") {
            assert!(
                allowed.contains(&named.as_str()) || !modules.contains(&named),
                "{} names crate::{named}",
                path.display()
            );
        }
    }
}

/// The store speaks to SQLite and PostgreSQL through one seam (`store/driver`): nothing else in
/// the server names an engine's own types, so every statement runs on both.
#[test]
fn only_the_store_driver_names_a_database_engine() {
    let src = root().join("crates/xin-server/src");
    let driver = src.join("store/driver");
    let files = rs_files(&src);
    assert!(files.len() > 40, "{} server files read", files.len());
    for path in files.iter().filter(|p| !p.starts_with(&driver)) {
        let code = std::fs::read_to_string(path).unwrap_or_default();
        for engine in ["rusqlite", "sqlx", "postgres::"] {
            assert!(!code.contains(engine), "{} names {engine}", path.display());
        }
    }
}

/// The server's rules decide from facts they are given: they read no database and name nothing
/// of the server but its error type.
#[test]
fn the_rules_are_pure() {
    let dir = root().join("crates/xin-server/src/rules");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let code = std::fs::read_to_string(entry.path()).unwrap_or_default();
        read += 1;
        for named in paths(&code, "crate::") {
            assert!(
                ["error", "rules"].contains(&named.as_str()),
                "{} names crate::{named}",
                entry.path().display()
            );
        }
        for io in ["rusqlite", "sqlx", "sql::", "tokio", "std::fs", "reqwest"] {
            assert!(!code.contains(io), "{} uses {io}", entry.path().display());
        }
    }
    assert!(read >= 2, "{read} files in {}", dir.display());
}

/// The checker itself: a planted circle is found, a chain is not.
#[test]
fn the_checker_finds_a_circle_and_passes_a_chain() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(
        circles(&graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])),
        vec![vec!["a".to_string(), "b".into(), "c".into()]]
    );
    assert!(circles(&graph(&[("a", "b"), ("b", "c")])).is_empty());
    assert_eq!(
        paths(
            "use crate::{engine::Engine, events::{A, B}, qr};\nlet x = crate::time::now();",
            "crate::"
        ),
        ["engine", "events", "qr", "time"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

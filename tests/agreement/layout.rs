//! The house stays readable: no source file over 600 lines, and no function of the product or its
//! tooling (functions/, local/, bench/) over 80 lines. Tests (`*_tests.rs`, `tests/` folders,
//! `#[cfg(test)]` modules) are exempt from the function bound, not from the file bound.

use std::path::{Path, PathBuf};

use crate::cfn::root;

const MAX_FILE_LINES: usize = 600;
const MAX_FUNCTION_LINES: usize = 80;
/// Where the function bound holds.
const PRODUCT_FOLDERS: &[&str] = &["functions", "local", "bench"];

/// The `.rs` files below `dir`, build output and hidden folders left out.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|err| panic!("reading {}: {err}", dir.display()));
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, found);
            }
        } else if name.ends_with(".rs") {
            found.push(path);
        }
    }
}

fn project_rust_files() -> Vec<(String, String)> {
    let root = root();
    let mut files = Vec::new();
    for top in ["functions", "local", "bench", "tests", "fuzz"] {
        rust_files(&root.join(top), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).expect("below the root");
            let text = std::fs::read_to_string(&path).expect("a source file");
            (relative.to_string_lossy().into_owned(), text)
        })
        .collect()
}

/// The text with comments, string and character literals blanked (newlines kept), so braces
/// and keywords are only the code's.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let rest = &chars[i..];
        let end = if rest.starts_with(&['/', '/']) {
            rest.iter().position(|&c| c == '\n').unwrap_or(rest.len())
        } else if rest.starts_with(&['/', '*']) {
            (2..rest.len())
                .find(|&k| rest[k - 1] == '*' && rest[k] == '/')
                .map_or(rest.len(), |k| k + 1)
        } else if rest[0] == 'r' && matches!(rest.get(1), Some('"' | '#')) {
            raw_string_len(rest)
        } else if rest[0] == '"' {
            quoted_len(rest, '"')
        } else if rest[0] == '\'' && is_char_literal(rest) {
            quoted_len(rest, '\'')
        } else {
            0
        };
        if end == 0 {
            out.push(chars[i]);
            i += 1;
        } else {
            chars[i..i + end].iter().for_each(|&c| blank(&mut out, c));
            i += end;
        }
    }
    out
}

/// The length of a quoted literal that starts at `rest[0]`, escapes included.
fn quoted_len(rest: &[char], quote: char) -> usize {
    let mut k = 1;
    while k < rest.len() {
        match rest[k] {
            '\\' => k += 2,
            c if c == quote => return k + 1,
            _ => k += 1,
        }
    }
    rest.len()
}

/// `r"…"`, `r#"…"#` and so on; 0 when `r` starts an identifier.
fn raw_string_len(rest: &[char]) -> usize {
    let hashes = rest[1..].iter().take_while(|&&c| c == '#').count();
    if rest.get(1 + hashes) != Some(&'"') {
        return 0;
    }
    let mut closing = vec!['"'];
    closing.extend(std::iter::repeat_n('#', hashes));
    (2 + hashes..rest.len())
        .find(|&k| rest[k..].starts_with(&closing))
        .map_or(rest.len(), |k| k + closing.len())
}

/// `'x'` or `'\n'`, not a lifetime such as `'a`.
fn is_char_literal(rest: &[char]) -> bool {
    rest.get(1) == Some(&'\\') || rest.get(2) == Some(&'\'')
}

/// Each `fn` outside test modules: its name, first line and length in lines.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(text);
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let test_modules = test_module_spans(&code);
    let mut found = Vec::new();
    for (at, _) in code.match_indices("fn ") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            || test_modules
                .iter()
                .any(|(start, end)| (*start..*end).contains(&at))
        {
            continue;
        }
        let name: String = code[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(body) = code[at..].find(['{', ';']).map(|k| at + k) else {
            continue;
        };
        if code[body..].starts_with('{') {
            let end = matching_brace(&code, body);
            found.push((name, line_of(at), line_of(end) - line_of(at) + 1));
        }
    }
    found
}

/// Where each `#[cfg(test)] mod … { … }` starts and ends.
fn test_module_spans(code: &str) -> Vec<(usize, usize)> {
    code.match_indices("#[cfg(test)]")
        .filter_map(|(at, _)| {
            let after = code[at..].trim_start_matches("#[cfg(test)]").trim_start();
            let open = at + code[at..].find(['{', ';'])?;
            (after.starts_with("mod ") && code[open..].starts_with('{'))
                .then(|| (at, matching_brace(code, open)))
        })
        .collect()
}

fn matching_brace(code: &str, open: usize) -> usize {
    let mut depth = 0usize;
    for (k, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + k;
                }
            }
            _ => {}
        }
    }
    code.len()
}

fn is_test_file(path: &str) -> bool {
    path.ends_with("_tests.rs")
        || path.contains("/tests/")
        || path.starts_with("tests/")
        || path.ends_with("test_support.rs")
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = project_rust_files()
        .into_iter()
        .filter(|(_, text)| text.lines().count() > MAX_FILE_LINES)
        .map(|(path, text)| format!("{path}: {} lines", text.lines().count()))
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_FILE_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_product_or_tooling_function_is_over_80_lines() {
    let mut long = Vec::new();
    for (path, text) in project_rust_files() {
        let product = PRODUCT_FOLDERS
            .iter()
            .any(|folder| path.starts_with(&format!("{folder}/")));
        if !product || is_test_file(&path) {
            continue;
        }
        for (name, line, lines) in functions(&text) {
            if lines > MAX_FUNCTION_LINES {
                long.push(format!("{path}:{line} {name}: {lines} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_scanner_measures_functions_and_skips_literals_comments_and_test_modules() {
    let text = "fn short() {\n    let s = \"}\"; // }\n    let c = '}';\n}\n\
                fn long<'a>(x: &'a str) {\n    let r = r#\"{\"#;\n\n\n}\n\
                #[cfg(test)]\nmod tests {\n    fn hidden() {\n    }\n}\n";
    let found = functions(text);
    assert_eq!(
        found,
        vec![("short".to_string(), 1, 4), ("long".to_string(), 5, 5)]
    );
}

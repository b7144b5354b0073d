//! Files a user did not write, read within `cloudwright_core::limits`: a file's text up to
//! a size, YAML whose nesting is checked before it is parsed. Every reader of YAML in the
//! toolkit parses through [`yaml`] (CloudFormation YAML through `cfn_yaml_to_json`, which
//! calls it).

use std::path::Path;

use cloudwright_core::limits::{self, NESTING};
use cloudwright_core::{Error, Result};
use serde::de::DeserializeOwned;

/// The YAML or JSON file at `path`, parsed (an input file: at most `limits::INPUT_BYTES`).
pub(crate) fn read_yaml<T: DeserializeOwned>(path: &Path) -> Result<T> {
    yaml(&limits::read_text(path, limits::INPUT_BYTES)?, &path.display().to_string())
}

/// `text` parsed as YAML; `path` names it in errors (`:LINE:COLUMN` when known).
pub(crate) fn yaml<T: DeserializeOwned>(text: &str, path: &str) -> Result<T> {
    check_yaml_nesting(text, path)?;
    serde_yaml::from_str(text).map_err(|e| Error::Input {
        path: match e.location() {
            Some(l) => format!("{path}:{}:{}", l.line(), l.column()),
            None => second_document(text).map_or_else(|| path.to_owned(), |line| format!("{path}:{line}")),
        },
        message: format!("is not valid YAML: {e}"),
    })
}

/// The line of the marker (`---`, or `...` ending the first) where a second document
/// begins, which the parser names no place for (a template or spec is one document); the
/// first line when no marker is found.
fn second_document(text: &str) -> Option<usize> {
    let mut content = false;
    for (i, line) in text.lines().enumerate() {
        if (line.starts_with("---") || line.starts_with("...")) && content {
            return Some(i + 1);
        }
        content |= !line.trim().is_empty() && !line.trim_start().starts_with('#');
    }
    Some(1)
}

/// Refuses YAML whose flow collections (`[...]`, `{...}`) nest deeper than
/// `limits::NESTING`, in one pass over the bytes. The parser refuses the same text too, but
/// only after time that grows with the square of the depth (libyaml checks every open flow
/// level at every token: 100,000 levels took 21 s). Block collections need no check: their
/// depth costs indentation, so the size limit bounds it, and the parser is linear in it.
///
/// The scan follows YAML's tokens far enough to know where a collection may begin (a
/// bracket inside a quoted or plain scalar, a comment or a block scalar opens none), and
/// errs towards counting: a text it overcounts is deeper than any template anyway.
pub(crate) fn check_yaml_nesting(text: &str, path: &str) -> Result<()> {
    match flow_depth_exceeded(text.as_bytes(), NESTING) {
        None => Ok(()),
        Some(line) => Err(Error::Input {
            path: format!("{path}:{line}"),
            message: format!(
                "nests YAML collections ([...] or {{...}}) more than {NESTING} deep; no template needs that many \
                 levels: flatten the value"
            ),
        }),
    }
}

/// The 1-based line where flow collections first nest deeper than `max`, if they do.
fn flow_depth_exceeded(b: &[u8], max: usize) -> Option<usize> {
    let mut scan = Scan { b, i: 0, line: 1 };
    let mut depth = 0usize;
    // Where a node may begin: a bracket here opens a collection, a quote a quoted scalar.
    let mut node_start = true;
    // Column of the node that owns what follows on this line (a block scalar's parent).
    let mut owner_col = 0usize;
    let mut line_start = 0usize;
    while let Some(&c) = b.get(scan.i) {
        let space_before = scan.i == 0 || matches!(b[scan.i - 1], b' ' | b'\t' | b'\n' | b'\r');
        let next = b.get(scan.i + 1).copied();
        let ends = |n: Option<u8>| matches!(n, None | Some(b' ' | b'\t' | b'\n' | b'\r'));
        match c {
            b'\n' => {
                scan.newline();
                line_start = scan.i;
                if depth == 0 {
                    node_start = true;
                    owner_col = indentation(b, scan.i);
                }
                continue;
            }
            b' ' | b'\t' | b'\r' => {}
            b'#' if space_before => {
                scan.skip_line();
                continue;
            }
            b'[' | b'{' if node_start || depth > 0 => {
                depth += 1;
                if depth > max {
                    return Some(scan.line);
                }
                node_start = true;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                // `]:` ends a key in flow context (JSON style), as after a quoted scalar.
                node_start = false;
                if next == Some(b':') {
                    scan.i += 1;
                    node_start = true;
                }
            }
            b',' if depth > 0 => node_start = true,
            b'\'' | b'"' if node_start => {
                scan.quoted(c);
                node_start = false;
                if b.get(scan.i + 1) == Some(&b':') {
                    scan.i += 1;
                    node_start = true;
                }
            }
            b'-' | b'?' | b':'
                if ends(next) || (depth > 0 && c == b':' && matches!(next, Some(b',' | b']' | b'}'))) =>
            {
                if depth == 0 && c != b':' {
                    owner_col = scan.i - line_start;
                }
                node_start = true;
            }
            b'-' | b'.'
                if depth == 0
                    && scan.i == line_start
                    && b[scan.i..].starts_with(&[c, c, c])
                    && ends(b.get(scan.i + 3).copied()) =>
            {
                // A document marker (`---`, `...`): a node may follow on its line.
                scan.i += 3;
                node_start = true;
                continue;
            }
            b'!' | b'&' if node_start => {
                scan.word();
                continue;
            }
            b'|' | b'>' if node_start && depth == 0 => {
                scan.skip_line();
                scan.block_scalar(owner_col);
                line_start = scan.i;
                node_start = true;
                owner_col = indentation(b, scan.i);
                continue;
            }
            _ => {
                if depth == 0 && node_start {
                    owner_col = scan.i - line_start;
                }
                node_start = false;
            }
        }
        scan.i += 1;
    }
    None
}

/// The number of spaces that begin the line starting at `i`.
fn indentation(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|&&c| c == b' ').count()
}

/// A position in the text and its line.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
    line: usize,
}

impl Scan<'_> {
    fn newline(&mut self) {
        self.i += 1;
        self.line += 1;
    }

    /// To the line break ending this line (not past it).
    fn skip_line(&mut self) {
        while self.b.get(self.i).is_some_and(|&c| c != b'\n') {
            self.i += 1;
        }
    }

    /// Past a tag or anchor name: to whitespace or a flow indicator.
    fn word(&mut self) {
        while self
            .b
            .get(self.i)
            .is_some_and(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}'))
        {
            self.i += 1;
        }
    }

    /// From the opening `quote` to its closing one (left on it); `''` and `\"` escape.
    fn quoted(&mut self, quote: u8) {
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\n' => self.line += 1,
                b'\\' if quote == b'"' => {
                    if self.b.get(self.i + 1) == Some(&b'\n') {
                        self.line += 1;
                    }
                    self.i += 1;
                }
                _ if c == quote => {
                    if quote == b'\'' && self.b.get(self.i + 1) == Some(&b'\'') {
                        self.i += 1;
                    } else {
                        return;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// Past the lines of a block scalar (at the line break after its `|` or `>`): blank
    /// lines and lines indented more than its owner's column.
    fn block_scalar(&mut self, owner_col: usize) {
        while self.b.get(self.i) == Some(&b'\n') {
            let start = self.i + 1;
            let rest = &self.b[start..];
            let indent = indentation(self.b, start);
            let blank = rest[indent..].first().is_none_or(|&c| matches!(c, b'\n' | b'\r'));
            if !blank && indent <= owner_col {
                return;
            }
            self.newline();
            self.skip_line();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::time::{Duration, Instant};

    use super::*;

    fn depth_ok(text: &str, max: usize) -> bool {
        flow_depth_exceeded(text.as_bytes(), max).is_none()
    }

    #[test]
    fn flow_collections_deeper_than_the_limit_are_refused_at_their_line() {
        assert!(depth_ok("A: [[1]]\n", 2));
        assert_eq!(flow_depth_exceeded(b"A: 1\nB: [[[1]]]\n", 2), Some(2));
        assert_eq!(flow_depth_exceeded(b"A: {a: {b: [1]}}\n", 2), Some(1));
        assert_eq!(flow_depth_exceeded(b"- !Sub [[[x]]]\n", 2), Some(1));
        assert_eq!(flow_depth_exceeded(b"--- [[[x]]]\n", 2), Some(1));
        assert_eq!(flow_depth_exceeded(b"A: &a [[[x]]]\n", 2), Some(1));
        assert_eq!(flow_depth_exceeded(b"A: [\"a\":[[x]]]\n", 2), Some(1));
        assert_eq!(flow_depth_exceeded(b"A: [a: [[x]]]\n", 2), Some(1));
        assert_eq!(flow_depth_exceeded(b"A: [it's, [[x]]]\n", 2), Some(1), "a quote inside a plain scalar");
        assert_eq!(flow_depth_exceeded(b"A: x 'y\nB: [[[x]]]\n", 2), Some(2), "a quote inside a plain scalar");
        assert_eq!(flow_depth_exceeded(b"- key: |\n    text\n  B: [[[x]]]\n", 2), Some(3), "after a block scalar");
    }

    #[test]
    fn brackets_that_open_no_collection_are_not_counted() {
        assert!(depth_ok("A: a [[[ b\nB: '[[['\nC: \"[[[\\\"[[[\"\n# [[[\nD: x # [[[\n", 1));
        assert!(depth_ok("A: |\n  [[[[\n  {{{{\n\n  [[[\nB: >-\n   [[[\nC: [1]\n", 1));
        assert!(depth_ok("A: 'it''s [[['\nB: [\"a]\", '['] # ]]]\n", 1));
        assert!(depth_ok("A: !Sub '${X}[[['\n", 0));
    }

    #[test]
    fn every_snapshot_and_fixture_template_passes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut seen = 0;
        let mut stack =
            vec![root.join("snapshots"), root.join("toolkit/tests/fixtures"), root.join("synth-cli/tests/fixtures")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // Jinja source is no YAML until rendered; its `{{` are no collections.
                    if !text.contains("{{") && !text.contains("{%") {
                        assert!(depth_ok(&text, 12), "{}", path.display());
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 0);
    }

    /// Would have hung: 100,000 nested flow sequences took 21 s (release) in the parser.
    #[test]
    fn deep_flow_nesting_is_refused_at_once() {
        for text in
            ["X: ".to_owned() + &"[".repeat(100_000) + &"]".repeat(100_000), "X: ".to_owned() + &"{a: ".repeat(100_000)]
        {
            let start = Instant::now();
            let e = yaml::<serde_json::Value>(&text, "deep.yaml").unwrap_err().to_string();
            assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
            assert!(e.starts_with("deep.yaml:1: nests YAML collections"), "{e}");
        }
    }
}

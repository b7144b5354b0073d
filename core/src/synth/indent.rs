//! A pretty-printing JSON formatter that writes the same bytes as serde_json's
//! `PrettyFormatter`, but each line break and its indentation in one write.
//!
//! `PrettyFormatter` writes the indentation one level at a time: for a deeply nested
//! template that is several writes per line, and the templates of a large app have
//! millions of lines.

use std::io::{self, Write};

use serde_json::ser::Formatter;

/// Indentation levels served from one buffer; deeper levels write the rest level by level.
const LEVELS: usize = 32;

pub(crate) struct Indented<'a> {
    indent: &'a [u8],
    /// A line break followed by `LEVELS` indentations.
    line: Vec<u8>,
    level: usize,
    has_value: bool,
}

impl<'a> Indented<'a> {
    pub(crate) fn new(indent: &'a [u8]) -> Self {
        let mut line = Vec::with_capacity(1 + LEVELS * indent.len());
        line.push(b'\n');
        for _ in 0..LEVELS {
            line.extend_from_slice(indent);
        }
        Indented { indent, line, level: 0, has_value: false }
    }

    /// A line break and the current indentation.
    fn new_line<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        let served = self.level.min(LEVELS);
        w.write_all(&self.line[..1 + served * self.indent.len()])?;
        for _ in served..self.level {
            w.write_all(self.indent)?;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, w: &mut W, open: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(open)
    }

    fn end<W: ?Sized + Write>(&mut self, w: &mut W, close: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(w)?;
        }
        w.write_all(close)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.new_line(w)
    }
}

impl Formatter for Indented<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.begin(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;

    fn pretty(value: &serde_json::Value, indent: &[u8], ours: bool) -> String {
        let mut out = Vec::new();
        if ours {
            value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, Indented::new(indent))).unwrap();
        } else {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
            value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, formatter)).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_what_serde_json_pretty_formatter_writes() {
        let mut deep = json!("leaf");
        for i in 0..(LEVELS + 5) {
            deep = if i % 2 == 0 { json!([deep, {}, []]) } else { json!({"k": deep, "e": [], "n": null}) };
        }
        let value = json!({"a": [1, {"b": "x\n\"y\""}, [], {}], "c": {}, "d": [[]], "deep": deep, "e": 2.5});
        for indent in [&b" "[..], b"  ", b"\t"] {
            assert_eq!(pretty(&value, indent, true), pretty(&value, indent, false));
        }
    }
}

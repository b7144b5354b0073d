//! Rust names and doc text from CloudFormation names and descriptions.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, 2024 edition).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers: these get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Type names the generated code uses unqualified, so a definition may not take them.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Value",
    "Serialize",
    "Option",
    "Some",
    "None",
    "Vec",
    "String",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "Deref",
    "Construct",
    "Expr",
    "CfnResource",
    "TagFormat",
    "IndexMap",
];

/// A snake_case identifier for a property or module name, as the text of a Rust identifier
/// (raw `r#type` for keywords).
pub fn snake_ident(name: &str) -> String {
    let mut s = name.to_snake_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("n{s}");
    }
    escape_keyword(s)
}

/// An UpperCamelCase type name; never empty, never starting with a digit.
pub fn type_name(name: &str) -> String {
    let s = name.to_upper_camel_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{s}")
    } else if s == "Self" {
        "SelfValue".into()
    } else {
        s
    }
}

/// An enum variant name for a string value, e.g. `aws:kms` -> `AwsKms`, `1.0` -> `V1_0`.
pub fn variant_name(value: &str) -> String {
    let s = value.to_upper_camel_case();
    if s.is_empty() {
        // Only punctuation: spell out the common ones.
        let spelled: String = value
            .chars()
            .map(|c| match c {
                '*' => "Star",
                '-' => "Dash",
                '.' => "Dot",
                '/' => "Slash",
                _ => "X",
            })
            .collect();
        if spelled.is_empty() { "Empty".into() } else { spelled }
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        // Keep digit groups apart: `1.0` and `10` must not both become `V10`.
        let mut out = String::from("V");
        let mut last_sep = false;
        for c in value.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_uppercase());
                last_sep = false;
            } else if !last_sep {
                out.push('_');
                last_sep = true;
            }
        }
        out.trim_end_matches('_').to_owned()
    } else if s == "Self" {
        "SelfValue".into()
    } else {
        s
    }
}

fn escape_keyword(s: String) -> String {
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// Picks `preferred`, else the first free `preferred2`, `preferred3`, ...
pub fn unique(preferred: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let mut name = preferred.to_owned();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{preferred}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// Doc text from a schema description: its first sentence (descriptions put paragraphs and
/// list items on lines of their own; the CloudFormation page has the rest), `` `` `` quoting
/// made Markdown, brackets and angle brackets escaped unless they form a Markdown link,
/// bare URLs wrapped in `<...>`, and cut at a word near `max` characters.
pub fn doc_text(description: &str, max: usize) -> String {
    let first = description.trim().lines().next().unwrap_or("");
    let one_line = first.split_whitespace().collect::<Vec<_>>().join(" ").replace("``", "`");
    let short = shorten(first_sentence(&one_line), max);
    markdown_safe(&short)
}

/// Words ending in a period that do not end a sentence.
const ABBREVIATIONS: &[&str] = &["e.g.", "i.e.", "etc.", "vs.", "Inc.", "Ltd.", "No.", "approx.", "Corp."];

/// The text up to its first sentence end: a period, `!` or `?` followed by a space and an
/// upper-case letter, outside `` `code` `` and `[links](...)`.
fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    let (mut in_code, mut brackets, mut parens) = (false, 0i32, 0i32);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'[' if !in_code => brackets += 1,
            b']' if !in_code => brackets -= 1,
            b'(' if !in_code => parens += 1,
            b')' if !in_code => parens -= 1,
            b'.' | b'!' | b'?' if !in_code && brackets <= 0 && parens <= 0 => {
                let next_upper =
                    bytes.get(i + 1) == Some(&b' ') && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase);
                let word = text[..=i].rsplit(' ').next().unwrap_or("");
                if next_upper && !ABBREVIATIONS.contains(&word) {
                    return &text[..=i];
                }
            }
            _ => {}
        }
    }
    text
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    // Prefer a sentence end, else a word boundary. Never cut inside a Markdown link.
    let cut = match cut.rfind(". ") {
        Some(i) if i > max / 3 => cut[..=i].to_owned(),
        _ => match cut.rfind(' ') {
            Some(i) => format!("{}...", &cut[..i]),
            None => format!("{cut}..."),
        },
    };
    close_links(&cut)
}

/// Drops a trailing unterminated `[text](url` or `` `code `` so the cut text stays well formed.
fn close_links(text: &str) -> String {
    let mut t = text.to_owned();
    if let Some(open) = t.rfind('[') {
        let rest = &t[open..];
        let complete = rest.find("](").is_some_and(|i| rest[i..].contains(')'));
        if !complete && rest.contains("](") {
            t.truncate(open);
            t = format!("{}...", t.trim_end());
        }
    }
    if t.matches('`').count() % 2 == 1 {
        t.push('`');
    }
    t
}

fn markdown_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        // A Markdown link `[text](url)`: copied as is.
        if let Some(len) = (c == '[').then(|| link_len(&chars[i..])).flatten() {
            out.extend(&chars[i..i + len]);
            i += len;
            continue;
        }
        // A bare URL: wrapped so rustdoc does not warn.
        if starts_with(&chars[i..], "https://") || starts_with(&chars[i..], "http://") {
            let end = chars[i..]
                .iter()
                .position(|c| c.is_whitespace() || matches!(c, ')' | '>' | '"' | ',' | ';'))
                .map_or(chars.len(), |p| i + p);
            let mut url: String = chars[i..end].iter().collect();
            let mut tail = String::new();
            while url.ends_with('.') {
                url.pop();
                tail.push('.');
            }
            out.push('<');
            out.push_str(&url);
            out.push('>');
            out.push_str(&tail);
            i = end;
            continue;
        }
        if matches!(c, '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

fn starts_with(chars: &[char], prefix: &str) -> bool {
    prefix.chars().enumerate().all(|(i, p)| chars.get(i) == Some(&p))
}

/// The length of a `[text](url)` link at the start of `chars`, if there is one.
fn link_len(chars: &[char]) -> Option<usize> {
    let close = chars.iter().position(|&c| c == ']')?;
    if chars[1..close].contains(&'[') || chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = chars[close..].iter().position(|&c| c == ')')? + close;
    let url: String = chars[close + 2..end].iter().collect();
    (url.starts_with("http") && !url.contains(' ')).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_or_underscored() {
        assert_eq!(snake_ident("Type"), "r#type");
        assert_eq!(snake_ident("Self"), "self_");
        assert_eq!(snake_ident("Match"), "r#match");
        assert_eq!(snake_ident("KMSMasterKeyID"), "kms_master_key_id");
        assert_eq!(snake_ident("3Bucket"), "n3bucket");
    }

    #[test]
    fn variants() {
        assert_eq!(variant_name("aws:kms"), "AwsKms");
        assert_eq!(variant_name("AES256"), "Aes256");
        assert_eq!(variant_name("1.0"), "V1_0");
        assert_eq!(variant_name("10"), "V10");
        assert_eq!(variant_name("*"), "Star");
        assert_eq!(variant_name(""), "Empty");
    }

    #[test]
    fn docs_are_markdown_safe_and_short() {
        assert_eq!(doc_text("The ``Foo`` of <bucket>[1].", 100), r"The `Foo` of \<bucket\>\[1\].");
        assert_eq!(
            doc_text("See [docs](https://x.y/z) or https://a.b/c.", 100),
            "See [docs](https://x.y/z) or <https://a.b/c>."
        );
        assert_eq!(doc_text("One.\n Two.", 100), "One.");
        let long = "A sentence here. ".repeat(40);
        assert!(doc_text(&long, 100).len() <= 100);
        assert_eq!(doc_text("a `<b>` c", 100), "a `<b>` c");
        assert_eq!(
            doc_text("Use `a. B` or [x. Y](https://x.y), e.g. Z. Then more.", 100),
            "Use `a. B` or [x. Y](https://x.y), e.g. Z."
        );
        assert_eq!(doc_text("Version 1.2 works. Rest.", 100), "Version 1.2 works.");
    }
}

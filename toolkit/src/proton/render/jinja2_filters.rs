//! The Jinja2 built-in filters and tests that minijinja lacks or whose arguments or results differ from
//! Jinja2 3.1's (positional arguments, `attribute=`, Python's rounding and number parsing, HTML
//! escaping, `tojson` with sorted keys). Jinja2's filters are documented at
//! <https://jinja.palletsprojects.com/en/3.1.x/templates/#list-of-builtin-filters>.

use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};
use serde_json::Value as Json;

use super::jinja2::py_str;

/// Registers the filters, replacing minijinja's of the same name.
pub fn add_to(env: &mut Environment<'static>) {
    env.add_filter("truncate", |state: &State, v: Value, args: Rest<Value>, kw: Kwargs| {
        let kw = positional(&["length", "killwords", "end", "leeway"], &args, kw)?;
        minijinja_contrib::filters::truncate(state, &v, kw)
    });
    env.add_filter("wordwrap", wordwrap);
    env.add_filter("dictsort", |v: Value, args: Rest<Value>, kw: Kwargs| {
        minijinja::filters::dictsort(&v, positional(&["case_sensitive", "by", "reverse"], &args, kw)?)
    });
    env.add_filter("sort", |state: &State, v: Value, args: Rest<Value>, kw: Kwargs| {
        minijinja::filters::sort(state, v, positional(&["reverse", "case_sensitive", "attribute"], &args, kw)?)
    });
    env.add_filter("unique", |state: &State, v: Value, args: Rest<Value>, kw: Kwargs| {
        minijinja::filters::unique(state, v, positional(&["case_sensitive", "attribute"], &args, kw)?)
    });
    env.add_filter("min", |v: Value, args: Rest<Value>, kw: Kwargs| extreme(v, &args, kw, std::cmp::Ordering::Less));
    env.add_filter("max", |v: Value, args: Rest<Value>, kw: Kwargs| extreme(v, &args, kw, std::cmp::Ordering::Greater));
    env.add_filter("sum", sum);
    env.add_filter("join", join);
    env.add_filter("round", round);
    env.add_filter("replace", replace);
    env.add_filter("int", int);
    env.add_filter("float", float);
    env.add_filter("indent", indent);
    env.add_filter("escape", escape);
    env.add_filter("e", escape);
    env.add_filter("tojson", tojson);
    env.add_filter("format", format);
    env.add_filter("filesizeformat", minijinja_contrib::filters::filesizeformat);
    env.add_filter("striptags", minijinja_contrib::filters::striptags);
    env.add_filter("center", center);
    env.add_filter("forceescape", forceescape);
    env.add_filter("wordcount", wordcount);
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("string", |v: Value| py_str(&v));
    env.add_filter("list", list);
    // Functions and macros are the plain objects a template can hold.
    env.add_test("callable", |v: Value| v.kind() == ValueKind::Plain);
}

/// Jinja2's `format` (Python's `%` formatting): minijinja's, with each `%s` argument as
/// Python's `str` and `%r` as its `repr`.
fn format(state: &State, fmt: Value, args: Rest<Value>) -> Result<Value, Error> {
    let text = py_str(&fmt);
    let mut out = String::with_capacity(text.len());
    let mut args: Vec<Value> = args.to_vec();
    let mut index = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '%' {
            continue;
        }
        if chars.peek() == Some(&'%') {
            out.extend(chars.next());
            continue;
        }
        let named = chars.peek() == Some(&'(');
        if named {
            for n in chars.by_ref() {
                out.push(n);
                if n == ')' {
                    break;
                }
            }
        }
        // Flags, width, precision and length modifier come before the conversion type.
        while let Some(n) = chars.next_if(|n| !n.is_ascii_alphabetic() || "hlL".contains(*n)) {
            out.push(n);
        }
        let Some(kind) = chars.next() else { break };
        let arg = args.get_mut(index).filter(|_| !named);
        match (kind, arg) {
            ('s', Some(a)) => *a = Value::from(py_str(a)),
            ('r', Some(a)) => *a = Value::from(super::jinja2::py_repr(a)),
            _ => {}
        }
        out.push(if kind == 'r' { 's' } else { kind });
        if !named {
            index += 1;
        }
    }
    minijinja::filters::format(state, &Value::from(out), Rest(args))
}

/// Jinja2's positional arguments as the keyword arguments minijinja's filter takes.
fn positional(names: &[&str], args: &[Value], kwargs: Kwargs) -> Result<Kwargs, Error> {
    if args.len() > names.len() {
        return Err(Error::new(ErrorKind::TooManyArguments, format!("at most {} arguments", names.len())));
    }
    let mut all: Vec<(String, Value)> = names.iter().zip(args).map(|(n, v)| ((*n).to_owned(), v.clone())).collect();
    for key in kwargs.args() {
        all.push((key.to_owned(), kwargs.peek::<Value>(key)?));
    }
    Ok(Kwargs::from_iter(all))
}

/// The argument named `name`, at `index` when positional.
fn arg(args: &[Value], kw: &Kwargs, index: usize, name: &str) -> Result<Option<Value>, Error> {
    match (args.get(index), kw.get::<Option<Value>>(name)?.as_ref()) {
        (Some(_), Some(_)) => Err(Error::new(ErrorKind::TooManyArguments, format!("{name} given twice"))),
        (Some(v), None) | (None, Some(v)) => Ok(Some(v.clone())),
        (None, None) => Ok(None),
    }
}

/// `value[attribute]` where the attribute may be dotted (`a.b`) or an index.
fn attribute(value: &Value, path: &str) -> Result<Value, Error> {
    let mut v = value.clone();
    for part in path.split('.') {
        v = match part.parse::<i64>() {
            Ok(i) => v.get_item(&Value::from(i))?,
            Err(_) => v.get_attr(part)?,
        };
    }
    Ok(v)
}

fn items(v: Value, attr: Option<&Value>) -> Result<Vec<Value>, Error> {
    let iter = v.try_iter()?;
    match attr.and_then(Value::as_str) {
        Some(path) => iter.map(|item| attribute(&item, path)).collect(),
        None => Ok(iter.collect()),
    }
}

/// Jinja2's `min`/`max(case_sensitive=False, attribute=None)`: the first extreme item.
fn extreme(v: Value, args: &[Value], kw: Kwargs, want: std::cmp::Ordering) -> Result<Value, Error> {
    let case_sensitive = arg(args, &kw, 0, "case_sensitive")?.is_some_and(|c| c.is_true());
    let attr = arg(args, &kw, 1, "attribute")?;
    kw.assert_all_used()?;
    let key = |item: &Value| -> Result<Value, Error> {
        let k = match attr.as_ref().and_then(Value::as_str) {
            Some(path) => attribute(item, path)?,
            None => item.clone(),
        };
        Ok(match (case_sensitive, k.as_str()) {
            (false, Some(s)) => Value::from(s.to_lowercase()),
            _ => k,
        })
    };
    let mut best: Option<(Value, Value)> = None;
    for item in v.try_iter()? {
        let k = key(&item)?;
        if best.as_ref().is_none_or(|(bk, _)| k.cmp(bk) == want) {
            best = Some((k, item));
        }
    }
    Ok(best.map(|(_, item)| item).unwrap_or(Value::UNDEFINED))
}

/// Jinja2's `sum(attribute=None, start=0)`.
fn sum(v: Value, args: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let attr = arg(&args, &kw, 0, "attribute")?;
    let mut total = arg(&args, &kw, 1, "start")?.unwrap_or(Value::from(0));
    kw.assert_all_used()?;
    for item in items(v, attr.as_ref())? {
        total = add(&total, &item)?;
    }
    Ok(total)
}

/// Python's `a + b` on numbers: integer while both are integers.
fn add(a: &Value, b: &Value) -> Result<Value, Error> {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) if a.is_integer() && b.is_integer() => Ok(Value::from(x + y)),
        _ => Ok(Value::from(f64::try_from(a.clone())? + f64::try_from(b.clone())?)),
    }
}

fn is_float(v: &Value) -> bool {
    v.is_number() && !v.is_integer()
}

/// Jinja2's `join(d='', attribute=None)`.
fn join(v: Value, args: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let sep = arg(&args, &kw, 0, "d")?.map(|d| py_str(&d)).unwrap_or_default();
    let attr = arg(&args, &kw, 1, "attribute")?;
    kw.assert_all_used()?;
    if let Some(s) = v.as_str() {
        return Ok(s.chars().map(String::from).collect::<Vec<_>>().join(&sep));
    }
    Ok(items(v, attr.as_ref())?.iter().map(py_str).collect::<Vec<_>>().join(&sep))
}

/// Jinja2's `round(precision=0, method='common')`: Python's `round` (ties to even) for
/// `common`, `math.floor`/`math.ceil` scaled for the others.
fn round(v: Value, args: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let precision = arg(&args, &kw, 0, "precision")?.map(i32::try_from).transpose()?.unwrap_or(0);
    let method = arg(&args, &kw, 1, "method")?.map(|m| py_str(&m)).unwrap_or_else(|| "common".into());
    kw.assert_all_used()?;
    let scale = 10f64.powi(precision);
    let x = f64::try_from(v.clone())?;
    let rounded = match method.as_str() {
        "common" if !is_float(&v) => return Ok(v),
        "common" => (x * scale).round_ties_even() / scale,
        "floor" => (x * scale).floor() / scale,
        "ceil" => (x * scale).ceil() / scale,
        _ => return Err(Error::new(ErrorKind::InvalidOperation, "method must be common, ceil or floor")),
    };
    Ok(Value::from(rounded))
}

/// Jinja2's `replace(old, new, count=None)`.
fn replace(v: Value, old: String, new: String, count: Option<usize>) -> Value {
    let s = py_str(&v);
    let out = match count {
        Some(n) => s.replacen(&old, &new, n),
        None => s.replace(&old, &new),
    };
    if v.is_safe() { Value::from_safe_string(out) } else { Value::from(out) }
}

/// Jinja2's `int(default=0, base=10)`: Python's `int(value, base)`, else `int(float(value))`,
/// else the default.
fn int(v: Value, args: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let default = arg(&args, &kw, 0, "default")?.unwrap_or(Value::from(0));
    let base = arg(&args, &kw, 1, "base")?.map(u32::try_from).transpose()?.unwrap_or(10);
    kw.assert_all_used()?;
    let parsed = match v.kind() {
        ValueKind::String => parse_int(v.as_str().unwrap_or_default(), base)
            .or_else(|| parse_float(v.as_str().unwrap_or_default()).map(|f| f.trunc() as i64)),
        ValueKind::Bool => Some(i64::from(v.is_true())),
        ValueKind::Number if is_float(&v) => {
            f64::try_from(v.clone()).ok().filter(|f| f.is_finite()).map(|f| f.trunc() as i64)
        }
        ValueKind::Number => i64::try_from(v.clone()).ok(),
        _ => None,
    };
    Ok(parsed.map(Value::from).unwrap_or(default))
}

/// Python's `int(text, base)`: surrounding whitespace, a sign, `_` between digits, and the
/// `0x`/`0o`/`0b` prefix of the base (any of them for base 0).
fn parse_int(text: &str, base: u32) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (0 | 16, Some("0x")) => (16, &t[2..]),
        (0 | 8, Some("0o")) => (8, &t[2..]),
        (0 | 2, Some("0b")) => (2, &t[2..]),
        (0, _) => (10, t),
        (b, _) => (b, t),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let n = i64::from_str_radix(&digits.replace('_', ""), base).ok()?;
    Some(if neg { -n } else { n })
}

fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let ok = !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    if ok {
        t.parse().ok()
    } else {
        ["inf", "-inf", "+inf", "nan"]
            .contains(&t.to_lowercase().as_str())
            .then(|| t.to_lowercase().parse().ok())
            .flatten()
    }
}

/// Jinja2's `float(default=0.0)`.
fn float(v: Value, args: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let default = arg(&args, &kw, 0, "default")?.unwrap_or(Value::from(0.0));
    kw.assert_all_used()?;
    let parsed = match v.kind() {
        ValueKind::String => parse_float(v.as_str().unwrap_or_default()),
        ValueKind::Bool => Some(if v.is_true() { 1.0 } else { 0.0 }),
        ValueKind::Number => f64::try_from(v.clone()).ok(),
        _ => None,
    };
    Ok(parsed.map(Value::from).unwrap_or(default))
}

/// Jinja2's `indent(width=4, first=False, blank=False)`; the width may be a string.
fn indent(v: Value, args: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let width = arg(&args, &kw, 0, "width")?;
    let first = arg(&args, &kw, 1, "first")?.is_some_and(|f| f.is_true());
    let blank = arg(&args, &kw, 2, "blank")?.is_some_and(|b| b.is_true());
    kw.assert_all_used()?;
    let indention = match &width {
        Some(w) if w.kind() == ValueKind::String => py_str(w),
        Some(w) => " ".repeat(usize::try_from(w.clone())?),
        None => "    ".into(),
    };
    // Jinja2 appends a newline before splitting, which drops one trailing newline.
    let s = py_str(&v) + "\n";
    let lines: Vec<&str> = s.lines().collect();
    let mut rv = if blank {
        lines.join(&format!("\n{indention}"))
    } else {
        let mut rest = lines.iter();
        let mut rv = rest.next().map(|l| (*l).to_owned()).unwrap_or_default();
        for line in rest {
            rv.push('\n');
            if !line.is_empty() {
                rv.push_str(&indention);
            }
            rv.push_str(line);
        }
        rv
    };
    if first {
        rv.insert_str(0, &indention);
    }
    Ok(rv)
}

/// Jinja2's `escape`/`e` (markupsafe): `& < > " '` escaped, safe values kept.
fn escape(v: Value) -> Value {
    if v.is_safe() {
        return v;
    }
    Value::from_safe_string(html_escape(&py_str(&v)))
}

/// Jinja2's `tojson(indent=None)`: Python's `json.dumps` with sorted keys and its separators,
/// then `< > & '` as `\u00XX`.
fn tojson(v: Value, indent: Option<usize>) -> Result<Value, Error> {
    let json = serde_json::to_value(&v).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    let mut out = String::new();
    write_json(&mut out, &json, indent, 0);
    let mut rv = String::with_capacity(out.len());
    for c in out.chars() {
        match c {
            '<' => rv.push_str("\\u003c"),
            '>' => rv.push_str("\\u003e"),
            '&' => rv.push_str("\\u0026"),
            '\'' => rv.push_str("\\u0027"),
            c => rv.push(c),
        }
    }
    Ok(Value::from_safe_string(rv))
}

fn write_json(out: &mut String, v: &Json, indent: Option<usize>, level: usize) {
    let (open, close, entries): (char, char, Vec<(Option<&String>, &Json)>) = match v {
        Json::Array(a) => ('[', ']', a.iter().map(|x| (None, x)).collect()),
        Json::Object(m) => {
            let mut e: Vec<_> = m.iter().map(|(k, x)| (Some(k), x)).collect();
            e.sort_by(|a, b| a.0.cmp(&b.0));
            ('{', '}', e)
        }
        other => {
            // Python escapes non-ASCII characters.
            for c in other.to_string().chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut buf = [0u16; 2];
                    for u in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                }
            }
            return;
        }
    };
    out.push(open);
    if entries.is_empty() {
        out.push(close);
        return;
    }
    for (i, (key, x)) in entries.iter().enumerate() {
        match indent {
            Some(n) => {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&" ".repeat(n * (level + 1)));
            }
            None if i > 0 => out.push_str(", "),
            None => {}
        }
        if let Some(k) = key {
            write_json(out, &Json::from(k.as_str()), indent, level + 1);
            out.push_str(": ");
        }
        write_json(out, x, indent, level + 1);
    }
    if let Some(n) = indent {
        out.push('\n');
        out.push_str(&" ".repeat(n * level));
    }
    out.push(close);
}

/// Jinja2's `wordwrap(width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True)`:
/// each line wrapped as Python's `textwrap.TextWrapper` wraps (greedy, first fit; whitespace
/// at line ends dropped), joined with `wrapstring` (a newline by default).
fn wordwrap(v: Value, args: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let width = arg(&args, &kw, 0, "width")?.map(usize::try_from).transpose()?.unwrap_or(79);
    let break_long = arg(&args, &kw, 1, "break_long_words")?.is_none_or(|b| b.is_true());
    let wrapstring = arg(&args, &kw, 2, "wrapstring")?.map(|w| py_str(&w)).unwrap_or_else(|| "\n".into());
    let hyphens = arg(&args, &kw, 3, "break_on_hyphens")?.is_none_or(|b| b.is_true());
    kw.assert_all_used()?;
    let text = py_str(&v);
    let lines: Vec<String> =
        text.lines().map(|line| wrap_line(line, width.max(1), break_long, hyphens).join(&wrapstring)).collect();
    Ok(lines.join(&wrapstring))
}

/// Python's `TextWrapper._wrap_chunks` on one line.
fn wrap_line(line: &str, width: usize, break_long: bool, hyphens: bool) -> Vec<String> {
    let mut chunks: Vec<String> = chunks(line, hyphens);
    chunks.reverse();
    let blank = |c: &str| c.trim().is_empty();
    let mut lines = Vec::new();
    while !chunks.is_empty() {
        let mut cur: Vec<String> = Vec::new();
        let mut cur_len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = chunk.chars().count();
            if cur_len + l > width {
                break;
            }
            cur_len += l;
            cur.extend(chunks.pop());
        }
        if let Some(chunk) = chunks.last_mut().filter(|c| c.chars().count() > width) {
            if break_long {
                let left = (width - cur_len).max(1);
                let head: String = chunk.chars().take(left).collect();
                *chunk = chunk.chars().skip(left).collect();
                cur.push(head);
            } else if cur.is_empty() {
                cur.extend(chunks.pop());
            }
        }
        if cur.last().is_some_and(|c| blank(c)) {
            cur.pop();
        }
        if !cur.is_empty() {
            lines.push(cur.concat());
        }
    }
    lines
}

/// Words and whitespace runs; with `hyphens`, a word also splits after a hyphen between letters.
fn chunks(line: &str, hyphens: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = !cur.is_empty() && (c.is_whitespace() != cur.chars().all(char::is_whitespace));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        let split_hyphen = hyphens
            && c == '-'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if split_hyphen {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Jinja2's `center(width=80)`: Python's `str.center`, extra space on the right first.
fn center(value: String, width: Option<usize>) -> String {
    let width = width.unwrap_or(80);
    let len = value.chars().count();
    if len >= width {
        return value;
    }
    let pad = width - len;
    // Python puts the odd space on the left when the width is odd.
    let left = pad / 2 + (pad & width & 1);
    format!("{}{value}{}", " ".repeat(left), " ".repeat(pad - left))
}

/// Jinja2's `forceescape`: HTML-escapes even a value marked safe.
fn forceescape(value: Value) -> Value {
    Value::from_safe_string(html_escape(&py_str(&value)))
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Jinja2's `wordcount`: the matches of `\w+`.
fn wordcount(value: String) -> usize {
    value.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).count()
}

/// Jinja2's `xmlattr(autospace=True)`: `key="value"` pairs, HTML-escaped, skipping none and
/// undefined values; keys with spaces or `/>=` are refused as in Jinja2 3.1.
fn xmlattr(value: Value, autospace: Option<bool>) -> Result<Value, Error> {
    let mut parts = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        if item.is_none() || item.is_undefined() {
            continue;
        }
        let key = py_str(&key);
        if key.chars().any(|c| c.is_whitespace() || "/>=".contains(c)) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("Invalid character in attribute name: {key:?}"),
            ));
        }
        parts.push(format!("{}=\"{}\"", html_escape(&key), html_escape(&py_str(&item))));
    }
    let mut out = parts.join(" ");
    if autospace.unwrap_or(true) && !out.is_empty() {
        out.insert(0, ' ');
    }
    Ok(Value::from_safe_string(out))
}

/// Jinja2's `list`: a string becomes its characters, a mapping its keys.
fn list(value: Value) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        return Ok(Value::from(s.chars().map(|c| Value::from(c.to_string())).collect::<Vec<_>>()));
    }
    Ok(Value::from(value.try_iter()?.collect::<Vec<_>>()))
}

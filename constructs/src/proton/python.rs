//! Python's printing of scalars, as Jinja2 (and so Proton) prints a parameter's value.

use serde_json::Value as Json;

/// A string, number or boolean as Jinja prints it (Python's `str`: `True`, `1.5`, `1e+20`);
/// `None` for what is not one (an intrinsic function standing for a deploy-time value).
pub fn py_scalar(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(if *b { "True" } else { "False" }.to_owned()),
        Json::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Json::Number(n) => n.as_f64().map(py_float),
        _ => None,
    }
}

/// Python's `repr` of a float: the shortest round-trip digits, in exponent form below 1e-4
/// and from 1e16 (`1e+20`, `1e-05`), else with at least one decimal (`2.0`).
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let plain = format!("{f}");
        if plain.contains('.') { plain } else { format!("{plain}.0") }
    } else {
        format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

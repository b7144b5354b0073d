//! The diff as text (optionally ANSI-coloured) and as Markdown for a pull request comment.

use std::fmt::Write as _;

use super::json::compact;
use super::policy::describe;
use super::{
    Change, Diff, ElementDiff, ProtonDiff, ResourceDiff, SecurityChange, SecurityKind, StackDiff, ValueChange,
};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD_RED: &str = "\x1b[1;31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn plural(n: usize, one: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {one}s") }
}

/// One line summing up the diff.
fn summary(diff: &Diff) -> String {
    let mut totals = [0; 5];
    for s in &diff.stacks {
        for (total, n) in totals.iter_mut().zip(s.counts()) {
            *total += n;
        }
    }
    let [added, modified, removed, replaced, moved] = totals;
    let breaking: usize = diff.proton.iter().map(|p| p.changes.iter().filter(|c| c.breaking).count()).sum();
    format!(
        "{} changed; resources: {added} added, {modified} modified ({replaced} replaced), {removed} removed, {moved} \
         moved; {} with data loss; {}; {} changed ({breaking} breaking)",
        plural(diff.stacks.len(), "stack"),
        plural(diff.data_losses(), "resource"),
        plural(diff.security_changes(), "security-relevant change"),
        plural(diff.proton.len(), "Proton template"),
    )
}

fn value(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map_or_else(String::new, compact)
}

/// The change's path with `prefix.` before it.
fn full_path(prefix: &str, c: &ValueChange) -> String {
    match (prefix.is_empty(), c.path.is_empty()) {
        (true, _) => c.path.clone(),
        (false, true) => prefix.to_owned(),
        (false, false) if c.path.starts_with('[') => format!("{prefix}{}", c.path),
        (false, false) => format!("{prefix}.{}", c.path),
    }
}

/// `path: old -> new`, `path: new` or `path: old`, with `prefix.` before the path.
fn value_line(prefix: &str, c: &ValueChange, arrow: &str) -> String {
    let path = full_path(prefix, c);
    match c.change() {
        Change::Modified | Change::Moved => format!("{path}: {} {arrow} {}", value(&c.old), value(&c.new)),
        Change::Added => format!("{path}: {}", value(&c.new)),
        Change::Removed => format!("{path}: {}", value(&c.old)),
    }
}

fn what(kind: SecurityKind) -> &'static str {
    match kind {
        SecurityKind::Statement => "statement",
        SecurityKind::Ingress => "ingress rule",
        SecurityKind::Egress => "egress rule",
    }
}

fn stack_title(s: &StackDiff) -> String {
    let state = match s.change {
        Change::Added => " (new stack)",
        Change::Removed => " (removed stack)",
        Change::Modified | Change::Moved => "",
    };
    if s.display_name == s.stack {
        format!("{}{state}", s.stack)
    } else {
        format!("{} ({}){state}", s.display_name, s.stack)
    }
}

fn proton_title(p: &ProtonDiff) -> String {
    match (p.old_major, p.new_major) {
        (None, Some(n)) => format!("{} v{n} (new template)", p.template),
        (Some(o), None) => format!("{} v{o} (removed template)", p.template),
        (Some(o), Some(n)) if o != n => {
            format!("{} v{o} -> v{n} (major version changed: breaking changes are expected)", p.template)
        }
        (_, n) if p.changes.iter().any(|c| c.breaking) => {
            format!("{} v{} (breaking changes need a new major version)", p.template, n.unwrap_or_default())
        }
        (_, n) => format!("{} v{}", p.template, n.unwrap_or_default()),
    }
}

fn input_line(c: &super::InputChange) -> String {
    let who = match (c.input_type.is_empty(), c.input.is_empty()) {
        (true, _) => String::new(),
        (false, true) => format!("{} inputs ", c.input_type),
        (false, false) => format!("{} input `{}` ", c.input_type, c.input),
    };
    format!("{who}{}", c.what)
}

struct Text {
    out: String,
    color: bool,
}

impl Text {
    fn line(&mut self, indent: usize, color: &str, text: &str) {
        let pad = " ".repeat(indent);
        if self.color && !color.is_empty() {
            let _ = writeln!(self.out, "{pad}{color}{text}{RESET}");
        } else {
            let _ = writeln!(self.out, "{pad}{text}");
        }
    }

    fn sign_color(change: Change) -> &'static str {
        match change {
            Change::Added => GREEN,
            Change::Removed => RED,
            Change::Modified | Change::Moved => YELLOW,
        }
    }

    fn resource(&mut self, r: &ResourceDiff) {
        let mut head = format!("{} {} {}", r.change.sign(), r.resource_type, r.logical_id);
        if let Some(from) = &r.moved_from {
            head.push_str(&format!(" (moved from {from})"));
        }
        if let Some(old) = &r.old_type {
            head.push_str(&format!(" (type changed from {old})"));
        }
        if r.replacement {
            head.push_str(" (will be replaced)");
        }
        let color = if r.replacement || r.data_loss.is_some() { BOLD_RED } else { Self::sign_color(r.change) };
        self.line(2, color, &head);
        if let Some(loss) = &r.data_loss {
            self.line(6, BOLD_RED, &format!("! data loss: {loss}"));
        }
        if let Some(hint) = &r.hint {
            self.line(6, "", &format!("* {hint}"));
        }
        for p in &r.properties {
            let mut line = format!("{} {}", p.change().sign(), value_line("", p, "->"));
            if p.replaces {
                line.push_str(" (requires replacement)");
            }
            if p.security {
                line.push_str(" [security]");
            }
            self.line(6, if p.security { BOLD_RED } else { Self::sign_color(p.change()) }, &line);
            if let Some(lines) = &p.lines {
                for l in lines.lines() {
                    let color = match l.as_bytes().first() {
                        Some(b'+') => GREEN,
                        Some(b'-') => RED,
                        _ => "",
                    };
                    self.line(10, color, l);
                }
            }
        }
        for s in &r.security {
            self.security(s);
        }
    }

    fn security(&mut self, s: &SecurityChange) {
        let head = format!("{} {} in {} [security]", s.change.sign(), what(s.kind), s.document);
        match (&s.old, &s.new) {
            (Some(old), Some(new)) => {
                self.line(6, BOLD_RED, &format!("{head}:"));
                self.line(10, RED, &format!("- {}", describe(s.kind, old)));
                self.line(10, GREEN, &format!("+ {}", describe(s.kind, new)));
            }
            (Some(item), None) | (None, Some(item)) => {
                self.line(6, BOLD_RED, &format!("{head}: {}", describe(s.kind, item)));
            }
            (None, None) => {}
        }
    }

    fn element(&mut self, e: &ElementDiff) {
        let name = format!("{}.{}", e.section, e.logical_id);
        match e.change {
            Change::Modified => {
                self.line(2, YELLOW, &format!("~ {name}"));
                for c in &e.changes {
                    self.line(
                        6,
                        Self::sign_color(c.change()),
                        &format!("{} {}", c.change().sign(), value_line("", c, "->")),
                    );
                }
            }
            change => {
                for c in &e.changes {
                    self.line(
                        2,
                        Self::sign_color(change),
                        &format!("{} {}", change.sign(), value_line(&name, c, "->")),
                    );
                }
            }
        }
    }
}

/// The diff as text.
pub(crate) fn text(diff: &Diff, color: bool) -> String {
    let mut t = Text { out: String::new(), color };
    if diff.is_empty() {
        t.line(0, "", &format!("no differences between {} and {}", diff.old, diff.new));
        return t.out;
    }
    t.line(0, BOLD, &format!("cloudwright diff {} -> {}", diff.old, diff.new));
    t.line(0, "", &summary(diff));
    if !diff.deploy_failures.is_empty() {
        t.line(0, "", "");
        t.line(0, BOLD_RED, &format!("Deploy-time failures ({}):", diff.deploy_failures.len()));
        for f in &diff.deploy_failures {
            t.line(
                2,
                BOLD_RED,
                &format!("! {}: export {} removed, imported by {}", f.producer, f.export, f.consumers.join(", ")),
            );
            t.line(6, "", &f.reason);
        }
    }
    if !diff.ambiguous.is_empty() || !diff.across_environments.is_empty() {
        t.line(0, "", "");
        t.line(0, BOLD, "Possible moves, not taken as moves:");
        for line in possible_moves(diff) {
            t.line(2, YELLOW, &line);
        }
    }
    for s in &diff.stacks {
        t.line(0, "", "");
        t.line(0, BOLD, &format!("Stack {}", stack_title(s)));
        for r in &s.resources {
            t.resource(r);
        }
        for e in &s.elements {
            t.element(e);
            if diff.deploy_failures.iter().any(|f| f.is_of(s, e)) {
                t.line(6, BOLD_RED, "! deploy-time failure: a stack of the old output imports this export (see above)");
            }
        }
        for c in &s.template {
            t.line(2, Text::sign_color(c.change()), &format!("{} {}", c.change().sign(), value_line("", c, "->")));
        }
    }
    for p in &diff.proton {
        t.line(0, "", "");
        t.line(0, BOLD, &format!("Proton template {}", proton_title(p)));
        for c in &p.changes {
            let line = format!("{} {}", if c.breaking { "!" } else { "*" }, input_line(c));
            if c.breaking {
                t.line(2, BOLD_RED, &format!("{line} [breaking]"));
            } else {
                t.line(2, "", &line);
            }
        }
    }
    t.out
}

/// One line per ambiguous move and per identical resource across environments.
fn possible_moves(diff: &Diff) -> Vec<String> {
    let mut out = Vec::new();
    for a in &diff.ambiguous {
        let (from, to) = (super::moves::list(&a.from), super::moves::list(&a.to));
        out.push(if a.identical {
            format!(
                "? {}: {from} removed and {to} added are alike; say which moved where with a mapping file \
                 (`--mapping`), or they are deleted and created",
                a.resource_type
            )
        } else {
            format!(
                "? {}: {from} removed and {to} added in the same stack: a replacement (the new created, the old \
                 deleted); if one is the other renamed, declare it in a mapping file (`--mapping`) to see its \
                 changes",
                a.resource_type
            )
        });
    }
    for m in &diff.across_environments {
        out.push(format!(
            "? {} {} -> {}: the same resource in another account or region; CloudFormation cannot move it there, \
             so it is created empty and the old one deleted: copy its data first",
            m.resource_type, m.from, m.to
        ));
    }
    out
}

/// Inline code that survives backticks in the value.
fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

fn md_value(v: &Option<serde_json::Value>) -> String {
    code(&value(v))
}

fn md_change(prefix: &str, c: &ValueChange) -> String {
    let path = full_path(prefix, c);
    match c.change() {
        Change::Modified | Change::Moved => format!("{}: {} → {}", code(&path), md_value(&c.old), md_value(&c.new)),
        Change::Added => format!("{} added: {}", code(&path), md_value(&c.new)),
        Change::Removed => format!("{} removed (was {})", code(&path), md_value(&c.old)),
    }
}

fn md_security(out: &mut String, s: &SecurityChange) {
    let verb = match s.change {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Modified | Change::Moved => "changed",
    };
    let head = format!("  - **security-relevant**: {} {verb} in {}", what(s.kind), code(&s.document));
    let _ = match (&s.old, &s.new) {
        (Some(old), Some(new)) => writeln!(
            out,
            "{head}:\n    - before: {}\n    - after: {}",
            code(&describe(s.kind, old)),
            code(&describe(s.kind, new))
        ),
        (Some(item), None) | (None, Some(item)) => writeln!(out, "{head}: {}", code(&describe(s.kind, item))),
        (None, None) => Ok(()),
    };
}

/// The diff as Markdown.
pub(crate) fn markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### cloudwright diff\n\n{} → {}\n", code(&diff.old), code(&diff.new));
    if diff.is_empty() {
        let _ = writeln!(out, "No differences.");
        return out;
    }
    let _ = writeln!(out, "{}\n", summary(diff));
    if !diff.deploy_failures.is_empty() {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **Deploy-time failures**: {}.",
            plural(diff.deploy_failures.len(), "removed export")
        );
        for f in &diff.deploy_failures {
            let consumers: Vec<String> = f.consumers.iter().map(|c| code(c)).collect();
            let _ = writeln!(
                out,
                "> - {}: export {} removed, imported by {}. {}",
                code(&f.producer),
                code(&f.export),
                consumers.join(", "),
                f.reason
            );
        }
        let _ = writeln!(out);
    }
    let losses = diff.data_losses();
    if losses > 0 {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **Data loss**: {} holding data deleted by this change (marked **data loss** below).\n",
            plural(losses, "resource")
        );
    }
    let possible = possible_moves(diff);
    if !possible.is_empty() {
        let _ = writeln!(out, "> [!NOTE]\n> Possible moves, not taken as moves:");
        for line in possible {
            let _ = writeln!(out, "> - {}", line.trim_start_matches("? "));
        }
        let _ = writeln!(out);
    }
    let security = diff.security_changes();
    if security > 0 {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> {} (IAM, SCP and resource policies, security groups): marked **security-relevant** below.\n",
            plural(security, "security-relevant change")
        );
    }
    if !diff.stacks.is_empty() {
        let _ = writeln!(out, "| stack | added | modified | removed | replaced | moved | security-relevant |");
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|");
        for s in &diff.stacks {
            let [a, m, r, p, v] = s.counts();
            let sec = s.security_changes();
            let sec = if sec > 0 { format!("**{sec}**") } else { "0".to_owned() };
            let _ = writeln!(out, "| {} | {a} | {m} | {r} | {p} | {v} | {sec} |", code(&stack_title(s)));
        }
        let _ = writeln!(out);
    }
    for s in &diff.stacks {
        let _ = writeln!(out, "#### Stack {}\n", code(&stack_title(s)));
        for r in &s.resources {
            let mut head = format!("- {} {} {}", r.change.sign(), code(&r.logical_id), code(&r.resource_type));
            if let Some(from) = &r.moved_from {
                head.push_str(&format!(" (moved from {})", code(&from.to_string())));
            }
            if let Some(old) = &r.old_type {
                head.push_str(&format!(" (type changed from {})", code(old)));
            }
            if r.replacement {
                head.push_str(" — **will be replaced**");
            }
            if r.security_changes() > 0 {
                head.push_str(" — **security-relevant**");
            }
            let _ = writeln!(out, "{head}");
            if let Some(loss) = &r.data_loss {
                let _ = writeln!(out, "  - **data loss**: {loss}");
            }
            if let Some(hint) = &r.hint {
                let _ = writeln!(out, "  - {hint}");
            }
            for p in &r.properties {
                let mut line = format!("  - {}", md_change("", p));
                if p.replaces {
                    line.push_str(" (requires replacement)");
                }
                if p.security {
                    line.push_str(" — **security-relevant**");
                }
                let _ = writeln!(out, "{line}");
                if let Some(lines) = &p.lines {
                    let fence = if lines.contains("```") { "````" } else { "```" };
                    let _ = writeln!(out, "\n    {fence}diff");
                    for l in lines.lines() {
                        let _ = writeln!(out, "    {l}");
                    }
                    let _ = writeln!(out, "    {fence}\n");
                }
            }
            for c in &r.security {
                md_security(&mut out, c);
            }
        }
        for e in &s.elements {
            let name = format!("{}.{}", e.section, e.logical_id);
            if diff.deploy_failures.iter().any(|f| f.is_of(s, e)) {
                let _ = writeln!(out, "- **deploy-time failure**: a stack of the old output imports {}", code(&name));
            }
            if matches!(e.change, Change::Modified | Change::Moved) {
                let _ = writeln!(out, "- ~ {}", code(&name));
                for c in &e.changes {
                    let _ = writeln!(out, "  - {}", md_change("", c));
                }
            } else {
                for c in &e.changes {
                    let _ = writeln!(out, "- {} {}", e.change.sign(), md_change(&name, c));
                }
            }
        }
        for c in &s.template {
            let _ = writeln!(out, "- {} {}", c.change().sign(), md_change("", c));
        }
        let _ = writeln!(out);
    }
    if !diff.proton.is_empty() {
        let _ = writeln!(out, "#### Proton templates\n");
        for p in &diff.proton {
            let _ = writeln!(out, "- {}", code(&proton_title(p)));
            for c in &p.changes {
                let tag = if c.breaking { " — **breaking**" } else { "" };
                let _ = writeln!(out, "  - {}{tag}", input_line(c));
            }
        }
        let _ = writeln!(out);
    }
    out
}

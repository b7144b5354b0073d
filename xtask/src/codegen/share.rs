//! Property types shared by the resources of a service: a nested type that is identical
//! (same name, same fields, and the types it refers to identical too) in two or more
//! resource types of a service is generated once in the service module, and each resource
//! module re-exports it (`pub use super::X`), so `cfn::quicksight::analysis::X` still names
//! it. QuickSight's `Analysis`, `Dashboard` and `Template` share most of their ~1,000
//! definitions, so this keeps the generated code (and its compile time) in proportion.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cloudwright_cfn_model::model::{Resource, Ty, TypeDef};

/// Which nested types a service generates once.
pub struct Shared {
    /// The shared types, in first-use order.
    pub types: Vec<TypeDef>,
    /// Per resource (same order as the input), the names it takes from the service module.
    pub taken_by: Vec<BTreeSet<String>>,
}

fn type_name(t: &TypeDef) -> &str {
    match t {
        TypeDef::Struct(s) => &s.name,
        TypeDef::Enum(e) => &e.name,
    }
}

/// Names of the generated types a type refers to, in field order.
fn references(t: &TypeDef) -> Vec<String> {
    fn walk(ty: &Ty, out: &mut Vec<String>) {
        match ty {
            Ty::Struct(n) | Ty::Enum(n) => out.push(n.clone()),
            Ty::Vec(t) | Ty::Map(t) | Ty::Boxed(t) => walk(t, out),
            Ty::Str | Ty::Int | Ty::Num | Ty::Bool | Ty::Json | Ty::Tag => {}
        }
    }
    let mut out = Vec::new();
    if let TypeDef::Struct(s) = t {
        for f in &s.fields {
            walk(&f.ty, &mut out);
        }
    }
    out
}

/// Finds the types to share among `resources` (one service's).
pub fn share(resources: &[Resource]) -> Shared {
    // Classes of (resource, type name): equal when the types are equal and so are the
    // classes of what they refer to (partition refinement until the count is stable).
    let by_name: Vec<BTreeMap<&str, &TypeDef>> =
        resources.iter().map(|r| r.types.iter().map(|t| (type_name(t), t)).collect()).collect();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut class: Vec<BTreeMap<&str, usize>> = by_name
        .iter()
        .map(|types| {
            types
                .iter()
                .map(|(name, t)| {
                    let key = format!("{t:?}");
                    let next = ids.len();
                    (*name, *ids.entry(key).or_insert(next))
                })
                .collect()
        })
        .collect();
    let mut count = ids.len();
    loop {
        let mut ids: HashMap<(usize, Vec<Option<usize>>), usize> = HashMap::new();
        let refined: Vec<BTreeMap<&str, usize>> = by_name
            .iter()
            .zip(&class)
            .map(|(types, classes)| {
                types
                    .iter()
                    .map(|(name, t)| {
                        let refs = references(t).iter().map(|r| classes.get(r.as_str()).copied()).collect();
                        let next = ids.len();
                        (*name, *ids.entry((classes[name], refs)).or_insert(next))
                    })
                    .collect()
            })
            .collect();
        class = refined;
        if ids.len() == count {
            break;
        }
        count = ids.len();
    }

    // Members of each class; per name, the class with the most members (two or more) wins.
    let mut members: HashMap<usize, BTreeSet<usize>> = HashMap::new();
    for (i, classes) in class.iter().enumerate() {
        for c in classes.values() {
            members.entry(*c).or_default().insert(i);
        }
    }
    let reserved: HashSet<&str> = resources.iter().flat_map(|r| [r.handle.as_str(), r.props.name.as_str()]).collect();
    let mut chosen: HashMap<&str, usize> = HashMap::new();
    for (i, classes) in class.iter().enumerate() {
        for (name, c) in classes {
            let size = members[c].len();
            if size < 2 || reserved.contains(name) || members[c].first() != Some(&i) {
                continue;
            }
            let better = chosen.get(name).is_none_or(|best| {
                let best_size = members[best].len();
                size > best_size || (size == best_size && c < best)
            });
            if better {
                chosen.insert(name, *c);
            }
        }
    }
    // A shared type may only refer to shared types.
    let is_shared = |i: usize, name: &str, chosen: &HashMap<&str, usize>| {
        class[i].get(name).is_some_and(|c| chosen.get(name) == Some(c))
    };
    loop {
        let before = chosen.len();
        let dropped: Vec<&str> = chosen
            .iter()
            .filter(|(name, c)| {
                let i = members[c].first().copied().unwrap_or_default();
                by_name[i].get(*name).is_some_and(|t| references(t).iter().any(|r| !is_shared(i, r, &chosen)))
            })
            .map(|(name, _)| *name)
            .collect();
        for name in dropped {
            chosen.remove(name);
        }
        if chosen.len() == before {
            break;
        }
    }

    let mut types = Vec::new();
    let mut emitted = HashSet::new();
    let mut taken_by = vec![BTreeSet::new(); resources.len()];
    for (i, r) in resources.iter().enumerate() {
        for t in &r.types {
            let name = type_name(t);
            if is_shared(i, name, &chosen) {
                taken_by[i].insert(name.to_owned());
                if emitted.insert(name.to_owned()) {
                    types.push(t.clone());
                }
            }
        }
    }
    Shared { types, taken_by }
}

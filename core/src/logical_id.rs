//! Logical ids and artifact ids, computed exactly as the AWS CDK computes them
//! (`makeUniqueId` in aws-cdk-lib `core/lib/private/uniqueid.ts`), so a tree ported from
//! the CDK keeps its resource identities.

use md5::{Digest, Md5};

/// Constructs with this id are left out of the human part of an id, but hashed.
pub const HIDDEN_FROM_HUMAN_ID: &str = "Resource";
/// Constructs with this id are left out of the id entirely.
pub const HIDDEN_ID: &str = "Default";

const HASH_LEN: usize = 8;
const MAX_HUMAN_LEN: usize = 240;
const MAX_ID_LEN: usize = 255;

/// The CDK's `makeUniqueId`: a human part made of the path components (alphanumerics
/// only, duplicates and `Resource` dropped, at most 240 characters) followed by the first
/// eight hex digits, uppercased, of the MD5 of the `/`-joined path. A single component
/// is used as it is (alphanumerics only) when it fits in 255 characters. Components named
/// `Default` are ignored. Returns `None` for an empty list.
pub fn make_unique_id<S: AsRef<str>>(components: &[S]) -> Option<String> {
    let components: Vec<&str> = components.iter().map(AsRef::as_ref).filter(|c| *c != HIDDEN_ID).collect();
    unique_id(&components)
}

/// [`make_unique_id`] of components that are already without `Default`.
pub(crate) fn unique_id(components: &[&str]) -> Option<String> {
    if components.is_empty() {
        return None;
    }
    if let [only] = components {
        let candidate = remove_non_alphanumeric(only);
        if candidate.len() <= MAX_ID_LEN {
            return Some(candidate);
        }
    }
    // Every element of a large app gets one, so this builds the id in one string, sized
    // to the id rather than to the longest possible one.
    let letters: usize = components.iter().map(|c| c.len()).sum();
    let mut human = String::with_capacity(letters.min(MAX_HUMAN_LEN) + HASH_LEN);
    let mut last_kept: Option<&str> = None;
    for component in components {
        // Skips a component when the previous kept one ends with it (`Fn0`, `Fn0` -> `Fn0`).
        if last_kept.is_some_and(|last| last.ends_with(component)) {
            continue;
        }
        last_kept = Some(component);
        if *component != HIDDEN_FROM_HUMAN_ID {
            human.extend(component.chars().filter(char::is_ascii_alphanumeric));
        }
    }
    // Alphanumeric ASCII only, so truncating by bytes is truncating by characters.
    human.truncate(MAX_HUMAN_LEN);
    push_path_hash(&mut human, components);
    Some(human)
}

/// The first eight hex digits of the MD5 of the `/`-joined components, uppercased.
fn path_hash(components: &[&str]) -> String {
    let mut hex = String::with_capacity(HASH_LEN);
    push_path_hash(&mut hex, components);
    hex
}

/// Appends the first eight hex digits of the MD5 of the `/`-joined components, uppercased.
fn push_path_hash(out: &mut String, components: &[&str]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut md5 = Md5::new();
    for (i, component) in components.iter().enumerate() {
        if i > 0 {
            md5.update(b"/");
        }
        md5.update(component.as_bytes());
    }
    for byte in &md5.finalize()[..HASH_LEN / 2] {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 15)]));
    }
}

fn remove_non_alphanumeric(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// True when CloudFormation accepts `id` as a logical id.
pub fn is_valid_logical_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && id.len() <= MAX_ID_LEN
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// The name of the export the CDK creates for a cross-stack reference: the producing
/// stack's name, `:`, and the unique id of `Exports/Output<resolved reference JSON>`.
pub fn export_name(stack_name: &str, output_id: &str) -> String {
    let prefix = format!("{stack_name}:");
    let local = make_unique_id(&["Exports", output_id]).unwrap_or_default();
    let keep = MAX_ID_LEN.saturating_sub(prefix.len());
    let start = local.len().saturating_sub(keep);
    format!("{prefix}{}", &local[start..])
}

/// A deterministic physical name generated from a construct path, for resources that
/// other accounts refer to by name (the CDK's `PhysicalName.GENERATE_IF_NEEDED`): the
/// path's alphanumerics, lower-cased, cut to fit, then `-` and eight hex digits of the
/// path's MD5, at most `max_len` characters.
pub fn physical_name(path: &str, max_len: usize) -> String {
    let hash = path_hash(&path.split('/').collect::<Vec<_>>()).to_ascii_lowercase();
    let human: String = path
        .split('/')
        .map(|c| c.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase();
    let keep = max_len.saturating_sub(HASH_LEN + 1);
    let human = human.get(..keep.min(human.len())).unwrap_or_default().trim_end_matches('-');
    format!("{human}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(path: &[&str]) -> String {
        make_unique_id(path).unwrap_or_default()
    }

    // Vectors from aws-cdk-lib core/test/logical-id.test.ts and from the reference
    // assemblies the CDK wrote in ../shared/reference.
    #[test]
    fn cdk_test_vectors() {
        assert_eq!(id(&["MyAwesomeness"]), "MyAwesomeness");
        assert_eq!(id(&["Foo-bar"]), "Foobar");
        assert_eq!(
            id(&["Foo-bar", "B00m", "Hello_World", "&&Horray Horray."]),
            "FoobarB00mHelloWorldHorrayHorray640E99FB"
        );
        assert_eq!(id(&["Foobar", "B00m", "HelloWorld", "HorrayHorray"]), "FoobarB00mHelloWorldHorrayHorray744334FD");
        assert_eq!(id(&["Parent", "ThingResource"]), "ParentThingResource75D1D9CB");
        assert_eq!(id(&["Parent", "Child", "Resource", "HeyThere"]), "ParentChildHeyThere35220347");
        assert_eq!(id(&["Q", "Resource"]), "Q63C6E3AB");
        assert_eq!(id(&["Q2", "Resource"]), "Q23A7FF710");
        assert_eq!(id(&["T", "Resource"]), "TD925BC7E");
        assert_eq!(id(&["Fn0Logs", "Resource"]), "Fn0Logs3DE9A463");
        assert_eq!(id(&["Fn0", "Resource"]), "Fn0D0A58860");
        assert_eq!(id(&["Fn0Errors", "Resource"]), "Fn0Errors17042C0A");
        assert_eq!(id(&["Fn0", "ServiceRole", "Resource"]), "Fn0ServiceRoleC2B4902A");
        assert_eq!(id(&["Fn0", "ServiceRole", "DefaultPolicy", "Resource"]), "Fn0ServiceRoleDefaultPolicy94D1FB9D");
        // Stack artifact ids of stacks inside a stage.
        assert_eq!(id(&["Dev", "Queues"]), "DevQueuesC4D90994");
        assert_eq!(id(&["Prod", "Consumers"]), "ProdConsumersEFDD4CED");
        assert_eq!(id(&["DevelopmentOu"]), "DevelopmentOu");
    }

    #[test]
    fn single_component_length_cap() {
        let x255 = "x".repeat(255);
        assert_eq!(id(&[&x255]), x255);
        assert_eq!(id(&[&"*y-".repeat(255)]), "y".repeat(255));
        assert_eq!(id(&[&"x".repeat(256)]), format!("{}C7A139A2", "x".repeat(240)));
    }

    #[test]
    fn default_is_transparent() {
        assert_eq!(id(&["Parent", "HeyThere"]), id(&["Parent", "Default", "HeyThere"]));
        assert_eq!(id(&["Default", "Thing"]), "Thing");
        assert!(make_unique_id::<&str>(&[]).is_none());
        assert!(make_unique_id(&["Default"]).is_none());
    }

    #[test]
    fn same_concatenation_different_hash() {
        assert_ne!(id(&["A", "BC"]), id(&["AB", "C"]));
    }

    #[test]
    fn long_paths_are_capped_and_unique() {
        let a = "a".repeat(100);
        let b = "b".repeat(100);
        let first = format!("{}{}", "c".repeat(60), "d".repeat(40));
        let second = format!("{}{}", "c".repeat(60), "e".repeat(40));
        let one = id(&[&a, &b, &first]);
        let two = id(&[&a, &b, &second]);
        assert_eq!(one.len(), 248);
        assert_ne!(one, two);
    }

    #[test]
    fn export_names_follow_the_cdk() {
        assert_eq!(export_name("Producer", "Output{\"Ref\":\"X\"}"), "Producer:ExportsOutputRefXB26F2652");
    }

    #[test]
    fn physical_names_are_deterministic_and_bounded() {
        let name = physical_name("Management/Delivery/Artifacts", 63);
        assert_eq!(name, physical_name("Management/Delivery/Artifacts", 63));
        assert!(name.starts_with("management-delivery-artifacts-"), "{name}");
        assert_eq!(name.len(), "management-delivery-artifacts-".len() + 8);
        let long = physical_name(&"Abc/".repeat(40), 32);
        assert!(long.len() <= 32 && !long.contains("--"), "{long}");
    }

    #[test]
    fn logical_id_grammar() {
        assert!(is_valid_logical_id("A"));
        assert!(is_valid_logical_id("Bucket83908E77"));
        assert!(!is_valid_logical_id(""));
        assert!(!is_valid_logical_id("1abc"));
        assert!(!is_valid_logical_id("a-b"));
        assert!(!is_valid_logical_id(&"a".repeat(256)));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn ids_are_alphanumeric_bounded_and_stable(path in proptest::collection::vec("[A-Za-z0-9_./ -]{1,40}", 1..8)) {
                if let Some(id) = make_unique_id(&path) {
                    prop_assert!(id.len() <= 255);
                    prop_assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
                    prop_assert_eq!(Some(id), make_unique_id(&path));
                }
            }

            #[test]
            fn multi_component_ids_end_with_the_path_hash(path in proptest::collection::vec("[A-Za-z0-9]{1,12}", 2..6)) {
                let id = make_unique_id(&path).unwrap_or_default();
                let refs: Vec<&str> = path.iter().map(String::as_str).filter(|c| *c != HIDDEN_ID).collect();
                if refs.len() > 1 {
                    prop_assert!(id.ends_with(&path_hash(&refs)));
                }
            }
        }
    }
}

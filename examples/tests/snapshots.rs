//! Every file each example synthesizes, pinned under `snapshots/<example>/`, so a pull
//! request that changes an example shows its infrastructure diff.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use cloudwright_constructs::assert_app_snapshot;
use cloudwright_examples::EXAMPLES;

#[test]
fn every_example_file_is_pinned() {
    for (name, build) in EXAMPLES {
        let app = build().unwrap_or_else(|e| panic!("example {name}: {e}"));
        assert_app_snapshot!(app, format!("../../snapshots/{name}"));
    }
}

#[test]
fn examples_synthesize_the_same_bytes_every_time() {
    for (name, build) in EXAMPLES {
        let one = build().and_then(|a| a.assembly()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let two = build().and_then(|a| a.assembly()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(one.files(), two.files(), "{name}");
    }
}

//! Testing a user's infrastructure, as aws-cdk-lib's `assertions` and snapshot tests do:
//!
//! - [`Template`]: fine-grained assertions on one stack's template ("the function has
//!   X-Ray tracing", "no bucket is public"), with [`Match`] patterns and [`Capture`]s;
//! - [`Annotations`]: assertions on the problems and warnings synthesis reports for a stack;
//! - [`assert_app_snapshot!`](crate::assert_app_snapshot): one insta snapshot per synthesized
//!   file, so a pull request that changes infrastructure shows it as a reviewable diff.
//!
//! An assertion that does not hold panics with what it looked for and the closest
//! candidates, as `assert!` does; that is its failure mode.
//!
//! ```ignore
//! #[test]
//! fn infrastructure() {
//!     cloudwright_core::assert_app_snapshot!(my_app::app().unwrap());
//! }
//! ```

mod annotations;
mod capture;
mod matcher;
mod template;

pub use annotations::{Annotation, Annotations, Level};
pub use capture::Capture;
pub use matcher::{Fields, Items, Match};
pub use template::Template;

/// Fails the assertion under way: a panic with the message, as `assert!` fails a test.
#[allow(clippy::panic)]
#[track_caller]
fn fail(message: String) -> ! {
    panic!("{message}")
}

pub use insta;

/// The snapshot name of an assembly file: its relative path with `/` as `__`.
pub fn snapshot_name(path: &str) -> String {
    path.replace('/', "__")
}

/// The text a snapshot of an assembly file holds: the file itself when it is UTF-8,
/// else its size and SHA-256 (archives), so a diff still says that it changed.
/// `tree.json`, written on one line as the CDK writes it, is shown indented so that its
/// diffs are readable.
pub fn snapshot_text(path: &str, bytes: &[u8]) -> String {
    if path == "tree.json" || path.ends_with("/tree.json") {
        if let Ok(tree) = serde_json::from_slice::<serde_json::Value>(bytes) {
            if let Ok(text) = serde_json::to_string_pretty(&tree) {
                return text;
            }
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            use sha2::{Digest, Sha256};
            format!("binary, {} bytes, sha256 {:x}", bytes.len(), Sha256::digest(bytes))
        }
    }
}

/// Synthesizes an app in memory and asserts one insta snapshot per file. With a second
/// argument, the snapshots go to that directory (relative to the test file).
#[macro_export]
macro_rules! assert_app_snapshot {
    (@with $app:expr, $configure:expr) => {{
        let mut settings = $crate::testing::insta::Settings::clone_current();
        settings.set_omit_expression(true);
        ($configure)(&mut settings);
        settings.bind(|| match $app.assembly() {
            Ok(assembly) => {
                for (path, bytes) in assembly.files() {
                    $crate::testing::insta::assert_snapshot!(
                        $crate::testing::snapshot_name(path),
                        $crate::testing::snapshot_text(path, bytes)
                    );
                }
            }
            Err(e) => panic!("synthesis failed: {e}"),
        });
    }};
    ($app:expr) => {
        $crate::assert_app_snapshot!(@with $app, |_: &mut $crate::testing::insta::Settings| {})
    };
    ($app:expr, $dir:expr) => {{
        let dir = $dir;
        $crate::assert_app_snapshot!(@with $app, |s: &mut $crate::testing::insta::Settings| {
            s.set_snapshot_path(dir);
            s.set_prepend_module_to_snapshot(false);
        })
    }};
}

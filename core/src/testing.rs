//! Snapshot testing of a whole app: one insta snapshot per synthesized file, so a pull
//! request that changes infrastructure shows it as a reviewable diff.
//!
//! ```ignore
//! #[test]
//! fn infrastructure() {
//!     cloudwright_core::assert_app_snapshot!(my_app::app().unwrap());
//! }
//! ```

pub use insta;

/// The snapshot name of an assembly file: its relative path with `/` as `__`.
pub fn snapshot_name(path: &str) -> String {
    path.replace('/', "__")
}

/// The text a snapshot of an assembly file holds (the files are UTF-8 JSON).
pub fn snapshot_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Synthesizes an app in memory and asserts one insta snapshot per file. With a second
/// argument, the snapshots go to that directory (relative to the test file).
#[macro_export]
macro_rules! assert_app_snapshot {
    ($app:expr) => {{
        match $app.assembly() {
            Ok(assembly) => {
                for (path, bytes) in assembly.files() {
                    $crate::testing::insta::assert_snapshot!(
                        $crate::testing::snapshot_name(path),
                        $crate::testing::snapshot_text(bytes)
                    );
                }
            }
            Err(e) => panic!("synthesis failed: {e}"),
        }
    }};
    ($app:expr, $dir:expr) => {{
        let mut settings = $crate::testing::insta::Settings::clone_current();
        settings.set_snapshot_path($dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| $crate::assert_app_snapshot!($app));
    }};
}

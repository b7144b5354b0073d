//! Where the rules read an assembly: in memory, or a directory on disk, one file at a time.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use cloudwright_core::{Assembly, StackSummary};

/// An assembly the rules can read.
pub trait AssemblyFiles: Sync {
    /// Every stack, in tree order.
    fn stacks(&self) -> &[StackSummary];
    /// One file's bytes, by its `/`-separated path from the assembly root.
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>>;
    /// Every file's path, sorted.
    fn paths(&self) -> Vec<String>;
}

impl AssemblyFiles for Assembly {
    fn stacks(&self) -> &[StackSummary] {
        Assembly::stacks(self)
    }

    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        self.file(path).map(Cow::Borrowed)
    }

    fn paths(&self) -> Vec<String> {
        self.files().keys().cloned().collect()
    }
}

/// An assembly in a directory, read file by file as the rules need it: a large app's
/// output is never held in memory whole.
pub struct AssemblyDir {
    root: PathBuf,
    stacks: Vec<StackSummary>,
    /// Every file's path, listed once.
    paths: Vec<String>,
}

impl AssemblyDir {
    /// The assembly in `root`, whose stacks are `stacks` (what synthesis reported).
    pub fn new(root: &Path, stacks: Vec<StackSummary>) -> Self {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    walk(&entry.path(), &path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut paths = Vec::new();
        walk(root, "", &mut paths);
        paths.sort();
        AssemblyDir { root: root.to_path_buf(), stacks, paths }
    }
}

impl AssemblyFiles for AssemblyDir {
    fn stacks(&self) -> &[StackSummary] {
        &self.stacks
    }

    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        std::fs::read(self.root.join(path)).ok().map(Cow::Owned)
    }

    fn paths(&self) -> Vec<String> {
        self.paths.clone()
    }
}

//! Writing an assembly to disk atomically: into a temporary sibling directory that is
//! renamed into place, so a failed or interrupted synth leaves the previous output intact.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};

static NEXT_TEMP: AtomicU32 = AtomicU32::new(0);

fn output_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Output { path: path.to_path_buf(), source }
}

/// A temporary directory beside `outdir` that takes its place on [`Staging::commit`];
/// dropped without a commit, it is removed.
pub(crate) struct Staging {
    dir: PathBuf,
    outdir: PathBuf,
    /// Where the previous output is moved while the new one is renamed into place.
    old: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the staging directory for `outdir`.
    pub(crate) fn new(outdir: &Path) -> Result<Self> {
        let name = outdir
            .file_name()
            .ok_or_else(|| Error::Output {
                path: outdir.to_path_buf(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "the output path has no directory name"),
            })?
            .to_string_lossy()
            .into_owned();
        let parent = match outdir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if outdir.exists() && !outdir.is_dir() {
            return Err(Error::Output {
                path: outdir.to_path_buf(),
                source: io::Error::new(io::ErrorKind::AlreadyExists, "a file (not a directory) is in the way"),
            });
        }
        fs::create_dir_all(&parent).map_err(output_error(&parent))?;
        let unique = format!("{}-{}", std::process::id(), NEXT_TEMP.fetch_add(1, Ordering::Relaxed));
        let dir = parent.join(format!(".{name}.tmp-{unique}"));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(output_error(&dir))?;
        }
        fs::create_dir(&dir).map_err(output_error(&dir))?;
        Ok(Staging {
            dir,
            outdir: outdir.to_path_buf(),
            old: parent.join(format!(".{name}.old-{unique}")),
            committed: false,
        })
    }

    /// The staging directory, to write into.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    /// Replaces the output directory with the staging directory.
    pub(crate) fn commit(mut self) -> Result<()> {
        let (outdir, old) = (&self.outdir, &self.old);
        if !outdir.exists() {
            fs::rename(&self.dir, outdir).map_err(output_error(outdir))?;
        } else {
            fs::rename(outdir, old).map_err(output_error(outdir))?;
            if let Err(source) = fs::rename(&self.dir, outdir) {
                // Put the previous output back where it was.
                let _ = fs::rename(old, outdir);
                return Err(Error::Output { path: outdir.to_path_buf(), source });
            }
            let _ = fs::remove_dir_all(old);
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

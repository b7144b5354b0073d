//! Writing an assembly to disk atomically: into a temporary sibling directory that is
//! renamed into place, so a failed or interrupted synth leaves the previous output intact.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};

static NEXT_TEMP: AtomicU32 = AtomicU32::new(0);

fn output_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Output { path: path.to_path_buf(), source }
}

/// Writes `files` (relative paths with `/`) as the whole content of `outdir`.
pub(crate) fn write_atomically(outdir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
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
    let staging = parent.join(format!(".{name}.tmp-{unique}"));
    let result =
        stage(&staging, files).and_then(|()| swap(&staging, outdir, &parent.join(format!(".{name}.old-{unique}"))));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn stage(staging: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
    if staging.exists() {
        fs::remove_dir_all(staging).map_err(output_error(staging))?;
    }
    fs::create_dir(staging).map_err(output_error(staging))?;
    for (rel, bytes) in files {
        let path = staging.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(output_error(dir))?;
        }
        fs::write(&path, bytes).map_err(output_error(&path))?;
    }
    Ok(())
}

fn swap(staging: &Path, outdir: &Path, old: &Path) -> Result<()> {
    if !outdir.exists() {
        return fs::rename(staging, outdir).map_err(output_error(outdir));
    }
    fs::rename(outdir, old).map_err(output_error(outdir))?;
    if let Err(source) = fs::rename(staging, outdir) {
        // Put the previous output back where it was.
        let _ = fs::rename(old, outdir);
        return Err(Error::Output { path: outdir.to_path_buf(), source });
    }
    let _ = fs::remove_dir_all(old);
    Ok(())
}

//! Where synthesis puts files: in memory ([`crate::App::assembly`]) or straight into a
//! staging directory that replaces the output directory once everything is written
//! ([`crate::App::synth`]), so a large app never holds its whole output in memory.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::indent::Indented;
use super::write::Staging;
use crate::error::{Error, Result};

/// Writes `files` (relative paths with `/`) as the whole content of `outdir`, atomically.
pub fn write_files(outdir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
    let mut sink = Sink::directory(outdir);
    for (path, bytes) in files {
        sink.bytes(path, bytes)?;
    }
    sink.commit()
}

/// Bytes buffered before a chunk goes to disk (and through the hash).
const CHUNK: usize = 1 << 18;

/// The destination of a synthesis.
pub(crate) enum Sink {
    Memory(BTreeMap<String, Vec<u8>>),
    /// The staging directory is created with the first file, so a synthesis that fails
    /// validation touches nothing on disk.
    Directory {
        outdir: PathBuf,
        staging: Option<Staging>,
        files: usize,
        bytes: usize,
    },
}

/// What was written to one file.
pub(crate) struct Written {
    pub bytes: usize,
    /// SHA-256 of the bytes, hex, when asked for.
    pub sha256: Option<String>,
}

impl Sink {
    /// A sink writing into `outdir` (atomically, on [`Sink::commit`]).
    pub(crate) fn directory(outdir: &Path) -> Self {
        Sink::Directory { outdir: outdir.to_path_buf(), staging: None, files: 0, bytes: 0 }
    }

    /// Serializes `value` as JSON into `path` (see [`FileOut::json`]).
    pub(crate) fn json(&mut self, path: &str, value: &impl Serialize, indent: &[u8], hash: bool) -> Result<Written> {
        let mut out = self.open(path)?;
        if hash {
            out.hasher = Some(Sha256::new());
        }
        out.json(value, indent).map_err(|e| self.error(path, e))?;
        self.close(path, out)
    }

    /// Writes `bytes` into `path`.
    pub(crate) fn bytes(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let mut out = self.open(path)?;
        out.write_all(bytes).map_err(|e| self.error(path, e))?;
        self.close(path, out).map(|_| ())
    }

    /// The error of a failed write to `path`.
    pub(crate) fn error(&self, path: &str, source: io::Error) -> Error {
        let path = match self {
            Sink::Memory(_) => PathBuf::from(path),
            Sink::Directory { outdir, .. } => outdir.join(path),
        };
        Error::Output { path, source }
    }

    /// Starts a file, to be written (on any thread) and then given to [`Sink::close`].
    pub(crate) fn open(&mut self, path: &str) -> Result<FileOut> {
        let file = match self {
            Sink::Memory(_) => None,
            Sink::Directory { outdir, staging, .. } => {
                let staging = match staging {
                    Some(s) => s,
                    None => staging.insert(Staging::new(outdir)?),
                };
                let target = staging.path().join(path);
                if let Some(dir) = target.parent() {
                    fs::create_dir_all(dir).map_err(|e| Error::Output { path: dir.to_path_buf(), source: e })?;
                }
                Some(File::create(&target).map_err(|e| Error::Output { path: target.clone(), source: e })?)
            }
        };
        Ok(FileOut { buf: Vec::with_capacity(if file.is_some() { CHUNK } else { 4096 }), file, hasher: None, bytes: 0 })
    }

    /// Finishes a file started with [`Sink::open`].
    pub(crate) fn close(&mut self, path: &str, mut out: FileOut) -> Result<Written> {
        out.flush_chunk().map_err(|e| self.error(path, e))?;
        let bytes = out.bytes;
        let sha256 = out.hasher.take().map(|h| format!("{:x}", h.finalize()));
        match self {
            Sink::Memory(files) => {
                // The buffer grew by doubling: up to half of it is room the file never used.
                out.buf.shrink_to_fit();
                files.insert(path.to_owned(), out.buf);
            }
            Sink::Directory { files, bytes: total, .. } => {
                *files += 1;
                *total += bytes;
            }
        }
        Ok(Written { bytes, sha256 })
    }

    /// The staging directory of a directory sink, created if no file was written; `""` in
    /// memory.
    pub(crate) fn staging_dir(&mut self) -> Result<PathBuf> {
        match self {
            Sink::Memory(_) => Ok(PathBuf::new()),
            Sink::Directory { outdir, staging, .. } => {
                let staging = match staging {
                    Some(s) => s,
                    None => staging.insert(Staging::new(outdir)?),
                };
                Ok(staging.path().to_path_buf())
            }
        }
    }

    /// Puts a directory sink's files in place of the output directory.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Sink::Memory(_) => Ok(()),
            Sink::Directory { outdir, staging, .. } => match staging {
                Some(s) => s.commit(),
                // An app without files still replaces the output directory.
                None => Staging::new(&outdir)?.commit(),
            },
        }
    }
}

/// One file being written: buffered, hashed chunk by chunk, and counted. In memory the
/// buffer is the file.
pub(crate) struct FileOut {
    buf: Vec<u8>,
    file: Option<File>,
    hasher: Option<Sha256>,
    bytes: usize,
}

impl FileOut {
    /// Serializes `value` as JSON: on one line when `indent` is empty, pretty-printed with
    /// it otherwise.
    pub(crate) fn json(&mut self, value: &impl Serialize, indent: &[u8]) -> io::Result<()> {
        let serialized = if indent.is_empty() {
            serde_json::to_writer(&mut *self, value)
        } else {
            value.serialize(&mut serde_json::Serializer::with_formatter(&mut *self, Indented::new(indent)))
        };
        serialized.map_err(io::Error::other)
    }

    /// Counts and hashes the buffer and, on disk, writes it out. In memory this runs once,
    /// when the file is complete.
    fn flush_chunk(&mut self) -> io::Result<()> {
        if let Some(h) = &mut self.hasher {
            h.update(&self.buf);
        }
        self.bytes += self.buf.len();
        if let Some(file) = &mut self.file {
            file.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl Write for FileOut {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.file.is_some() && self.buf.len() >= CHUNK {
            self.flush_chunk()?;
        }
        Ok(data.len())
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.write(data).map(|_| ())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

//! File assets: a directory (or file) staged into the cloud assembly as
//! `asset.<hash>`, listed in its stack's `<stack>.assets.json`, and published by
//! `cdk deploy` to the bootstrap bucket, where resources find it by bucket and key.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::assembly::Bootstrap;
use crate::env::Environment;
use crate::error::{Error, Result};
use crate::expr::Expr;
use crate::tree::{Construct, Kind};

/// How an asset is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    /// A directory, zipped by the publisher (`cdk deploy`).
    Zip,
    /// A single file, uploaded as it is.
    File,
}

/// An asset staged in a stack: where it will be in S3 once published.
#[derive(Debug, Clone, PartialEq)]
pub struct FileAsset {
    /// SHA-256 of the content (relative paths and bytes; no timestamps or permissions).
    pub hash: String,
    /// The bootstrap assets bucket of the stack's environment.
    pub bucket: Expr,
    /// The object key (`<hash>.zip` for directories).
    pub key: String,
    /// Directory or file.
    pub packaging: Packaging,
}

/// What a stack keeps of an asset until synthesis.
#[derive(Debug, Clone)]
pub(crate) struct StagedAsset {
    pub hash: String,
    pub packaging: Packaging,
    pub display_name: String,
    /// (relative path, bytes), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    pub extension: String,
}

impl StagedAsset {
    pub(crate) fn dir_name(&self) -> String {
        format!("asset.{}{}", self.hash, self.extension)
    }
    pub(crate) fn object_key(&self) -> String {
        match self.packaging {
            Packaging::Zip => format!("{}.zip", self.hash),
            Packaging::File => format!("{}{}", self.hash, self.extension),
        }
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push((rel, fs::read(&path)?));
        }
    }
    Ok(())
}

/// Reads a directory or file and stages it in the stack of `scope`.
pub fn stage_asset(scope: &impl Construct, source: &Path) -> Result<FileAsset> {
    let node = scope.node();
    let path = node.path();
    let Some(stack) = node.stack() else {
        return Err(Error::InvalidScope {
            path,
            message: "assets belong to a stack; stage it from a construct inside one".into(),
        });
    };
    let read_error = |source_error: std::io::Error| Error::Read { path: source.to_owned(), source: source_error };
    let metadata = fs::metadata(source).map_err(read_error)?;
    let (packaging, mut files, extension) = if metadata.is_dir() {
        let mut files = Vec::new();
        collect(source, source, &mut files).map_err(read_error)?;
        (Packaging::Zip, files, String::new())
    } else {
        let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let extension = Path::new(&name).extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
        (Packaging::File, vec![(name, fs::read(source).map_err(read_error)?)], extension)
    };
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    for (rel, bytes) in &files {
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    let hash = format!("{:x}", hasher.finalize());
    let staged = StagedAsset { hash: hash.clone(), packaging, display_name: format!("{path} asset"), files, extension };
    let key = staged.object_key();
    let bootstrap = Bootstrap::new(node.borrow().settings.bootstrap_qualifier.as_str());
    stack.node.with_data_mut(|d| {
        if let Kind::Stack(s) = &mut d.kind {
            if !s.assets.iter().any(|a| a.hash == staged.hash) {
                s.assets.push(staged);
            }
        }
    });
    Ok(FileAsset { hash, bucket: Expr::sub(bootstrap.assets_bucket(&Environment::agnostic())), key, packaging })
}

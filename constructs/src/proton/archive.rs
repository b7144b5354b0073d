//! A deterministic `.tar.gz` of a bundle: sorted entries, fixed mtimes, owners and modes,
//! so the same bundle gives the same bytes on every machine and run.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::GzBuilder;

/// Modification time of every entry: 2000-01-01T00:00:00Z.
const MTIME: u64 = 946_684_800;

/// The files (relative `/`-separated paths) as a gzip-compressed tar archive, with a
/// directory entry before the files of each directory.
pub(crate) fn tar_gz(files: &BTreeMap<String, Vec<u8>>) -> std::io::Result<Vec<u8>> {
    let mut dirs = std::collections::BTreeSet::new();
    for path in files.keys() {
        let mut prefix = String::new();
        let parts: Vec<&str> = path.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            prefix.push_str(part);
            prefix.push('/');
            dirs.insert(prefix.clone());
        }
    }
    let mut entries: Vec<(&str, Option<&[u8]>)> = dirs.iter().map(|d| (d.as_str(), None)).collect();
    entries.extend(files.iter().map(|(p, b)| (p.as_str(), Some(b.as_slice()))));
    entries.sort_by(|a, b| a.0.cmp(b.0));

    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    for (path, bytes) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_mtime(MTIME);
        header.set_uid(0);
        header.set_gid(0);
        header.set_username("root")?;
        header.set_groupname("root")?;
        match bytes {
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                builder.append_data(&mut header, path, std::io::empty())?;
            }
            Some(bytes) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(bytes.len() as u64);
                builder.append_data(&mut header, path, bytes)?;
            }
        }
    }
    let tar = builder.into_inner()?;
    let mut gz = GzBuilder::new().mtime(0).write(Vec::new(), Compression::new(9));
    gz.write_all(&tar)?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn archives_are_byte_identical_and_readable() {
        let files: BTreeMap<String, Vec<u8>> = [
            ("schema/schema.yaml".to_owned(), b"schema: {}\n".to_vec()),
            ("infrastructure/manifest.yaml".to_owned(), b"infrastructure: {}\n".to_vec()),
        ]
        .into();
        let a = tar_gz(&files).unwrap_or_default();
        let b = tar_gz(&files).unwrap_or_default();
        assert_eq!(a, b);
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(a.as_slice()).read_to_end(&mut tar).unwrap_or_default();
        let mut archive = tar::Archive::new(tar.as_slice());
        let names: Vec<String> = archive
            .entries()
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.path().ok().map(|p| p.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(names, ["infrastructure/", "infrastructure/manifest.yaml", "schema/", "schema/schema.yaml"]);
    }
}

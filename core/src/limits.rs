//! The bounds of every reader of files a user did not write (templates, assemblies, template
//! bundles and specs, repositories of them, locks, `cloudwright.json`), in one place:
//! a hostile file is refused with an error naming it, in bounded time and memory, rather
//! than exhausting either. docs/limits.md lists them with their sources.
//!
//! CloudFormation's own quotas are taken where one applies
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>):
//! nothing larger can be deployed, so refusing it loses nothing.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// A template body: CloudFormation's quota for a template in an S3 object (1 MB).
pub const TEMPLATE_BYTES: u64 = 1 << 20;

/// Resources in one template: CloudFormation's quota.
pub const TEMPLATE_RESOURCES: usize = 500;

/// Parameters in one template: CloudFormation's quota.
pub const TEMPLATE_PARAMETERS: usize = 200;

/// Outputs in one template: CloudFormation's quota.
pub const TEMPLATE_OUTPUTS: usize = 200;

/// Mappings in one template: CloudFormation's quota.
pub const TEMPLATE_MAPPINGS: usize = 200;

/// Any other input file (a spec, a schema, `describe-stacks` output, a lock,
/// `cloudwright.json`): far above any real one, small enough to hold in memory.
pub const INPUT_BYTES: u64 = 64 << 20;

/// A cloud assembly's `manifest.json` (512 MiB): a larger file is refused, not read into memory.
pub const MANIFEST_BYTES: u64 = 512 << 20;

/// Nested assemblies deeper than this are not a cloud assembly any tool writes.
pub const ASSEMBLY_NESTING: usize = 16;

/// Nesting of YAML or JSON collections: the recursion limit of the parsers (`serde_json`,
/// `serde_norway`), which refuse deeper input before it can overflow the stack. A YAML
/// text is checked for it before parsing, because the YAML parser's time grows with the
/// square of the depth of flow collections (`[[[...]]]`).
pub const NESTING: usize = 128;

/// Instructions one render of a template-engine source may run (the engine's fuel): a loop
/// without end stops.
pub const RENDER_FUEL: u64 = 2_000_000;

/// Text one render of a template-engine source may write: a rendered template is a template body, so
/// [`TEMPLATE_BYTES`]; output growing without bound stops there.
pub const RENDERED_BYTES: u64 = TEMPLATE_BYTES;

/// The text of the file at `path`, refused (`Error::Input` naming it) when it is larger than
/// `max` bytes or not UTF-8; only `max + 1` bytes are ever read.
pub fn read_text(path: &Path, max: u64) -> Result<String> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    text_of(file, path, max)
}

/// [`read_text`], with `None` when there is no file at `path` (a lock or config file not
/// written yet).
pub fn read_text_if_exists(path: &Path, max: u64) -> Result<Option<String>> {
    match std::fs::File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read { path: path.to_path_buf(), source }),
        Ok(file) => text_of(file, path, max).map(Some),
    }
}

/// The text of the open `file` (at `path`), at most `max` bytes.
fn text_of(file: std::fs::File, path: &Path, max: u64) -> Result<String> {
    let read_error = |source| Error::Read { path: path.to_path_buf(), source };
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() as u64 > max {
        return Err(too_large(&path.display().to_string(), max));
    }
    String::from_utf8(bytes).map_err(|e| Error::Input {
        path: path.display().to_string(),
        message: format!(
            "is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Where the link `link`, met while walking the directory `root` of an input (`what`: "the
/// assembly", "the repository"), leads: inside `root`, or an `Error::Input` naming the
/// link. A walk follows no link out of its input (a pull request's link would have it read
/// any file the job can), and the caller follows none to a directory (one to an ancestor
/// never ends).
pub fn link_target(root: &Path, link: &Path, what: &str) -> Result<std::path::PathBuf> {
    let root = root.canonicalize().map_err(|source| Error::Read { path: root.to_path_buf(), source })?;
    match link.canonicalize() {
        Ok(target) if target.starts_with(&root) => Ok(target),
        _ => Err(Error::Input {
            path: link.display().to_string(),
            message: format!(
                "is a link that leads outside {what} (or nowhere); {what} is read only from its own directory: \
                 replace the link with the file"
            ),
        }),
    }
}

/// The error for input named `name` larger than `max` bytes.
pub fn too_large(name: &str, max: u64) -> Error {
    Error::Input {
        path: name.to_owned(),
        message: format!("is larger than {}, the most cloudwright reads of it", size(max)),
    }
}

/// `name:LINE:COLUMN` where a parser knows the place (`line` 1-based; 0 when it does not).
pub fn at_line(name: &str, line: usize, column: usize) -> String {
    if line == 0 { name.to_owned() } else { format!("{name}:{line}:{column}") }
}

/// `max` for people: `1 MiB`, `64 MiB`, `51200 bytes`.
fn size(max: u64) -> String {
    if max >= 1 << 20 && max % (1 << 20) == 0 { format!("{} MiB", max >> 20) } else { format!("{max} bytes") }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_file_larger_than_its_limit_is_refused_naming_it() {
        let dir = std::env::temp_dir().join(format!("cw-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.yaml");
        std::fs::write(&path, "x".repeat(11)).unwrap();
        assert_eq!(read_text(&path, 11).unwrap().len(), 11);
        let e = read_text(&path, 10).unwrap_err().to_string();
        assert!(e.contains("big.yaml: is larger than 10 bytes"), "{e}");
        std::fs::write(&path, [b'a', 0xff]).unwrap();
        let e = read_text(&path, 10).unwrap_err().to_string();
        assert!(e.contains("big.yaml: is not UTF-8"), "{e}");
        assert_eq!(size(TEMPLATE_BYTES), "1 MiB");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

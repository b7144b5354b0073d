//! (feature `testing`) The governance findings of a stack as test annotations: core's
//! `Annotations` knows what synthesis finds, and the rules are the toolkit's, so this is
//! where the two meet (core cannot depend on the toolkit).

use cloudwright_core::testing::{Annotation, Annotations, Level};
use cloudwright_core::{App, Construct, Stack};

use super::{Severity, check};

/// [`Annotations::from_stack`] plus the unsuppressed findings of the default rule pack on
/// that stack, each at its finding's construct path with its severity as the level and
/// the message `[RULE-ID] message` (match the id with `Match::string_like_regexp`). The
/// rules run only on an app that synthesizes; otherwise the synthesis problems are the
/// errors. An assembly the rules cannot read is an error annotation on the stack.
///
/// ```
/// use cloudwright_core::testing::Match;
/// use cloudwright_core::{App, CfnResource, Stack, StackProps};
/// use cloudwright_toolkit::governance::annotations;
///
/// let app = App::new();
/// let stack = Stack::new(&app, "Data", StackProps::default())?;
/// CfnResource::new(&stack, "Logs", "AWS::S3::Bucket", Default::default())?;
/// annotations(&stack).has_error("Data/Logs", Match::string_like_regexp(r"^\[CW-S3-\d+\]"));
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
pub fn annotations(stack: &Stack) -> Annotations {
    let synthesis = App::of(stack).assembly();
    let mut annotations = Annotations::from_synthesis(stack, &synthesis);
    let Ok(assembly) = &synthesis else { return annotations };
    let path = stack.node().path();
    match check(assembly) {
        Ok(report) => {
            for finding in report.active().filter(|f| f.stack == path) {
                let level = match finding.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                    Severity::Info => Level::Info,
                };
                let message = format!("[{}] {}", finding.rule_id, finding.message);
                annotations.add(Annotation { level, path: finding.path.clone(), message });
            }
        }
        Err(e) => annotations.add(Annotation {
            level: Level::Error,
            path,
            message: format!("the governance rules cannot read the assembly: {e}"),
        }),
    }
    annotations
}

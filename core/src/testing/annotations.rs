//! `Annotations`: assertions on the problems and warnings synthesis reports for one
//! stack (aws-cdk-lib's `Annotations`). Core knows what synthesis finds; other crates
//! add what they check on the assembly ([`Annotations::add`]: the toolkit's governance
//! findings, `cloudwright_toolkit::governance::annotations`).

use serde_json::Value as Json;

use super::fail;
use super::matcher::Match;
use crate::app::{App, Stack};
use crate::error::Result;
use crate::synth::Assembly;
use crate::tree::Construct;

/// How much an annotation matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Synthesis refuses the app (a node problem), or a rule finding of severity error.
    Error,
    /// Synthesis writes the app but says something is off, or a rule warning.
    Warning,
    /// Worth knowing (rule findings of severity info).
    Info,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

/// One message about a construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// How much it matters.
    pub level: Level,
    /// The construct's path (`Api/Handler/Resource`); `App` for a problem naming no construct.
    pub path: String,
    /// What is the matter.
    pub message: String,
}

/// The annotations of one stack: the problems that stop its app from synthesizing which
/// concern the stack or what is in it (or name no construct), and the warnings synthesis
/// gives about them, plus whatever [`Annotations::add`] added.
///
/// ```
/// use cloudwright_core::testing::{Annotations, Match};
/// use cloudwright_core::{App, CfnResource, Construct, Stack, StackProps};
///
/// let app = App::new();
/// let stack = Stack::new(&app, "Api", StackProps::default())?;
/// let queue = CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
/// queue.node().add_error("the queue needs a dead-letter queue");
///
/// let annotations = Annotations::from_stack(&stack);
/// annotations.has_error("Api/Jobs", Match::string_like_regexp("dead-letter"));
/// annotations.has_no_warning("*", Match::any_value());
/// # Ok::<(), cloudwright_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Annotations {
    stack: String,
    entries: Vec<Annotation>,
}

impl Annotations {
    /// Synthesizes the stack's app in memory and collects the stack's annotations.
    ///
    /// ```
    /// use cloudwright_core::testing::Annotations;
    /// use cloudwright_core::{App, CfnResource, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Api", StackProps::default())?;
    /// CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    /// assert!(Annotations::from_stack(&stack).annotations().is_empty());
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    #[track_caller]
    pub fn from_stack(stack: &Stack) -> Annotations {
        Annotations::from_synthesis(stack, &App::of(stack).assembly())
    }

    /// The stack's annotations from a synthesis already run (`App::assembly` of its app),
    /// for callers that also read the assembly.
    ///
    /// ```
    /// use cloudwright_core::testing::Annotations;
    /// use cloudwright_core::{App, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Empty", StackProps::default())?;
    /// let annotations = Annotations::from_synthesis(&stack, &app.assembly());
    /// annotations.has_error("Empty", "the stack has no resources and CloudFormation requires at least one; \
    ///                                 add a resource or remove the stack");
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn from_synthesis(stack: &Stack, synthesis: &Result<Assembly>) -> Annotations {
        let path = stack.node().path();
        let within = |p: &str| p == path || p.strip_prefix(path.as_str()).is_some_and(|rest| rest.starts_with('/'));
        let entries = match synthesis {
            Ok(assembly) => assembly
                .warnings()
                .iter()
                .filter(|w| within(&w.path))
                .map(|w| Annotation { level: Level::Warning, path: w.path.clone(), message: w.message.clone() })
                .collect(),
            Err(e) => e
                .problems()
                .into_iter()
                .filter(|p| p.path().is_none_or(within))
                .map(|p| {
                    let at = p.path().unwrap_or("App").to_owned();
                    // The message without the path it starts with: the path is a field here.
                    let text = p.to_string();
                    let message = text.strip_prefix(&format!("{at}: ")).map_or(text.clone(), str::to_owned);
                    Annotation { level: Level::Error, path: at, message }
                })
                .collect(),
        };
        Annotations { stack: path, entries }
    }

    /// Adds an annotation (what a checker of the assembly found about this stack).
    ///
    /// ```
    /// use cloudwright_core::testing::{Annotation, Annotations, Level};
    /// use cloudwright_core::{App, CfnResource, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Api", StackProps::default())?;
    /// CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    /// let mut annotations = Annotations::from_stack(&stack);
    /// annotations.add(Annotation { level: Level::Info, path: "Api/Jobs".into(), message: "no alarm".into() });
    /// annotations.has_info("Api/Jobs", "no alarm");
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn add(&mut self, annotation: Annotation) {
        self.entries.push(annotation);
    }

    /// Every annotation, in the order found.
    ///
    /// ```
    /// use cloudwright_core::testing::{Annotations, Level};
    /// use cloudwright_core::{App, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Empty", StackProps::default())?;
    /// let annotations = Annotations::from_stack(&stack);
    /// assert_eq!(annotations.annotations()[0].level, Level::Error);
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    pub fn annotations(&self) -> &[Annotation] {
        &self.entries
    }

    /// Asserts an error at `path` (`"*"`: anywhere in the stack) whose message matches.
    ///
    /// ```
    /// use cloudwright_core::testing::{Annotations, Match};
    /// use cloudwright_core::{App, Construct, Group, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Api", StackProps::default())?;
    /// Group::new(&stack, "Part")?.node().add_error("needs a queue");
    /// let annotations = Annotations::from_stack(&stack);
    /// annotations.has_error("Api/Part", "needs a queue");
    /// annotations.has_error("*", Match::string_like_regexp("no resources"));
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    #[track_caller]
    pub fn has_error(&self, path: &str, message: impl Into<Match>) {
        self.assert_has(Level::Error, path, &message.into());
    }

    /// Asserts a warning at `path` (`"*"`: anywhere in the stack) whose message matches.
    ///
    /// ```
    /// use cloudwright_core::testing::{Annotation, Annotations, Level, Match};
    /// use cloudwright_core::{App, CfnResource, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Api", StackProps::default())?;
    /// CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    /// let mut annotations = Annotations::from_stack(&stack);
    /// annotations.add(Annotation { level: Level::Warning, path: "Api/Jobs".into(), message: "kept export".into() });
    /// annotations.has_warning("*", Match::string_like_regexp("export"));
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    #[track_caller]
    pub fn has_warning(&self, path: &str, message: impl Into<Match>) {
        self.assert_has(Level::Warning, path, &message.into());
    }

    /// Asserts an info message at `path` (`"*"`: anywhere in the stack) whose message matches.
    ///
    /// ```
    /// use cloudwright_core::testing::{Annotation, Annotations, Level};
    /// use cloudwright_core::{App, CfnResource, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Api", StackProps::default())?;
    /// CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    /// let mut annotations = Annotations::from_stack(&stack);
    /// annotations.add(Annotation { level: Level::Info, path: "Api/Jobs".into(), message: "no alarm".into() });
    /// annotations.has_info("/Api/Jobs", "no alarm");
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    #[track_caller]
    pub fn has_info(&self, path: &str, message: impl Into<Match>) {
        self.assert_has(Level::Info, path, &message.into());
    }

    /// Asserts that no error at `path` (`"*"`: anywhere) has a message that matches.
    ///
    /// ```
    /// use cloudwright_core::testing::{Annotations, Match};
    /// use cloudwright_core::{App, CfnResource, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Api", StackProps::default())?;
    /// CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    /// Annotations::from_stack(&stack).has_no_error("*", Match::any_value());
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    #[track_caller]
    pub fn has_no_error(&self, path: &str, message: impl Into<Match>) {
        self.assert_none(Level::Error, path, &message.into());
    }

    /// Asserts that no warning at `path` (`"*"`: anywhere) has a message that matches.
    ///
    /// ```
    /// use cloudwright_core::testing::{Annotations, Match};
    /// use cloudwright_core::{App, CfnResource, Stack, StackProps};
    ///
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Api", StackProps::default())?;
    /// CfnResource::new(&stack, "Jobs", "AWS::SQS::Queue", Default::default())?;
    /// Annotations::from_stack(&stack).has_no_warning("*", Match::any_value());
    /// # Ok::<(), cloudwright_core::Error>(())
    /// ```
    #[track_caller]
    pub fn has_no_warning(&self, path: &str, message: impl Into<Match>) {
        self.assert_none(Level::Warning, path, &message.into());
    }

    fn at<'s>(&'s self, level: Level, path: &'s str) -> impl Iterator<Item = &'s Annotation> {
        let path = path.strip_prefix('/').unwrap_or(path);
        self.entries.iter().filter(move |a| a.level == level && (path == "*" || a.path == path))
    }

    #[track_caller]
    fn assert_has(&self, level: Level, path: &str, message: &Match) {
        let candidates: Vec<&Annotation> = self.at(level, path).collect();
        if candidates.iter().any(|a| message.matches(&Json::from(a.message.as_str()))) {
            return;
        }
        let mut out = format!("Stack {} has no {} at {path} whose message matches.", self.stack, level.name());
        for a in &candidates {
            let why = message.mismatch(&Json::from(a.message.as_str())).unwrap_or_default();
            out.push_str(&format!("\nThe {} at {} does not match:\n{why}", level.name(), a.path));
        }
        fail(format!("{out}\n{}", self.listing()))
    }

    #[track_caller]
    fn assert_none(&self, level: Level, path: &str, message: &Match) {
        let found: Vec<&Annotation> =
            self.at(level, path).filter(|a| message.matches(&Json::from(a.message.as_str()))).collect();
        if !found.is_empty() {
            let lines: Vec<String> = found.iter().map(|a| format!("  {}: {}", a.path, a.message)).collect();
            fail(format!(
                "Stack {} has {} {}(s) at {path} that match:\n{}",
                self.stack,
                found.len(),
                level.name(),
                lines.join("\n")
            ));
        }
    }

    /// Every annotation of the stack, for a failure message.
    fn listing(&self) -> String {
        if self.entries.is_empty() {
            return "The stack has no annotations.".into();
        }
        let lines: Vec<String> =
            self.entries.iter().map(|a| format!("  {} {}: {}", a.level.name(), a.path, a.message)).collect();
        format!("The stack's annotations:\n{}", lines.join("\n"))
    }
}

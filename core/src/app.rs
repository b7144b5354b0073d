//! `App`, `Stage` and `Stack`: the constructs that decide what is deployed where.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::env::Environment;
use crate::error::Result;
use crate::expr::Strength;
use crate::synth::{Assembly, StagedAssembly, SynthReport};
use crate::tree::{Arena, Construct, Kind, Node, Settings, StackData, StageData};

static NEXT_APP_ID: AtomicU32 = AtomicU32::new(1);

/// Settings of an [`App`].
#[derive(Debug, Clone)]
pub struct AppProps {
    /// Qualifier of the CDK bootstrap resources the stacks deploy with (`cdk bootstrap --qualifier`).
    pub bootstrap_qualifier: String,
    /// Adds the CDK's `BootstrapVersion` parameter and `CheckBootstrapVersion` rule to
    /// every template, so a deployment into an account that is not bootstrapped fails early.
    pub bootstrap_version_rule: bool,
    /// String settings constructs read with [`App::context`] (the CDK's `tryGetContext`),
    /// e.g. how a library's constructs deploy.
    pub context: IndexMap<String, String>,
    /// The export lock (`cloudwright.exports.lock.json`, committed beside the app): synthesis
    /// keeps every export it lists until `cloudwright exports prune`, and writes the exports
    /// it adds into it when the assembly is written. `None`: no lock (the CLI sets one for
    /// the apps it runs).
    pub exports_lock: Option<PathBuf>,
    /// How a reference to a value of another stack in the same account and region is
    /// written (the CDK's `@aws-cdk/core:defaultCrossStackReferences` context key):
    /// `Strong` (the default) exports it, `Weak` reads it with `Fn::GetStackOutput`. Across
    /// accounts or regions a reference is always weak; `Expr::weak`/`Expr::strong`
    /// override this for one reference (see `docs/references.md`).
    pub reference_strength: Strength,
}

impl Default for AppProps {
    fn default() -> Self {
        AppProps {
            bootstrap_qualifier: crate::assembly::DEFAULT_QUALIFIER.into(),
            bootstrap_version_rule: true,
            context: IndexMap::new(),
            exports_lock: None,
            reference_strength: Strength::Strong,
        }
    }
}

/// Produces files written beside the cloud assembly (e.g. template bundles): paths relative
/// to the output directory, and their bytes.
pub type FileGenerator = Rc<dyn Fn() -> Result<Vec<(String, Vec<u8>)>>>;

/// The root of the construct tree: holds stages and stacks, and synthesizes them.
#[derive(Debug, Clone)]
pub struct App {
    node: Node,
}

impl Construct for App {
    fn node(&self) -> &Node {
        &self.node
    }
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// A new, empty app with default settings.
    pub fn new() -> Self {
        App::with_props(AppProps::default())
    }

    /// A new, empty app. Its context is `props.context` overlaid with
    /// `$CLOUDWRIGHT_CONTEXT` (what the CLI's `--context` and `cloudwright.json` set), as the
    /// CDK's `App` reads `CDK_CONTEXT_JSON`; a malformed value is a problem synth reports.
    pub fn with_props(props: AppProps) -> Self {
        let mut context = props.context;
        let from_env = std::env::var(crate::context::CONTEXT_ENV).ok().filter(|t| !t.trim().is_empty());
        let env_problem = match from_env.as_deref().map(crate::context::parse) {
            Some(Ok(values)) => {
                context.extend(values);
                None
            }
            Some(Err(e)) => Some(format!("${}: {e}", crate::context::CONTEXT_ENV)),
            None => None,
        };
        let settings = Settings {
            bootstrap_qualifier: props.bootstrap_qualifier,
            bootstrap_rule: props.bootstrap_version_rule,
            context,
            reference_strength: props.reference_strength,
            generators: Vec::new(),
            exports_lock: props.exports_lock,
        };
        let arena = Arena::new(NEXT_APP_ID.fetch_add(1, Ordering::Relaxed), settings);
        let app = App { node: Node { arena: Rc::new(RefCell::new(arena)), index: 0 } };
        if let Some(problem) = env_problem {
            app.node.add_error(problem);
        }
        app
    }

    /// Sets a context value (the CDK's `node.setContext`). Constructs read the context as
    /// they are built, so set it before adding them.
    pub fn set_context(&self, key: impl Into<String>, value: impl Into<String>) {
        self.node.borrow_mut().settings.context.insert(key.into(), value.into());
    }

    /// A context value (the CDK's `node.tryGetContext`), `None` when unset.
    pub fn context(&self, key: &str) -> Option<String> {
        self.node.borrow().settings.context.get(key).cloned()
    }

    /// A value of the live environment the app cannot know (an organization's root id, a
    /// connection's ARN): the context value of `key`, else `sample`. The key is recorded in
    /// the assembly (`cloudwright:context` metadata); a key left at its sample gets a synth
    /// warning, and `cloudwright plan` refuses to plan a deployment with it.
    pub fn context_or_sample(&self, key: &str, sample: &str) -> String {
        let value = self.context(key).unwrap_or_else(|| sample.to_owned());
        let declaration = crate::context::declaration(key, &value, value == sample);
        let known = self.node.metadata().into_iter().any(|(kind, data)| {
            kind == crate::context::CONTEXT_METADATA && data.get("key").and_then(Json::as_str) == Some(key)
        });
        if !known {
            self.node.add_metadata(crate::context::CONTEXT_METADATA, declaration);
        }
        value
    }

    /// Sets the export lock synthesis reads and updates (see [`AppProps::exports_lock`]).
    pub fn set_exports_lock(&self, path: impl Into<PathBuf>) {
        self.node.borrow_mut().settings.exports_lock = Some(path.into());
    }

    /// The export lock, `None` when the app has none.
    pub fn exports_lock(&self) -> Option<PathBuf> {
        self.node.borrow().settings.exports_lock.clone()
    }

    /// The qualifier of the CDK bootstrap resources (roles, asset bucket) the stacks deploy with.
    pub fn bootstrap_qualifier(&self) -> String {
        self.node.borrow().settings.bootstrap_qualifier.clone()
    }

    /// How references between stacks of one account and region are written, unless a
    /// reference says otherwise ([`AppProps::reference_strength`]).
    pub fn reference_strength(&self) -> Strength {
        self.node.borrow().settings.reference_strength
    }

    /// Adds files to the output, produced when the app is synthesized (after its
    /// constructs are complete); an error from the generator fails synthesis.
    pub fn add_file_generator(&self, generator: impl Fn() -> Result<Vec<(String, Vec<u8>)>> + 'static) {
        let generator: FileGenerator = Rc::new(generator);
        self.node.borrow_mut().settings.generators.push(generator);
    }

    /// The app a construct belongs to.
    pub fn of(construct: &impl Construct) -> App {
        let node = construct.node();
        App { node: node.at(0) }
    }

    /// Validates the app and builds its cloud assembly in memory, writing nothing.
    pub fn assembly(&self) -> Result<Assembly> {
        crate::synth::assembly(&self.node)
    }

    /// Validates the app and writes its cloud assembly to `outdir`, atomically: files go
    /// to a staging directory as they are rendered, which then replaces `outdir`.
    pub fn synth(&self, outdir: impl AsRef<Path>) -> Result<SynthReport> {
        crate::synth::synth(&self.node, outdir.as_ref())
    }

    /// Like [`App::synth`], but leaves the assembly in its staging directory until
    /// [`StagedAssembly::commit`], so it can be checked on disk first.
    pub fn synth_staged(&self, outdir: impl AsRef<Path>) -> Result<StagedAssembly> {
        crate::synth::synth_staged(&self.node, outdir.as_ref())
    }

    /// Every stack of the app, in tree order.
    pub fn stacks(&self) -> Vec<Stack> {
        self.node
            .descendants()
            .into_iter()
            .filter(|n| n.with_data(|d| matches!(d.kind, Kind::Stack(_))))
            .map(|node| Stack { node })
            .collect()
    }
}

/// Properties of a [`Stage`].
#[derive(Debug, Clone, Default)]
pub struct StageProps {
    /// Default environment of the stacks in the stage.
    pub env: Environment,
}

/// A group of stacks deployed together to one environment (dev, test, prod); written as
/// a nested cloud assembly `assembly-<Stage>`.
#[derive(Debug, Clone)]
pub struct Stage {
    node: Node,
}

impl Construct for Stage {
    fn node(&self) -> &Node {
        &self.node
    }
}

impl Stage {
    /// Adds a stage to the app or to another stage.
    pub fn new(scope: &impl Construct, id: &str, props: StageProps) -> Result<Self> {
        let kind = Kind::Stage(Box::new(StageData { env: props.env }));
        Ok(Stage { node: Node::add_child(scope.node(), id, kind, "cloudwright.Stage")? })
    }

    /// The stage's environment, with unset parts inherited from enclosing stages.
    pub fn environment(&self) -> Environment {
        resolved_env(&self.node)
    }
}

/// Properties of a [`Stack`].
#[derive(Debug, Clone, Default)]
pub struct StackProps {
    /// Where the stack deploys; unset parts are inherited from the stage.
    pub env: Environment,
    /// Template `Description`.
    pub description: Option<String>,
    /// Refuse deletion of the deployed stack.
    pub termination_protection: bool,
    /// Stack tags, applied by CloudFormation to every resource that supports tags.
    pub tags: Vec<(String, String)>,
    /// The CloudFormation stack name; derived from the path when `None`.
    pub stack_name: Option<String>,
    /// Template `AWSTemplateFormatVersion` (e.g. `2010-09-09`); left out when `None`, as the CDK does.
    pub template_format_version: Option<String>,
    /// Template `Transform`s, e.g. `AWS::Serverless-2016-10-31`.
    pub transforms: Vec<String>,
    /// How the stack's [`crate::Expr::StackValue`]s resolve and its literal strings are
    /// written; a stack without one holds no such value.
    pub values: Option<Arc<dyn StackValues>>,
}

/// How a stack resolves the values each stack resolves in its own way
/// ([`crate::Expr::StackValue`]), and how it writes literal strings: a stack rendered as
/// a template of another language (a placeholder per value, literal strings escaped),
/// or as what that language would have rendered (a value per name).
pub trait StackValues: fmt::Debug + Send + Sync {
    /// The value of `name` in this stack, or what is wrong (said after the construct's
    /// path: "has no value for ...; give it one in ...").
    fn value(&self, name: &str) -> std::result::Result<Json, String>;

    /// A literal string of the template as written: unchanged, unless the template is
    /// read by another language that needs it escaped.
    fn literal<'s>(&self, text: &'s str) -> Cow<'s, str> {
        Cow::Borrowed(text)
    }
}

/// A unit of deployment: one CloudFormation template.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub(crate) node: Node,
}

impl Construct for Stack {
    fn node(&self) -> &Node {
        &self.node
    }
}

impl Stack {
    /// Adds a stack to the app, a stage, or a plain construct outside any stack.
    pub fn new(scope: &impl Construct, id: &str, props: StackProps) -> Result<Self> {
        let data = StackData {
            env: props.env,
            description: props.description,
            termination_protection: props.termination_protection,
            tags: props.tags,
            stack_name: props.stack_name,
            template_format_version: props.template_format_version,
            transforms: props.transforms,
            values: props.values,
            dependencies: Vec::new(),
            execution_roles: Vec::new(),
            permissions_boundary: None,
            assets: Vec::new(),
        };
        Ok(Stack { node: Node::add_child(scope.node(), id, Kind::Stack(Box::new(data)), "cloudwright.Stack")? })
    }

    /// The stack behind a node, when the node is one.
    pub fn from_node(node: &Node) -> Option<Stack> {
        node.with_data(|d| matches!(d.kind, Kind::Stack(_))).then(|| Stack { node: node.clone() })
    }

    fn with_stack<R>(&self, f: impl FnOnce(&StackData) -> R) -> Option<R> {
        self.node.tree().stack(self.node.index).map(f)
    }

    /// The stack's environment, with unset parts inherited from its stages.
    pub fn environment(&self) -> Environment {
        resolved_env(&self.node)
    }

    /// Adds a transform (a macro CloudFormation runs on the template, e.g.
    /// `AWS::Serverless-2016-10-31`), after those of [`StackProps::transforms`]; the CDK's
    /// `stack.addTransform`.
    pub fn add_transform(&self, name: &str) {
        self.node.with_data_mut(|d| {
            if let Kind::Stack(s) = &mut d.kind {
                if !s.transforms.iter().any(|t| t == name) {
                    s.transforms.push(name.to_owned());
                }
            }
        });
    }

    /// Names the managed policy (in this stack's account) that the roles synthesis itself
    /// adds to the stack (the reader roles of weak references) carry as their permissions
    /// boundary, for stacks deployed by a role that may only create roles with it (the
    /// CDK's `@aws-cdk/core:permissionsBoundary`). Constructs read it with
    /// [`Stack::permissions_boundary`] to do the same for theirs.
    pub fn set_permissions_boundary(&self, policy_name: &str) {
        self.node.with_data_mut(|d| {
            if let Kind::Stack(s) = &mut d.kind {
                s.permissions_boundary = Some(policy_name.to_owned());
            }
        });
    }

    /// The managed policy (by name) the stack's roles carry as permissions boundary, if any.
    pub fn permissions_boundary(&self) -> Option<String> {
        self.with_stack(|s| s.permissions_boundary.clone()).flatten()
    }

    /// Declares a role, by name in this stack's account, that CloudFormation also deploys
    /// this stack with (a pipeline's execution role), besides the CDK bootstrap's
    /// CloudFormation execution role that `cdk deploy` uses: the reader roles of the stacks
    /// this one reads with weak references across accounts trust it too, since
    /// `Fn::GetStackOutput` assumes its `RoleArn` with the deploying stack's execution role.
    pub fn add_execution_role(&self, role_name: &str) {
        self.node.with_data_mut(|d| {
            if let Kind::Stack(s) = &mut d.kind {
                if !s.execution_roles.iter().any(|r| r == role_name) {
                    s.execution_roles.push(role_name.to_owned());
                }
            }
        });
    }

    /// Deploys this stack after `other`.
    pub fn add_dependency(&self, other: &Stack) {
        let target = other.node.index;
        self.node.with_data_mut(|d| {
            if let Kind::Stack(s) = &mut d.kind {
                if !s.dependencies.contains(&target) {
                    s.dependencies.push(target);
                }
            }
        });
    }

    /// The stacks this one deploys after by explicit [`Stack::add_dependency`] (references
    /// between stacks add theirs at synthesis).
    pub fn dependencies(&self) -> Vec<Stack> {
        let targets = self.with_stack(|s| s.dependencies.clone()).unwrap_or_default();
        targets.into_iter().map(|i| Stack { node: self.node.at(i) }).collect()
    }

    /// Turns termination protection on or off (for stacks made by other constructs).
    pub fn set_termination_protection(&self, on: bool) {
        self.node.with_data_mut(|d| {
            if let Kind::Stack(s) = &mut d.kind {
                s.termination_protection = on;
            }
        });
    }

    /// The id of the stack's artifact in the cloud assembly (also its template's file name).
    pub fn artifact_id(&self) -> String {
        crate::synth::names::artifact_id(&self.node.tree(), self.node.index)
    }

    /// The template's path in the cloud assembly (`assembly-Dev/DevService1A2B3C4D.template.json`).
    pub fn template_file(&self) -> String {
        let arena = self.node.tree();
        let dir = crate::synth::assembly_dir(&arena, arena.stage_of(self.node.index));
        format!("{dir}{}.template.json", crate::synth::names::artifact_id(&arena, self.node.index))
    }

    /// The CloudFormation stack name.
    pub fn stack_name(&self) -> String {
        crate::synth::names::stack_name(&self.node.tree(), self.node.index)
    }

    /// Adds a stack tag.
    pub fn add_tag(&self, key: &str, value: &str) {
        self.node.with_data_mut(|d| {
            if let Kind::Stack(s) = &mut d.kind {
                s.tags.retain(|(k, _)| k != key);
                s.tags.push((key.to_owned(), value.to_owned()));
            }
        });
    }

    /// The stack tags.
    pub fn tags(&self) -> Vec<(String, String)> {
        self.with_stack(|s| s.tags.clone()).unwrap_or_default()
    }
}

/// The environment of a stage or stack: its own, filled in from the enclosing stages.
pub(crate) fn resolved_env(node: &Node) -> Environment {
    let arena = node.tree();
    let mut env = Environment::default();
    let mut cur = Some(node.index);
    while let Some(i) = cur {
        let data = &arena.nodes[i as usize];
        match &data.kind {
            Kind::Stack(s) => env = env.or(&s.env),
            Kind::Stage(s) => env = env.or(&s.env),
            _ => {}
        }
        cur = data.parent;
    }
    env
}

//! Resolution of references: the typed references of stored values ([`Reference`])
//! become CloudFormation intrinsics as they are serialized. A reference into another
//! stack of the same stage is either strong (an export in the producer and
//! `Fn::ImportValue` in the consumer: same account and region, the default there) or weak
//! (a plain output and `Fn::GetStackOutput`, `weak.rs`: across accounts or regions, or
//! when the app or the reference asks), with a stack dependency either way. A reference
//! across stages, partitions or to a stack without an account or region where they
//! differ, a strong one across accounts or regions, a weak one used as a list, one to
//! another app or to an element that cannot be referenced that way, is an error naming
//! both construct paths.
//!
//! There is one walk: serializing a value through [`Resolved`]. Synthesis runs it twice
//! with different consumers. The checking pass ([`Pass::Check`]) serializes every
//! template into [`super::discard::Discard`], recording what resolution finds
//! ([`Findings`]: exports, stack dependencies, errors) and writing nothing; the writing
//! pass ([`Pass::Write`]) serializes the same templates into files, recording nothing.
//! Since both are the same walk, they cannot disagree on what is resolved.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use indexmap::IndexMap;
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value as Json, json};

use crate::app::StackValues;
use crate::assembly::{Bootstrap, RoleKind};
use crate::element::Body;
use crate::env::{Environment, partition};
use crate::error::Error;
use crate::expr::{ElementRef, Reference, Strength};
use crate::logical_id::{export_name, make_unique_id};
use crate::stored::{Object, Stored};
use crate::tree::Nodes;

use super::weak::{self, PublishedByStack, Source};

/// An output a producer stack declares for another stack to import.
pub(crate) struct Export {
    /// The exported intrinsic (`Ref` or `Fn::GetAtt`).
    pub value: Json,
    /// The export name, `<stack name>:<unique id>` as the CDK names it.
    pub name: String,
}

/// The exports of each producer stack, by output logical id.
pub(crate) type Exports = HashMap<u32, IndexMap<String, Export>>;

/// Every element's logical id, by node index.
#[derive(Default)]
pub(crate) struct LogicalIds(Vec<Option<Box<str>>>);

impl LogicalIds {
    pub(crate) fn with_nodes(nodes: usize) -> Self {
        LogicalIds(vec![None; nodes])
    }

    pub(crate) fn insert(&mut self, node: u32, id: String) {
        if let Some(slot) = self.0.get_mut(node as usize) {
            *slot = Some(id.into_boxed_str());
        }
    }

    /// The node's logical id (`""` for a node that is no element).
    pub(crate) fn get(&self, node: u32) -> &str {
        self.0.get(node as usize).and_then(Option::as_deref).unwrap_or_default()
    }

    pub(crate) fn is_element(&self, node: u32) -> bool {
        self.0.get(node as usize).is_some_and(Option::is_some)
    }
}

/// What every stack shares while references resolve: read only, so the writing pass can
/// serialize on several threads.
pub(crate) struct Shared<'a> {
    pub arena: &'a Nodes,
    pub logical_ids: &'a LogicalIds,
    pub envs: &'a HashMap<u32, Environment>,
    pub stack_names: &'a HashMap<u32, String>,
    /// How references between stacks of one account and region are written unless a
    /// reference says otherwise.
    pub strength: Strength,
    /// The CDK bootstrap qualifier: reader roles trust its CloudFormation execution roles.
    pub qualifier: &'a str,
}

/// What the checking pass learns.
#[derive(Default)]
pub(crate) struct Findings {
    pub exports: Exports,
    /// Outputs and reader roles of weak references, by producer stack.
    pub published: PublishedByStack,
    pub stack_deps: BTreeSet<(u32, u32)>,
    /// For each dependency between stacks of different accounts that a reference makes
    /// (consumer stack, producer stack): the first such reference (consumer element,
    /// producer element), to name both when the dependencies form a cycle.
    pub account_edges: BTreeMap<(u32, u32), (u32, u32)>,
    pub errors: Vec<Error>,
}

/// Which of the two passes over the templates a resolver serves.
#[derive(Clone, Copy)]
pub(crate) enum Pass<'a> {
    /// Before anything is written: what resolution finds is recorded, and a problem
    /// resolves to `null` so that every problem is found.
    Check(&'a RefCell<Findings>),
    /// Writing the files, after a check found no problem: nothing is recorded, and a
    /// problem (which the check would have found) fails the serialization.
    Write,
}

/// Resolves values on behalf of one element of one stack.
#[derive(Clone, Copy)]
pub(crate) struct Resolver<'a> {
    pub shared: &'a Shared<'a>,
    pub pass: Pass<'a>,
    pub stack: u32,
    pub element: u32,
    /// How the stack resolves its stack values and writes literal strings, looked up
    /// once: every string asks.
    values: Option<&'a dyn StackValues>,
}

/// What a reference resolves to; one within the stack serializes without allocating.
enum Resolution<'r> {
    Ref(&'r str),
    Att(&'r str, &'r str),
    Name(&'r str),
    Import(String),
    Value(Json),
}

impl Resolution<'_> {
    /// The intrinsic a producer exports.
    fn to_json(&self) -> Json {
        match self {
            Resolution::Ref(id) => json!({"Ref": id}),
            Resolution::Att(id, attr) => json!({"Fn::GetAtt": [id, attr]}),
            Resolution::Name(id) => json!(id),
            Resolution::Import(name) => json!({"Fn::ImportValue": name}),
            Resolution::Value(v) => v.clone(),
        }
    }
}

impl Serialize for Resolution<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Resolution::Ref(id) => call(s, "Ref", id),
            Resolution::Att(id, attr) => call(s, "Fn::GetAtt", &[id, attr]),
            Resolution::Import(name) => call(s, "Fn::ImportValue", name),
            Resolution::Name(text) => s.serialize_str(text),
            Resolution::Value(v) => v.serialize(s),
        }
    }
}

/// A one-entry intrinsic function object.
fn call<S: Serializer, A: Serialize + ?Sized>(s: S, name: &str, arg: &A) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(1))?;
    map.serialize_entry(name, arg)?;
    map.end()
}

impl<'a> Resolver<'a> {
    /// A resolver for `element` of `stack`.
    pub(crate) fn new(shared: &'a Shared<'a>, pass: Pass<'a>, stack: u32, element: u32) -> Self {
        let arena: &'a Nodes = shared.arena;
        let values = arena.stack(stack).and_then(|s| s.values.as_deref());
        Resolver { shared, pass, stack, element, values }
    }

    fn path(&self) -> String {
        self.shared.arena.path(self.element)
    }

    fn record(&self, f: impl FnOnce(&mut Findings)) {
        if let Pass::Check(findings) = self.pass {
            f(&mut findings.borrow_mut());
        }
    }

    /// Serializes a problem: recorded (as `null`) while checking, an error while writing.
    fn problem<S: Serializer>(&self, error: Error, s: S) -> Result<S::Ok, S::Error> {
        match self.pass {
            Pass::Check(findings) => {
                findings.borrow_mut().errors.push(error);
                s.serialize_unit()
            }
            Pass::Write => Err(S::Error::custom(error)),
        }
    }

    /// Records that this stack deploys after the one holding `node`, when that is another.
    pub(crate) fn depends_on(&self, node: u32) {
        match self.shared.arena.stack_of(node) {
            Some(other) if other != self.stack => self.record(|f| {
                f.stack_deps.insert((self.stack, other));
            }),
            _ => {}
        }
    }

    fn resolve<'v>(&self, reference: &'v Reference) -> Result<Resolution<'v>, Error>
    where
        'a: 'v,
    {
        let (element, resolution) = match reference {
            Reference::StackValue(name) => return self.stack_value(name),
            Reference::Ref(r) => {
                let id = self.element_id(*r, "`Ref`", |b| matches!(b, Body::Resource(_) | Body::Parameter(_)))?;
                (*r, Resolution::Ref(id))
            }
            Reference::Att(att) => {
                let id = self.element_id(att.0, "`Fn::GetAtt`", |b| matches!(b, Body::Resource(_)))?;
                (att.0, Resolution::Att(id, &att.1))
            }
            Reference::LogicalId(r) => (*r, Resolution::Name(self.element_id(*r, "its logical id", |_| true)?)),
        };
        let arena = self.shared.arena;
        match arena.stack_of(element.node) {
            Some(producer) if producer != self.stack => match resolution {
                Resolution::Name(_) => Err(Error::Validation {
                    path: self.path(),
                    message: format!(
                        "uses the logical id of {}, an element of another stack; conditions, mappings \
                         and logical ids only apply within their own stack, so define one in this stack",
                        arena.path(element.node)
                    ),
                }),
                _ => self.across(producer, element, resolution.to_json()),
            },
            _ => Ok(resolution),
        }
    }

    /// Whether a reference to `element` of `producer`, another stack, is written weak:
    /// across accounts or regions always, otherwise as the reference or the app says.
    fn is_weak(&self, element: ElementRef, producer: u32) -> bool {
        self.shared.envs[&self.stack] != self.shared.envs[&producer]
            || element.strength.unwrap_or(self.shared.strength) == Strength::Weak
    }

    /// A reference into `producer`, another stack: strong or weak, or what stops it.
    fn across(&self, producer: u32, element: ElementRef, resolved: Json) -> Result<Resolution<'static>, Error> {
        let arena = self.shared.arena;
        if arena.stage_of(producer) != arena.stage_of(self.stack) {
            return Err(Error::CrossStageReference { consumer: self.path(), producer: arena.path(element.node) });
        }
        if self.is_weak(element, producer) {
            self.weak(producer, element, resolved)
        } else {
            self.import(producer, resolved)
        }
    }

    /// `Fn::GetStackOutput` of a plain output of `producer`, recorded with its stack
    /// dependency and, across accounts, the producer's reader role for this account.
    fn weak(&self, producer: u32, element: ElementRef, resolved: Json) -> Result<Resolution<'static>, Error> {
        let (consumer_env, producer_env) = (&self.shared.envs[&self.stack], &self.shared.envs[&producer]);
        let problem = |message: String| {
            Err(Error::Validation {
                path: self.path(),
                message: format!("refers to {}, {message}", self.shared.arena.path(element.node)),
            })
        };
        let same_env = consumer_env == producer_env;
        if !same_env && [consumer_env, producer_env].iter().any(|e| e.account.is_none() || e.region.is_none()) {
            return problem(format!(
                "a stack of {producer_env} while this stack is of {consumer_env}: with an account or region \
                 unknown until deployment, cloudwright cannot tell whether the reference crosses an account \
                 or region, nor which role may read the producer; give both stacks an explicit account and \
                 region (`Environment::new`)"
            ));
        }
        if let (Some(c), Some(p)) = (&consumer_env.region, &producer_env.region) {
            let (consumer_partition, producer_partition) = (partition(c), partition(p));
            if consumer_partition != producer_partition {
                return problem(format!(
                    "deployed to {p} (partition `{producer_partition}`) while this stack deploys to {c} \
                     (partition `{consumer_partition}`): CloudFormation cannot read another stack's output \
                     across partitions (`Fn::GetStackOutput` does not support cross-partition references); \
                     pass the value in as a stack parameter, or copy it to an SSM parameter of this partition"
                ));
            }
        }
        if !same_env && element.strength == Some(Strength::Strong) {
            return Err(Error::CrossEnvironmentReference {
                consumer: self.path(),
                producer: self.shared.arena.path(element.node),
                consumer_env: consumer_env.to_string(),
                producer_env: producer_env.to_string(),
            });
        }
        let output = weak::output_id(&resolved);
        let across_accounts = consumer_env.account != producer_env.account;
        let role_name = match (&producer_env.account, &consumer_env.account) {
            (Some(_), Some(consumer)) if across_accounts => {
                Some(weak::reader_role_name(&self.shared.arena.path(producer), consumer))
            }
            _ => None,
        };
        let source = Source {
            stack_name: &self.shared.stack_names[&producer],
            output: &output,
            region: producer_env.region.as_deref(),
            reader: producer_env.account.as_deref().zip(role_name.as_deref()),
        };
        let value = source.get_stack_output();
        self.record(|f| {
            let published = f.published.entry(producer).or_default();
            published.outputs.entry(output.clone()).or_insert(resolved);
            f.stack_deps.insert((self.stack, producer));
            if let (true, Some(account), Some(region)) = (across_accounts, &consumer_env.account, &consumer_env.region)
            {
                let deployers = published.readers.entry(account.clone()).or_default();
                let bootstrap = Bootstrap::new(self.shared.qualifier);
                deployers.insert(bootstrap.role_name(RoleKind::CfnExec, account, region));
                let declared = self.shared.arena.stack(self.stack).map(|s| s.execution_roles.as_slice());
                deployers.extend(declared.unwrap_or_default().iter().cloned());
                f.account_edges.entry((self.stack, producer)).or_insert((self.element, element.node));
            }
        });
        Ok(Resolution::Value(value))
    }

    /// Records a problem when `args`, the arguments of the intrinsic `name`, hold a weak
    /// reference where the function takes a list: `Fn::GetStackOutput` returns one string.
    fn check_list_argument(&self, name: &str, args: &Stored) {
        let Pass::Check(findings) = self.pass else { return };
        let list = match (name, args) {
            ("Fn::Join" | "Fn::Select", Stored::Array(items)) => items.get(1),
            ("Fn::Length", value) => Some(value),
            _ => None,
        };
        let Some(Stored::Expr(reference)) = list else { return };
        let element = match reference {
            Reference::Ref(r) => *r,
            Reference::Att(att) => att.0,
            Reference::LogicalId(_) | Reference::StackValue(_) => return,
        };
        let arena = self.shared.arena;
        let Some(producer) = arena.stack_of(element.node).filter(|p| *p != self.stack) else { return };
        if arena.stage_of(producer) != arena.stage_of(self.stack) || !self.is_weak(element, producer) {
            return;
        }
        let what = match reference {
            Reference::Att(att) => format!("`{}` of {}", att.1, arena.path(element.node)),
            _ => arena.path(element.node),
        };
        findings.borrow_mut().errors.push(Error::Validation {
            path: self.path(),
            message: format!(
                "uses {what} as a list (in `{name}`) through a weak reference, but `Fn::GetStackOutput` \
                 returns one string (a stack output's value is a string); make the producer's stack hold \
                 the list joined into one string (`Expr::join(\",\", ...)`, e.g. as the value of an SSM \
                 parameter resource there), refer to that string attribute, and split it here \
                 (`Expr::split(\",\", ...)`): the `Fn::Join` round trip"
            ),
        });
    }

    /// The logical id of the element `r` points at, if it is one of this app whose body
    /// `fits` the way it is referred to (`how`, for the message).
    fn element_id(&self, r: ElementRef, how: &str, fits: impl Fn(&Body) -> bool) -> Result<&'a str, Error> {
        let arena: &'a Nodes = self.shared.arena;
        if r.app != arena.app_id || r.node as usize >= arena.nodes.len() {
            return Err(Error::ForeignReference { consumer: self.path() });
        }
        if !arena.element(r.node).is_some_and(|e| fits(&e.body)) {
            return Err(Error::Validation {
                path: self.path(),
                message: format!(
                    "refers to {} by {how}, which that element cannot be referenced by: `Ref` takes a \
                     resource or a parameter, `Fn::GetAtt` a resource",
                    arena.path(r.node)
                ),
            });
        }
        Ok(self.shared.logical_ids.get(r.node))
    }

    fn stack_value(&self, name: &str) -> Result<Resolution<'a>, Error> {
        let Some(values) = self.values else {
            return Err(Error::UnresolvedStackValue { path: self.path(), name: name.to_owned() });
        };
        values.value(name).map(Resolution::Value).map_err(|message| Error::Validation { path: self.path(), message })
    }

    /// `Fn::ImportValue` of an export of `producer` (same stage, account and region),
    /// recorded with its stack dependency.
    fn import(&self, producer: u32, resolved: Json) -> Result<Resolution<'static>, Error> {
        let output_id = format!("Output{resolved}");
        let logical_id = make_unique_id(&["Exports", output_id.as_str()]).unwrap_or_default();
        let name = export_name(&self.shared.stack_names[&producer], &output_id);
        self.record(|f| {
            f.exports.entry(producer).or_default().insert(logical_id, Export { value: resolved, name: name.clone() });
            f.stack_deps.insert((self.stack, producer));
        });
        Ok(Resolution::Import(name))
    }
}

/// A stored value serialized with its references resolved, without building a copy.
pub(crate) struct Resolved<'v, 'a, T: ?Sized> {
    pub value: &'v T,
    pub resolver: Resolver<'a>,
}

impl Serialize for Resolved<'_, '_, Stored> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.resolver;
        match self.value {
            Stored::Null => s.serialize_unit(),
            Stored::Bool(b) => s.serialize_bool(*b),
            Stored::Number(n) => n.serialize(s),
            Stored::Short(_) | Stored::String(_) => {
                Resolved { value: self.value.as_str().unwrap_or_default(), resolver: r }.serialize(s)
            }
            Stored::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(&Resolved { value: item, resolver: r })?;
                }
                seq.end()
            }
            Stored::Object(o) => Resolved { value: o, resolver: r }.serialize(s),
            Stored::Expr(reference) => Resolved { value: reference, resolver: r }.serialize(s),
        }
    }
}

impl Serialize for Resolved<'_, '_, Object> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.value.len() == 1 {
            if let Some((name, args)) = self.value.iter().next() {
                self.resolver.check_list_argument(name, args);
            }
        }
        let mut map = s.serialize_map(Some(self.value.len()))?;
        for (k, v) in self.value.iter() {
            map.serialize_entry(k, &Resolved { value: v, resolver: self.resolver })?;
        }
        map.end()
    }
}

impl Serialize for Resolved<'_, '_, Reference> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.resolver.resolve(self.value) {
            Ok(resolution) => resolution.serialize(s),
            Err(error) => self.resolver.problem(error, s),
        }
    }
}

/// A literal string, as the stack's [`StackValues::literal`] writes it.
impl Serialize for Resolved<'_, '_, str> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.resolver.values {
            Some(values) => s.serialize_str(&values.literal(self.value)),
            None => s.serialize_str(self.value),
        }
    }
}

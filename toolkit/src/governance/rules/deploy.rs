//! Deploy rules: what AWS checks when it deploys the assembly, in the order it deploys
//! it, decided from what AWS publishes (the resource schemas' handler permissions, IAM's
//! rules for principals, S3's global name space) rather than found by reading.

use std::collections::{HashMap, HashSet};

use serde_json::Value as Json;

use super::{Cel, Check, DeployedStack, Deployment, Impl, Located, list, referenced_id, statements};
use crate::iam::documents::{DOCUMENTS, Kind, documents};
use crate::iam::evaluate::{Decision, Request, decide};
use cloudwright_constructs::iam::needed::{self, Handlers};

const CANNOT: Cel = Cel::Cannot("reads the whole assembly as AWS deploys it, not one resource");

pub(super) const RULES: &[Impl] = &[
    Impl { id: "CW-DEPLOY-1", check: Check::Deployment(principals_exist), guard: None, cel: CANNOT },
    Impl { id: "CW-DEPLOY-2", check: Check::Deployment(deployer_allowed), guard: None, cel: CANNOT },
    Impl { id: "CW-DEPLOY-3", check: Check::Deployment(global_names), guard: None, cel: CANNOT },
    Impl { id: "CW-DEPLOY-4", check: Check::Deployment(governed_ous_hold_accounts), guard: None, cel: CANNOT },
];

/// What the deploy rules keep of a template while every stack is read: the resources of
/// the types they look at, without the parts they do not (inline identity policies are
/// read again with the whole template when a deployer's are needed).
pub(crate) fn view(template: &Json) -> Json {
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else { return Json::Null };
    let kept: serde_json::Map<String, Json> = resources
        .iter()
        .filter_map(|(id, body)| {
            let kind = body.get("Type").and_then(Json::as_str)?;
            let keep = matches!(
                kind,
                "AWS::IAM::Role"
                    | "AWS::IAM::User"
                    | "AWS::IAM::ManagedPolicy"
                    | "AWS::Lambda::Permission"
                    | "AWS::Events::EventBusPolicy"
                    | "AWS::DynamoDB::Table"
                    | "AWS::S3::Bucket"
                    | "AWS::CodePipeline::Pipeline"
                    | "AWS::CloudFormation::StackSet"
            ) || kind.starts_with("AWS::Organizations::")
                || kind.starts_with("AWS::ControlTower::")
                || DOCUMENTS.iter().any(|(t, _, k)| *t == kind && *k == Kind::Resource);
            if !keep {
                return None;
            }
            let mut body = body.clone();
            if let Some(props) = body.get_mut("Properties").and_then(Json::as_object_mut) {
                match kind {
                    "AWS::IAM::Role" | "AWS::IAM::User" => {
                        props.remove("Policies");
                    }
                    "AWS::DynamoDB::Table" => props.retain(|k, _| k == "ResourcePolicy"),
                    "AWS::S3::Bucket" => props.retain(|k, _| k == "BucketName"),
                    _ => {}
                }
            }
            Some((id.clone(), body))
        })
        .collect();
    serde_json::json!({ "Resources": kept })
}

/// A policy value as the stack deploys it (`iam::evaluate::resolve`).
fn resolve(value: &Json, stack: &DeployedStack) -> Option<String> {
    crate::iam::evaluate::resolve(value, stack.account, stack.region)
}

/// Where a resource keeps the policies whose principals IAM checks when it writes them.
fn policies_of<'a>(kind: &str, props: &'a Json) -> Vec<&'a Json> {
    documents(kind, props)
        .into_iter()
        .filter(|d| matches!(d.kind, Kind::Trust | Kind::Resource))
        .map(|d| d.document)
        .collect()
}

/// The `AWS` principals a resource's policies name (values as written).
fn aws_principals<'a>(kind: &str, props: &'a Json) -> Vec<&'a Json> {
    let mut out = Vec::new();
    match kind {
        // A single principal: an account id, a service, or an ARN.
        "AWS::Lambda::Permission" => out.extend(props.get("Principal")),
        "AWS::Events::EventBusPolicy" => {
            out.extend(props.get("Principal"));
            out.extend(props.pointer("/Statement/Principal/AWS"));
        }
        _ => {}
    }
    for document in policies_of(kind, props) {
        for statement in document.get("Statement").map(|s| list(Some(s))).unwrap_or_default() {
            if let Some(aws) = statement.get("Principal").and_then(|p| p.get("AWS")) {
                out.extend(list(Some(aws)));
            }
        }
    }
    out
}

/// The IAM names a template can give: (type, the property holding the name, the ARN's
/// resource kind).
const NAMED: &[(&str, &str, &str)] = &[
    ("AWS::IAM::Role", "RoleName", "role"),
    ("AWS::IAM::User", "UserName", "user"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName", "policy"),
];

/// The roles, users and managed policies the assembly creates under a literal name, by
/// (account, ARN resource kind, name): where each is (stack index, logical id). Built once
/// per rule rather than searched for every ARN a policy names.
type Named = HashMap<(String, &'static str, String), (usize, String)>;

fn named(deployment: &Deployment) -> Named {
    let mut out = Named::new();
    for (i, stack) in deployment.stacks.iter().enumerate() {
        for (id, body) in stack.resources() {
            let kind = body.get("Type").and_then(Json::as_str).unwrap_or_default();
            let Some((_, key, arn_kind)) = NAMED.iter().find(|(t, _, _)| *t == kind) else { continue };
            let Some(name) = body.pointer(&format!("/Properties/{key}")).and_then(|v| resolve(v, stack)) else {
                continue;
            };
            out.entry((stack.account.to_owned(), *arn_kind, name)).or_insert_with(|| (i, id.clone()));
        }
    }
    out
}

/// The stack and logical id of the role, user or managed policy a literal ARN names, among
/// the stacks of the assembly in that account.
fn find_principal(named: &Named, arn: &str) -> Option<(usize, String)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_, service, _, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if service != "iam" {
        return None;
    }
    let (kind, path) = resource.split_once('/')?;
    let (_, _, arn_kind) = NAMED.iter().find(|(_, _, k)| *k == kind)?;
    let name = path.rsplit('/').next()?;
    named.get(&(account.to_owned(), *arn_kind, name.to_owned())).cloned()
}

/// Whether `from` is created after `to` in one template: a `DependsOn` or a reference,
/// directly or through other resources.
fn created_after(template: &Json, from: &str, to: &str) -> bool {
    let resources = template.get("Resources").and_then(Json::as_object);
    let mut seen = HashSet::new();
    let mut todo = vec![from.to_owned()];
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(body) = resources.and_then(|r| r.get(&id)) else { continue };
        let mut next: Vec<String> = super::strings(body.get("DependsOn")).into_iter().map(str::to_owned).collect();
        collect_references(body.get("Properties").unwrap_or(&Json::Null), &mut next);
        if next.iter().any(|n| n == to) {
            return true;
        }
        todo.extend(next);
    }
    false
}

/// The logical ids a value refers to with `Ref`/`Fn::GetAtt`.
fn collect_references(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::Object(map) => {
            if let Some(id) = referenced_id(value).filter(|id| !id.starts_with("AWS::")) {
                out.push(id.to_owned());
            }
            map.values().for_each(|v| collect_references(v, out));
        }
        Json::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

/// CW-DEPLOY-1: every role or user a policy names as principal exists when it is written.
fn principals_exist(deployment: &Deployment) -> Vec<Located> {
    let named = named(deployment);
    let mut out = Vec::new();
    for (i, stack) in deployment.stacks.iter().enumerate() {
        for (id, body) in stack.resources() {
            let kind = body.get("Type").and_then(Json::as_str).unwrap_or_default();
            let props = body.get("Properties").unwrap_or(&Json::Null);
            // A role's or user's managed policies and boundary must exist when it is created too.
            let attached: Vec<&Json> = match kind {
                "AWS::IAM::Role" | "AWS::IAM::User" => {
                    let mut out = list(props.get("ManagedPolicyArns"));
                    out.extend(props.get("PermissionsBoundary"));
                    out
                }
                _ => Vec::new(),
            };
            for principal in aws_principals(kind, props).into_iter().chain(attached) {
                // A reference orders creation itself (an attribute of this stack, an import
                // or stack output of a stack deployed before).
                let Some(arn) = resolve(principal, stack) else { continue };
                let Some((j, role_id)) = find_principal(&named, &arn) else { continue };
                let owner = &deployment.stacks[j];
                let problem = if j == i {
                    let full = (deployment.full_template)(i).unwrap_or(Json::Null);
                    (!created_after(&full, id, &role_id)).then(|| {
                        format!("is created in the same stack without a dependency on it; add `DependsOn: {role_id}`")
                    })
                } else if stack.after.contains(&j) {
                    None
                } else {
                    Some(format!(
                        "is created by stack {}, which does not deploy before stack {}",
                        owner.name, stack.name
                    ))
                };
                if let Some(problem) = problem {
                    out.push(Located {
                        stack: i,
                        logical_id: id.clone(),
                        message: format!(
                            "it names {arn} ({}), which {problem}: IAM rejects it (\"Invalid principal in policy\", or no such policy) and the deployment rolls back",
                            owner.path(&role_id)
                        ),
                    });
                }
            }
        }
    }
    out
}

/// The statements of a role's identity policies (inline, attached `AWS::IAM::Policy` and
/// managed policies of its stack, AWS's `AdministratorAccess`), `None` when a policy it
/// attaches cannot be read from the assembly.
fn role_statements(stack: &DeployedStack, template: &Json, role_id: &str) -> Option<Vec<Json>> {
    let resources = template.get("Resources")?.as_object()?;
    let role = resources.get(role_id)?.get("Properties")?;
    let mut out = Vec::new();
    for policy in list(role.get("Policies")) {
        out.extend(statements(policy.get("PolicyDocument")));
    }
    let names_role = |value: Option<&Json>| {
        let name = role.get("RoleName").and_then(|n| resolve(n, stack));
        list(value)
            .into_iter()
            .any(|r| referenced_id(r) == Some(role_id) || r.as_str().is_some() && r.as_str() == name.as_deref())
    };
    for body in resources.values() {
        let kind = body.get("Type").and_then(Json::as_str);
        if matches!(kind, Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy")) {
            let props = body.get("Properties").unwrap_or(&Json::Null);
            let attached = names_role(props.get("Roles"))
                || props.get("RoleName").is_some_and(|r| referenced_id(r) == Some(role_id));
            if attached {
                out.extend(statements(props.get("PolicyDocument")));
            }
        }
    }
    for managed in list(role.get("ManagedPolicyArns")) {
        match (referenced_id(managed), resolve(managed, stack)) {
            (Some(id), _) => out.extend(statements(resources.get(id)?.pointer("/Properties/PolicyDocument"))),
            (None, Some(arn)) if arn.ends_with(":iam::aws:policy/AdministratorAccess") => {
                out.push(serde_json::json!({"Effect": "Allow", "Action": "*", "Resource": "*"}));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The pipeline actions that deploy a stack with a role: (stack index, execution role ARN,
/// the pipeline action's name).
fn pipeline_deployments(deployment: &Deployment) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for stack in &deployment.stacks {
        for (_, body) in stack.resources() {
            if body.get("Type").and_then(Json::as_str) != Some("AWS::CodePipeline::Pipeline") {
                continue;
            }
            for (_, action) in crate::plan::pipeline_actions(body) {
                if action.pointer("/ActionTypeId/Provider").and_then(Json::as_str) != Some("CloudFormation") {
                    continue;
                }
                let config = action.get("Configuration").unwrap_or(&Json::Null);
                let (Some(name), Some(role)) = (
                    config.get("StackName").and_then(|n| resolve(n, stack)),
                    config.get("RoleArn").and_then(|r| resolve(r, stack)),
                ) else {
                    continue;
                };
                let account = role.split(':').nth(4).unwrap_or_default().to_owned();
                let region = action.get("Region").and_then(|r| resolve(r, stack)).unwrap_or(stack.region.to_owned());
                let target = deployment
                    .stacks
                    .iter()
                    .position(|s| s.stack_name == name && s.account == account && s.region == region);
                let label = action.get("Name").and_then(Json::as_str).unwrap_or_default().to_owned();
                if let Some(target) = target {
                    out.push((target, role, label));
                }
            }
        }
    }
    out
}

/// CW-DEPLOY-2: a role the app defines that deploys a stack may do what its resources'
/// handlers call.
fn deployer_allowed(deployment: &Deployment) -> Vec<Located> {
    let named = named(deployment);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (target, role_arn, action) in pipeline_deployments(deployment) {
        if !seen.insert((target, role_arn.clone())) {
            continue;
        }
        let Some((k, role_id)) = find_principal(&named, &role_arn) else { continue };
        let Some(role_template) = (deployment.full_template)(k) else { continue };
        let Some(statements) = role_statements(&deployment.stacks[k], &role_template, &role_id) else { continue };
        let stack = &deployment.stacks[target];
        let Some(template) = (deployment.full_template)(target) else { continue };
        let resources = template.get("Resources").and_then(Json::as_object).into_iter().flatten();
        for (id, body) in resources {
            let kind = body.get("Type").and_then(Json::as_str).unwrap_or_default();
            let props = body.get("Properties").unwrap_or(&Json::Null);
            let arn = crate::iam::request::arn(kind, props, stack.account, stack.region);
            let keys = crate::iam::request::condition_keys(kind, props, stack.account, stack.region);
            let missing: Vec<&str> = needed::actions(kind, props, Handlers::All)
                .into_iter()
                .filter(|action| {
                    let request = Request {
                        action,
                        arn: arn.as_deref(),
                        account: stack.account,
                        region: stack.region,
                        keys: &keys,
                    };
                    decide(&statements, &request) != Decision::Allowed
                })
                .collect();
            if !missing.is_empty() {
                out.push(Located {
                    stack: target,
                    logical_id: id.clone(),
                    message: format!(
                        "the pipeline action {action:?} deploys this stack with {role_arn} ({}), whose policies do not allow {}, which CloudFormation calls to create, update or delete this {kind} (its resource schema's handler permissions)",
                        deployment.stacks[k].path(&role_id),
                        missing.join(", ")
                    ),
                });
            }
        }
    }
    out
}

/// CW-DEPLOY-3: literal bucket names carry their account and region.
fn global_names(deployment: &Deployment) -> Vec<Located> {
    let mut out = Vec::new();
    for (i, stack) in deployment.stacks.iter().enumerate() {
        for (id, body) in stack.resources() {
            if body.get("Type").and_then(Json::as_str) != Some("AWS::S3::Bucket") {
                continue;
            }
            let Some(name) = body.pointer("/Properties/BucketName").and_then(Json::as_str) else { continue };
            let scoped = !stack.account.is_empty() && name.contains(stack.account) && name.contains(stack.region);
            if !scoped {
                out.push(Located {
                    stack: i,
                    logical_id: id.clone(),
                    message: format!(
                        "the bucket name {name:?} is fixed and carries neither account {} nor region {}: the next account or organization to deploy the app gets BucketAlreadyExists",
                        stack.account, stack.region
                    ),
                });
            }
        }
    }
    out
}

/// CW-DEPLOY-4: the OUs that guardrails target hold an account the app knows.
fn governed_ous_hold_accounts(deployment: &Deployment) -> Vec<Located> {
    let mut out = Vec::new();
    for (i, stack) in deployment.stacks.iter().enumerate() {
        let ous: HashMap<&str, String> = stack
            .resources()
            .filter(|(_, b)| b.get("Type").and_then(Json::as_str) == Some("AWS::Organizations::OrganizationalUnit"))
            .map(|(id, _)| (id.as_str(), stack.path(id)))
            .collect();
        if ous.is_empty() {
            continue;
        }
        let held = |ou: &str| {
            let created = stack.resources().any(|(_, b)| {
                b.get("Type").and_then(Json::as_str) == Some("AWS::Organizations::Account")
                    && list(b.pointer("/Properties/ParentIds")).iter().any(|p| referenced_id(p) == Some(ou))
            });
            let path = format!("/{}", ous[ou]);
            let declared =
                stack.accounts.iter().any(|(p, _)| p.rsplit_once('/').is_some_and(|(parent, _)| parent == path));
            created || declared
        };
        for (id, body) in stack.resources() {
            let props = body.get("Properties").unwrap_or(&Json::Null);
            let targets: Vec<&Json> = match body.get("Type").and_then(Json::as_str) {
                Some("AWS::Organizations::Policy") => list(props.get("TargetIds")),
                Some("AWS::ControlTower::EnabledBaseline" | "AWS::ControlTower::EnabledControl") => {
                    props.get("TargetIdentifier").into_iter().collect()
                }
                Some("AWS::CloudFormation::StackSet") => list(props.get("StackInstancesGroup"))
                    .into_iter()
                    .flat_map(|g| list(g.pointer("/DeploymentTargets/OrganizationalUnitIds")))
                    .collect(),
                _ => continue,
            };
            for target in targets {
                let Some(ou) = referenced_id(target).filter(|ou| ous.contains_key(ou)) else { continue };
                if !held(ou) {
                    out.push(Located {
                        stack: i,
                        logical_id: id.clone(),
                        message: format!("targets OU {}, which holds no account the app creates or declares", ous[ou]),
                    });
                }
            }
        }
    }
    out
}

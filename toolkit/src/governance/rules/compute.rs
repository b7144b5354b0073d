//! Lambda, CodeBuild, CodePipeline and CloudWatch alarms.

use serde_json::Value as Json;

use super::{
    Cel, Check, Impl, Resource, cel_list, cel_secret_name, cel_true, is_secret_name, is_true, list, referenced_id,
    require,
};

/// Runtimes AWS Lambda no longer supports (creation or update blocked).
const DEPRECATED_RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "ruby2.5",
    "ruby2.7",
    "java8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "go1.x",
    "provided",
];

pub(super) const RULES: &[Impl] = &[
    Impl {
        id: "CW-LAMBDA-1",
        check: Check::Resource(untraced),
        guard: Some("%resources.Properties.TracingConfig.Mode == \"Active\""),
        cel: Cel::Check(
            "has(props.TracingConfig) && has(props.TracingConfig.Mode) && props.TracingConfig.Mode == 'Active'",
        ),
    },
    Impl {
        id: "CW-LAMBDA-2",
        check: Check::Resource(unmanaged_logs),
        guard: Some("%resources.Properties.LoggingConfig.LogGroup exists"),
        cel: Cel::Check("has(props.LoggingConfig) && has(props.LoggingConfig.LogGroup)"),
    },
    Impl {
        id: "CW-LAMBDA-3",
        check: Check::Resource(no_dead_letter),
        guard: Some("%resources.Properties.DeadLetterConfig.TargetArn exists"),
        cel: Cel::Check("has(props.DeadLetterConfig) && has(props.DeadLetterConfig.TargetArn)"),
    },
    Impl {
        id: "CW-LAMBDA-4",
        check: Check::Resource(deprecated_runtime),
        guard: Some(concat!(
            "%resources[ Properties.Runtime exists ].Properties.Runtime not in [",
            "\"nodejs\", \"nodejs4.3\", \"nodejs4.3-edge\", \"nodejs6.10\", \"nodejs8.10\", \"nodejs10.x\", ",
            "\"nodejs12.x\", \"nodejs14.x\", \"nodejs16.x\", \"python2.7\", \"python3.6\", \"python3.7\", ",
            "\"python3.8\", \"ruby2.5\", \"ruby2.7\", \"java8\", \"dotnetcore1.0\", \"dotnetcore2.0\", ",
            "\"dotnetcore2.1\", \"dotnetcore3.1\", \"dotnet5.0\", \"dotnet6\", \"go1.x\", \"provided\"]"
        )),
        cel: Cel::Check(concat!(
            "!has(props.Runtime) || !(props.Runtime in [",
            "'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', ",
            "'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'python2.7', 'python3.6', 'python3.7', ",
            "'python3.8', 'ruby2.5', 'ruby2.7', 'java8', 'dotnetcore1.0', 'dotnetcore2.0', ",
            "'dotnetcore2.1', 'dotnetcore3.1', 'dotnet5.0', 'dotnet6', 'go1.x', 'provided'])"
        )),
    },
    Impl {
        id: "CW-LAMBDA-5",
        check: Check::Resource(secret_in_environment),
        guard: None,
        cel: Cel::Check(concat!(
            "!has(props.Environment) || !has(props.Environment.Variables) || props.Environment.Variables.all(k, ",
            "!(",
            cel_secret_name!("k"),
            " && type(props.Environment.Variables[k]) == string && props.Environment.Variables[k] != ''))"
        )),
    },
    Impl {
        id: "CW-LAMBDA-6",
        check: Check::Resource(open_url),
        guard: Some("%resources.Properties.AuthType != \"NONE\""),
        cel: Cel::Check("!has(props.AuthType) || props.AuthType != 'NONE'"),
    },
    Impl {
        id: "CW-CODEBUILD-1",
        check: Check::Resource(privileged_build),
        guard: Some("%resources.Properties.Environment.PrivilegedMode != true"),
        cel: Cel::Check(concat!("!has(props.Environment) || !", cel_true!("props.Environment.PrivilegedMode"))),
    },
    Impl {
        id: "CW-CODEBUILD-2",
        check: Check::Resource(build_without_key),
        guard: Some("%resources.Properties.EncryptionKey exists"),
        cel: Cel::Check("has(props.EncryptionKey)"),
    },
    Impl {
        id: "CW-CODEBUILD-3",
        check: Check::Resource(plaintext_build_secret),
        guard: None,
        cel: Cel::Check(concat!(
            "!has(props.Environment) || !has(props.Environment.EnvironmentVariables) || ",
            cel_list!("props.Environment.EnvironmentVariables"),
            ".all(v, !((!has(v.Type) || v.Type == 'PLAINTEXT') && has(v.Name) && type(v.Name) == string && ",
            cel_secret_name!("v.Name"),
            "))"
        )),
    },
    Impl {
        id: "CW-PIPELINE-1",
        check: Check::Resource(unapproved_production),
        guard: None,
        cel: Cel::Cannot("needs the accounts that count as production, known from the whole app"),
    },
    Impl {
        id: "CW-PIPELINE-2",
        check: Check::Resource(artifacts_without_key),
        guard: None,
        cel: Cel::Check(concat!(
            "(!has(props.ArtifactStore) || has(props.ArtifactStore.EncryptionKey)) && (!has(props.ArtifactStores) || ",
            cel_list!("props.ArtifactStores"),
            ".all(s, !has(s.ArtifactStore) || has(s.ArtifactStore.EncryptionKey)))"
        )),
    },
    Impl {
        id: "CW-ALARM-1",
        check: Check::Resource(silent_alarm),
        guard: Some("%resources.Properties.AlarmActions !empty"),
        cel: Cel::Check(concat!("has(props.AlarmActions) && size(", cel_list!("props.AlarmActions"), ") > 0")),
    },
];

fn untraced(r: &Resource) -> Vec<String> {
    match r.prop(&["TracingConfig", "Mode"]).and_then(Json::as_str) {
        Some("Active") => vec![],
        Some(mode) => vec![format!("TracingConfig.Mode is {mode}")],
        None => vec!["TracingConfig is not set (X-Ray tracing is off)".into()],
    }
}

fn unmanaged_logs(r: &Resource) -> Vec<String> {
    let Some(group) = r.prop(&["LoggingConfig", "LogGroup"]) else {
        return vec!["no LoggingConfig.LogGroup: Lambda creates /aws/lambda/... with no retention".into()];
    };
    let target = referenced_id(group).and_then(|id| r.stack.template.get("Resources")?.get(id).map(|t| (id, t)));
    match target {
        Some((id, log_group)) if log_group.pointer("/Properties/RetentionInDays").is_none() => {
            vec![format!("its log group {id} has no RetentionInDays")]
        }
        _ => vec![],
    }
}

fn no_dead_letter(r: &Resource) -> Vec<String> {
    if r.prop(&["DeadLetterConfig", "TargetArn"]).is_some() {
        return vec![];
    }
    let on_failure = r.stack.resources().any(|(_, other)| {
        other.get("Type").and_then(Json::as_str) == Some("AWS::Lambda::EventInvokeConfig")
            && other.pointer("/Properties/FunctionName").and_then(referenced_id) == Some(r.id)
            && other.pointer("/Properties/DestinationConfig/OnFailure").is_some()
    });
    if on_failure { vec![] } else { vec!["no DeadLetterConfig and no on-failure destination".into()] }
}

fn deprecated_runtime(r: &Resource) -> Vec<String> {
    match r.prop(&["Runtime"]).and_then(Json::as_str) {
        Some(runtime) if DEPRECATED_RUNTIMES.contains(&runtime) => vec![format!("Runtime {runtime} is deprecated")],
        _ => vec![],
    }
}

fn secret_in_environment(r: &Resource) -> Vec<String> {
    let Some(vars) = r.prop(&["Environment", "Variables"]).and_then(Json::as_object) else { return vec![] };
    vars.iter()
        .filter(|(name, value)| is_secret_name(name) && value.as_str().is_some_and(|v| !v.is_empty()))
        .map(|(name, _)| format!("environment variable {name} holds a literal value"))
        .collect()
}

fn open_url(r: &Resource) -> Vec<String> {
    match r.prop(&["AuthType"]).and_then(Json::as_str) {
        Some("NONE") => vec!["AuthType is NONE".into()],
        _ => vec![],
    }
}

fn privileged_build(r: &Resource) -> Vec<String> {
    if is_true(r.prop(&["Environment", "PrivilegedMode"])) {
        vec!["Environment.PrivilegedMode is true".into()]
    } else {
        vec![]
    }
}

fn build_without_key(r: &Resource) -> Vec<String> {
    require(r, &["EncryptionKey"], "no EncryptionKey")
}

fn plaintext_build_secret(r: &Resource) -> Vec<String> {
    list(r.prop(&["Environment", "EnvironmentVariables"]))
        .into_iter()
        .filter(|v| matches!(v.get("Type").and_then(Json::as_str), None | Some("PLAINTEXT")))
        .filter_map(|v| v.get("Name").and_then(Json::as_str))
        .filter(|name| is_secret_name(name))
        .map(|name| format!("environment variable {name} is PLAINTEXT"))
        .collect()
}

/// The 12-digit account ids named in IAM ARNs anywhere in a value.
fn accounts_in(value: &Json) -> Vec<String> {
    let text = value.to_string();
    let mut out = Vec::new();
    for (at, _) in text.match_indices(":iam::") {
        let id: String = text[at + 6..].chars().take_while(char::is_ascii_digit).collect();
        if id.len() == 12 && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn unapproved_production(r: &Resource) -> Vec<String> {
    let mut approved = false;
    let mut out = Vec::new();
    for stage in list(r.prop(&["Stages"])) {
        let stage_name = stage.get("Name").and_then(Json::as_str).unwrap_or("?");
        // Within a stage, an approval counts for actions with a later RunOrder.
        let mut actions = list(stage.get("Actions"));
        actions.sort_by_key(|a| a.get("RunOrder").and_then(Json::as_u64).unwrap_or(1));
        let mut approved_here: Option<u64> = None;
        for action in actions {
            let order = action.get("RunOrder").and_then(Json::as_u64).unwrap_or(1);
            let category = action.pointer("/ActionTypeId/Category").and_then(Json::as_str);
            if category == Some("Approval") {
                approved_here = Some(approved_here.map_or(order, |o| o.min(order)));
                continue;
            }
            if category != Some("Deploy") || approved || approved_here.is_some_and(|o| o < order) {
                continue;
            }
            for account in accounts_in(action) {
                if r.stack.production_accounts.contains(&account) {
                    let name = action.get("Name").and_then(Json::as_str).unwrap_or("?");
                    out.push(format!("stage {stage_name}, action {name} deploys to production account {account} with no approval before it"));
                }
            }
        }
        approved |= approved_here.is_some();
    }
    out
}

fn artifacts_without_key(r: &Resource) -> Vec<String> {
    let mut stores: Vec<&Json> = r.prop(&["ArtifactStore"]).into_iter().collect();
    stores.extend(list(r.prop(&["ArtifactStores"])).into_iter().filter_map(|s| s.get("ArtifactStore")));
    stores
        .into_iter()
        .filter(|s| s.get("EncryptionKey").is_none())
        .map(|s| {
            format!(
                "artifact store {} has no EncryptionKey",
                s.get("Location").map(Json::to_string).unwrap_or_default()
            )
        })
        .collect()
}

fn silent_alarm(r: &Resource) -> Vec<String> {
    if list(r.prop(&["AlarmActions"])).is_empty() { vec!["no AlarmActions".into()] } else { vec![] }
}

#[cfg(test)]
mod tests {
    use super::{DEPRECATED_RUNTIMES, RULES};
    use crate::governance::rules::{Cel, is_secret_name};

    fn cel(id: &str) -> &'static str {
        match RULES.iter().find(|r| r.id == id).map(|r| &r.cel) {
            Some(Cel::Check(expression)) => expression,
            _ => panic!("{id} has no CEL form"),
        }
    }

    /// The Guard and CEL forms repeat the runtime list: they must name every runtime.
    #[test]
    fn every_form_lists_every_deprecated_runtime() {
        let guard = RULES.iter().find(|r| r.id == "CW-LAMBDA-4").and_then(|r| r.guard).unwrap_or_default();
        for runtime in DEPRECATED_RUNTIMES {
            assert!(cel("CW-LAMBDA-4").contains(&format!("'{runtime}'")), "{runtime}");
            assert!(guard.contains(&format!("\"{runtime}\"")), "{runtime}");
        }
    }

    /// The CEL secret-name test names the words `is_secret_name` looks for.
    #[test]
    fn the_cel_secret_name_test_has_the_same_words() {
        let expression = cel("CW-LAMBDA-5");
        for word in ["SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY"] {
            assert!(is_secret_name(word) && expression.contains(word), "{word}");
        }
        for suffix in ["_ARN", "_NAME", "_ID", "_PARAM", "_PARAMETER", "_PATH"] {
            assert!(!is_secret_name(&format!("SECRET{suffix}")) && expression.contains(suffix), "{suffix}");
        }
    }
}

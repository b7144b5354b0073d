//! `MIGRATION.md`: per Proton resource, the stack it became, its inputs and what is left to
//! do; then what needs a decision. Paths are relative to the repository, so the report is
//! the same on every machine.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value as Json;

use super::deployed::DeployedStack;
use super::repo::Plan;
use super::{MigrateProps, MigratedStack, assembly};

/// The report.
pub fn markdown(plan: &Plan, stacks: &[MigratedStack], unmatched: &[DeployedStack], props: &MigrateProps) -> String {
    let ids = assembly::artifact_ids(stacks);
    let mut out = String::new();
    let _ = writeln!(out, "# Leaving AWS Proton: migration report\n");
    let _ = writeln!(
        out,
        "Written by `cloudwright proton migrate` from the template-sync repository ({} environment(s), {} service(s)). \
Each Proton resource below is a stack of this cloud assembly, one nested assembly per account.\n",
        plan.environments.len(),
        plan.services.len()
    );
    let order = account_order(stacks);
    if order.len() <= 1 {
        let _ = writeln!(out, "Deploy (environments before the stacks that read their outputs):\n");
        let _ = writeln!(out, "```sh\nnpx cdk diff --app DIR '**'\nnpx cdk deploy --app DIR '**'\n```\n");
    } else {
        let _ = writeln!(
            out,
            "Deploy account by account, in this order: stacks read outputs of stacks in the accounts before them \
(`Fn::GetStackOutput`), and a manifest dependency cannot cross nested assemblies:\n"
        );
        let _ = writeln!(out, "```sh\nnpx cdk diff --app DIR '**'");
        for account in &order {
            let _ = writeln!(out, "npx cdk deploy --app DIR '{account}/*'");
        }
        let _ = writeln!(out, "```\n");
    }
    if props.deployed.is_empty() {
        let _ = writeln!(
            out,
            "No deployed stacks were given (`--deployed`): every stack below is new. To update the stacks Proton deployed \
in place, export `aws cloudformation describe-stacks` in each account and region and run again.\n"
        );
    }
    let _ = writeln!(out, "| Proton resource | template | stack | account and region | takes over |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for s in stacks {
        let _ = writeln!(
            out,
            "| {} | {} v{} | `{}` | aws://{}/{} | {} |",
            s.resource,
            s.template_name,
            s.major,
            s.name,
            s.account,
            s.region,
            s.deployed.as_ref().map_or_else(|| "no: new stack".to_owned(), |d| format!("`{}`", d.name))
        );
    }
    let decisions: usize = stacks.iter().map(|s| s.decisions.len()).sum::<usize>() + unmatched.len();
    let _ = writeln!(out, "\n{decisions} item(s) need a decision before deploying (see the end).\n");
    for (i, s) in stacks.iter().enumerate() {
        let id = ids.get(i).map(String::as_str).unwrap_or_default();
        let _ = writeln!(out, "## {}\n", s.resource);
        let _ = writeln!(out, "- Template: `{}` v{} (`{}`)", s.template_name, s.major, s.bundle);
        let _ = writeln!(out, "- Spec: `{}`", s.spec);
        let _ = writeln!(
            out,
            "- Stack: `{}` in aws://{}/{} (`{}/{id}.template.json`)",
            s.name,
            s.account,
            s.region,
            assembly::directory(&s.account)
        );
        match &s.deployed {
            Some(d) => {
                let _ = writeln!(
                    out,
                    "- Takes over the deployed stack `{}` (matched by its Proton tags): updated in place",
                    d.name
                );
            }
            None => {
                let _ = writeln!(out, "- Takes over no deployed stack: `cdk deploy` creates it");
            }
        }
        if !s.reads.is_empty() {
            let names: Vec<String> =
                s.reads.iter().filter_map(|&p| stacks.get(p)).map(|p| format!("`{}`", p.name)).collect();
            let _ = writeln!(out, "- Reads outputs of {} (`Fn::GetStackOutput`)", names.join(", "));
        }
        let _ = writeln!(out, "- Inputs:");
        match s.inputs.as_object() {
            Some(inputs) if !inputs.is_empty() => {
                for (k, v) in inputs {
                    let v = match v {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let _ = writeln!(out, "  - `{k}`: `{v}`");
                }
            }
            _ => {
                let _ = writeln!(out, "  - (none)");
            }
        }
        if !s.todo.is_empty() {
            let _ = writeln!(out, "- To do:");
            for t in &s.todo {
                let _ = writeln!(out, "  - {t}");
            }
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Needs a decision\n");
    if decisions == 0 {
        let _ = writeln!(out, "Nothing.");
    }
    for s in stacks {
        for d in &s.decisions {
            let _ = writeln!(out, "- {} (stack `{}`): {d}", s.resource, s.name);
        }
    }
    for d in unmatched {
        let what = d.resource.as_ref().map(ToString::to_string).unwrap_or_default();
        let _ = writeln!(
            out,
            "- Deployed stack `{}` (aws://{}/{}) was deployed by Proton for {what}, which the repository does not render: \
add its spec and template to the repository, or keep managing the stack apart (delete it only once nothing uses it).",
            d.name, d.account, d.region
        );
    }
    out
}

/// Accounts in deploy order: an account after every account whose stacks its stacks read.
fn account_order(stacks: &[MigratedStack]) -> Vec<String> {
    let mut level: BTreeMap<&str, usize> = stacks.iter().map(|s| (s.account.as_str(), 0)).collect();
    // Longest chain of reads across accounts; bounded, so a cycle cannot loop forever.
    for _ in 0..level.len() {
        for s in stacks {
            for p in s.reads.iter().filter_map(|&p| stacks.get(p)).filter(|p| p.account != s.account) {
                let needed = level.get(p.account.as_str()).copied().unwrap_or_default() + 1;
                if let Some(l) = level.get_mut(s.account.as_str()) {
                    *l = (*l).max(needed);
                }
            }
        }
    }
    let mut order: Vec<(usize, &str)> = level.into_iter().map(|(a, l)| (l, a)).collect();
    order.sort();
    order.into_iter().map(|(_, a)| a.to_owned()).collect()
}

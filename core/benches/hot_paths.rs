//! Micro-benchmarks of synthesis' hot paths: `cargo bench -p cloudwright-core`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // benchmarks fail loudly

use cloudwright_core::logical_id::make_unique_id;
use cloudwright_core::{App, AppProps, CfnResource, Environment, Expr, Group, Stack, StackProps};
use serde_json::{Map, json};

fn main() {
    divan::main();
}

/// An app of `stacks` stacks x `resources` resources, each referring to the previous one,
/// and every stack's first resource referring to the previous stack (exports and imports).
fn app(stacks: usize, resources: usize) -> App {
    let app = App::with_props(AppProps { bootstrap_version_rule: false, ..Default::default() });
    let mut previous_stack_first: Option<CfnResource> = None;
    for s in 0..stacks {
        let stack = Stack::new(
            &app,
            &format!("Stack{s}"),
            StackProps { env: Environment::new("111111111111", "us-east-1"), ..Default::default() },
        )
        .unwrap();
        let group = Group::new(&stack, "Service").unwrap();
        let mut previous: Option<CfnResource> = previous_stack_first.clone();
        for r in 0..resources {
            let mut props = Map::new();
            props.insert("DisplayName".into(), json!(format!("topic {r}")));
            if let Some(p) = &previous {
                props.insert("Tags".into(), json!([{"Key": "previous", "Value": p.get_att("TopicName")}]));
            }
            let topic = CfnResource::new(&group, &format!("Topic{r}"), "AWS::SNS::Topic", props).unwrap();
            if r == 0 {
                previous_stack_first = Some(topic.clone());
            }
            previous = Some(topic);
        }
    }
    app
}

#[divan::bench(args = [1_000, 10_000])]
fn tree_building(bencher: divan::Bencher, n: usize) {
    bencher.bench(|| app(10, n / 10));
}

#[divan::bench(args = [1_000, 10_000])]
fn synthesis_in_memory(bencher: divan::Bencher, n: usize) {
    bencher.with_inputs(|| app(10, n / 10)).bench_values(|app| app.assembly().unwrap());
}

#[divan::bench]
fn logical_ids(bencher: divan::Bencher) {
    let paths: Vec<Vec<String>> = (0..1000)
        .map(|i| vec![format!("Service{}", i % 10), format!("Function{i}"), "ServiceRole".into(), "Resource".into()])
        .collect();
    bencher.bench(|| paths.iter().map(|p| make_unique_id(p).map_or(0, |id| id.len())).sum::<usize>());
}

#[divan::bench]
fn expression_rendering(bencher: divan::Bencher) {
    let exprs: Vec<Expr> = (0..1000)
        .map(|i| {
            Expr::sub_with(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:*",
                [("Name", Expr::join("-", [Expr::str(format!("fn{i}")), Expr::stack_name()]))],
            )
        })
        .collect();
    bencher.bench(|| exprs.iter().map(|e| divan::black_box(e.to_json()).is_object()).filter(|o| *o).count());
}

#[divan::bench]
fn template_serialization(bencher: divan::Bencher) {
    let assembly = app(10, 500).assembly().unwrap();
    let templates: Vec<serde_json::Value> =
        assembly.stacks().iter().map(|s| assembly.template(&s.display_name).unwrap()).collect();
    bencher.bench(|| templates.iter().map(|t| serde_json::to_vec_pretty(t).unwrap().len()).sum::<usize>());
}

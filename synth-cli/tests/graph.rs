//! `cloudwright graph` of the reference example, pinned, in both formats.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::process::Command;

fn graph(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudwright")).arg("graph").args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_reference_example_as_mermaid_and_dot() {
    let mermaid = graph(&[]);
    // The seed's first diagram: the management account manages the three workload accounts.
    for account in ["200000000000", "200000000001", "200000000002"] {
        assert!(mermaid.contains(&format!("acct_111111111111 -->|manages| acct_{account}")), "{mermaid}");
    }
    // The seed's second diagram: source, build, dev, test, approval, prod.
    assert!(mermaid.contains("_Build --> pipeline_Delivery5F6C039D_DeployDev"), "{mermaid}");
    assert!(mermaid.contains("_ApproveProd --> pipeline_Delivery5F6C039D_DeployProd"), "{mermaid}");
    assert!(mermaid.contains("_DeployProd -->|deploys| stack_hello_prod_AWS__Lambda__Function"), "{mermaid}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/graph");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!("reference.mmd", mermaid);
        insta::assert_snapshot!("reference.dot", graph(&["--format", "dot"]));
    });
}

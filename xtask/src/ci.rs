//! `cargo xtask ci`: formatting, lints, tests, synth of every example and the external
//! oracles, each step timed; fails when the whole run passes its time budget.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// CI must finish in 90 minutes on 2 cores; fail at 60 so the margin stays visible.
const BUDGET: Duration = Duration::from_secs(60 * 60);

struct Ci {
    root: PathBuf,
    shared: PathBuf,
    steps: Vec<(String, Duration, bool)>,
    started: Instant,
}

pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

impl Ci {
    fn step(&mut self, name: &str, program: &str, args: &[&str]) -> bool {
        let root = self.root.clone();
        self.step_in(name, &root, &[], program, args)
    }

    fn step_in(&mut self, name: &str, dir: &Path, envs: &[(&str, &str)], program: &str, args: &[&str]) -> bool {
        println!("\n=== {name}: {program} {}", args.join(" "));
        let t = Instant::now();
        let status = Command::new(program).args(args).current_dir(dir).envs(envs.iter().copied()).status();
        let ok = status.map(|s| s.success()).unwrap_or_else(|e| {
            eprintln!("cannot run {program}: {e}");
            false
        });
        let took = t.elapsed();
        println!("=== {name}: {} in {:.1}s", if ok { "ok" } else { "FAILED" }, took.as_secs_f64());
        self.steps.push((name.to_owned(), took, ok));
        ok
    }

    /// Runs `scripts/install-cfn-guard.sh` (a no-op once cached) and returns the binary's path.
    fn install_cfn_guard(&mut self) -> String {
        println!("\n=== install cfn-guard: bash scripts/install-cfn-guard.sh");
        let t = Instant::now();
        let output = Command::new("bash").arg("scripts/install-cfn-guard.sh").current_dir(&self.root).output();
        let path = match output {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
            Ok(o) => {
                eprintln!("{}", String::from_utf8_lossy(&o.stderr));
                String::new()
            }
            Err(e) => {
                eprintln!("cannot run the installer: {e}");
                String::new()
            }
        };
        let ok = !path.is_empty();
        println!("=== install cfn-guard: {} in {:.1}s", if ok { "ok" } else { "FAILED" }, t.elapsed().as_secs_f64());
        self.steps.push(("install cfn-guard".to_owned(), t.elapsed(), ok));
        path
    }

    fn oracle(&mut self, name: &str, check: &str, dir: &Path) -> bool {
        let run = self.shared.join("oracles/run");
        let dir = dir.to_string_lossy().into_owned();
        self.step(name, &run.to_string_lossy(), &[check, &dir])
    }

    fn report(&self) -> Result<(), String> {
        println!("\n=== summary");
        for (name, took, ok) in &self.steps {
            println!("{:>8.1}s  {}  {name}", took.as_secs_f64(), if *ok { "ok    " } else { "FAILED" });
        }
        let total = self.started.elapsed();
        println!("{:>8.1}s  total (budget {}s)", total.as_secs_f64(), BUDGET.as_secs());
        let failed: Vec<&str> = self.steps.iter().filter(|s| !s.2).map(|s| s.0.as_str()).collect();
        if !failed.is_empty() {
            return Err(format!("failed steps: {}", failed.join(", ")));
        }
        if total > BUDGET {
            return Err(format!("CI took {:.0}s, over the {}s budget", total.as_secs_f64(), BUDGET.as_secs()));
        }
        Ok(())
    }
}

/// Feature sets of cloudwright-constructs checked on their own: no service, single services
/// (the L1s alone: the L2s need more), and the smallest sets that turn an L2 module on.
/// Each is forwarded to cloudwright-cfn, which the empty set also checks with no service.
const FEATURE_SETS: &[&str] = &[
    "",
    "s3",
    "lambda",
    "ec2",
    "iam",
    "s3,kms,iam",
    "lambda,iam,logs,cloudwatch",
    "organizations,controltower,iam",
    "proton,iam",
];

/// The example apps, each a binary that synthesizes into `$CLOUDWRIGHT_OUTDIR`: the
/// binaries of cloudwright-examples, and `user_app`, an app built on `cloudwright_cli::run`.
const EXAMPLES: &[&str] = &[
    "basic",
    "stages",
    "organization",
    "lambda_service",
    "multi_account",
    "proton",
    "network",
    "essentials",
    "user_app",
];

/// The examples `scripts/deploy-moto.sh` deploys with the real cdk CLI to moto, updates
/// (context `cloudwright:example:revision=2`) and destroys: every L2 type moto's
/// CloudFormation creates, and a strong cross-stack reference (`basic`).
const DEPLOYED_EXAMPLES: &[&str] = &["essentials", "basic"];

/// Examples it deploys and destroys only (they have no revision): stages in two accounts,
/// a service with an asset-code function in three.
const DEPLOYED_ONLY_EXAMPLES: &[&str] = &["stages", "lambda_service"];

/// Vendored public Proton bundles and their specs (under `synth-cli/tests/fixtures/proton`),
/// rendered with `inputs/environments.yaml` and `inputs/components.yaml` and checked by
/// cfn-lint; the fixtures' README lists the samples left out for defects of their own.
const PROTON_SAMPLES: &[(&str, &str)] = &[
    ("aws-samples/environment-templates/vpc-env/v1", "aws-samples/environment-templates/vpc-env/spec/spec.yaml"),
    (
        "aws-samples/environment-templates/fargate-env/v1",
        "aws-samples/environment-templates/fargate-env/spec/spec.yaml",
    ),
    ("aws-samples/lambda-multi-svc/lambda-env/v1", "aws-samples/lambda-multi-svc/specs/env-spec.yaml"),
    ("aws-samples/lambda-multi-svc/service-crud/v1", "inputs/crud-svc-spec.yaml"),
    ("aws-samples/lambda-multi-svc/service-data-processing/v1", "inputs/data-processing-svc-spec.yaml"),
    (
        "aws-samples/service-templates/load-balanced-fargate-svc/v1",
        "aws-samples/service-templates/load-balanced-fargate-svc/spec/spec.yaml",
    ),
    ("aws-proton-workshop-code/aws-managed/multi-svc-env/v1", "inputs/workshop-env-spec.yaml"),
    ("aws-proton-workshop-code/aws-managed/lb-fargate-service/v1", "inputs/workshop-svc-spec.yaml"),
];

/// Runs every CI step; `--quick` skips the external oracles and the deploy to moto.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let shared =
        std::env::var_os("CLOUDWRIGHT_SHARED").map(PathBuf::from).unwrap_or_else(|| root.join("..").join("shared"));
    let quick = args.iter().any(|a| a == "--quick");
    let mut ci = Ci { root: root.clone(), shared, steps: Vec::new(), started: Instant::now() };
    // Where cargo puts builds: $CARGO_TARGET_DIR (relative to the workspace) or target/.
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    let out = target_dir.join("ci");
    let _ = std::fs::remove_dir_all(&out);

    ci.step("format", "cargo", &["fmt", "--all", "--check"]);
    ci.step("generated code is current", "cargo", &["xtask", "codegen", "--check"]);
    // One clippy over the workspace with every service (`--all-features` includes `full`):
    // steps per crate first would check the L1s again here, since the workspace's feature
    // set differs from theirs (core's `testing`, which the examples' tests turn on).
    ci.step("clippy", "cargo", &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"]);
    // A few services alone, so a module that uses a service without its feature gate fails.
    for features in FEATURE_SETS {
        ci.step(
            &format!("feature gates: constructs with [{features}]"),
            "cargo",
            &[
                "clippy",
                "-p",
                "cloudwright-constructs",
                "--no-default-features",
                "--features",
                features,
                "--",
                "-D",
                "warnings",
            ],
        );
    }
    ci.step(
        "feature gates: the L1s with no service",
        "cargo",
        &["clippy", "-p", "cloudwright-cfn", "--no-default-features", "--", "-D", "warnings"],
    );
    // The reading tools live in the toolkit: an app that only builds infrastructure (here
    // every L2 but Proton's) compiles no template engine, archive writer or JSON Schema
    // validator.
    ci.step(
        "an infrastructure-only app compiles no reading tool",
        "sh",
        &[
            "-c",
            "deps=$(cargo tree -q -p cloudwright-constructs --no-default-features --features \
             organizations,controltower,iam,lambda,logs,cloudwatch,ec2,codepipeline,codebuild,s3,kms,sns,sqs,events,dynamodb,cloudformation \
             -e normal --prefix none) && ! printf '%s\\n' \"$deps\" | grep -E '^(minijinja|minijinja-contrib|tar|flate2|jsonschema|cloudwright-toolkit) '",
        ],
    );
    ci.step(
        "feature gates: the CLI library needs no service",
        "cargo",
        &["clippy", "-p", "cloudwright-cli", "--lib", "--no-default-features", "--", "-D", "warnings"],
    );
    // The real cfn-guard, for the test that checks the exported Guard rules against the engine.
    let guard = ci.install_cfn_guard();
    let root_dir = root.clone();
    ci.step_in(
        "tests",
        &root_dir,
        &[("CLOUDWRIGHT_CFN_GUARD", guard.as_str())],
        "cargo",
        &["test", "--workspace", "--all-features"],
    );
    ci.step_in(
        "docs build without warnings",
        &root_dir,
        &[("RUSTDOCFLAGS", "-D warnings")],
        "cargo",
        &["doc", "--workspace", "--no-deps", "--quiet"],
    );
    ci.step(
        "build cli and examples",
        "cargo",
        &["build", "-p", "cloudwright-cli", "-p", "cloudwright-examples", "--bins", "--example", "user_app"],
    );

    let cli = target_dir.join("debug/cloudwright").to_string_lossy().into_owned();
    let default_out = out.join("default").to_string_lossy().into_owned();
    ci.step("synth the default app", &cli, &["synth", "-o", &default_out]);
    ci.step("validate the default app", &cli, &["validate", "--format", "markdown"]);
    let proton_mode_out = out.join("default-proton-mode").to_string_lossy().into_owned();
    ci.step("synth the default app in Proton mode", &cli, &["synth", "--mode", "proton", "-o", &proton_mode_out]);
    // The synths above update the export lock in place (docs/references.md): a lock they
    // create or change was not committed with the change that needs it. Costs a git call.
    ci.step(
        "export lock is committed and current",
        "sh",
        &["-c", "test -z \"$(git status --porcelain -- cloudwright.exports.lock.json)\" || { git status --short -- cloudwright.exports.lock.json; git diff -- cloudwright.exports.lock.json; exit 1; }"],
    );
    for example in EXAMPLES {
        let bin = match *example {
            "user_app" => target_dir.join("debug/examples/user_app"),
            name => target_dir.join("debug").join(name),
        };
        let bin = bin.to_string_lossy().into_owned();
        let dir = out.join(example).to_string_lossy().into_owned();
        ci.step(&format!("synth example {example}"), &cli, &["synth", "--app", &bin, "-o", &dir]);
    }
    // A user's journey: scaffold a project, record and check its snapshots, synthesize it.
    let target = target_dir.to_string_lossy().into_owned();
    let shared_target = [("CARGO_TARGET_DIR", target.as_str())];
    for template in ["minimal", "multi-account"] {
        let project = out.join(format!("init-{template}"));
        let project_arg = project.to_string_lossy().into_owned();
        if ci.step(&format!("init {template}"), &cli, &["init", &project_arg, "--template", template]) {
            let record = [("CARGO_TARGET_DIR", target.as_str()), ("INSTA_UPDATE", "always")];
            ci.step_in(
                &format!("init {template}: record snapshots"),
                &project,
                &record,
                "cargo",
                &["test", "--offline", "--quiet"],
            );
            ci.step_in(
                &format!("init {template}: snapshot test passes"),
                &project,
                &shared_target,
                "cargo",
                &["test", "--offline", "--quiet"],
            );
            ci.step_in(&format!("init {template}: synth"), &project, &shared_target, &cli, &["synth", "--quiet"]);
        }
    }

    // One resource of every generated L1 service, synthesized, for cfn-lint below.
    let l1_dir = out.join("l1-samples").to_string_lossy().into_owned();
    ci.step(
        "synth the L1 samples",
        "cargo",
        &["run", "--quiet", "-p", "cloudwright-cfn", "--features", "full", "--example", "l1_samples", "--", &l1_dir],
    );

    if !quick {
        ci.oracle("oracle: L1 samples", "check-assembly", &out.join("l1-samples"));
        for template in ["minimal", "multi-account"] {
            let dir = out.join(format!("init-{template}/cloudwright.out"));
            ci.oracle(&format!("oracle: init {template}"), "check-assembly", &dir);
        }
        ci.oracle("oracle: default app", "check-assembly", &out.join("default"));
        ci.oracle("oracle: default app in Proton mode", "check-assembly", &out.join("default-proton-mode"));
        for example in EXAMPLES {
            ci.oracle(&format!("oracle: example {example}"), "check-assembly", &out.join(example));
        }
        let dirs: Vec<String> = EXAMPLES.iter().map(|e| out.join(e).to_string_lossy().into_owned()).collect();
        let mut args = vec!["scripts/check-policies.sh"];
        args.extend(dirs.iter().map(String::as_str));
        ci.step("oracle: parliament on every IAM policy and SCP", "bash", &args);
        ci.oracle("oracle: proton bundles", "check-proton", &out.join("proton"));
        ci.oracle("oracle: reference example's proton bundles", "check-proton", &out.join("multi_account/proton"));
        let bundles = out.join("proton/proton");
        let rendered = out.join("proton-render");
        let bundle = bundles.join("multi-svc-env/v1").to_string_lossy().into_owned();
        let spec = bundles.join("specs/environment-multi-svc-dev.yaml").to_string_lossy().into_owned();
        let rendered_arg = rendered.to_string_lossy().into_owned();
        let render = ["proton", "render", &bundle, "--spec", &spec, "-o", &rendered_arg];
        if ci.step("proton render: multi-svc-env with its dev spec", &cli, &render) {
            ci.oracle("oracle: proton render", "check-assembly", &rendered);
        }
        let fixtures = root.join("synth-cli/tests/fixtures/proton");
        let path = |p: &str| fixtures.join(p).to_string_lossy().into_owned();
        for (i, (name, spec)) in PROTON_SAMPLES.iter().enumerate() {
            let dir = out.join(format!("proton-sample-{i}"));
            let (bundle, spec, dir_arg) = (path(name), path(spec), dir.to_string_lossy().into_owned());
            let (envs, components) = (path("inputs/environments.yaml"), path("inputs/components.yaml"));
            let render = ["proton", "render", &bundle, "--spec", &spec, "--environments", &envs];
            let render = [&render[..], &["--components", &components, "-o", &dir_arg]].concat();
            if ci.step(&format!("proton render: {name}"), &cli, &render) {
                ci.oracle(&format!("oracle: proton render {name}"), "check-assembly", &dir);
            }
        }
        // The refactor plans left by synth-cli/tests/refactor.rs, against botocore's API model.
        let plans = target_dir.join("tmp/refactor").to_string_lossy().into_owned();
        let check = ["scripts/check-refactor.sh", "toolkit/src/diff/stateful.rs", &plans];
        ci.step("oracle: refactor requests against botocore's CreateStackRefactor model", "bash", &check);
        // The fixture repository's migration, left by its test (synth-cli/tests/proton_migrate.rs).
        ci.oracle("oracle: proton migrate", "check-assembly", &target_dir.join("tmp/proton-migrate/assembly"));

        // The real cdk CLI deploys, updates and destroys the examples on moto's emulator
        // (docs/deploying.md).
        let work = out.join("deploy-moto").to_string_lossy().into_owned();
        let mut args = vec!["scripts/deploy-moto.sh", "--cli", &cli, "--work", &work];
        let bin = |e: &&str| target_dir.join("debug").join(e).to_string_lossy().into_owned();
        let updated: Vec<String> = DEPLOYED_EXAMPLES.iter().map(bin).collect();
        let deployed: Vec<String> = DEPLOYED_ONLY_EXAMPLES.iter().map(bin).collect();
        args.extend(updated.iter().flat_map(|b| ["--app", b.as_str()]));
        args.extend(deployed.iter().flat_map(|b| ["--deploy-only", b.as_str()]));
        let shared_dir = ci.shared.to_string_lossy().into_owned();
        ci.step_in(
            "deploy: cdk CLI against moto",
            &root_dir,
            &[("CLOUDWRIGHT_SHARED", shared_dir.as_str())],
            "bash",
            &args,
        );
    }
    ci.report()
}

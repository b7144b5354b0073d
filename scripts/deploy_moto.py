#!/usr/bin/env python3
"""Deploys cloudwright apps with the real `cdk` CLI to moto's server: deploy, update, destroy.

For each app (an example binary), synthesized with `cloudwright synth --app BIN` at its
default context and again with `--context KEY=VALUE` (the update), on one local
`moto_server`:

1. `cdk bootstrap aws://ACCOUNT/REGION` for every account and region its stacks use, each
   with credentials of that account (moto switches account on `sts:AssumeRole` into
   `arn:aws:iam::ACCOUNT:role/...`; the CLI refuses to bootstrap an account its
   credentials are not in);
2. `cdk deploy --all --method=direct --no-previous-parameters`, then checks through the
   AWS API: every stack CREATE_COMPLETE, its outputs exactly the template's (literal values
   equal, `Ref`s equal to the resource's physical id, imports equal to the export), its
   exports listed with the output's value, and the resources the emulator created probed
   by their own service's API (a queue's attributes, a function's runtime, ...);
3. the same for the changed assembly: stacks whose template changed UPDATE_COMPLETE;
4. `cdk destroy --all --force`, then no stack of the app is live.

Prints `FAIL: ...` lines, a table of the resource types moto created and the ones it
skipped, and exits non-zero on any failure. Run through `scripts/deploy-moto.sh`, which
installs moto pinned; see docs/deploying.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

LIVE_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
# Fake credentials: moto accepts any; they map to its default account, 123456789012.
BASE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass
class StackInfo:
    """A stack of the assembly, as its manifest declares it."""

    artifact: str
    name: str
    account: str
    region: str
    template: dict

    @property
    def env(self) -> tuple[str, str]:
        return (self.account, self.region)


@dataclass
class Run:
    """Failures and what was seen, for the summary."""

    failures: list[str] = field(default_factory=list)
    # resource type -> {"created", "skipped", "no physical id"} over every app
    types: dict[str, set[str]] = field(default_factory=dict)
    bootstrapped: set[tuple[str, str]] = field(default_factory=set)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"FAIL: {message}", flush=True)


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_stacks(assembly: Path) -> list[StackInfo]:
    """Every stack of the assembly, nested assemblies (stages) included."""
    manifest = json.loads((assembly / "manifest.json").read_text())
    stacks = []
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        kind = artifact.get("type")
        props = artifact.get("properties", {})
        if kind == "cdk:cloud-assembly":
            stacks += read_stacks(assembly / props["directoryName"])
        elif kind == "aws:cloudformation:stack":
            env = artifact.get("environment", "")
            account, region = env.removeprefix("aws://").split("/", 1)
            if "unknown" in (account, region):
                raise SystemExit(f"{assembly}: stack {artifact_id} has no account or region ({env}): cannot deploy it")
            template = json.loads((assembly / props["templateFile"]).read_text())
            stacks.append(StackInfo(artifact_id, props.get("stackName", artifact_id), account, region, template))
    return stacks


def has_nested(assembly: Path) -> bool:
    manifest = json.loads((assembly / "manifest.json").read_text())
    return any(a.get("type") == "cdk:cloud-assembly" for a in manifest.get("artifacts", {}).values())


class Moto:
    """A `moto_server` on a free local port, and clients into each of its accounts."""

    def __init__(self, bin_dir: Path, log_file: Path):
        self.port = free_port()
        # `localhost`, not 127.0.0.1: moto resolves the TemplateURL the CLI passes to
        # CreateStack by its host, and reads the bucket from the path only for localhost.
        self.endpoint = f"http://localhost:{self.port}"
        self.log_file = log_file
        self.process = subprocess.Popen(
            [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log_file.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.credentials: dict[str, dict[str, str]] = {}
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"moto_server did not start; see {log_file}")
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def account_credentials(self, account: str) -> dict[str, str]:
        """Credentials moto maps to `account`: those of a role assumed in it."""
        if account not in self.credentials:
            sts = boto3.client("sts", endpoint_url=self.endpoint, region_name="us-east-1", **BASE_CREDENTIALS)
            role = f"arn:aws:iam::{account}:role/cloudwright-deploy-test"
            c = sts.assume_role(RoleArn=role, RoleSessionName="cloudwright")["Credentials"]
            self.credentials[account] = {
                "aws_access_key_id": c["AccessKeyId"],
                "aws_secret_access_key": c["SecretAccessKey"],
                "aws_session_token": c["SessionToken"],
            }
            got = self.client("sts", account, "us-east-1").get_caller_identity()["Account"]
            if got != account:
                raise SystemExit(f"moto gave credentials of account {got} for {account}")
        return self.credentials[account]

    def client(self, service: str, account: str, region: str):
        config = Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"})
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            config=config,
            **self.account_credentials(account),
        )

    def cli_env(self, account: str, region: str) -> dict[str, str]:
        """The environment of a `cdk` command acting in `account`."""
        c = self.account_credentials(account)
        env = dict(os.environ)
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            env.pop(name, None)
        env.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": c["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": c["aws_secret_access_key"],
                "AWS_SESSION_TOKEN": c["aws_session_token"],
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                # No config or credential files of the machine's user.
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "CDK_DISABLE_CLI_TELEMETRY": "true",
                "CDK_DISABLE_VERSION_CHECK": "1",
                "NODE_NO_WARNINGS": "1",
            }
        )
        return env


def run_cdk(cdk: str, args: list[str], env: dict[str, str], cwd: Path, log_file: Path) -> tuple[bool, str]:
    """Runs the cdk CLI; its output goes to `log_file` and, on failure, to the console."""
    t = time.time()
    result = subprocess.run([cdk, *args], env=env, cwd=cwd, capture_output=True, text=True)
    output = result.stdout + result.stderr
    with log_file.open("a") as f:
        f.write(f"\n$ cdk {' '.join(args)}\n{output}")
    log(f"  cdk {args[0]}: exit {result.returncode} in {time.time() - t:.1f}s")
    if result.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-25:])
        log(f"---- cdk {args[0]} output (last lines; all of it in {log_file}) ----\n{tail}\n----")
    return result.returncode == 0, output


def synth(cli: str, app_bin: str, out: Path, context: list[str]) -> bool:
    args = [cli, "synth", "--quiet", "--app", app_bin, "-o", str(out)]
    for c in context:
        args += ["--context", c]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        log(result.stdout + result.stderr)
    return result.returncode == 0


def describe(moto: Moto, stack: StackInfo) -> dict | None:
    cfn = moto.client("cloudformation", stack.account, stack.region)
    try:
        return cfn.describe_stacks(StackName=stack.name)["Stacks"][0]
    except ClientError as e:
        if "does not exist" in str(e):
            return None
        raise


def literal(value) -> str | None:
    """The text CloudFormation shows for a literal output value, None for an intrinsic."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def check_outputs(moto: Moto, run: Run, stack: StackInfo, live: dict, resources: dict[str, dict], exports: dict) -> None:
    expected = stack.template.get("Outputs", {})
    actual = {o["OutputKey"]: o for o in live.get("Outputs", [])}
    where = f"{stack.name} ({stack.account}/{stack.region})"
    if set(expected) != set(actual):
        run.fail(f"{where}: outputs {sorted(actual)}, the template declares {sorted(expected)}")
    for key, declared in expected.items():
        out = actual.get(key)
        if out is None:
            continue
        value = out.get("OutputValue", "")
        want = literal(declared.get("Value"))
        intrinsic = declared.get("Value")
        if want is not None:
            if value != want:
                run.fail(f"{where}: output {key} is {value!r}, the template says {want!r}")
        elif not value or value == "None" or "Fn::" in value or "{" in value:
            run.fail(f"{where}: output {key} is unresolved: {value!r}")
        elif isinstance(intrinsic, dict) and "Ref" in intrinsic and intrinsic["Ref"] in resources:
            physical = resources[intrinsic["Ref"]].get("PhysicalResourceId")
            if physical and value != physical:
                run.fail(f"{where}: output {key} is {value!r}, Ref {intrinsic['Ref']} is {physical!r}")
        elif isinstance(intrinsic, dict) and "Fn::ImportValue" in intrinsic:
            name = intrinsic["Fn::ImportValue"]
            if isinstance(name, str) and exports.get(name, {}).get("Value") != value:
                run.fail(f"{where}: output {key} is {value!r}, export {name} is {exports.get(name)}")
        if "Export" in declared:
            name = out.get("ExportName")
            export = exports.get(name or "")
            if not name:
                run.fail(f"{where}: output {key} declares an export, the stack shows none")
            elif export is None:
                run.fail(f"{where}: export {name} of output {key} is not listed by ListExports")
            elif export["Value"] != value or export["ExportingStackId"] != live["StackId"]:
                run.fail(f"{where}: export {name} is {export}, output {key} is {value!r}")


def list_exports(moto: Moto, account: str, region: str) -> dict[str, dict]:
    cfn = moto.client("cloudformation", account, region)
    exports, token = {}, None
    while True:
        page = cfn.list_exports(**({"NextToken": token} if token else {}))
        exports.update({e["Name"]: e for e in page.get("Exports", [])})
        token = page.get("NextToken")
        if not token:
            return exports


def probe(moto: Moto, stack: StackInfo, logical: str, rtype: str, physical: str, exports: dict) -> str | None:
    """Asks the resource's own service about it; a problem, or None. Types without a probe
    pass (CloudFormation's status is all that is checked)."""
    props = stack.template.get("Resources", {}).get(logical, {}).get("Properties", {})
    c = lambda service: moto.client(service, stack.account, stack.region)  # noqa: E731
    if rtype == "AWS::SQS::Queue":
        attrs = c("sqs").get_queue_attributes(QueueUrl=physical, AttributeNames=["All"])["Attributes"]
        for prop in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
            want = literal(props.get(prop))
            if want is not None and attrs.get(prop) != want:
                return f"queue {prop} is {attrs.get(prop)}, the template says {want}"
        if "RedrivePolicy" in props and "RedrivePolicy" not in attrs:
            return "queue has no redrive policy"
    elif rtype == "AWS::S3::Bucket":
        # Not its versioning: moto's CloudFormation ignores VersioningConfiguration.
        c("s3").head_bucket(Bucket=physical)
    elif rtype == "AWS::SNS::Topic":
        attrs = c("sns").get_topic_attributes(TopicArn=physical)["Attributes"]
        want = literal(props.get("DisplayName"))
        if want is not None and attrs.get("DisplayName") != want:
            return f"topic DisplayName is {attrs.get('DisplayName')!r}, the template says {want!r}"
    elif rtype == "AWS::KMS::Key":
        # Listed, not described: moto's CloudFormation stores the key policy as an object,
        # and DescribeKey (which evaluates it) then fails with a 500.
        keys = c("kms").list_keys(Limit=1000)["Keys"]
        if physical not in {k["KeyId"] for k in keys}:
            return "key not listed by ListKeys"
    elif rtype == "AWS::KMS::Alias":
        aliases = c("kms").list_aliases(Limit=100)["Aliases"]
        if physical not in {a["AliasName"] for a in aliases}:
            return "alias not listed by ListAliases"
    elif rtype == "AWS::Events::EventBus":
        c("events").describe_event_bus(Name=physical)
    elif rtype == "AWS::IAM::Role":
        c("iam").get_role(RoleName=physical)
    elif rtype == "AWS::Lambda::Function":
        conf = c("lambda").get_function(FunctionName=physical)["Configuration"]
        for prop in ("Runtime", "Handler", "MemorySize", "Timeout"):
            want = literal(props.get(prop))
            if want is not None and str(conf.get(prop)) != want:
                return f"function {prop} is {conf.get(prop)}, the template says {want}"
    elif rtype == "AWS::DynamoDB::Table":
        table = c("dynamodb").describe_table(TableName=physical)["Table"]
        want = [k["AttributeName"] for k in props.get("KeySchema", [])]
        got = [k["AttributeName"] for k in table.get("KeySchema", [])]
        if want and got != want:
            return f"table key {got}, the template says {want}"
    elif rtype == "AWS::Logs::LogGroup":
        groups = c("logs").describe_log_groups(logGroupNamePrefix=physical)["logGroups"]
        group = next((g for g in groups if g["logGroupName"] == physical), None)
        if group is None:
            return "log group not found"
        want = literal(props.get("RetentionInDays"))
        if want is not None and str(group.get("retentionInDays")) != want:
            return f"log group retention {group.get('retentionInDays')}, the template says {want}"
    elif rtype == "AWS::EC2::VPC":
        vpc = c("ec2").describe_vpcs(VpcIds=[physical])["Vpcs"][0]
        want = literal(props.get("CidrBlock"))
        if want is not None and vpc["CidrBlock"] != want:
            return f"VPC CIDR {vpc['CidrBlock']}, the template says {want}"
    elif rtype == "AWS::SSM::Parameter":
        value = c("ssm").get_parameter(Name=physical)["Parameter"]["Value"]
        declared = props.get("Value")
        want = literal(declared)
        if isinstance(declared, dict) and isinstance(declared.get("Fn::ImportValue"), str):
            want = exports.get(declared["Fn::ImportValue"], {}).get("Value")
        if want is not None and value != want:
            return f"parameter value {value!r}, expected {want!r}"
    elif rtype == "AWS::EC2::Subnet":
        c("ec2").describe_subnets(SubnetIds=[physical])
    return None


def check_deployed(moto: Moto, run: Run, stacks: list[StackInfo], expect: dict[str, set[str]]) -> None:
    """Every stack live in an expected status, its outputs, exports and resources right."""
    exports = {}
    try:
        for env in {s.env for s in stacks}:
            exports.update(list_exports(moto, *env))
    except Exception as e:  # an emulator error (moto answers some with a 500 page)
        run.fail(f"cannot list exports: {e}")
    for stack in stacks:
        try:
            check_stack(moto, run, stack, expect, exports)
        except Exception as e:  # an emulator error (moto answers some with a 500 page)
            run.fail(f"{stack.name} ({stack.account}/{stack.region}): the emulator cannot describe it: {e}")


def check_stack(moto: Moto, run: Run, stack: StackInfo, expect: dict[str, set[str]], exports: dict) -> None:
    where = f"{stack.name} ({stack.account}/{stack.region})"
    live = describe(moto, stack)
    if live is None:
        run.fail(f"{where}: stack does not exist after deploy")
        return
    status = live["StackStatus"]
    if status not in expect[stack.name]:
        run.fail(f"{where}: status {status}, expected {' or '.join(sorted(expect[stack.name]))}")
        return
    cfn = moto.client("cloudformation", stack.account, stack.region)
    listed = cfn.list_stack_resources(StackName=stack.name)["StackResourceSummaries"]
    resources = {r["LogicalResourceId"]: r for r in listed}
    check_outputs(moto, run, stack, live, resources, exports)
    created = 0
    for logical, resource in stack.template.get("Resources", {}).items():
        rtype = resource.get("Type", "")
        seen = resources.get(logical)
        if seen is None or not seen.get("ResourceType"):
            state = "skipped"
        elif not seen.get("PhysicalResourceId"):
            # moto lists an event bus without its physical id (the name): look it up.
            props = resource.get("Properties", {})
            if rtype == "AWS::Events::EventBus" and isinstance(props.get("Name"), str):
                seen = {**seen, "PhysicalResourceId": props["Name"]}
                state = "created"
                created += 1
            else:
                state = "no physical id"
        else:
            state = "created"
            created += 1
        run.types.setdefault(rtype, set()).add(state)
        if seen is not None and seen.get("ResourceType") and seen.get("ResourceStatus") not in LIVE_OK:
            run.fail(f"{where}: resource {logical} ({rtype}) is {seen.get('ResourceStatus')}")
        if state == "created":
            try:
                problem = probe(moto, stack, logical, rtype, seen["PhysicalResourceId"], exports)
            except ClientError as e:
                problem = f"its service does not know it: {e}"
            if problem:
                run.fail(f"{where}: {logical} ({rtype}): {problem}")
    total = len(stack.template.get("Resources", {}))
    log(f"  {where}: {status}, {len(live.get('Outputs', []))} outputs, {created}/{total} resources created by moto")


def check_destroyed(moto: Moto, run: Run, stacks: list[StackInfo]) -> None:
    """No stack of the app left live: DELETE_COMPLETE or unknown. Read through ListStacks,
    not DescribeStacks, which re-creates a deleted stack's SQS queue in moto."""
    for env in {s.env for s in stacks}:
        cfn = moto.client("cloudformation", *env)
        summaries, token = [], None
        while True:
            page = cfn.list_stacks(**({"NextToken": token} if token else {}))
            summaries += page.get("StackSummaries", [])
            token = page.get("NextToken")
            if not token:
                break
        for stack in (s for s in stacks if s.env == env):
            live = [s for s in summaries if s["StackName"] == stack.name and s["StackStatus"] != "DELETE_COMPLETE"]
            if live:
                statuses = ", ".join(s["StackStatus"] for s in live)
                run.fail(f"{stack.name} ({stack.account}/{stack.region}): still {statuses} after cdk destroy")


def deploy_app(moto: Moto, run: Run, cdk: str, name: str, first: Path, second: Path | None, work: Path) -> None:
    stacks = read_stacks(first)
    cdk_log = work / f"{name}.cdk.log"
    selector = ["**"] if has_nested(first) else ["--all"]
    cwd = work  # the CLI reads ./cdk.json when there is one: none here
    # Bootstrap every environment the app deploys to, once per server.
    for account, region in sorted({s.env for s in stacks} - run.bootstrapped):
        log(f"{name}: cdk bootstrap aws://{account}/{region}")
        ok, _ = run_cdk(cdk, ["bootstrap", f"aws://{account}/{region}"], moto.cli_env(account, region), cwd, cdk_log)
        if not ok:
            run.fail(f"{name}: cdk bootstrap aws://{account}/{region} failed")
            return
        run.bootstrapped.add((account, region))
    # The deploying credentials: the first stack's account (the CLI assumes each stack's
    # deploy role from them, as with real accounts).
    env = moto.cli_env(stacks[0].account, stacks[0].region)
    deploy = ["--require-approval", "never", "--method=direct", "--no-previous-parameters"]

    log(f"{name}: cdk deploy {len(stacks)} stacks")
    ok, _ = run_cdk(cdk, ["deploy", "--app", str(first), *selector, *deploy], env, cwd, cdk_log)
    if not ok:
        run.fail(f"{name}: cdk deploy failed")
    check_deployed(moto, run, stacks, {s.name: {"CREATE_COMPLETE"} for s in stacks})

    if second is not None:
        updated = read_stacks(second)
        before = {s.name: s.template for s in stacks}
        changed = {s.name for s in updated if before.get(s.name) != s.template}
        if not changed:
            run.fail(f"{name}: the changed app changes no template: nothing to update")
        log(f"{name}: cdk deploy the update ({', '.join(sorted(changed))} changed)")
        ok, _ = run_cdk(cdk, ["deploy", "--app", str(second), *selector, *deploy], env, cwd, cdk_log)
        if not ok:
            run.fail(f"{name}: cdk deploy of the update failed")
        expect = {s.name: {"UPDATE_COMPLETE"} if s.name in changed else LIVE_OK for s in updated}
        check_deployed(moto, run, updated, expect)
        stacks = updated
        last = second
    else:
        last = first

    log(f"{name}: cdk destroy")
    destroy = ["destroy", "--app", str(last), *selector, "--force"]
    ok, output = run_cdk(cdk, destroy, env, cwd, cdk_log)
    vpcs = sorted(set(VPC_DEPENDENCIES.findall(output)))
    if not ok and vpcs:
        # moto's CloudFormation deletes no route table, route, internet gateway or its
        # attachment, so deleting the VPC fails on them; remove them and destroy again.
        log(f"  NOTE: moto left route tables and gateways in {', '.join(vpcs)}: removing them, destroying again")
        for account, region in {s.env for s in stacks}:
            clear_vpcs(moto.client("ec2", account, region), vpcs)
        ok, _ = run_cdk(cdk, destroy, env, cwd, cdk_log)
    if not ok:
        run.fail(f"{name}: cdk destroy failed")
    check_destroyed(moto, run, stacks)


VPC_DEPENDENCIES = re.compile(r"The vpc '?(vpc-[0-9a-f]+)'? has dependencies")


def clear_vpcs(ec2, vpc_ids: list[str]) -> None:
    """Deletes what moto's CloudFormation leaves in the VPCs: non-main route tables and
    internet gateways (moto has no delete for them). Unknown VPCs are skipped."""
    for vpc in vpc_ids:
        try:
            tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
            for table in tables:
                if any(a.get("Main") for a in table.get("Associations", [])):
                    continue
                for association in table.get("Associations", []):
                    ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
                ec2.delete_route_table(RouteTableId=table["RouteTableId"])
            gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])
            for gateway in gateways["InternetGateways"]:
                ec2.detach_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"], VpcId=vpc)
                ec2.delete_internet_gateway(InternetGatewayId=gateway["InternetGatewayId"])
        except ClientError as e:
            log(f"  NOTE: cannot clear {vpc}: {e}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True, help="the cloudwright binary")
    parser.add_argument("--cdk", required=True, help="the cdk CLI")
    parser.add_argument("--app", action="append", default=[], help="an app binary to synthesize (repeatable)")
    parser.add_argument(
        "--deploy-only", action="append", default=[], metavar="BIN", help="an app binary deployed and destroyed, not updated"
    )
    parser.add_argument(
        "--assembly",
        action="append",
        default=[],
        metavar="DIR[:DIR2]",
        help="an assembly already synthesized, and optionally its update (repeatable)",
    )
    parser.add_argument(
        "--update-context",
        action="append",
        default=None,
        metavar="KEY=VALUE",
        help="context of the update's synthesis (default cloudwright:example:revision=2)",
    )
    parser.add_argument("--no-update", action="store_true", help="deploy and destroy only")
    parser.add_argument("--work", help="where assemblies and logs go (default: a temporary directory)")
    args = parser.parse_args()
    update_context = args.update_context or ["cloudwright:example:revision=2"]

    started = time.time()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="cloudwright-moto-"))
    work.mkdir(parents=True, exist_ok=True)
    run = Run()

    plans: list[tuple[str, Path, Path | None]] = []
    apps = [(b, not args.no_update) for b in args.app] + [(b, False) for b in args.deploy_only]
    for app_bin, update in apps:
        name = Path(app_bin).name
        first = work / name / "deploy"
        second = work / name / "update" if update else None
        if not synth(args.cli, app_bin, first, []):
            run.fail(f"{name}: cloudwright synth failed")
            continue
        if second is not None and not synth(args.cli, app_bin, second, update_context):
            run.fail(f"{name}: cloudwright synth of the update ({' '.join(update_context)}) failed")
            continue
        plans.append((name, first, second))
    for spec in args.assembly:
        first, _, second = spec.partition(":")
        plans.append((Path(first).name, Path(first).resolve(), Path(second).resolve() if second else None))

    bin_dir = Path(sys.executable).parent
    moto = Moto(bin_dir, work / "moto.log")
    log(f"moto_server on {moto.endpoint} (log {work / 'moto.log'})")
    try:
        for name, first, second in plans:
            t = time.time()
            try:
                deploy_app(moto, run, args.cdk, name, first, second, work)
            except Exception as e:  # an emulator error (moto answers some with a 500 page)
                run.fail(f"{name}: the emulator failed: {type(e).__name__}: {e}")
            log(f"{name}: done in {time.time() - t:.1f}s")
    finally:
        moto.stop()

    log("\nresource types (what moto's CloudFormation did with them):")
    for rtype in sorted(run.types):
        states = run.types[rtype]
        verdict = "created" if states == {"created"} else ", ".join(sorted(states))
        log(f"  {rtype:45} {verdict}")
    took = time.time() - started
    if run.failures:
        log(f"\n{len(run.failures)} failures, {len(plans)} apps, {took:.0f}s (logs under {work})")
        return 1
    updated = sum(1 for p in plans if p[2] is not None)
    log(f"\nall passed: {len(plans)} apps deployed ({updated} updated) and destroyed on moto in {took:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Lint every IAM policy document in synthesized templates with parliament (a real IAM
policy linter): role trust policies, identity policies, inline policies, service
control policies, and the templates inside stack sets.

  check-policies.py DIR [DIR ...]

Intrinsic functions are replaced by placeholder ARNs of the right service, so parliament
sees the policy as IAM would. Prints one line per finding and a summary; exits 1 when a
finding of severity MEDIUM or above is found (parliament's own threshold for errors).
"""
import json, sys
from pathlib import Path

from parliament import analyze_policy_string, config

# Resource ARN shapes parliament accepts, by service, for intrinsics it cannot resolve.
ARNS = {
    "sns": "arn:aws:sns:us-east-1:111111111111:placeholder",
    "sqs": "arn:aws:sqs:us-east-1:111111111111:placeholder",
    "s3": "arn:aws:s3:::placeholder",
    "lambda": "arn:aws:lambda:us-east-1:111111111111:function:placeholder",
    "events": "arn:aws:events:us-east-1:111111111111:event-bus/placeholder",
    "kms": "arn:aws:kms:us-east-1:111111111111:key/placeholder",
    "logs": "arn:aws:logs:us-east-1:111111111111:log-group:placeholder",
    "dynamodb": "arn:aws:dynamodb:us-east-1:111111111111:table/placeholder",
    "codebuild": "arn:aws:codebuild:us-east-1:111111111111:project/placeholder",
    "codestar-connections": "arn:aws:codestar-connections:us-east-1:111111111111:connection/placeholder",
    "secretsmanager": "arn:aws:secretsmanager:us-east-1:111111111111:secret:placeholder",
}
DEFAULT_ARN = "arn:aws:iam::111111111111:role/placeholder"


PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "111111111111",
          "AWS::URLSuffix": "amazonaws.com"}


def substitute(template, variables, arn):
    """Fn::Sub with pseudo parameters filled in and other variables as placeholder names."""
    out, rest = "", template
    while "${" in rest:
        before, _, after = rest.partition("${")
        name, _, rest = after.partition("}")
        value = variables.get(name)
        if isinstance(value, str):
            out += before + value
        else:
            out += before + PSEUDO.get(name, "placeholder")
    return out + rest


def concrete(value, arn=DEFAULT_ARN):
    """Resolves intrinsics as far as a policy linter needs: Fn::Sub and Fn::Join keep
    their literal structure, Ref and Fn::GetAtt become a placeholder ARN."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::Sub":
                template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return substitute(template, {k: concrete(v, "placeholder") for k, v in variables.items()}, arn)
            if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
                parts = [concrete(p, arn) for p in arg[1]]
                if all(isinstance(p, str) for p in parts):
                    return arg[0].join(parts)
            if key == "Ref" and arg in PSEUDO:
                return PSEUDO[arg]
            if key.startswith(("Ref", "Fn::")):
                return arn
        return {k: concrete(v, arn) for k, v in value.items()}
    if isinstance(value, list):
        return [concrete(v, arn) for v in value]
    return value


def concrete_policy(doc):
    """Placeholders shaped like the service of each statement's first action."""
    statements = doc.get("Statement") or []
    out = []
    for st in statements if isinstance(statements, list) else [statements]:
        actions = st.get("Action") or st.get("NotAction") or ["iam:x"]
        first = actions if isinstance(actions, str) else actions[0]
        out.append(concrete(st, ARNS.get(first.split(":")[0], DEFAULT_ARN)))
    return {**doc, "Statement": out}


def documents(template, where):
    for logical_id, res in (template.get("Resources") or {}).items():
        props, kind = res.get("Properties") or {}, res.get("Type")
        at = f"{where}:{logical_id}"
        if kind == "AWS::IAM::Role":
            yield at + " (trust)", props.get("AssumeRolePolicyDocument"), "trust"
            for p in props.get("Policies") or []:
                yield f"{at} ({p.get('PolicyName')})", p.get("PolicyDocument"), "identity"
        elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            yield at, props.get("PolicyDocument"), "identity"
        elif kind == "AWS::Organizations::Policy":
            yield at + " (SCP)", props.get("Content"), "scp"
        elif kind == "AWS::CloudFormation::StackSet" and isinstance(props.get("TemplateBody"), str):
            yield from documents(json.loads(props["TemplateBody"]), at + " (stack set)")


def main(dirs):
    findings = serious = checked = 0
    for d in dirs:
        for path in sorted(Path(d).rglob("*.template.json")):
            for where, doc, kind in documents(json.loads(path.read_text()), path.name):
                if not doc:
                    continue
                checked += 1
                analyzed = analyze_policy_string(
                    json.dumps(concrete_policy(doc)), ignore_private_auditors=True,
                    include_community_auditors=False)
                for f in analyzed.findings:
                    # parliament lints every document as an identity policy; a trust
                    # policy has a Principal and no Resource by design.
                    if kind == "trust" and f.issue == "MALFORMED" and "Resource" in str(f.detail):
                        continue
                    findings += 1
                    severity = config.get(f.issue, {}).get("severity", "")
                    serious += severity in ("MEDIUM", "HIGH", "CRITICAL")
                    detail = str(f.detail)
                    if len(detail) > 300:
                        detail = detail[:300] + f"... ({len(detail)} characters)"
                    print(f"{where}: {severity} {f.issue} {detail}")
    print(f"check-policies: {checked} policy documents, {findings} findings, {serious} MEDIUM or above")
    return 1 if serious else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

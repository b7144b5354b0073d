"""Checks what `cloudwright refactor` writes against AWS's own models.

Usage: check_refactor.py STATEFUL_RS DIR...

- Every `create-stack-refactor.json` below each DIR validates against the input shape of
  CloudFormation's CreateStackRefactor in botocore's service model (types, required
  members, lengths, patterns), each TemplateBody parses as JSON and is within the API's
  51,200 bytes, and every stack a resource mapping names has a stack definition.
- The stateful resource types in STATEFUL_RS (toolkit/src/diff/stateful.rs) are exactly
  cfn-lint's (`cfnlint/data/AdditionalSpecs/StatefulResources.json`).

Prints FAIL lines and exits 1 on any problem.
"""

import json
import pathlib
import re
import sys

import botocore.session
from botocore.validate import ParamValidator


def check_requests(dirs, problems):
    model = botocore.session.get_session().get_service_model("cloudformation")
    shape = model.operation_model("CreateStackRefactor").input_shape
    validator = ParamValidator()
    files = [f for d in dirs for f in sorted(pathlib.Path(d).rglob("create-stack-refactor.json"))]
    if not files:
        problems.append(f"no create-stack-refactor.json below {', '.join(dirs)}")
    for path in files:
        request = json.loads(path.read_text())
        report = validator.validate(request, shape)
        if report.has_errors():
            problems.append(f"{path}: {report.generate_report()}")
        defined = set()
        for definition in request.get("StackDefinitions", []):
            defined.add(definition.get("StackName"))
            body = definition.get("TemplateBody")
            if body is not None:
                if len(body.encode()) > 51200:
                    problems.append(f"{path}: TemplateBody of {definition.get('StackName')} exceeds 51,200 bytes")
                json.loads(body)
        for mapping in request.get("ResourceMappings", []):
            for end in ("Source", "Destination"):
                if mapping[end]["StackName"] not in defined:
                    problems.append(f"{path}: {end} stack {mapping[end]['StackName']} has no stack definition")
        print(f"ok: {path} ({len(request.get('ResourceMappings', []))} mappings)")


def check_stateful(source, problems):
    import cfnlint

    data = pathlib.Path(cfnlint.__file__).parent / "data/AdditionalSpecs/StatefulResources.json"
    expected = set(json.loads(data.read_text())["ResourceTypes"])
    text = pathlib.Path(source).read_text()
    block = text.split("STATEFUL_TYPES", 1)[1].split("];", 1)[0]
    ours = set(re.findall(r'"(AWS::[^"]+)"', block))
    if ours != expected:
        problems.append(
            f"{source}: STATEFUL_TYPES differs from cfn-lint's {data.name}: "
            f"missing {sorted(expected - ours)}, extra {sorted(ours - expected)}"
        )
    else:
        print(f"ok: {len(ours)} stateful types match cfn-lint {cfnlint.version.__version__}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    problems = []
    check_stateful(sys.argv[1], problems)
    check_requests(sys.argv[2:], problems)
    for p in problems:
        print(f"FAIL: {p}")
    print(f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

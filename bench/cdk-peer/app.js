// The benchmark app for the AWS CDK: an organization/SCP stack and N environment stacks
// (spread over accounts), each with M Lambda functions with a role, a log group with
// retention, X-Ray tracing and an errors alarm: the same resources as cloudwright's
// `bench-app`. Usage: CDK_OUTDIR=DIR node app.js N M
const cdk = require('aws-cdk-lib');
const { aws_lambda: lambda, aws_logs: logs, aws_organizations: org } = cdk;

const stacks = Number(process.argv[2] || 3);
const functions = Number(process.argv[3] || 1);
const app = new cdk.App();

const management = new cdk.Stack(app, 'Management', { env: { account: '111111111111', region: 'us-east-1' } });
const ou = new org.CfnOrganizationalUnit(management, 'Workloads', { name: 'Workloads', parentId: 'r-a1b2' });
new org.CfnPolicy(management, 'ProtonBlocker', {
  name: 'AWS-Proton-Blocker',
  type: 'SERVICE_CONTROL_POLICY',
  content: { Version: '2012-10-17', Statement: [{ Sid: 'Statement1', Effect: 'Deny', Action: 'proton:*', Resource: '*' }] },
  targetIds: [ou.attrId],
});

for (let s = 0; s < stacks; s++) {
  const account = String(200000000000 + (s % 50));
  const stack = new cdk.Stack(app, `Env${s}`, { env: { account, region: 'us-east-1' } });
  for (let f = 0; f < functions; f++) {
    const logGroup = new logs.LogGroup(stack, `Fn${f}LogGroup`, { retention: logs.RetentionDays.ONE_MONTH });
    const fn = new lambda.Function(stack, `Fn${f}`, {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'index.handler',
      code: lambda.Code.fromInline('def handler(event, context):\n    return 1\n'),
      memorySize: 256,
      timeout: cdk.Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
    });
    fn.metricErrors().createAlarm(stack, `Fn${f}Errors`, { threshold: 1, evaluationPeriods: 1 });
  }
}
app.synth();
// Peak RSS of this process's own address space, for scripts/measure.py (see there why
// getrusage of a child forked from Python cannot go below Python's size).
if (process.env.MEASURE_PEAK_RSS) {
  const hwm = require('fs').readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  if (hwm) process.stderr.write(`peak-rss-kib: ${hwm[1]}\n`);
}

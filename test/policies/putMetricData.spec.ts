import { strict as assert } from "node:assert";
import { putMetricNames } from "../../policies/lib/putMetricData";
import { commandsOf } from "../../policies/lib/shell/syntax";

// `aws cloudwatch put-metric-data` takes one metric as --metric-name, or a list of MetricDatum structures
// (each with MetricName) as --metric-data (https://docs.aws.amazon.com/cli/latest/reference/cloudwatch/put-metric-data.html).
const names = (script: string, namespaceIs?: (namespace: string) => boolean) => [...putMetricNames(commandsOf(script), namespaceIs)].sort();

describe("the metric names a script puts into CloudWatch", () => {
  it("reads --metric-name, in both spellings, and the MetricName entries of an inline --metric-data document", () => {
    assert.deepEqual(names(`aws cloudwatch put-metric-data --namespace "$NS" --metric-name DeploymentFailed --value 1`), ["DeploymentFailed"]);
    assert.deepEqual(names(`aws cloudwatch put-metric-data --namespace=FlightPro/production --metric-name=ErrorRate --value 2`), ["ErrorRate"]);
    assert.deepEqual(names(`aws cloudwatch put-metric-data --namespace "$NS" --metric-data '[{"MetricName":"A","Value":1},{"MetricName": "B","Value":2}]'`), ["A", "B"]);
    assert.deepEqual(names(`aws cloudwatch put-metric-data --namespace "$NS" --metric-data "$(jq -n --argjson s "$t" '[{MetricName: "RestoreDrillSeconds", Value: $s}]')"`), ["RestoreDrillSeconds"]);
  });

  it("reads the document from the variable it passes, as last assigned before the command", () => {
    const script = [`m='[{"MetricName": "Early"}]'`, `m="$(jq -n '[{MetricName: "BackupCompleted", Value: 1}]')"`, `aws cloudwatch put-metric-data --namespace "$NS" --metric-data "$m"`, `m='[{"MetricName": "Late"}]'`].join("\n");
    assert.deepEqual(names(script), ["BackupCompleted"]);
    assert.deepEqual(names(`aws cloudwatch put-metric-data --namespace "$NS" --metric-data "\${missing}"`), []);
  });

  it("reads a script the job writes from a here-document and runs with bash", () => {
    const script = [`script="$(mktemp)"`, `cat > "$script" <<'END'`, `set -euo pipefail`, `aws cloudwatch put-metric-data --namespace "$NS" --metric-name BackupCompleted --value 1`, `END`, `bash "$script"`].join("\n");
    assert.deepEqual(names(script), ["BackupCompleted"]);
    const neverRun = [`cat > "$script" <<'END'`, `aws cloudwatch put-metric-data --namespace "$NS" --metric-name BackupCompleted --value 1`, `END`, `bash other.sh`].join("\n");
    assert.deepEqual(names(neverRun), []);
  });

  it("counts no name written anywhere else: an echo, a comment, another aws command, a variable nobody passes", () => {
    const script = [
      `echo '[{"MetricName": "Echoed"}]'`,
      `# aws cloudwatch put-metric-data --metric-name Commented`,
      `aws cloudwatch list-metrics --metric-name Listed`,
      `unused='[{"MetricName": "Unused"}]'`,
      `aws cloudwatch put-metric-data --namespace "$NS" --metric-name Real --value 1`,
    ].join("\n");
    assert.deepEqual(names(script), ["Real"]);
  });

  it("counts no command that sends nothing the alarms read: a skeleton, parameters from a file, another endpoint, help, no namespace", () => {
    // AWS CLI: "The --generate-cli-skeleton parameter causes the command not to run"
    // (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-skeleton.html); --cli-input-json/yaml read
    // the parameters from a file; --endpoint-url overrides the service URL (global options,
    // https://docs.aws.amazon.com/cli/latest/reference/index.html); --namespace is required
    // (https://docs.aws.amazon.com/cli/latest/reference/cloudwatch/put-metric-data.html).
    const put = `aws cloudwatch put-metric-data --namespace "$NS" --metric-name Faked --value 1`;
    assert.deepEqual(names(`${put} --generate-cli-skeleton`), []);
    assert.deepEqual(names(`${put} --generate-cli-skeleton=output`), []);
    assert.deepEqual(names(`${put} --cli-input-json file://metrics.json`), []);
    assert.deepEqual(names(`${put} --endpoint-url https://example.invalid`), []);
    assert.deepEqual(names(`aws cloudwatch put-metric-data help --metric-name Faked`), []);
    assert.deepEqual(names(`aws cloudwatch put-metric-data --metric-name Faked --value 1`), []);
    assert.deepEqual(names(put), ["Faked"]);
  });

  it("with a namespace to judge: only commands that put into it", () => {
    const intoProduction = (namespace: string) => namespace === "FlightPro/production" || namespace === "$METRICS_NAMESPACE";
    const script = [
      `aws cloudwatch put-metric-data --namespace FlightPro/staging --metric-name Staging --value 1`,
      `aws cloudwatch put-metric-data --namespace "$OTHER" --metric-name Other --value 1`,
      `aws cloudwatch put-metric-data --namespace FlightPro/production --metric-name Literal --value 1`,
      `aws cloudwatch put-metric-data --namespace "$METRICS_NAMESPACE" --metric-name Variable --value 1`,
    ].join("\n");
    assert.deepEqual(names(script, intoProduction), ["Literal", "Variable"]);
  });
});

/* eslint-disable */
// A stand-in for the AWS CLI v2 (`aws`), for the backup and drill scripts' specs: it answers exactly
// the commands those scripts run, with the output the real CLI prints for them, and keeps S3
// objects, metrics and SSM parameters in a directory ($AWS_STAND_IN_DIR). Any other command exits 2.
//
// Output formats follow aws/aws-cli awscli/text.py (`--output text`: a scalar is printed as
// str(value), so null prints "None" and a float "123.0"; a list of scalars tab-joined on one line)
// and the JSON output. Errors: the CLI exits 254 when the service answers an error
// (https://docs.aws.amazon.com/cli/latest/topic/return-codes.html: "254 - The command successfully
// parsed and made a request to the specified service but the service returned an error").
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.AWS_STAND_IN_DIR;
if (!dir) {
  process.stderr.write("AWS_STAND_IN_DIR is not set\n");
  process.exit(2);
}
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(argv) + "\n");

function option(name) {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}
function fail(code, message) {
  process.stderr.write(message + "\n");
  process.exit(code);
}
function serviceError(message) {
  fail(254, `An error occurred (${message})`);
}
function s3Path(bucket, key) {
  return path.join(dir, "s3", bucket, key);
}
function metaPath(bucket, key) {
  return path.join(dir, "s3-metadata", bucket, key + ".json");
}
function parseS3(url) {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) fail(2, `not an S3 URL: ${url}`);
  return { bucket: match[1], key: match[2] };
}
function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return fallback;
  }
}

const [service, command] = argv;
const key = `${service} ${command}`;
switch (key) {
  case "s3 cp": {
    const [source, target] = argv.slice(2, 4);
    if (target.startsWith("s3://")) {
      const { bucket, key: objectKey } = parseS3(target);
      fs.mkdirSync(path.dirname(s3Path(bucket, objectKey)), { recursive: true });
      fs.copyFileSync(source, s3Path(bucket, objectKey));
      // --metadata (map), shorthand KeyName1=string,KeyName2=string; S3 returns user metadata keys in lower case.
      const metadata = {};
      for (const pair of (option("--metadata") || "").split(",").filter(Boolean)) {
        const at = pair.indexOf("=");
        metadata[pair.slice(0, at).toLowerCase()] = pair.slice(at + 1);
      }
      fs.mkdirSync(path.dirname(metaPath(bucket, objectKey)), { recursive: true });
      fs.writeFileSync(metaPath(bucket, objectKey), JSON.stringify(metadata));
    } else {
      const { bucket, key: objectKey } = parseS3(source);
      if (!fs.existsSync(s3Path(bucket, objectKey))) serviceError("404) when calling the HeadObject operation: Not Found");
      fs.copyFileSync(s3Path(bucket, objectKey), target);
    }
    break;
  }
  case "s3api list-objects-v2": {
    if (option("--query") !== "Contents[].Key" || option("--output") !== "text") fail(2, "stand-in: unsupported list-objects-v2 query/output");
    const bucket = option("--bucket");
    const prefix = option("--prefix") || "";
    const root = path.join(dir, "s3", bucket);
    const keys = [];
    const walk = (folder) => {
      if (!fs.existsSync(folder)) return;
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else keys.push(path.relative(root, full).split(path.sep).join("/"));
      }
    };
    walk(root);
    // ListObjectsV2 returns keys in UTF-8 binary order; with no object, Contents is absent and the query is null.
    const matching = keys.filter((candidate) => candidate.startsWith(prefix)).sort();
    process.stdout.write((matching.length === 0 ? "None" : matching.join("\t")) + "\n");
    break;
  }
  case "s3api head-object": {
    if (option("--query") !== "Metadata" || option("--output") !== "json") fail(2, "stand-in: unsupported head-object query/output");
    const file = metaPath(option("--bucket"), option("--key"));
    if (!fs.existsSync(file)) serviceError("404) when calling the HeadObject operation: Not Found");
    process.stdout.write(JSON.stringify(readJson(file, {}), null, 4) + "\n");
    break;
  }
  case "cloudwatch put-metric-data": {
    const data = JSON.parse(option("--metric-data"));
    for (const datum of data) {
      fs.appendFileSync(path.join(dir, "metrics.jsonl"), JSON.stringify({ Namespace: option("--namespace"), ...datum }) + "\n");
    }
    break;
  }
  case "cloudwatch get-metric-statistics": {
    if (option("--query") !== "sort_by(Datapoints, &Timestamp)[-1].Maximum" || option("--output") !== "text" || option("--statistics") !== "Maximum") {
      fail(2, "stand-in: unsupported get-metric-statistics query/output");
    }
    const start = Date.parse(option("--start-time"));
    const end = Date.parse(option("--end-time"));
    const points = fs.existsSync(path.join(dir, "metrics.jsonl"))
      ? fs.readFileSync(path.join(dir, "metrics.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line))
      : [];
    const matching = points
      .filter((point) => point.Namespace === option("--namespace") && point.MetricName === option("--metric-name"))
      .filter((point) => Date.parse(point.Timestamp) >= start && Date.parse(point.Timestamp) < end)
      .sort((a, b) => Date.parse(a.Timestamp) - Date.parse(b.Timestamp));
    const last = matching[matching.length - 1];
    // Python's str() of a float: 1234.0
    process.stdout.write((last === undefined ? "None" : Number.isInteger(last.Value) ? `${last.Value}.0` : String(last.Value)) + "\n");
    break;
  }
  case "ssm get-parameter": {
    if (option("--query") !== "Parameter.Value" || option("--output") !== "text") fail(2, "stand-in: unsupported get-parameter query/output");
    const parameters = readJson(path.join(dir, "ssm.json"), {});
    const name = option("--name");
    if (!(name in parameters)) serviceError("ParameterNotFound) when calling the GetParameter operation");
    process.stdout.write(parameters[name] + "\n");
    break;
  }
  case "ssm put-parameter": {
    const parameters = readJson(path.join(dir, "ssm.json"), {});
    const name = option("--name");
    if (name in parameters && !argv.includes("--overwrite")) serviceError("ParameterAlreadyExists) when calling the PutParameter operation");
    parameters[name] = option("--value");
    fs.writeFileSync(path.join(dir, "ssm.json"), JSON.stringify(parameters));
    process.stdout.write(JSON.stringify({ Version: 1, Tier: "Standard" }, null, 4) + "\n");
    break;
  }
  case "ssm get-parameters-by-path": {
    // The CLI pages through GetParametersByPath itself and applies --query to the whole result. A path is
    // "/"-ended or not: the API matches parameters under the path either way (non-recursive: one level).
    if (option("--query") !== "Parameters[].{name: Name, value: Value}" || option("--output") !== "json") fail(2, "stand-in: unsupported get-parameters-by-path query/output");
    const parameters = readJson(path.join(dir, "ssm.json"), {});
    const prefix = option("--path").replace(/\/?$/, "/");
    const found = Object.keys(parameters)
      .filter((name) => name.startsWith(prefix) && !name.slice(prefix.length).includes("/"))
      .map((name) => ({ name, value: parameters[name] }));
    process.stdout.write(JSON.stringify(found, null, 4) + "\n");
    break;
  }
  case "sns publish": {
    // Publish answers MessageId (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html); the CLI prints it as JSON.
    const message = option("--message");
    if (!option("--topic-arn") || message === undefined) fail(252, "aws: error: the following arguments are required: --message");
    if (Buffer.byteLength(message) > 262144) serviceError("InvalidParameter) when calling the Publish operation: Invalid parameter: Message too long");
    const subject = option("--subject");
    if (subject !== undefined && (subject.length > 100 || /[\r\n]/.test(subject))) serviceError("InvalidParameter) when calling the Publish operation: Invalid parameter: Subject");
    const messageId = `msg-${fs.existsSync(path.join(dir, "sns.jsonl")) ? fs.readFileSync(path.join(dir, "sns.jsonl"), "utf8").split("\n").filter(Boolean).length : 0}`;
    fs.appendFileSync(path.join(dir, "sns.jsonl"), JSON.stringify({ TopicArn: option("--topic-arn"), Subject: subject, Message: message }) + "\n");
    process.stdout.write(JSON.stringify({ MessageId: messageId }, null, 4) + "\n");
    break;
  }
  default:
    fail(2, `stand-in: unsupported command aws ${argv.join(" ")}`);
}

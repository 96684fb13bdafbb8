import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { SsmParameters } from "./drillRegister";

const ACCOUNT_ID = "123456789012";

/** A stable number from a name, so mocked ids are plausible and the same on every run. */
export function stableNumber(text: string, digits = 8): number {
  const hex = createHash("sha256").update(text).digest("hex").slice(0, 12);
  return (parseInt(hex, 16) % 10 ** digits) + 10 ** (digits - 1);
}

/** A UUID-shaped id that is the same for the same text on every run. */
function plausibleUuid(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The id the mocks give a KMS key of that logical name, and its ARN in a region. */
export function mockKeyId(name: string): string {
  return plausibleUuid(`kms:${name}`);
}

export function mockKeyArn(name: string, region: string): string {
  return `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${mockKeyId(name)}`;
}

/**
 * ARNs of the resource types whose ARN the program hands to other resources (policies, targets), in the
 * formats of AWS's Service Authorization Reference (lambda function, codebuild project, ssm parameter
 * without the name's leading slash, logs log-group, iam policy, events rule, cloudtrail trail).
 */
const ARN_FORMATS: Record<string, (region: string, name: string) => string> = {
  "aws:lambda/function:Function": (region, name) => `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}`,
  "aws:codebuild/project:Project": (region, name) => `arn:aws:codebuild:${region}:${ACCOUNT_ID}:project/${name}`,
  "aws:ssm/parameter:Parameter": (region, name) => `arn:aws:ssm:${region}:${ACCOUNT_ID}:parameter/${name.replace(/^\//, "")}`,
  "aws:cloudwatch/logGroup:LogGroup": (region, name) => `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${name}`,
  "aws:iam/policy:Policy": (_, name) => `arn:aws:iam::${ACCOUNT_ID}:policy/${name}`,
  "aws:cloudwatch/eventRule:EventRule": (region, name) => `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${name}`,
  "aws:cloudtrail/trail:Trail": (region, name) => `arn:aws:cloudtrail:${region}:${ACCOUNT_ID}:trail/${name}`,
};

/**
 * Mocked engine answers: every custom resource gets an id (outputs only resolve with one),
 * `aws:*` resources an ARN, and the invokes the program makes answer as the providers would.
 */
export function offlineMocks(region: string, ssmParameters?: SsmParameters): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const id = `${args.name}-id`;
      const state: Record<string, unknown> = { ...args.inputs };
      if (args.type.startsWith("aws:")) {
        const service = args.type.split(":")[1]?.split("/")[0] ?? "aws";
        const resourceName = args.inputs["name"] ?? args.inputs["bucket"] ?? args.name;
        // @pulumi/aws 7 resources take a `region` argument ("Defaults to the Region set in the provider configuration").
        const resourceRegion = typeof args.inputs["region"] === "string" ? args.inputs["region"] : region;
        state["arn"] = ARN_FORMATS[args.type]?.(resourceRegion, String(resourceName)) ?? `arn:aws:${service}:${resourceRegion}:${ACCOUNT_ID}:${String(resourceName)}`;
        if (args.type === "aws:s3/bucket:Bucket") state["bucket"] = args.inputs["bucket"] ?? args.name;
        if (args.type === "aws:iam/role:Role") state["arn"] = `arn:aws:iam::${ACCOUNT_ID}:role/${String(resourceName)}`;
        if (args.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
          state["arn"] = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
        }
        if (args.type === "aws:s3/bucket:Bucket") state["arn"] = `arn:aws:s3:::${String(state["bucket"])}`;
        if (args.type === "aws:kms/key:Key") {
          state["keyId"] = mockKeyId(args.name);
          state["arn"] = mockKeyArn(args.name, resourceRegion);
        }
      }
      if (args.type === "random:index/randomPassword:RandomPassword") {
        // A stable stand-in for the generated password (the provider would make one at create time). New keepers
        // replace the resource, so a new password ("Arbitrary map of values that, when changed, will trigger
        // recreation of resource": RequiresReplaceIfValuesNotNull, hashicorp/terraform-provider-random
        // internal/provider/resource_password.go): the stand-in follows them.
        const length = typeof args.inputs["length"] === "number" ? args.inputs["length"] : 32;
        const keepers = args.inputs["keepers"] === undefined ? "" : `:${JSON.stringify(args.inputs["keepers"])}`;
        state["result"] = createHash("sha256").update(`password:${args.name}${keepers}`).digest("base64url").slice(0, length);
      }
      return { id, state };
    },
    call(args) {
      switch (args.token) {
        case "github:index/getUser:getUser":
          return { id: String(stableNumber(`user:${String(args.inputs["username"])}`)), login: args.inputs["username"] };
        case "github:index/getTeam:getTeam":
          return { id: String(stableNumber(`team:${String(args.inputs["slug"])}`)), slug: args.inputs["slug"] };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/offline`, userId: "OFFLINE" };
        case "aws:index/getRegion:getRegion":
          return { name: region, region };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:ssm/getParametersByPath:getParametersByPath": {
          // GetParametersByPath answers no parameters (not an error) for a path that has none.
          const path = String(args.inputs["path"]);
          const found = ssmParameters?.(path) ?? { names: [], values: [] };
          return { ...args.inputs, id: path, ...found, arns: found.names.map((name) => `arn:aws:ssm:${region}:${ACCOUNT_ID}:parameter${name}`), types: found.names.map(() => "String"), region };
        }
        case "vercel:index/getProject:getProject":
          return { ...args.inputs, id: `prj_${stableNumber(`vercel:${String(args.inputs["name"])}`)}` };
        default:
          return { ...args.inputs, id: `${args.token}-result` };
      }
    },
  };
}

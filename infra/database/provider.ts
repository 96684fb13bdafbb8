import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSettings } from "../config/schema";

/**
 * The explicit provider every database resource uses: the cluster's admin user (not a superuser;
 * managed PostgreSQL gives none) over TLS, its password a Pulumi secret.
 */
export function adminProvider(
  name: string,
  database: DatabaseSettings,
  adminPassword: pulumi.Input<string>,
  parent: pulumi.Resource,
): postgresql.Provider {
  return new postgresql.Provider(
    name,
    {
      host: database.host,
      port: database.port,
      sslmode: database.sslMode,
      database: "postgres",
      username: database.adminUser,
      password: pulumi.secret(adminPassword),
      superuser: false,
      // Said here, so the provider SDK takes no default from PGCONNECT_TIMEOUT on the machine that runs
      // `pulumi up` (@pulumi/postgresql provider.js: `connectTimeout ?? getEnvNumber("PGCONNECT_TIMEOUT") || 180`).
      connectTimeout: 180,
    },
    { parent },
  );
}

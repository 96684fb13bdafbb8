import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSettings } from "../config/schema";
import { connectionUrl } from "./connectionUrl";
import { createGrants } from "./grants";
import { RoleKind, SchemaKind, schemas } from "./privileges";
import { adminProvider } from "./provider";
import { PasswordSchedule, createRoles } from "./roles";

export interface PostgresDatabaseArgs {
  database: DatabaseSettings;
  /** The admin user's password (secret config `databaseAdminPassword`). */
  adminPassword: pulumi.Input<string>;
  /** How the login roles' passwords rotate (passwordRotation.ts): per role its period, and the program's clock. */
  passwordSchedule: PasswordSchedule;
}

/** A handed-out credential's rotation: when the password it names was due (the Rotating's base, RFC 3339) and until when it is valid (RFC 3339). */
export interface CredentialRotation {
  rotatedAt: pulumi.Output<string>;
  validUntil: string;
  periodDays: number;
}

/**
 * The product's PostgreSQL database, owned by the provider's admin: its roles (owner, migrator,
 * app, readonly) with generated passwords, the app's schema and Alembic's (both owned by the owner
 * role), grants and default privileges (see privileges.ts), and the app's and migrator's
 * connection strings (secrets) for the secrets inventory's DATABASE_URL and MIGRATION_DATABASE_URL.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
  readonly provider: postgresql.Provider;
  readonly database: postgresql.Database;
  readonly roleNames: Record<RoleKind, pulumi.Output<string>>;
  /** The app role's connection string (secret). */
  readonly appUrl: pulumi.Output<string>;
  /** The migrator role's connection string (secret), used by Alembic in CI. */
  readonly migratorUrl: pulumi.Output<string>;
  /** The rotation of the slot each connection string names, for the rotation register. */
  readonly rotations: Record<"app" | "migrator", CredentialRotation>;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:database:PostgresDatabase", name, {}, opts);
    const settings = args.database;
    this.provider = adminProvider(`${name}-provider`, settings, args.adminPassword, this);
    const child = { parent: this, provider: this.provider };

    const roles = createRoles(name, settings, child, args.passwordSchedule);
    this.roleNames = {
      owner: roles.owner.role.name,
      migrator: roles.migrator.role.name,
      app: roles.app.role.name,
      readonly: roles.readonly.role.name,
    };

    // Owned by the provider's admin, not by a role the migrator can become: only the owner may drop
    // a database, and the provider grants and revokes on a database as the admin.
    this.database = new postgresql.Database(
      `${name}-database`,
      { name: settings.name, owner: settings.adminUser, allowConnections: true, isTemplate: false },
      child,
    );
    const schemaOf = (kind: SchemaKind, logicalName: string) =>
      new postgresql.Schema(
        logicalName,
        { name: schemas[kind], database: this.database.name, owner: this.roleNames.owner, ifNotExists: true, dropCascade: false },
        child,
      );
    const appSchema = schemaOf("app", `${name}-schema`);
    const migrationsSchema = schemaOf("migrations", `${name}-migrations-schema`);
    createGrants(
      name,
      { database: this.database.name, schemas: { app: appSchema.name, migrations: migrationsSchema.name }, roleNames: this.roleNames },
      { ...child, dependsOn: [appSchema, migrationsSchema, ...Object.values(roles).map((entry) => entry.role)] },
    );

    // The slot rotated last: an instance still running the other slot's URL keeps connecting until it is redeployed.
    const activeOf = (kind: "app" | "migrator") => {
      const login = roles[kind].login;
      if (!login) throw new Error(`role ${kind} logs in and must have a password`);
      return { role: login.roles[login.active], password: login.passwords[login.active] };
    };
    const urlOf = (kind: "app" | "migrator") => {
      const { role, password } = activeOf(kind);
      return pulumi.secret(
        pulumi.all([role.name, password.password, this.database.name]).apply(([user, pass, databaseName]) =>
          connectionUrl({ user, password: pass, host: settings.host, port: settings.port, database: databaseName, sslMode: settings.sslMode }),
        ),
      );
    };
    this.appUrl = urlOf("app");
    this.migratorUrl = urlOf("migrator");
    const rotationOf = (kind: "app" | "migrator"): CredentialRotation => {
      const { password } = activeOf(kind);
      return { rotatedAt: password.rotatedAt, validUntil: password.expiresAt, periodDays: args.passwordSchedule.periodDays[kind] };
    };
    this.rotations = { app: rotationOf("app"), migrator: rotationOf("migrator") };

    this.registerOutputs({
      databaseName: this.database.name,
      roleNames: this.roleNames,
      appUrl: this.appUrl,
      migratorUrl: this.migratorUrl,
    });
  }
}

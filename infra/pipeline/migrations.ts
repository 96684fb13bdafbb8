/**
 * Where Alembic keeps its bookkeeping, shared by the database component (which creates the schema
 * and gives app and readonly nothing on it) and the workflow files (which tell the app's Alembic
 * environment where its version table lives).
 *
 * Alembic's `context.configure(version_table_schema=...)` puts `alembic_version` in that schema
 * (sqlalchemy/alembic@rel_1_19_1:alembic/runtime/environment.py) and creates only the table, with
 * `checkfirst`, never the schema (alembic/runtime/migration.py `_ensure_version_table`).
 */
export const migrationBookkeeping = {
  /** The schema of Alembic's version table: owned by the owner role, no privileges for app, readonly or PUBLIC. */
  versionTableSchema: "alembic",
  /** The environment variable the app's `alembic/env.py` reads `version_table_schema` from. */
  versionTableSchemaEnv: "ALEMBIC_VERSION_TABLE_SCHEMA",
} as const;

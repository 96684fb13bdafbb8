/**
 * What the backup and drill jobs' build image can install: CodeBuild's Amazon Linux 2023 standard
 * image (`aws/codebuild/amazonlinux-x86_64-standard:5.0`, built `FROM public.ecr.aws/amazonlinux/amazonlinux:2023`,
 * aws/aws-codebuild-docker-images@1590e487 al/x86_64/standard/5.0/Dockerfile) installs packages from
 * Amazon Linux 2023's own repository with `dnf`. Facts, each with where it was read.
 */

/** CodeBuild's Amazon Linux 2023 standard image: AWS CLI v2, jq, git and the "Development tools" group installed (the Dockerfile above). */
export const BUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

/**
 * The PostgreSQL major versions Amazon Linux 2023 packages as `postgresqlNN` (client: psql, pg_dump,
 * pg_restore), `postgresqlNN-server`, `postgresqlNN-contrib` and `postgresqlNN-server-devel`, with where
 * that is stated. 17 is left out: no statement that AL2023 packages it was found (add it with one).
 */
export const PACKAGED_POSTGRES_MAJORS: Readonly<Record<number, string>> = {
  15: "amazonlinux/amazon-linux-2023@2128881983 al2023-support-statements/support_info.xml: postgresql15, postgresql15-server, postgresql15-contrib, postgresql15-server-devel",
  16: "https://github.com/amazonlinux/amazon-linux-2023/issues/516 (closed) and #860: \"PostgreSQL 16 is available\"",
  18: "https://github.com/amazonlinux/amazon-linux-2023/issues/1031: postgresql18-18.3-1.amzn2023.0.1 added in AL2023 2023.10.20260330",
};

export function packagedPostgresMajors(): number[] {
  return Object.keys(PACKAGED_POSTGRES_MAJORS).map(Number).sort((a, b) => a - b);
}

/**
 * Extensions of PostgreSQL's contrib, which `postgresqlNN-contrib` installs ("Appendix F. Additional
 * Supplied Modules and Extensions", https://www.postgresql.org/docs/15/contrib.html; each has its
 * `<name>.control` in the server's share directory: test/integration/backup checks them against the
 * real server here). plpgsql is built in and never needs installing.
 */
export const CONTRIB_EXTENSIONS = [
  "adminpack", "amcheck", "autoinc", "bloom", "btree_gin", "btree_gist", "citext", "cube", "dblink", "dict_int", "dict_xsyn",
  "earthdistance", "file_fdw", "fuzzystrmatch", "hstore", "insert_username", "intagg", "intarray", "isn", "lo", "ltree",
  "moddatetime", "old_snapshot", "pageinspect", "pg_buffercache", "pg_freespacemap", "pg_prewarm", "pg_stat_statements",
  "pg_surgery", "pg_trgm", "pg_visibility", "pg_walinspect", "pgcrypto", "pgrowlocks", "pgstattuple", "postgres_fdw",
  "refint", "seg", "sslinfo", "tablefunc", "tcn", "tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp", "xml2",
] as const;

/** pgvector's extension name (`CREATE EXTENSION vector`): not packaged by Amazon Linux 2023, built from its tagged source. */
export const PGVECTOR_EXTENSION = "vector";

/**
 * pgvector's documented installation (pgvector/pgvector README, "Installation": `git clone --branch
 * v<version> https://github.com/pgvector/pgvector.git; cd pgvector; make; make install`; "Missing Header":
 * the server's development files, postgresqlNN-server-devel on Amazon Linux 2023), as install-phase commands.
 */
export function pgvectorInstallCommands(version: string): string[] {
  return [
    `git clone --quiet --depth 1 --branch v${version} https://github.com/pgvector/pgvector.git /tmp/pgvector`,
    "make -s -C /tmp/pgvector",
    "make -s -C /tmp/pgvector install",
  ];
}

/** The packages the backup job (client only) or the drill (client, server, and what its extensions need) installs. */
export function postgresPackages(major: number, options: { server: boolean; extensions?: readonly string[] }): string[] {
  const extensions = options.extensions ?? [];
  const packages = [`postgresql${major}`];
  if (options.server) packages.push(`postgresql${major}-server`);
  if (extensions.some((name) => (CONTRIB_EXTENSIONS as readonly string[]).includes(name))) packages.push(`postgresql${major}-contrib`);
  if (extensions.includes(PGVECTOR_EXTENSION)) packages.push(`postgresql${major}-server-devel`);
  return packages;
}

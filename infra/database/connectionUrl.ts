/** The parts of a PostgreSQL connection string. */
export interface ConnectionParts {
  user: string;
  password: string;
  host: string;
  port: number;
  database: string;
  sslMode: string;
}

/**
 * `postgresql://user:password@host:port/database?sslmode=…`, user and password percent-encoded.
 * Pure: the component wraps the result in a Pulumi secret.
 */
export function connectionUrl(parts: ConnectionParts): string {
  if (parts.password === "") throw new Error(`connection string for ${parts.user}: the password is empty`);
  const credentials = `${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}`;
  return `postgresql://${credentials}@${parts.host}:${parts.port}/${encodeURIComponent(parts.database)}?sslmode=${encodeURIComponent(parts.sslMode)}`;
}

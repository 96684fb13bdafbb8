import { Client, QueryResult } from "pg";

/** Something SQL runs on: a connection outside a transaction, or an open transaction. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
}

/** One statement the provider ran: where, and what (parameters kept out: they may be secrets). */
export interface Statement {
  database: string;
  sql: string;
}

export interface SessionOptions {
  /** Opens a new connection as the provider's admin to a database. */
  connect(database: string): Promise<Client>;
  /** The provider's `username`: the admin every statement runs as. */
  admin: string;
  /** The provider's `database`: where statements without a named database run. */
  defaultDatabase: string;
  /** Every statement, in order. */
  log: Statement[];
  /** Every NOTICE or WARNING the server sent, in order (e.g. "no privileges could be revoked"). */
  notices: string[];
}

/**
 * How the provider talks to the server during one resource operation (create, read, exists).
 *
 * The provider opens a `database/sql` pool per database with `SetMaxIdleConns(0)`: no connection
 * outlives its statement, so every statement outside a transaction, and every transaction, gets a
 * fresh connection and needs CONNECT on its database (Client.Connect in
 * cyrilgdn/terraform-provider-postgresql@v1.27.0:postgresql/config.go). `startTransaction(client,
 * database)` opens a transaction on a connection to `database`, the provider's own database when
 * empty (helpers.go). A session mirrors that: a new connection per statement outside a
 * transaction, one per transaction, and a log of what ran.
 */
export class ProviderSession {
  private readonly open = new Set<Client>();

  constructor(readonly options: SessionOptions) {}

  get admin(): string {
    return this.options.admin;
  }

  get defaultDatabase(): string {
    return this.options.defaultDatabase;
  }

  /** `db.Exec` / `db.QueryRow` on the provider's pool of `database` (its own database when empty). */
  async query(sql: string, params: unknown[] = [], database = ""): Promise<QueryResult> {
    const client = await this.connect(database);
    try {
      return await this.logged(client, database, sql, params);
    } finally {
      await this.close(client);
    }
  }

  /** `startTransaction(client, database)`, the callback, then `txn.Commit()` (or the deferred rollback on error). */
  async transaction<T>(database: string, fn: (txn: Queryable) => Promise<T>, commit = true): Promise<T> {
    const client = await this.connect(database);
    const txn: Queryable = { query: (sql, params) => this.logged(client, database, sql, params ?? []) };
    try {
      await client.query("BEGIN");
      const result = await fn(txn);
      await client.query(commit ? "COMMIT" : "ROLLBACK");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      await this.close(client);
    }
  }

  /** A transaction whose lifetime the caller controls (the provider's `lockTxn`, rolled back by a deferred call). */
  async openTransaction(database: string): Promise<{ txn: Queryable; rollback: () => Promise<void> }> {
    const client = await this.connect(database);
    await client.query("BEGIN");
    return {
      txn: { query: (sql, params) => this.logged(client, database, sql, params ?? []) },
      rollback: async () => {
        await client.query("ROLLBACK").catch(() => undefined);
        await this.close(client);
      },
    };
  }

  /** Closes whatever is still open (after an error). */
  async end(): Promise<void> {
    await Promise.all([...this.open].map((client) => this.close(client)));
  }

  private async connect(database: string): Promise<Client> {
    const name = database === "" ? this.options.defaultDatabase : database;
    const client = await this.options.connect(name);
    client.on("notice", (notice) => this.options.notices.push(`${notice.severity ?? "NOTICE"}: ${notice.message}`));
    this.open.add(client);
    return client;
  }

  private async close(client: Client): Promise<void> {
    if (!this.open.delete(client)) return;
    await client.end().catch(() => undefined);
  }

  private logged(client: Client, database: string, sql: string, params: unknown[]): Promise<QueryResult> {
    this.options.log.push({ database: database === "" ? this.options.defaultDatabase : database, sql });
    return client.query(sql, params);
  }
}

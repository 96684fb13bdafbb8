import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Client, TypeOverrides } from "pg";

/**
 * A throwaway PostgreSQL server from the machine's Debian `postgresql` package: a fresh cluster in
 * a temporary directory, listening only on a Unix socket in that directory (no TCP port), stopped
 * and deleted by `stop()`, and at process exit if a run is cut short.
 *
 * initdb and postgres refuse to run as root, so as root (CI) both run as the `postgres` OS user the
 * package creates, in a directory that user owns.
 */
export interface Cluster {
  /** The server's major version (15 on Debian 12). */
  readonly majorVersion: number;
  /** The bootstrap superuser: only the test uses it, to set the cluster up like a managed server. */
  readonly superuser: string;
  /** The directory of the server's Unix socket (libpq's `host` for it), e.g. for pg_dump and psql. */
  readonly socketDir: string;
  /** The server's binaries (initdb, pg_ctl), which Debian keeps off PATH. */
  readonly bin: string;
  connect(user: string, database: string, password?: string): Promise<Client>;
  stop(): void;
}

const POSTGRES_LIB = "/usr/lib/postgresql";
const SUPERUSER = "bootstrap";
const PORT = 5432; // names the socket file only: nothing listens on TCP

/** The newest server installed by Debian's packages, or a clear error naming the package to install. */
export function serverBinaries(): { bin: string; majorVersion: number } {
  const versions = existsSync(POSTGRES_LIB)
    ? readdirSync(POSTGRES_LIB)
        .filter((entry) => /^\d+$/.test(entry) && existsSync(path.join(POSTGRES_LIB, entry, "bin", "initdb")))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(`no PostgreSQL server under ${POSTGRES_LIB}/*/bin: install Debian's package (apt-get install -y postgresql), as .ci/run does`);
  }
  return { bin: path.join(POSTGRES_LIB, String(newest), "bin"), majorVersion: newest };
}

/** pg's parsers, plus `name[]` (oid 1003) read as a list of strings, as lib/pq's array scanning does for the provider. */
const typeParser = new TypeOverrides();
typeParser.setTypeParser(1003, parseTextArray);

/** A one-dimensional array literal (`{a,"b c","d\\"e"}`) as its elements; `NULL` elements as null. */
export function parseTextArray(literal: string): (string | null)[] {
  if (literal === "{}") return [];
  const items: (string | null)[] = [];
  let current = "";
  let quoted = false;
  let wasQuoted = false;
  for (let index = 1; index < literal.length - 1; index++) {
    const char = literal[index]!;
    if (quoted) {
      if (char === "\\") current += literal[++index] ?? "";
      else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (char === ",") {
      items.push(!wasQuoted && current === "NULL" ? null : current);
      current = "";
      wasQuoted = false;
    } else {
      current += char;
    }
  }
  items.push(!wasQuoted && current === "NULL" ? null : current);
  return items;
}

function osUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** When pg_ctl cannot stop the server: the postmaster's pid is the first line of postmaster.pid. */
function killPostmaster(data: string): void {
  try {
    const pid = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, "SIGKILL");
  } catch {
    // no pid file or no such process: nothing is left running
  }
}

/**
 * util-linux's runuser, which lives in /usr/sbin (Debian), a directory a non-login PATH (a CI step's, or
 * `env -i PATH=/usr/bin:/bin`) need not hold; looked up there before PATH.
 */
function runuser(): string {
  return ["/usr/sbin/runuser", "/sbin/runuser"].find((candidate) => existsSync(candidate)) ?? "runuser";
}

export async function startCluster(): Promise<Cluster> {
  const { bin, majorVersion } = serverBinaries();
  const root = mkdtempSync(path.join(tmpdir(), "flightdeck-pg-"));
  const data = path.join(root, "data");
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? runuser() : path.join(bin, tool);
    const argv = asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args;
    const result = spawnSync(command, argv, { encoding: "utf8", cwd: root });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  let started = false;
  const stop = () => {
    process.removeListener("exit", stop);
    try {
      if (started) run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      killPostmaster(data);
    } finally {
      started = false;
      rmSync(root, { recursive: true, force: true });
    }
  };
  process.on("exit", stop);
  try {
    if (asRoot) {
      const postgres = osUser("postgres");
      chownSync(root, postgres.uid, postgres.gid);
    }
    run("initdb", ["-D", data, "-U", SUPERUSER, "--auth=trust", "--no-sync", "--no-instructions", "--encoding=UTF8", "--locale=C"]);
    // Only the bootstrap superuser is trusted; every other role must present its password, as on a real server.
    writeFileSync(path.join(data, "pg_hba.conf"), `local all ${SUPERUSER} trust\nlocal all all scram-sha-256\n`);
    const options = [
      `-k ${root}`,
      "-c listen_addresses=''",
      `-p ${PORT}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c shared_buffers=16MB",
      "-c max_connections=150",
    ].join(" ");
    run("pg_ctl", ["-D", data, "-l", path.join(root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    started = true;
  } catch (error) {
    stop();
    throw error;
  }
  return {
    majorVersion,
    superuser: SUPERUSER,
    socketDir: root,
    bin,
    async connect(user, database, password) {
      const client = new Client({ host: root, port: PORT, user, database, password, types: typeParser });
      // A session the server ends (at stop, or by DROP DATABASE ... FORCE) emits "error"; queries still reject on their own.
      client.on("error", () => undefined);
      await client.connect();
      return client;
    },
    stop,
  };
}

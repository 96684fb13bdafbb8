import { strict as assert } from "node:assert";
import { Client } from "pg";
import { slotRotatedAt } from "../../../infra/database/passwordRotation";
import { RecordedResource, StackRun, inputAt, runSampleStack } from "../../harness";
import { Cluster, startCluster } from "./cluster";
import { quoteIdentifier } from "./providerHelpers";
import { PlannedDatabase, ProviderRun, applyPlan, plannedDatabase, refreshPlan, updatePlan } from "./plannedDatabase";

/**
 * Database passwords rotated by `pulumi up` with no downtime, on a real PostgreSQL 15 server: the
 * production plan at three instants (now, the next slot's rotation, the one after), each applied
 * as terraform-provider-postgresql v1.27.0 applies it (providerResources.ts), and the app's
 * DATABASE_URL as each plan hands it to Vercel.
 *
 * PostgreSQL's rules it relies on: ALTER ROLE … PASSWORD changes what later logins must present
 * and ends no session (a password is checked at authentication:
 * https://www.postgresql.org/docs/15/auth-password.html); VALID UNTIL "sets a date and time after
 * which the role's password is no longer valid" (https://www.postgresql.org/docs/15/sql-createrole.html);
 * a member of a role "can use the privileges of the role"
 * (https://www.postgresql.org/docs/15/role-membership.html), CONNECT included.
 */

const VERCEL_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const ROLE = "postgresql:index/role:Role";
const PERIOD_DAYS = 180;
const DAY_MS = 86_400_000;

interface Login {
  user: string;
  password: string;
  database: string;
}

/** The DATABASE_URL a plan gives Vercel: what the app connects with once redeployed. */
function databaseUrl(run: StackRun): Login {
  const variable = run.ofType(VERCEL_VAR).find((resource) => inputAt(resource, "key") === "DATABASE_URL");
  if (!variable) throw new Error("no DATABASE_URL in the plan");
  const url = new URL(String(inputAt(variable, "value")));
  return { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1) };
}

function roleOf(resources: readonly RecordedResource[], name: string): RecordedResource {
  const role = resources.find((resource) => resource.type === ROLE && inputAt(resource, "name") === name);
  if (!role) throw new Error(`no role ${name} in the plan`);
  return role;
}

describe("database password rotation on a real PostgreSQL server: no connection lost", function () {
  this.timeout(120_000);
  let cluster: Cluster | undefined;
  const clients: Client[] = [];
  const run: ProviderRun = { log: [], notices: [] };
  // Now (the server checks VALID UNTIL by its own clock), the next slot's rotation, and the other slot's after it.
  const now = new Date();
  const due = (slot: "primary" | "alternate") => slotRotatedAt(now, PERIOD_DAYS, slot).getTime() + PERIOD_DAYS * DAY_MS;
  const firstDue = Math.min(due("primary"), due("alternate"));
  const instants = [now, new Date(firstDue + 1000), new Date(firstDue + (PERIOD_DAYS / 2) * DAY_MS + 1000)];
  let plans: StackRun[] = [];
  let planned: PlannedDatabase[] = [];

  const server = () => {
    if (!cluster) throw new Error("no server");
    return cluster;
  };
  const connect = async (as: Login) => {
    const client = await server().connect(as.user, as.database, as.password);
    clients.push(client);
    return client;
  };
  const adminConnect = (user: string, database: string, password?: string) => server().connect(user, database, password);
  const refused = (as: Login) =>
    assert.rejects(connect(as), (error: Error & { code?: string }) => {
      assert.equal(error.code, "28P01", error.message);
      assert.match(error.message, new RegExp(`password authentication failed for user "${as.user}"`));
      return true;
    });

  before(async () => {
    plans = [];
    for (const at of instants) plans.push(await runSampleStack("production", (raw) => delete raw["disasterRecovery"], { now: at }));
    planned = plans.map((plan) => plannedDatabase(plan.resources));
    cluster = await startCluster();
    const root = await server().connect(server().superuser, "postgres");
    clients.push(root);
    const admin = planned[0]!.admin;
    await root.query(`CREATE ROLE ${quoteIdentifier(admin.username)} LOGIN NOSUPERUSER CREATEROLE CREATEDB PASSWORD '${admin.password.replaceAll("'", "''")}'`);
    await applyPlan(planned[0]!, adminConnect, run);
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    cluster?.stop();
  });

  it("each rotation moves DATABASE_URL to the other slot, with a new password", () => {
    const [first, second, third] = plans.map(databaseUrl);
    assert.notEqual(first!.user, second!.user);
    assert.equal(third!.user, first!.user);
    assert.notEqual(third!.password, first!.password, "the slot came back with a new password");
    assert.deepEqual(new Set([first!.user, second!.user]), new Set(["flightpro_app", "flightpro_alt_app"]));
  });

  it("keeps open sessions, lets the previous URL connect until its own rotation, and refuses it after", async () => {
    const [first, second, third] = plans.map(databaseUrl);
    // The app, deployed with the first URL, holds a session and writes through it.
    const session = await connect(first!);
    await session.query("SELECT 1");
    const owner = await connect({ ...first!, user: server().superuser, password: "" });
    // As a migration creates it: as the owner role, so the app's default privileges cover it.
    await owner.query("SET ROLE flightpro_owner; CREATE TABLE public.heartbeat (at timestamptz NOT NULL); RESET ROLE");

    // pulumi up at the next rotation: the other slot gets a new password, the first one is untouched.
    await updatePlan(planned[0]!, planned[1]!, adminConnect, run);
    await session.query("INSERT INTO public.heartbeat VALUES (now())");
    const oldInstance = await connect(first!);
    await oldInstance.query("INSERT INTO public.heartbeat VALUES (now())");
    const redeployed = await connect(second!);
    await redeployed.query("INSERT INTO public.heartbeat VALUES (now())");
    // The slot that rotated now refuses the password it had before.
    const before = plans[0]!.resources;
    await refused({ ...second!, password: String(inputAt(roleOf(before, second!.user), "password")) });

    // pulumi up at the rotation after: the first slot rotates; the second URL (deployed) keeps working.
    await updatePlan(planned[1]!, planned[2]!, adminConnect, run);
    await session.query("INSERT INTO public.heartbeat VALUES (now())");
    await redeployed.query("INSERT INTO public.heartbeat VALUES (now())");
    await (await connect(second!)).query("SELECT 1");
    await (await connect(third!)).query("SELECT count(*) FROM public.heartbeat");
    await refused(first!);
    const written = await owner.query("SELECT count(*)::int AS n FROM public.heartbeat");
    assert.equal(written.rows[0].n, 5, "every write through every session went in");
  });

  it("sets each slot's VALID UNTIL to its next rotation, and reads back with no drift", async () => {
    const root = await server().connect(server().superuser, "postgres");
    clients.push(root);
    const found = await root.query("SELECT rolname, rolvaliduntil FROM pg_roles WHERE rolname IN ('flightpro_app', 'flightpro_alt_app') ORDER BY rolname");
    for (const row of found.rows) {
      const planned = new Date(String(inputAt(roleOf(plans[2]!.resources, row.rolname), "validUntil")));
      assert.equal((row.rolvaliduntil as Date).getTime(), planned.getTime(), row.rolname);
      assert.ok(planned.getTime() > instants[2]!.getTime(), `${row.rolname}'s password is valid past the run that set it`);
    }
    assert.deepEqual(await refreshPlan(planned[2]!, adminConnect, run), []);
  });
});

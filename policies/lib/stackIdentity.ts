/**
 * What belongs to each stack of the program: its identity, as the isolation policy's config lists it
 * (policies/config/<stack>.json, `isolation-stack-resources-own.stacks`), and how an identifier is found
 * in an input however it is spelled.
 *
 * The pack judges one stack at a time and the engine hands it nothing of the other stacks. So each
 * stack's config carries every stack's identity: a deliberate copy, judged from the base branch (a pull
 * request cannot move production's identifiers out of the judge's sight), that test/policies/isolation
 * checks against the stack files (tools/policy/stackIdentity.ts): a disagreement is one error naming both
 * files.
 */
export interface StackIdentity {
  /** The branch the stack deploys from: its workflow files, rulesets, deployment policies and Vercel previews. */
  branch: string;
  /** The Vercel target of its deployments: `production`, or `preview` (on its branch). */
  vercelTarget: "production" | "preview";
  /** Hostnames it serves (web and API). */
  domains: string[];
  databaseHosts: string[];
  databases: string[];
  buckets: string[];
  /** Its CloudWatch namespace. */
  namespace: string;
  /** The prefix of its SSM parameters (`/flightdeck/<product>/<stack>/`). */
  parameterPath: string;
  /** The prefix of the names it gives AWS resources (`<product>-<stack>`). */
  namePrefix: string;
  railwayEnvironment: string;
  railwayEnvironmentId?: string;
  posthogProject?: number;
  /** Identifiers of other stacks it may read (never write): by stack, the buckets. */
  reads?: Record<string, { buckets: string[] }>;
}

export type StackIdentities = Record<string, StackIdentity>;

/** A host as DNS compares it: case folded, without the root's trailing dot. */
export function normalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.+$/, "");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

export type IdentifierKind = "domain" | "database host" | "bucket" | "namespace" | "parameter path" | "resource name prefix" | "Railway environment id";

/** One identifier of one stack, with the pattern that finds it in text (lower case). */
export interface Identifier {
  stack: string;
  kind: IdentifierKind;
  value: string;
  pattern: RegExp;
  /** Another stack may read it (its `reads`), never write it. */
  readableBy: string[];
}

/**
 * The patterns, each tested on lower-cased text:
 * - a host: not inside a longer name (no letter, digit, `-` or `.` before it; none of those after it but a
 *   single root dot), so `db.flightpro.internal.`, `DB.FLIGHTPRO.INTERNAL` and `db.flightpro.internal:5432`
 *   are it and `mydb.flightpro.internal` or `db.flightpro.internal.example.com` are not;
 * - a bucket: not inside a longer bucket name; followed by `/` (an object), `.` (virtual-hosted URL) or an end;
 * - a name prefix (`flightpro-production`): a token, so `flightpro-production-alerts` and
 *   `alias/flightpro-production-x` are it;
 * - a namespace or parameter path: a token, its leading slash optional (ARNs drop it).
 */
function patternOf(kind: IdentifierKind, value: string): RegExp {
  const text = kind === "parameter path" ? value.toLowerCase().replace(/^\/+/, "").replace(/\/+$/, "") : kind === "domain" || kind === "database host" ? normalHost(value) : value.toLowerCase();
  switch (kind) {
    case "domain":
    case "database host":
      return new RegExp(`(?<![a-z0-9.-])${escape(text)}\\.?(?![a-z0-9-]|\\.[a-z0-9-])`);
    case "bucket":
      return new RegExp(`(?<![a-z0-9.-])${escape(text)}(?![a-z0-9-])`);
    case "resource name prefix":
    case "namespace":
      return new RegExp(`(?<![a-z0-9])${escape(text)}(?![a-z0-9])`);
    case "parameter path":
      return new RegExp(`(?<![a-z0-9_.-])${escape(text)}(?![a-z0-9_.-])`);
    case "Railway environment id":
      return new RegExp(escape(text));
  }
}

/** Every identifier the identities name, by stack (those of `exceptStack` left out). */
export function identifiersOf(identities: StackIdentities, exceptStack?: string): Identifier[] {
  const found: Identifier[] = [];
  for (const [stack, identity] of Object.entries(identities)) {
    if (stack === exceptStack) continue;
    const readers = (bucket: string) =>
      Object.entries(identities)
        .filter(([reader, other]) => reader !== stack && (other.reads?.[stack]?.buckets ?? []).includes(bucket))
        .map(([reader]) => reader);
    const add = (kind: IdentifierKind, value: string | undefined, readableBy: string[] = []) => {
      if (value === undefined || value.trim() === "") return;
      found.push({ stack, kind, value, pattern: patternOf(kind, value), readableBy });
    };
    for (const domain of identity.domains) add("domain", domain);
    for (const host of identity.databaseHosts) add("database host", host);
    for (const bucket of identity.buckets) add("bucket", bucket, readers(bucket));
    add("namespace", identity.namespace);
    add("parameter path", identity.parameterPath);
    add("resource name prefix", identity.namePrefix);
    add("Railway environment id", identity.railwayEnvironmentId);
  }
  return found;
}

/** The identifiers found in `text`. */
export function foundIn(text: string, identifiers: readonly Identifier[]): Identifier[] {
  const lower = text.toLowerCase();
  return identifiers.filter((identifier) => identifier.pattern.test(lower));
}

/**
 * Names a wildcard pattern could stand for, among another stack's resources: its buckets and their
 * objects, its parameters, and resources named with its prefix (roles, functions, topics, log groups,
 * aliases, projects, rules). A pattern that is only wildcards is every resource: the least-privilege
 * policies judge those.
 */
export function wildcardReaches(pattern: string, identifiers: readonly Identifier[]): Identifier[] {
  const trimmed = pattern.trim();
  if (!/[*?]/.test(trimmed)) return [];
  // An ARN's resource part (after partition, service, region, account); anything else as written.
  const arn = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$/.exec(trimmed);
  const rest = arn ? arn[1]! : trimmed;
  if (/^[*?]*$/.test(rest)) return [];
  const regex = new RegExp(`^${rest.split("").map((char) => (char === "*" ? ".*" : char === "?" ? "." : escape(char))).join("")}$`, "i");
  return identifiers.filter((identifier) => candidatesOf(identifier).some((candidate) => regex.test(candidate)));
}

function candidatesOf(identifier: Identifier): string[] {
  const value = identifier.value;
  switch (identifier.kind) {
    case "bucket":
      return [value, `${value}/x`];
    case "parameter path": {
      const path = `/${value.replace(/^\/+/, "").replace(/\/+$/, "")}/x`;
      return [`parameter${path}`, path];
    }
    case "resource name prefix":
      return ["", "role/", "function:", "log-group:/aws/lambda/", "log-group:/flightdeck/", "alias/", "project/", "rule/", "schedule/default/"].map((kind) => `${kind}${value}-x`);
    default:
      return [];
  }
}

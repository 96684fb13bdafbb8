import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";

/**
 * A stand-in for PostHog's feature flag API on 127.0.0.1, answering with the shapes PostHog's
 * own code produces:
 * - routes and methods: `FeatureFlagViewSet`, a DRF ModelViewSet under `/api/projects/{project_id}/feature_flags/`
 *   (https://posthog.com/docs/api/feature-flags), with `ForbidDestroyModel`: DELETE is 405
 *   (PostHog/posthog:posthog/api/feature_flag.py, posthog/api/forbid_destroy_model.py); create answers
 *   201, retrieve and partial update 200 (encode/django-rest-framework:rest_framework/mixins.py);
 * - a flag is deleted with PATCH `{"deleted": true}` (`FeatureFlagSerializer.update`) and still retrieves
 *   with `deleted: true`: only the list filters deleted flags (`safely_get_queryset`); creating a flag
 *   hard-deletes soft-deleted flags with the same key, after which their id is a 404 (`create`);
 * - validation: the key's pattern (`invalid_key`) and uniqueness among live flags (`unique`), at least one
 *   condition group on create (`validate_key`, `validate_filters`);
 * - errors in drf-exceptions-hog's body `{type, code, detail, attr}` (PostHog/drf-exceptions-hog
 *   exceptions_hog/handler.py, tests/test_handler.py, tests/conftest.py): 404 `invalid_request/not_found
 *   "Not found."`; 401 `authentication_error/authentication_failed` with PostHog's "Personal API key found
 *   in request Authorization header is invalid." and `WWW-Authenticate: Bearer` (posthog/auth.py
 *   `PersonalAPIKeyAuthentication`); 429 `throttled_error/throttled "Request was throttled. Expected
 *   available in N seconds."` with `Retry-After: N`; a "code" of DRF's `invalid` reads `invalid_input`;
 * - the list: `{count, next, previous, results}` (DRF LimitOffsetPagination, PostHog's PAGE_SIZE 100 in
 *   posthog/settings/web.py), `search` on key or name (https://posthog.com/docs/api/feature-flags);
 * - `filters` kept as PostgreSQL keeps a jsonb column (`FeatureFlag.filters = models.JSONField`, jsonb on
 *   PostgreSQL): answered with each object's keys in jsonb's order (see `asJsonb`).
 */
export interface StoredFlag {
  id: number;
  key: string;
  name: string;
  active: boolean;
  deleted: boolean;
  filters: { groups: unknown[] };
  version: number;
  created_at: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A response a test forces for the next matching request (then the stand-in behaves normally). */
export interface ForcedResponse {
  method?: string;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface PostHogStandIn {
  url: string;
  projectId: number;
  apiKey: string;
  flags: Map<number, StoredFlag>;
  requests: RecordedRequest[];
  /** Answer the next requests (matching `method`, if given) with these responses, in order. */
  force(...responses: ForcedResponse[]): void;
  /** The list endpoint's page size (DRF's PAGE_SIZE is 100; small pages exercise `next`). */
  pageSize: number;
  /** Adds a flag as if created in PostHog's UI. */
  seed(flag: Pick<StoredFlag, "key"> & Partial<StoredFlag>): StoredFlag;
  close(): Promise<void>;
}

const KEY_PATTERN = /^[a-zA-Z0-9_-]+$/;

/**
 * A JSON value as jsonb stores and returns it: object keys sorted shorter first, then by bytes
 * (postgres/postgres src/backend/utils/adt/jsonb_util.c lengthCompareJsonbStringValue; "jsonb ... does not
 * preserve the order of object keys", https://www.postgresql.org/docs/15/datatype-json.html), the last of
 * duplicate keys kept. test/integration/backup/backupScripts.spec.ts checks this order against the real server.
 */
export function asJsonb(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asJsonb);
  if (value === null || typeof value !== "object") return value;
  const byJsonbOrder = (a: string, b: string) => {
    const [left, right] = [Buffer.from(a), Buffer.from(b)];
    return left.length - right.length || Buffer.compare(left, right);
  };
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort(byJsonbOrder).map((key) => [key, asJsonb(record[key])]));
}

function groupsOf(filters: unknown): unknown[] | undefined {
  if (filters === null || typeof filters !== "object") return undefined;
  const groups: unknown = Object.getOwnPropertyDescriptor(filters, "groups")?.value;
  return Array.isArray(groups) ? groups : undefined;
}

function error(type: string, code: string, detail: string, attr: string | null = null) {
  return { type, code, detail, attr };
}

export async function startPostHogStandIn(options: { apiKey?: string; projectId?: number } = {}): Promise<PostHogStandIn> {
  const apiKey = options.apiKey ?? "phx_standin_0123456789abcdef";
  const projectId = options.projectId ?? 41028;
  const flags = new Map<number, StoredFlag>();
  const requests: RecordedRequest[] = [];
  const forced: ForcedResponse[] = [];
  let nextId = 1000;

  const standIn: PostHogStandIn = {
    url: "",
    projectId,
    apiKey,
    flags,
    requests,
    pageSize: 100,
    force: (...responses) => forced.push(...responses),
    seed(flag) {
      const stored: StoredFlag = {
        id: nextId++,
        name: "",
        active: true,
        deleted: false,
        filters: { groups: [{ properties: [], rollout_percentage: 100 }] },
        version: 1,
        created_at: "2026-11-01T10:00:00Z",
        ...flag,
      };
      flags.set(stored.id, stored);
      return stored;
    },
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const handle = (request: IncomingMessage, response: ServerResponse, rawBody: string) => {
    const url = new URL(request.url ?? "/", standIn.url);
    let body: unknown = undefined;
    try {
      body = rawBody === "" ? undefined : JSON.parse(rawBody);
    } catch {
      return send(response, 400, error("invalid_request", "parse_error", "JSON parse error"));
    }
    requests.push({ method: request.method ?? "", path: url.pathname + url.search, authorization: request.headers.authorization, body });

    const forcedIndex = forced.findIndex((candidate) => candidate.method === undefined || candidate.method === request.method);
    if (forcedIndex >= 0) {
      const [next] = forced.splice(forcedIndex, 1);
      return send(response, next!.status, next!.body, next!.headers);
    }
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      return send(response, 401, error("authentication_error", "authentication_failed", "Personal API key found in request Authorization header is invalid."), {
        "WWW-Authenticate": "Bearer",
      });
    }
    const match = /^\/api\/projects\/(\d+)\/feature_flags\/(?:(\d+)\/)?$/.exec(url.pathname);
    if (!match || Number(match[1]) !== projectId) return send(response, 404, error("invalid_request", "not_found", "Not found."));
    const id = match[2] === undefined ? undefined : Number(match[2]);
    const record = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};

    if (id === undefined && request.method === "GET") {
      const search = (url.searchParams.get("search") ?? "").toLowerCase();
      const live = [...flags.values()].filter((flag) => !flag.deleted && (flag.key.toLowerCase().includes(search) || flag.name.toLowerCase().includes(search)));
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Number(url.searchParams.get("limit") ?? standIn.pageSize);
      const page = (at: number) => {
        const next = new URL(url.pathname, standIn.url);
        if (search) next.searchParams.set("search", search);
        next.searchParams.set("limit", String(limit));
        next.searchParams.set("offset", String(at));
        return next.toString();
      };
      return send(response, 200, {
        count: live.length,
        next: offset + limit < live.length ? page(offset + limit) : null,
        previous: offset > 0 ? page(Math.max(0, offset - limit)) : null,
        results: live.slice(offset, offset + limit),
      });
    }
    if (id === undefined && request.method === "POST") {
      const key = String(record["key"] ?? "");
      if (!KEY_PATTERN.test(key)) return send(response, 400, error("validation_error", "invalid_key", "Only letters, numbers, hyphens (-) & underscores (_) are allowed.", "key"));
      if ([...flags.values()].some((flag) => flag.key === key && !flag.deleted)) {
        return send(response, 400, error("validation_error", "unique", "There is already a feature flag with this key.", "key"));
      }
      const groups = groupsOf(record["filters"]);
      if (!groups || groups.length === 0) {
        return send(response, 400, error("validation_error", "invalid_input", "Feature flags must have at least one condition set (group).", "filters"));
      }
      for (const [existingId, flag] of flags) if (flag.key === key && flag.deleted) flags.delete(existingId);
      const stored = standIn.seed({ key, name: String(record["name"] ?? ""), active: record["active"] !== false, filters: asJsonb(record["filters"]) as StoredFlag["filters"], created_at: "2026-11-30T10:00:00Z" });
      return send(response, 201, stored);
    }
    const flag = id === undefined ? undefined : flags.get(id);
    if (!flag) {
      if (request.method === "DELETE") return send(response, 405);
      return send(response, 404, error("invalid_request", "not_found", "Not found."));
    }
    if (request.method === "GET") return send(response, 200, flag);
    if (request.method === "DELETE") return send(response, 405);
    if (request.method === "PATCH") {
      if (typeof record["name"] === "string") flag.name = record["name"];
      if (typeof record["active"] === "boolean") flag.active = record["active"];
      if (record["deleted"] === true) flag.deleted = true;
      const groups = groupsOf(record["filters"]);
      if (groups) flag.filters = asJsonb(record["filters"]) as StoredFlag["filters"];
      flag.version += 1;
      return send(response, 200, flag);
    }
    return send(response, 405, error("invalid_request", "method_not_allowed", `Method "${request.method}" not allowed.`));
  };

  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => handle(request, response, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the stand-in is not listening on a TCP port");
  standIn.url = `http://127.0.0.1:${address.port}`;
  return standIn;
}

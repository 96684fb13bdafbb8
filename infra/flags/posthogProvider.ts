import type * as pulumi from "@pulumi/pulumi";
import type { FeatureFlagBody, FeatureFlagRecord, FlagFilters, FlagPage, PostHogErrorBody } from "./posthogTypes";

/**
 * The dynamic provider behind `PostHogFeatureFlag`: create, read, update and delete over PostHog's
 * feature flag API (`/api/projects/{project_id}/feature_flags/`).
 *
 * The `pulumi-nodejs` provider process runs it from each flag's `__provider` input: a module whose
 * `handler()` returns the provider (@pulumi/pulumi cmd/dynamic-provider/index.ts `getProvider`).
 * `makePostHogFeatureFlagProvider` is written to be that module's body as it stands: everything it
 * uses is inside it or a JavaScript/Node global (`fetch`, `URL`, `setTimeout`, `AbortSignal`), so
 * its source text is its serialization (featureFlag.ts) and no closure has to be analysed. It holds
 * no secret: the personal API key arrives as the secret input `apiKey`.
 */

/** Everything a flag resource holds: PostHog's fields, where the flag lives, and flightdeck's record of its plan. */
export interface FeatureFlagInputs {
  /** PostHog's base URL, e.g. https://us.posthog.com. */
  host: string;
  projectId: number;
  /** A personal API key with the feature_flag:write scope (a Pulumi secret). */
  apiKey: string;
  key: string;
  /** PostHog's `name`: the flag's description. */
  name: string;
  active: boolean;
  filters: FlagFilters;
  /** flightdeck's record, for previews and the policy pack; not sent to PostHog. */
  description: string;
  owner: string | null;
  killSwitch: boolean;
  earlyAccess: string[];
  rollout: { start: string; timezone: string; stages: { day: number; rollout: number | "team" }[] };
  /** The stage this update moves the flag to, in words. */
  stage: string;
  environment: string;
  /** In a production stack whose model has staging: what staging serves, from staging's register (null: the model has no staging). */
  staging: StagingView | null;
  /** What this stack's flag register held for the flag before this run (its recorded day 0): the pack judges the stage from it. */
  register: RegisterReading;
}

export interface RegisterReading {
  /** The register parameter (flags/register.ts). */
  parameter: string;
  /** The day 0 recorded before this run (YYYY-MM-DD), or null: the flag's first run in this stack. */
  recordedStart: string | null;
}

export interface StagingView {
  stack: string;
  /** False when staging's register has no record of this flag (not deployed to staging). */
  found: boolean;
  exposure?: { percent: number; team: boolean };
  start?: string;
  killSwitch?: boolean;
}

export interface FeatureFlagOutputs extends FeatureFlagInputs {
  /** PostHog's numeric id (the resource id is its decimal string). */
  flagId: number;
}

/** The provider. Self-contained: it may use only what it defines and the globals (see above). */
export function makePostHogFeatureFlagProvider(): pulumi.dynamic.ResourceProvider<FeatureFlagInputs, FeatureFlagOutputs> {
  /** Properties whose change needs a new flag: another PostHog, project or key. */
  const REPLACE_ON: readonly (keyof FeatureFlagInputs)[] = ["host", "projectId", "key"];

  const KEY_PATTERN = /^[a-zA-Z0-9_-]+$/;
  /** How long one request may take, and the longest Retry-After the provider waits out on a 429. */
  const REQUEST_TIMEOUT_MS = 30_000;
  const MAX_RETRY_WAIT_SECONDS = 60;
  const MAX_ATTEMPTS = 4;

  interface Target {
    host: string;
    projectId: number;
    apiKey: string;
    key: string;
  }

  function where(target: Target): string {
    return `PostHog feature flag "${target.key}" (project ${target.projectId} at ${target.host})`;
  }

  function flagsUrl(target: Target, id?: string): string {
    const base = target.host.replace(/\/+$/, "");
    return `${base}/api/projects/${encodeURIComponent(String(target.projectId))}/feature_flags/${id === undefined ? "" : `${encodeURIComponent(id)}/`}`;
  }

  /** Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date, RFC 9110 §10.2.3). */
  function retryAfterSeconds(header: string | null): number | undefined {
    if (header === null || header.trim() === "") return undefined;
    if (/^\d+$/.test(header.trim())) return Number(header.trim());
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }

  function errorBodyOf(json: unknown): PostHogErrorBody | undefined {
    if (json === null || typeof json !== "object") return undefined;
    const record = json as Record<string, unknown>;
    if (typeof record["detail"] !== "string") return undefined;
    return {
      type: typeof record["type"] === "string" ? record["type"] : "error",
      code: typeof record["code"] === "string" ? record["code"] : "error",
      detail: record["detail"],
      attr: typeof record["attr"] === "string" ? record["attr"] : null,
    };
  }

  /** What to do about a status (rate limits: https://posthog.com/docs/api, "Rate limiting"). */
  function hintFor(status: number): string {
    if (status === 401) return " Check flightdeck:posthogPersonalApiKey: a personal API key of this PostHog instance.";
    if (status === 403) return " The personal API key needs the feature_flag:write scope and access to this project.";
    if (status === 429) return " PostHog limits its API to 480 requests/minute and 4800/hour per team; retry later.";
    return "";
  }

  /** Never let the key into a message, whatever a server echoes back. */
  function scrub(text: string, target: Target): string {
    return target.apiKey.length >= 4 ? text.split(target.apiKey).join("[secret]") : text;
  }

  interface ApiResponse {
    status: number;
    json: unknown;
  }

  /**
   * One API call. A 429 is retried after its Retry-After (up to MAX_ATTEMPTS, waiting at most
   * MAX_RETRY_WAIT_SECONDS each time); any other status is returned to the caller.
   */
  async function call(target: Target, method: string, url: string, body?: unknown): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { Authorization: `Bearer ${target.apiKey}`, "Content-Type": "application/json", Accept: "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(scrub(`${where(target)}: ${method} ${url} failed: ${reason}`, target));
      }
      const text = await response.text();
      let json: unknown = undefined;
      try {
        json = text === "" ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (response.status === 429) {
        const wait = retryAfterSeconds(response.headers.get("retry-after"));
        if (attempt < MAX_ATTEMPTS && wait !== undefined && wait <= MAX_RETRY_WAIT_SECONDS) {
          await new Promise((resolve) => setTimeout(resolve, wait * 1000));
          continue;
        }
        const detail = errorBodyOf(json)?.detail ?? "rate limited";
        // A class of our own would not survive serialization as an Error subclass: plain Errors only.
        throw new Error(
          scrub(
            `${where(target)}: ${method} rate limited by PostHog (HTTP 429 after ${attempt} attempt${attempt === 1 ? "" : "s"}${wait === undefined ? "" : `; Retry-After ${wait} s`}): ${detail}.${hintFor(429)}`,
            target,
          ),
        );
      }
      return { status: response.status, json };
    }
  }

  function failure(target: Target, operation: string, response: ApiResponse, extra = ""): Error {
    const body = errorBodyOf(response.json);
    const what = body ? `${body.type}/${body.code}${body.attr ? ` on ${body.attr}` : ""}: ${body.detail}` : "no error detail in the response";
    return new Error(scrub(`${where(target)}: ${operation} failed with HTTP ${response.status} (${what})${extra}.${hintFor(response.status)}`, target));
  }

  function recordOf(json: unknown): FeatureFlagRecord | undefined {
    if (json === null || typeof json !== "object") return undefined;
    const record = json as Record<string, unknown>;
    return typeof record["id"] === "number" && typeof record["key"] === "string" ? (json as FeatureFlagRecord) : undefined;
  }

  function bodyOf(inputs: FeatureFlagInputs): FeatureFlagBody {
    return { key: inputs.key, name: inputs.name, active: inputs.active, filters: inputs.filters };
  }

  /** The id of a live flag with this key, following the list's `next` links (search is by key or name). */
  async function findFlagId(target: Target): Promise<number | undefined> {
    let url: string | null = `${flagsUrl(target)}?search=${encodeURIComponent(target.key)}`;
    for (let page = 0; url !== null && page < 50; page++) {
      const response: ApiResponse = await call(target, "GET", url);
      if (response.status !== 200) return undefined;
      const data = response.json as FlagPage;
      const match = (data.results ?? []).find((flag) => flag.key === target.key && !flag.deleted);
      if (match) return match.id;
      url = data.next;
    }
    return undefined;
  }

  function checkInputs(news: FeatureFlagInputs): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const label = `feature flag "${String(news.key)}"`;
    if (typeof news.key !== "string" || !KEY_PATTERN.test(news.key) || news.key.length > 400) {
      failures.push({ property: "key", reason: `${label}: PostHog allows only letters, numbers, hyphens (-) and underscores (_), at most 400 characters` });
    }
    let host: URL | undefined;
    try {
      host = new URL(String(news.host));
    } catch {
      host = undefined;
    }
    if (!host || (host.protocol !== "https:" && host.protocol !== "http:")) failures.push({ property: "host", reason: `${label}: host must be the PostHog instance's URL (got ${JSON.stringify(news.host)})` });
    if (!Number.isInteger(news.projectId) || news.projectId <= 0) failures.push({ property: "projectId", reason: `${label}: projectId must be a positive integer (got ${JSON.stringify(news.projectId)})` });
    if (typeof news.apiKey !== "string" || news.apiKey === "") failures.push({ property: "apiKey", reason: `${label}: the personal API key is empty` });
    if (!news.filters || !Array.isArray(news.filters.groups) || news.filters.groups.length === 0) {
      failures.push({ property: "filters", reason: `${label}: PostHog needs at least one release condition (filters.groups)` });
    }
    return failures;
  }

  /**
   * Equal as JSON values: objects by their keys whatever their order, arrays element by element.
   * PostHog keeps `filters` in a jsonb column, and jsonb does not keep the order of object keys
   * (https://www.postgresql.org/docs/15/datatype-json.html: "jsonb does not preserve white space, does
   * not preserve the order of object keys"; it sorts them by length, then bytes:
   * postgres/postgres src/backend/utils/adt/jsonb_util.c lengthCompareJsonbStringValue), so a flag read
   * back from PostHog lists its keys in another order than the program wrote them.
   */
  function sameJson(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
    if (Array.isArray(a) || Array.isArray(b)) {
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
    }
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    // A key holding undefined is absent in JSON (JSON.stringify drops it).
    const keys = (record: Record<string, unknown>) => Object.keys(record).filter((key) => record[key] !== undefined);
    const leftKeys = keys(left);
    return leftKeys.length === keys(right).length && leftKeys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && sameJson(left[key], right[key]));
  }

  const provider: pulumi.dynamic.ResourceProvider<FeatureFlagInputs, FeatureFlagOutputs> = {
    async check(_olds, news) {
      return { inputs: news, failures: checkInputs(news) };
    },

    async diff(_id, olds, news) {
      const replaces = REPLACE_ON.filter((property) => !sameJson(olds[property], news[property]));
      const changed = (Object.keys(news) as (keyof FeatureFlagInputs)[]).some((property) => !sameJson(olds[property], news[property]));
      return { changes: changed || replaces.length > 0, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
      const response = await call(inputs, "POST", flagsUrl(inputs), bodyOf(inputs));
      const created = recordOf(response.json);
      if (response.status !== 201 && response.status !== 200) {
        const body = errorBodyOf(response.json);
        let extra = "";
        if (response.status === 400 && body?.code === "unique" && body.attr === "key") {
          const existing = await findFlagId(inputs);
          extra = `; a flag with this key already exists${existing === undefined ? "" : ` (id ${existing})`}, created outside this stack: delete it in PostHog or remove it from flightdeck:featureFlags`;
        }
        throw failure(inputs, "create", response, extra);
      }
      if (!created) throw failure(inputs, "create", response, "; the response is not a feature flag");
      return { id: String(created.id), outs: { ...inputs, flagId: created.id } };
    },

    async read(id, props) {
      if (!props) throw new Error(`PostHog feature flag ${id}: nothing recorded to read it with`);
      const response = await call(props, "GET", flagsUrl(props, id));
      // A soft-deleted flag still reads back (deleted: true); one deleted for good is a 404. Either way it is gone.
      if (response.status === 404) return {};
      const live = recordOf(response.json);
      if (response.status !== 200 || !live) throw failure(props, "read", response);
      if (live.deleted) return {};
      return { id, props: { ...props, key: live.key, name: live.name, active: live.active, filters: live.filters, flagId: live.id } };
    },

    async update(id, _olds, news) {
      const response = await call(news, "PATCH", flagsUrl(news, id), { name: news.name, active: news.active, filters: news.filters });
      if (response.status === 404) {
        throw failure(news, "update", response, "; the flag no longer exists in PostHog: run `pulumi refresh` to let the next update create it again");
      }
      const updated = recordOf(response.json);
      if (response.status !== 200 || !updated) throw failure(news, "update", response);
      if (updated.deleted) {
        throw new Error(`${where(news)}: the flag was deleted in PostHog outside Pulumi: run \`pulumi refresh\` to let the next update create it again.`);
      }
      return { outs: { ...news, flagId: updated.id } };
    },

    async delete(id, props) {
      // PostHog forbids DELETE on flags (405); a flag is deleted by setting `deleted`.
      const response = await call(props, "PATCH", flagsUrl(props, id), { deleted: true });
      if (response.status === 404) return;
      if (response.status !== 200) throw failure(props, "delete", response);
    },
  };

  return provider;
}

/**
 * HTTP for the bridge: every request has a timeout, 429 and 5xx are retried with backoff (a 429's
 * Retry-After is honoured: PostHog's throttles set it, DRF `Throttled`; Railway "sets Retry-After on every
 * 429", railwayapp/cli@v5.43.1 src/client.rs), and nothing starts or waits past the run's deadline.
 */

export class SourceError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface Deadline {
  /** Epoch milliseconds after which no request starts and no retry waits. */
  at: number;
  now(): number;
}

export function deadlineIn(ms: number, now: () => number = Date.now): Deadline {
  return { at: now() + ms, now };
}

export interface RequestOptions {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  deadline: Deadline;
  /** Retries after the first try (429, 5xx, no answer): every caller says how many, since each try counts against the source's rate limit. */
  retries: number;
  /** First backoff, doubled on each retry (when no Retry-After says otherwise). */
  backoffMs?: number;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3), in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request with retries; the last response is returned whatever its status (callers judge it). */
export async function request(url: string, options: RequestOptions): Promise<HttpResult> {
  const retries = options.retries;
  let backoff = options.backoffMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    const left = options.deadline.at - options.deadline.now();
    if (left <= 0) throw new SourceError(`${new URL(url).host}: out of time before the request (the run's budget is spent)`);
    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method,
        headers: options.headers,
        body: options.body,
        signal: AbortSignal.timeout(Math.min(options.timeoutMs, left)),
      });
    } catch (error) {
      const reason = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError") ? `no answer within ${Math.min(options.timeoutMs, left)} ms` : String(error instanceof Error ? error.message : error);
      if (attempt < retries && options.deadline.now() + backoff < options.deadline.at) {
        await sleep(backoff);
        backoff *= 2;
        continue;
      }
      throw new SourceError(`${new URL(url).host}: ${reason}`);
    }
    const text = await response.text();
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable || attempt >= retries) return { status: response.status, headers: response.headers, text };
    const wait = (response.status === 429 ? retryAfterMs(response.headers.get("retry-after"), options.deadline.now()) : undefined) ?? backoff;
    if (options.deadline.now() + wait >= options.deadline.at) return { status: response.status, headers: response.headers, text };
    await sleep(wait);
    backoff *= 2;
  }
}

/** A JSON body, or a SourceError naming the host and what came back. */
export function parseJson(result: HttpResult, host: string): unknown {
  try {
    return JSON.parse(result.text);
  } catch {
    throw new SourceError(`${host}: answered ${result.status} with a body that is not JSON`, result.status);
  }
}

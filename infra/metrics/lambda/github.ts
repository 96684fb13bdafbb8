import { createSign } from "node:crypto";
import { WatchConfig } from "../contract";
import { Deadline, SourceError, request } from "./http";

/**
 * Dispatching the rollback workflow as the deploy GitHub App (docs.github.com):
 * - a JWT signed RS256 with the App's private key, `iat` 60 s in the past, `exp` at most 10 minutes
 *   ahead, `iss` the App's id ("Generating a JSON Web Token (JWT) for a GitHub App");
 * - an installation access token, `POST /app/installations/{installation_id}/access_tokens` with the JWT as
 *   Bearer, narrowed to the one repository and `actions: write` ("Generating an installation access
 *   token for a GitHub App"; 201 with `token`);
 * - `POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches` with `ref` and `inputs` ("Create
 *   a workflow dispatch event": GitHub Apps need the `actions: write` permission; 204 No Content).
 */

/** Retries of the token request (a failed dispatch is never retried: it may have happened). */
export const MINT_RETRIES = 2;

const HEADERS = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "content-type": "application/json", "user-agent": "flightdeck-metrics-bridge" };

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

export function appJwt(appId: number, privateKey: string, now: Date): string {
  const issuedAt = Math.floor(now.getTime() / 1000) - 60;
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ iat: issuedAt, exp: issuedAt + 9 * 60, iss: String(appId) }));
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

function githubMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    return typeof body["message"] === "string" ? body["message"] : text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

export interface DispatchOptions {
  deadline: Deadline;
  timeoutMs: number;
  now: Date;
}

/** Dispatches the rollback workflow on `ref` with `inputs`, as the App; throws a SourceError naming what failed. */
export async function dispatchWorkflow(github: WatchConfig["github"], privateKey: string, inputs: Record<string, string>, options: DispatchOptions): Promise<void> {
  const api = github.apiUrl.replace(/\/$/, "");
  const jwt = appJwt(github.appId, privateKey, options.now);
  const minted = await request(`${api}/app/installations/${github.installationId}/access_tokens`, {
    method: "POST",
    headers: { ...HEADERS, authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ repositories: [github.repository], permissions: { actions: "write" } }),
    timeoutMs: options.timeoutMs,
    deadline: options.deadline,
    // Minting a token changes nothing: safe to send again.
    retries: MINT_RETRIES,
  });
  if (minted.status !== 201) throw new SourceError(`GitHub refused an installation token for App ${github.appId} (installation ${github.installationId}): ${minted.status} ${githubMessage(minted.text)}`, minted.status);
  const token = (JSON.parse(minted.text) as Record<string, unknown>)["token"];
  if (typeof token !== "string" || token === "") throw new SourceError("GitHub's installation token answer has no token");
  const dispatched = await request(`${api}/repos/${github.owner}/${github.repository}/actions/workflows/${encodeURIComponent(github.workflow)}/dispatches`, {
    method: "POST",
    headers: { ...HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify({ ref: github.ref, inputs }),
    timeoutMs: options.timeoutMs,
    deadline: options.deadline,
    // A dispatch that timed out may have happened: never sent twice.
    retries: 0,
  });
  if (dispatched.status !== 204 && dispatched.status !== 200) {
    throw new SourceError(`GitHub refused to dispatch ${github.workflow} in ${github.owner}/${github.repository}: ${dispatched.status} ${githubMessage(dispatched.text)}`, dispatched.status);
  }
}

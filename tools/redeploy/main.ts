import { readFileSync } from "node:fs";
import { GITHUB_API_URL } from "../../infra/metrics/contract";
import { parseAppRedeploy, redeployAfterRotation } from "./redeploy";

/**
 * npm run redeploy -- <before.json> <after.json>: the stack's `appRedeploy` output before and after
 * `pulumi up` (`pulumi stack output appRedeploy --json`, or `null`); the deploy App's private key in
 * DEPLOY_APP_PRIVATE_KEY (never printed). Exit 0: dispatched or nothing to do; 1: the dispatch failed;
 * 2: bad input.
 */
async function main(): Promise<number> {
  const [beforePath, afterPath] = process.argv.slice(2);
  if (beforePath === undefined || afterPath === undefined) {
    console.error("usage: npm run redeploy -- <appRedeploy before.json> <appRedeploy after.json>");
    return 2;
  }
  let before, after;
  try {
    before = parseAppRedeploy(readFileSync(beforePath, "utf8"), beforePath);
    after = parseAppRedeploy(readFileSync(afterPath, "utf8"), afterPath);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const privateKey = process.env["DEPLOY_APP_PRIVATE_KEY"] ?? "";
  try {
    await redeployAfterRotation(before, after, {
      apiUrl: GITHUB_API_URL,
      privateKey,
      now: new Date(),
      log: (line) => console.log(line),
    });
    return 0;
  } catch (error) {
    // The key never enters a message: dispatchWorkflow's errors name the App, the installation and GitHub's answer.
    console.error(`::error::redeploy after rotation: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

main().then((code) => process.exit(code));

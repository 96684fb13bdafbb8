import { strict as assert } from "node:assert";
import { stepBash } from "../../harness/bash";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { vercelPromoteStep, vercelRestoreScript, vercelStageProductionStep } from "../../../infra/workflows/vercel";

/**
 * A stand-in for the Vercel CLI that answers as the CLI does (vercel/vercel packages/cli, read at
 * vercel@58.4.4, checked in the published vercel@64.0.2): `deploy` prints the deployment URL on
 * stdout when stdout is not a terminal (util/deploy/process-deployment.ts) and exits 1 unless the
 * deployment is READY (util/deploy/print-deployment-status.ts); `inspect --format=json` prints
 * `{ id, name, url, target, readyState, createdAt }` (commands/inspect/index.ts printJson), for a
 * domain the deployment it points at; `promote`, `rollback` and `alias set` move the domain.
 * State: $STATE/deployments (one "host id target readyState" line each) and $STATE/domain (the
 * deployment id the domain serves). $PROMOTE_MOVES=0 makes promote return 0 without moving the
 * domain, as `vercel promote <preview>` does (it starts a new build and returns).
 */
const FAKE_VERCEL = `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >> "$STATE/calls"
args=()
for arg in "$@"; do case "$arg" in --token=*|--yes|--wait|--timeout=*|--format=json|--prebuilt|--skip-domain) ;; *) args+=("$arg") ;; esac; done
lookup() { while read -r host id target state; do if [ "$host" = "\${1#https://}" ] || [ "$id" = "$1" ]; then echo "$host $id $target $state"; return 0; fi; done < "$STATE/deployments"; return 1; }
case "\${args[0]}" in
  deploy)
    read -r host id target state < "$STATE/next"
    echo "$host $id $target $state" >> "$STATE/deployments"
    printf 'https://%s' "$host"
    [ "$state" = READY ] ;;
  inspect)
    if [ "\${args[1]}" = "$DOMAIN" ]; then read -r id < "$STATE/domain"; set -- $(lookup "$id"); else set -- $(lookup "\${args[1]}"); fi
    printf '{"id":"%s","name":"web","url":"%s","target":"%s","readyState":"%s","createdAt":1}\\n' "$2" "$1" "$3" "$4" ;;
  promote|rollback)
    set -- $(lookup "\${args[1]}")
    if [ "\${args[0]}" = rollback ] || [ "\${PROMOTE_MOVES:-1}" = 1 ]; then echo "$2" > "$STATE/domain"; fi ;;
  alias)
    set -- $(lookup "\${args[2]}")
    echo "$2" > "$STATE/domain" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`;

const DOMAIN = "app.flightpro.com";

describe("web release steps (generated bash) against a stand-in of the Vercel CLI", () => {
  let work: string;

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), "flightdeck-vercel-"));
    mkdirSync(path.join(work, "bin"));
    writeFileSync(path.join(work, "bin", "vercel"), FAKE_VERCEL);
    writeFileSync(path.join(work, "bin", "sleep"), "#!/usr/bin/env bash\nexit 0\n"); // the domain check retries without waiting
    chmodSync(path.join(work, "bin", "vercel"), 0o755);
    chmodSync(path.join(work, "bin", "sleep"), 0o755);
    writeFileSync(path.join(work, "deployments"), "old-prod.vercel.app dpl_old production READY\npreview-1.vercel.app dpl_preview preview READY\n");
    writeFileSync(path.join(work, "domain"), "dpl_old\n");
    writeFileSync(path.join(work, "calls"), "");
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  function run(script: string, env: Record<string, string>) {
    const output = path.join(work, "output");
    writeFileSync(output, "");
    const result = spawnSync("bash", stepBash(script), {
      encoding: "utf8",
      env: { PATH: `${path.join(work, "bin")}${path.delimiter}${process.env["PATH"] ?? ""}`, STATE: work, DOMAIN, WEB_URL: `https://${DOMAIN}`, VERCEL_TOKEN: "vercel-token-9d2e", GITHUB_OUTPUT: output, ...env },
    });
    return { status: result.status, out: result.stdout + result.stderr, output: readFileSync(output, "utf8"), domain: readFileSync(path.join(work, "domain"), "utf8").trim() };
  }

  it("stages a READY production deployment and records its URL and id, without touching the domain", () => {
    writeFileSync(path.join(work, "next"), "new-prod.vercel.app dpl_new production READY\n");
    const result = run(vercelStageProductionStep("stage-web").run ?? "", {});
    assert.equal(result.status, 0, result.out);
    assert.equal(result.output, "url=https://new-prod.vercel.app\nid=dpl_new\n");
    assert.equal(result.domain, "dpl_old");
    assert.ok(!result.out.includes("vercel-token-9d2e"));
  });

  it("refuses a deployment that is not READY, or not a production deployment", () => {
    writeFileSync(path.join(work, "next"), "new-prod.vercel.app dpl_new production ERROR\n");
    assert.equal(run(vercelStageProductionStep("stage-web").run ?? "", {}).status, 1);
    writeFileSync(path.join(work, "next"), "new-prev.vercel.app dpl_new preview READY\n");
    const preview = run(vercelStageProductionStep("stage-web").run ?? "", {});
    assert.equal(preview.status, 1);
    assert.match(preview.out, /::error::https:\/\/new-prev\.vercel\.app is READY with target preview, not a READY production deployment/);
  });

  it("promotes the staged deployment and proves the domain serves it; fails when the domain did not move", () => {
    writeFileSync(path.join(work, "deployments"), "new-prod.vercel.app dpl_new production READY\n", { flag: "a" });
    const env = { WEB_DEPLOYMENT_URL: "https://new-prod.vercel.app", WEB_DEPLOYMENT_ID: "dpl_new" };
    const promoted = run(vercelPromoteStep("deploy-web", "stage-web").run ?? "", env);
    assert.equal(promoted.status, 0, promoted.out);
    assert.equal(promoted.domain, "dpl_new");
    assert.equal(promoted.output, "url=https://new-prod.vercel.app\n");

    writeFileSync(path.join(work, "domain"), "dpl_old\n");
    const stuck = run(vercelPromoteStep("deploy-web", "stage-web").run ?? "", { ...env, PROMOTE_MOVES: "0" });
    assert.equal(stuck.status, 1);
    assert.match(stuck.out, /::error::app\.flightpro\.com serves dpl_old, not dpl_new/);
  });

  it("production rollback: Instant Rollback to a former production deployment, refused for a preview", () => {
    writeFileSync(path.join(work, "domain"), "dpl_preview\n");
    const restored = run(vercelRestoreScript("ENVIRONMENT"), { ENVIRONMENT: "production", PREVIOUS_WEB_URL: "https://old-prod.vercel.app" });
    assert.equal(restored.status, 0, restored.out);
    assert.equal(restored.domain, "dpl_old");
    assert.match(readFileSync(path.join(work, "calls"), "utf8"), /^rollback https:\/\/old-prod\.vercel\.app --yes --timeout=5m --token=vercel-token-9d2e$/m);

    const refused = run(vercelRestoreScript("ENVIRONMENT"), { ENVIRONMENT: "production", PREVIOUS_WEB_URL: "https://preview-1.vercel.app" });
    assert.equal(refused.status, 1);
    assert.match(refused.out, /::error::https:\/\/preview-1\.vercel\.app was never a production deployment/);
  });

  it("staging rollback: the staging domain aliased back to the recorded preview deployment", () => {
    const restored = run(vercelRestoreScript("ENVIRONMENT"), { ENVIRONMENT: "staging", PREVIOUS_WEB_URL: "https://preview-1.vercel.app" });
    assert.equal(restored.status, 0, restored.out);
    assert.equal(restored.domain, "dpl_preview");
    assert.match(readFileSync(path.join(work, "calls"), "utf8"), /^alias set https:\/\/preview-1\.vercel\.app app\.flightpro\.com --token=vercel-token-9d2e$/m);
  });
});

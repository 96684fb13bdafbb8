import { strict as assert } from "node:assert";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PlanDocument } from "../../tools/plan/document";
import { runPlan } from "../../tools/plan/main";
import { PROJECT_DIR } from "../harness";
import { linkProgram, scratchDir } from "../harness/scratch";

/** A project whose production stack file holds STRIPE_SECRET_KEY encrypted, as `pulumi config set --secret` writes it. */
function projectWithCiphertext(ciphertext: string): string {
  const dir = scratchDir("encrypted");
  linkProgram(dir);
  copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const stackFile = readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8");
  writeFileSync(path.join(dir, "Pulumi.production.yaml"), `${stackFile.trimEnd()}\n  flightdeck:STRIPE_SECRET_KEY:\n    secure: ${ciphertext}\n`);
  return dir;
}

async function plan(dir: string, ...extra: string[]): Promise<{ text: string; plan: PlanDocument }> {
  const result = await runPlan(["--stack", "production", "--no-policy", "--format", "json", ...extra], { projectDir: dir });
  assert.equal(result.exitCode, 0, result.errors.join("\n"));
  return { text: result.output, plan: JSON.parse(result.output) as PlanDocument };
}

describe("npm run plan with secrets set encrypted in the stack file", () => {
  const first = "v1:c2VjcmV0LWNpcGhlcnRleHQtb25lAAAA";
  const rotated = "v1:c2VjcmV0LWNpcGhlcnRleHQtdHdvAAAA";

  it("lists them as encrypted, not unset", async () => {
    const { plan: document } = await plan(projectWithCiphertext(first));
    assert.deepEqual(document.encryptedSecrets, ["flightdeck:STRIPE_SECRET_KEY"]);
    assert.ok(!document.unsetSecrets.includes("flightdeck:STRIPE_SECRET_KEY"));
    assert.ok(document.unsetSecrets.includes("flightdeck:CLERK_SECRET_KEY"));
  });

  it("shows a rotated secret (new ciphertext) as a changed secret, printing neither value nor ciphertext", async () => {
    const baseDir = projectWithCiphertext(first);
    const base = path.join(baseDir, "base.json");
    writeFileSync(base, (await plan(baseDir)).text);

    const same = await plan(projectWithCiphertext(first), "--against", base);
    assert.deepEqual(same.plan.diff?.changes, [], "the same ciphertext changes nothing");

    const changed = await plan(projectWithCiphertext(rotated), "--against", base);
    const changes = changed.plan.diff?.changes ?? [];
    assert.deepEqual(
      changes.map((change) => [change.kind, change.type, change.name, change.paths]),
      [["update", "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", "flightpro-production-secrets-vercel-STRIPE_SECRET_KEY", ["value"]]],
    );
    for (const text of [changed.text, readFileSync(base, "utf8")]) {
      assert.ok(!text.includes(first) && !text.includes(rotated), "ciphertext printed");
      assert.ok(!text.includes("ciphertext sha256:"), "placeholder printed");
    }
  });
});

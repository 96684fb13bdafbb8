import { strict as assert } from "node:assert";
import { environmentSubject, pullRequestSubject } from "../../bootstrap/aws/trust";
import { validateBootstrapConfig } from "../../bootstrap/config/validate";
import { InvalidConfigError, evaluateProgram } from "../../tools/offline/evaluate";
import { BOOTSTRAP_DIR, runBootstrap, sampleBootstrapConfig } from "./harness";

/** The bootstrap's config: one line per problem, `flightdeck-bootstrap:key.path: what is wrong (got …)`, nothing created. */

const SECRETS = { githubAppPrivateKey: "pem", pagerDutyEndpoint: "https://events.pagerduty.com/x" };

function problemsOf(mutate: (raw: Record<string, unknown>) => void, secrets: Record<string, string> = SECRETS): string[] {
  const raw = { ...structuredClone(sampleBootstrapConfig()), ...secrets };
  mutate(raw);
  const result = validateBootstrapConfig(raw, { isSecret: (key) => key in secrets });
  return result.ok ? [] : result.problems;
}

describe("bootstrap: config validation", () => {
  it("the sample stack is valid", () => {
    assert.deepEqual(problemsOf(() => undefined), []);
  });

  const cases: [string, (raw: Record<string, unknown>) => void, string[]][] = [
    [
      "a typo'd key and a wrong type",
      (raw) => {
        raw["acount"] = "123456789012";
        (raw["breakGlass"] as Record<string, unknown>)["maxSessionSeconds"] = "1h";
      },
      ['flightdeck-bootstrap:breakGlass.maxSessionSeconds: expected number (got "1h")', "flightdeck-bootstrap:acount: unknown key"],
    ],
    [
      "a break-glass person of another account",
      (raw) => void ((raw["humans"] as { breakGlass: string[] }).breakGlass = ["arn:aws:iam::999999999999:user/mallory"]),
      ['flightdeck-bootstrap:humans.breakGlass[0]: is not of account 123456789012 (got "arn:aws:iam::999999999999:user/mallory"); trust only the account\'s own users and roles'],
    ],
    [
      "a wildcard or an account root as a person",
      (raw) => void ((raw["humans"] as { readOnly: string[] }).readOnly = ["arn:aws:iam::123456789012:root"]),
      ["flightdeck-bootstrap:humans.readOnly[0]: must be the ARN of one IAM user or role (arn:aws:iam::<account>:user/<name> or :role/<name>) (got \"arn:aws:iam::123456789012:root\")"],
    ],
    [
      "nobody paged when break-glass is assumed",
      (raw) => void (raw["breakGlass"] = { maxSessionSeconds: 3600, pagerDuty: false, emails: [] }),
      ["flightdeck-bootstrap:breakGlass: must page someone when the break-glass role is assumed: set pagerDuty: true or list emails"],
    ],
    [
      "a stack twice",
      (raw) => void (raw["program"] as { stacks: unknown[] }).stacks.push({ name: "staging", auditBucket: "another-audit-bucket" }),
      ['flightdeck-bootstrap:program.stacks[2].name: duplicate stack (got "staging")'],
    ],
    [
      "a backup replica in a region spelled wrong",
      (raw) => void ((raw["program"] as { stacks: { backups?: unknown }[] }).stacks[1]!.backups = { bucketName: "flightpro-db-backups-production", replica: { region: "US-West-2", bucketName: "flightpro-db-backups-production-usw2" } }),
      ['flightdeck-bootstrap:program.stacks[1].backups.replica.region: must be an AWS region such as us-west-2 (got "US-West-2")'],
    ],
    [
      "reviewers for a stack the program does not have",
      (raw) => void ((raw["program"] as { stacks: unknown[] }).stacks = [{ name: "staging", auditBucket: "flightpro-deploy-audit-staging" }]),
      ["flightdeck-bootstrap:protection.environments.production: names no stack of program.stacks (staging)"],
    ],
    [
      "a trail without its bucket",
      (raw) => void (raw["cloudTrail"] = { create: true }),
      ["flightdeck-bootstrap:cloudTrail.bucketName: is required when cloudTrail.create is true"],
    ],
    [
      "Pulumi Cloud with keys to decrypt",
      (raw) => void (raw["stateBackend"] = { kind: "pulumi-cloud" }),
      ["flightdeck-bootstrap:humans.readOnlyDecrypts: Pulumi Cloud encrypts the stacks' secrets itself: there is no key here to decrypt with (got a list)"],
    ],
  ];
  for (const [title, mutate, expected] of cases) {
    it(`refuses ${title}`, () => assert.deepEqual(problemsOf(mutate), expected));
  }

  it("requires the secrets the settings read, and names them without their values", () => {
    assert.deepEqual(problemsOf(() => undefined, { githubAppPrivateKey: "pem" }), ["flightdeck-bootstrap:pagerDutyEndpoint: secret is not set (pulumi config set --secret pagerDutyEndpoint <value>)"]);
  });

  it("stops the program before any resource exists, the same lines under the offline engine, a plain secret named with its file", async () => {
    const raw = sampleBootstrapConfig();
    (raw["humans"] as { breakGlass: string[] }).breakGlass = ["arn:aws:iam::999999999999:user/mallory"];
    await assert.rejects(
      runBootstrap(raw),
      (error: unknown) =>
        error instanceof InvalidConfigError &&
        error.problems.length === 1 &&
        /^flightdeck-bootstrap:humans\.breakGlass\[0\]: is not of account 123456789012/.test(error.problems[0]!),
    );
    // Held in plain text (not a secret the CLI decrypted): refused, the file named, the value never printed.
    const config: Record<string, string> = { "aws:region": "us-east-1", "flightdeck-bootstrap:githubAppPrivateKey": "-----BEGIN RSA PRIVATE KEY-----canary", "flightdeck-bootstrap:pagerDutyEndpoint": "https://events.pagerduty.com/canary" };
    for (const [key, value] of Object.entries(sampleBootstrapConfig())) config[`flightdeck-bootstrap:${key}`] = JSON.stringify(value);
    config["flightdeck-bootstrap:account"] = "123456789012";
    await assert.rejects(
      evaluateProgram({ project: "flightdeck-bootstrap", stack: "bootstrap", config, secretKeys: ["flightdeck-bootstrap:pagerDutyEndpoint"], projectDir: BOOTSTRAP_DIR }),
      (error: unknown) =>
        error instanceof InvalidConfigError &&
        JSON.stringify(error.problems) === JSON.stringify([
          "flightdeck-bootstrap:githubAppPrivateKey: is a secret but Pulumi.bootstrap.yaml holds it in plain text: remove it there and store it encrypted with `pulumi config set --secret githubAppPrivateKey` (then rotate it: it was exposed)",
        ]) &&
        !error.message.includes("canary"),
    );
  });

  it("the roles trust GitHub's subject forms: name-only, and immutable ids when the repository uses them", () => {
    // https://docs.github.com/en/actions/reference/security/oidc; immutable ids: https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens
    const repository = { owner: "flightpro", name: "flightdeck", defaultBranch: "main" };
    assert.equal(environmentSubject(repository, "production"), "repo:flightpro/flightdeck:environment:production");
    assert.equal(pullRequestSubject(repository), "repo:flightpro/flightdeck:pull_request");
    const immutable = { ...repository, oidcSubjectIds: { owner: 123456, repository: 456789 } };
    assert.equal(environmentSubject(immutable, "production"), "repo:flightpro@123456/flightdeck@456789:environment:production");
    assert.equal(pullRequestSubject(immutable), "repo:flightpro@123456/flightdeck@456789:pull_request");
  });
});

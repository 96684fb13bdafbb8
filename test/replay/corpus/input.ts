import { ReplayCase, badInput } from "../cases";
import { Edit, append, replace, writeFile } from "../edits";
import { PRODUCTION_FILE, PROJECT_FILE, alertRule, secretEntry, setProduction, setProject } from "./helpers";
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** The production stack file with `text` inserted at byte `offset` of a line. */
function insertBytes(bytes: Buffer, after: string): Edit {
  return {
    describe: `${PRODUCTION_FILE}: bytes inserted after ${JSON.stringify(after)}`,
    files: [PRODUCTION_FILE],
    apply(dir) {
      const file = path.join(dir, PRODUCTION_FILE);
      const text = readFileSync(file);
      const at = text.indexOf(after);
      if (at < 0) throw new Error(`${after} not found`);
      const end = at + Buffer.byteLength(after);
      writeFile(PRODUCTION_FILE, Buffer.concat([text.subarray(0, end), bytes, text.subarray(end)])).apply(dir);
    },
  };
}

const POSITION = /Pulumi\.production\.yaml:\d+:\d+/;

/** Class 11: bad input is one clear error (exit 2, file and position, no trace). */
export const inputCases: ReplayCase[] = [
  {
    id: "input-yaml-syntax-error",
    class: "input",
    title: "Pulumi.production.yaml: a tab-indented line",
    edits: [replace(PRODUCTION_FILE, "    waitTimerMinutes: 0\n", "\twaitTimerMinutes: 0\n")],
    expect: badInput(POSITION),
  },
  {
    id: "input-duplicate-key",
    class: "input",
    title: "Pulumi.production.yaml: flightdeck:runtimeSettings written twice (the second is the old one)",
    edits: [append(PRODUCTION_FILE, "  flightdeck:runtimeSettings:\n    STRIPE_MODE: test\n")],
    expect: badInput(/duplicate key/),
  },
  {
    id: "input-duplicate-nested-key",
    class: "input",
    title: "Pulumi.production.yaml: STRIPE_MODE twice inside runtimeSettings",
    edits: [replace(PRODUCTION_FILE, "    STRIPE_MODE: live\n", "    STRIPE_MODE: live\n    STRIPE_MODE: test\n")],
    expect: badInput(/duplicate key/),
  },
  {
    id: "input-alias-bomb",
    class: "input",
    title: "Pulumi.production.yaml: anchors for the alert channels, nested",
    edits: [
      append(
        PRODUCTION_FILE,
        "  flightdeck:bomb:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
      ),
    ],
    expect: badInput(/alias/),
  },
  {
    id: "input-not-a-mapping",
    class: "input",
    title: "Pulumi.production.yaml written as a list by a generator",
    edits: [writeFile(PRODUCTION_FILE, "- config:\n    flightdeck:environment: production\n")],
    expect: badInput(/must be a YAML mapping/),
  },
  {
    id: "input-nul-character",
    class: "input",
    title: "Pulumi.production.yaml with a NUL byte pasted from a terminal",
    edits: [insertBytes(Buffer.from([0]), "flightdeck:environment: production")],
    expect: badInput(/NUL/),
  },
  {
    id: "input-latin1-byte",
    class: "input",
    title: "Pulumi.production.yaml saved as Latin-1 (a café in a description)",
    edits: [insertBytes(Buffer.from([0x20, 0x63, 0x61, 0x66, 0xe9]), "description: Redis connection string")],
    expect: badInput(/UTF-8/),
  },
  {
    id: "input-threshold-infinite",
    class: "input",
    title: "alerts: disk-used threshold .inf (never alarm)",
    edits: [replace(PRODUCTION_FILE, "        threshold: 80\n", "        threshold: .inf\n")],
    expect: badInput(/finite/),
  },
  {
    id: "input-threshold-nan",
    class: "input",
    title: "alerts: database-cpu threshold .nan",
    edits: [replace(PRODUCTION_FILE, "        threshold: 85\n", "        threshold: .NaN\n")],
    expect: badInput(/finite/),
  },
  {
    id: "input-connection-limit-zero",
    class: "input",
    title: "database: readonly connection limit 0 (disable support access)",
    edits: [setProduction("database", ["connectionLimits", "readonly"], 0)],
    expect: badInput(/at least 1/),
  },
  {
    id: "input-description-too-long",
    class: "input",
    title: "a secret description that pastes the runbook (over Vercel's 1,000-character comment)",
    edits: [setProduction("secrets", secretEntry("CLERK_SECRET_KEY", "description"), "Clerk API key. ".repeat(80))],
    expect: badInput(/1,?000/),
  },
  {
    id: "input-unknown-key",
    class: "input",
    title: "Pulumi.production.yaml: deployEnviroment (typo) with no reviewers",
    edits: [replace(PRODUCTION_FILE, "  flightdeck:deployEnvironment:\n", "  flightdeck:deployEnviroment:\n")],
    expect: badInput(/deployEnviroment/),
  },
  {
    id: "input-approvals-string",
    class: "input",
    title: "Pulumi.yaml: requiredApprovals \"1\" (quoted)",
    edits: [setProject("github", ["requiredApprovals"], "1")],
    expect: badInput(/requiredApprovals/),
  },
  {
    id: "input-period-not-multiple",
    class: "input",
    title: "alerts: error-rate period 90 seconds",
    edits: [setProduction("alerts", alertRule("error-rate", "periodSeconds"), 90)],
    expect: badInput(/periodSeconds/),
  },
  {
    id: "input-yaml-custom-tag",
    class: "input",
    title: "Pulumi.production.yaml: a !include tag for the shared alert rules",
    edits: [replace(PRODUCTION_FILE, "  flightdeck:alerts:\n", "  flightdeck:extraAlerts: !include alerts.yaml\n  flightdeck:alerts:\n")],
    // The yaml parser leaves the unknown tag's value a string; the key it sits under is not a setting.
    expect: badInput(/flightdeck:extraAlerts: unknown key/),
  },
  {
    id: "input-deploy-hours-reversed",
    class: "input",
    title: "Pulumi.yaml: deploy hours 14:00–10:00",
    edits: [setProject("schedule", ["deployHours"], { from: "14:00", to: "10:00" })],
    expect: badInput(/deployHours/),
  },
  {
    id: "input-project-file-syntax",
    class: "input",
    title: "Pulumi.yaml: an unclosed flow sequence in deployDays",
    edits: [replace(PROJECT_FILE, "deployDays: [Tue, Thu]", "deployDays: [Tue, Thu")],
    expect: badInput(/Pulumi\.yaml:\d+:\d+/),
  },
  {
    id: "input-project-value-wrong-type",
    class: "input",
    title: "Pulumi.yaml: the Lighthouse budget written as a word",
    edits: [setProject("budgets", ["lighthouseMinScore"], "high")],
    expect: badInput(/^Pulumi\.yaml:\d+:\d+: flightdeck:budgets\.lighthouseMinScore: expected number \(got "high"\)$/),
  },
];

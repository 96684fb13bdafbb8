import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerInfo, EnforcementLevel, PolicyConfigSchema, PolicyInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { levelFloorProblems } from "../../tools/policy/levelFloors";
import { PolicyConfigError, readPolicyConfigFile, resolvePolicyConfig } from "../../tools/policy/policyConfig";
import { scratchDir } from "../harness/scratch";

/**
 * Issue 19, class 8: a bad policy config file (policies/config/<stack>.json) is named with the line and
 * column of what is wrong, as editors link `file:line:column`. Each file below is written line by line,
 * so the expected positions are read off the text, not off the output.
 */
describe("policy config errors name the file, line and column", () => {
  const dir = scratchDir("policy-config-positions");
  const write = (name: string, lines: string[]): string => {
    const file = path.join(dir, name);
    writeFileSync(file, lines.join("\n") + "\n");
    return file;
  };
  /** The 1-based column where `text` starts in `line`. */
  const column = (line: string, text: string): number => {
    assert.ok(line.includes(text));
    return line.indexOf(text) + 1;
  };
  const messageOf = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof PolicyConfigError, String(error));
      return error.message;
    }
    assert.fail("no PolicyConfigError");
  };

  it("a syntax error: where it is, in words (a trailing comma, a bare word)", () => {
    const trailing = write("trailing.json", ["{", '  "all": "mandatory",', "}"]);
    assert.equal(messageOf(() => readPolicyConfigFile(trailing)), `${trailing}:3:1: not valid JSON: property name expected`);
    const bareLines = ["{", '  "all": "mandatory",', '  "github-ruleset-pull-request-required": mandatory', "}"];
    const bare = write("bare.json", bareLines);
    assert.equal(messageOf(() => readPolicyConfigFile(bare)), `${bare}:3:${column(bareLines[2]!, "mandatory")}: not valid JSON: invalid symbol`);
  });

  it("an enforcement level below its floor: at the level the file sets (object and string forms)", () => {
    const lines = ["{", '  "all": "mandatory",', '  "github-ruleset-pull-request-required": { "enforcementLevel": "advisory" },', '  "policy-waivers-valid": "advisory"', "}"];
    const file = write("production.json", lines);
    const problems = levelFloorProblems(readPolicyConfigFile(file), { stack: "production", project: "flightdeck" }, "policies/config/production.json", file);
    assert.deepEqual(
      problems.map((line) => line.split(" is ")[0]),
      [`policies/config/production.json:3:${column(lines[2]!, '"enforcementLevel"')}: github-ruleset-pull-request-required`, "policies/config/production.json:4:3: policy-waivers-valid"],
    );
  });

  it("a setting the policy's configSchema refuses: at its key; a level that is no level: at the level", () => {
    // A pack with one policy and a schema, as the analyzer's GetAnalyzerInfo hands it (analyzer.proto PolicyInfo.configSchema).
    const info = new AnalyzerInfo();
    const policy = new PolicyInfo();
    policy.setName("audit-bucket-object-lock-retained");
    policy.setEnforcementlevel(EnforcementLevel.MANDATORY);
    const schema = new PolicyConfigSchema();
    schema.setProperties(Struct.fromJavaScript({ minDays: { type: "number", minimum: 2557 }, mode: { const: "COMPLIANCE" } }));
    policy.setConfigschema(schema);
    info.addPolicies(policy);

    const lines = ["{", '  "audit-bucket-object-lock-retained": {', '    "enforcementLevel": "mandatory",', '    "mode": "COMPLIANCE",', '    "minDays": 30', "  }", "}"];
    const file = write("settings.json", lines);
    assert.equal(messageOf(() => resolvePolicyConfig(info, readPolicyConfigFile(file), file)), `${file}: invalid policy settings:\n  ${file}:5:5: audit-bucket-object-lock-retained.minDays: must be >= 2557`);

    const levelLines = ["{", '  "audit-bucket-object-lock-retained": { "enforcementLevel": "strict" }', "}"];
    const level = write("level.json", levelLines);
    assert.equal(messageOf(() => resolvePolicyConfig(info, readPolicyConfigFile(level), level)), `${level}:2:${column(levelLines[1]!, '"enforcementLevel"')}: parsing enforcement level for "audit-bucket-object-lock-retained": "strict" is not a valid enforcement level`);
  });
});

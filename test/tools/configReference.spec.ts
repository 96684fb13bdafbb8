import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { CONFIG_REFERENCE_FILE, END, START, configReference } from "../../tools/configReference";
import { stackConfigSchema } from "../../infra/config/schema";

describe("config reference (docs/configuration.md)", () => {
  const readme = readFileSync(CONFIG_REFERENCE_FILE, "utf8");
  const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);

  it("is the reference generated from the schema (run `npm run docs` when it fails)", () => {
    assert.equal(section, configReference());
  });

  it("lists every top-level key of the schema", () => {
    for (const key of Object.keys(stackConfigSchema.shape)) {
      assert.ok(section.includes(`| \`flightdeck:${key}\` |`), `flightdeck:${key} missing from docs/configuration.md`);
    }
  });
});

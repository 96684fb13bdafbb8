import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { END, START, configReference } from "../../tools/configReference";
import { stackConfigSchema } from "../../infra/config/schema";
import { PROJECT_DIR } from "../harness";

describe("README config reference", () => {
  const readme = readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);

  it("is the reference generated from the schema (run `npm run docs` when it fails)", () => {
    assert.equal(section, configReference());
  });

  it("lists every top-level key of the schema", () => {
    for (const key of Object.keys(stackConfigSchema.shape)) {
      assert.ok(section.includes(`| \`flightdeck:${key}\` |`), `flightdeck:${key} missing from the README`);
    }
  });
});

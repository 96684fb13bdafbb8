import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { renderMarkdown } from "../../tools/plan/render/markdown";
import { samplePlans } from "../../tools/plan/sample";
import { PROJECT_DIR } from "../harness";

describe("docs/plan.md: Pull-request previews", () => {
  it("shows the sample comment exactly as the renderer makes it", () => {
    const readme = readFileSync(path.join(PROJECT_DIR, "docs", "plan.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Pull-request previews"));
    assert.ok(section.length > 0 && readme.includes("## Pull-request previews"), "the section exists");
    assert.ok(section.includes("```markdown\n" + renderMarkdown(samplePlans()) + "```\n"), "regenerate the sample from tools/plan/sample.ts");
  });
});

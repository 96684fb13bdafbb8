import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../tools/projectRoot";
import { markdownLinkProblems } from "./markdownLinks";

describe("Markdown links stay inside the repository", () => {
  // What a clone holds: the tracked files (git ls-files), not whatever lies beside the checkout.
  const tracked = new Set(execFileSync("git", ["ls-files", "-z"], { cwd: PROJECT_ROOT, encoding: "utf8" }).split("\0").filter(Boolean));

  it("every tracked Markdown file links only to files of the repository and mentions nothing outside it", () => {
    const documents = [...tracked].filter((file) => file.endsWith(".md"));
    assert.ok(documents.includes("README.md") && documents.includes("docs/strategy.md"), `git ls-files found ${documents.join(", ")}`);
    const problems = documents.flatMap((file) => markdownLinkProblems(file, readFileSync(path.join(PROJECT_ROOT, file), "utf8"), tracked));
    assert.deepEqual(problems, []);
  });

  describe("the check", () => {
    const files = new Set(["README.md", "docs/plan.md", "docs/strategy.md", "infra/stack.ts", "policies/rules/alerts.ts"]);

    it("accepts links to tracked files and folders, anchors, and web citations", () => {
      const text = [
        "See [the plan](plan.md#exit-codes), [the stack](../infra/stack.ts), [rules](../policies/rules/) and [root](/README.md).",
        "[GitHub](https://docs.github.com/en/actions) and <https://aws.amazon.com/s3/>, [mail](mailto:platform@example.com), [here](#top).",
        "[ref][strategy]",
        "",
        "[strategy]: ./strategy.md",
      ].join("\n");
      assert.deepEqual(markdownLinkProblems("docs/strategy.md", text, files), []);
    });

    it("refuses links that leave the repository or name a file it does not hold, with their line", () => {
      const text = [
        "# Title",
        "The [strategy](../../shared/spec/deployment-strategy.md) and [notes](../DESIGN-notes.md).",
        "",
        "![diagram](img/flow.png) [local](file:///work/notes/brief.md)",
        '<a href="../../outside.md">outside</a>',
        "[defined][gone]",
        "",
        "[gone]: ../missing/",
      ].join("\n");
      assert.deepEqual(markdownLinkProblems("docs/plan.md", text, files), [
        "docs/plan.md:2: mentions ../shared, which a clone of the repository does not have",
        "docs/plan.md:2: mentions shared/spec, which a clone of the repository does not have",
        "docs/plan.md:2: links to ../../shared/spec/deployment-strategy.md, which resolves outside the repository",
        "docs/plan.md:2: links to ../DESIGN-notes.md, but the repository has no DESIGN-notes.md",
        "docs/plan.md:4: links to img/flow.png, but the repository has no docs/img/flow.png",
        "docs/plan.md:4: links to file:///work/notes/brief.md, outside the repository",
        "docs/plan.md:5: links to ../../outside.md, which resolves outside the repository",
        "docs/plan.md:6: links to ../missing/, but the repository has no missing",
      ]);
    });

    it("refuses mentions of the workspace's shared folder and its design notes, in prose and in code", () => {
      const text = ["Read DESIGN.md first.", "", "```sh", "cat ../shared/notes.txt", "```", "The spec lives in `shared/spec/`."].join("\n");
      assert.deepEqual(markdownLinkProblems("README.md", text, files), [
        "README.md:1: mentions DESIGN.md, which a clone of the repository does not have",
        "README.md:4: mentions ../shared, which a clone of the repository does not have",
        "README.md:6: mentions shared/spec, which a clone of the repository does not have",
      ]);
    });

    it("reads links as Markdown does: none in code, none in a code span", () => {
      const text = ["`[not a link](../../x.md)`", "", "    [indented code](../../y.md)", "", "```md", "[fenced](../../z.md)", "```"].join("\n");
      assert.deepEqual(markdownLinkProblems("docs/plan.md", text, files), []);
    });
  });
});

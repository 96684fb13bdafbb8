import { strict as assert } from "node:assert";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { scratchDir } from "../harness/scratch";
import { corpus, heldBack } from "./corpus";
import { EditError } from "./edits";

const REPOSITORY = path.resolve(__dirname, "..", "..");

/**
 * The replay (npm run replay, a CI step of its own) plans every case for minutes; a case whose edit no
 * longer matches the code it changes is only found there, as "broken". Here every case's edits are
 * applied to a copy of the files they touch, in seconds: an edit that finds nothing to change fails this spec.
 */
describe("the replay corpus", () => {
  it("every case's edits still apply to this checkout", () => {
    const broken: string[] = [];
    for (const replayCase of [...corpus, ...heldBack]) {
      const dir = scratchDir("replay-edits");
      for (const file of new Set(replayCase.edits.flatMap((edit) => edit.files))) {
        const source = path.join(REPOSITORY, file);
        if (!existsSync(source)) continue;
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        cpSync(source, path.join(dir, file));
      }
      try {
        for (const edit of replayCase.edits) edit.apply(dir);
      } catch (error) {
        if (!(error instanceof EditError)) throw error;
        broken.push(`${replayCase.id}: ${error.message}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("an edit that matches nothing is reported, not applied", () => {
    const dir = scratchDir("replay-edits");
    const probe = corpus.find((replayCase) => replayCase.id === "db-app-superuser");
    assert.ok(probe, "the probe case is in the corpus");
    // Its file as it was before the roles gained their shared attributes: the edit's anchor is gone.
    mkdirSync(path.join(dir, "infra", "database"), { recursive: true });
    cpSync(path.join(REPOSITORY, "infra", "database", "privileges.ts"), path.join(dir, "infra", "database", "roles.ts"));
    assert.throws(() => probe.edits[0]!.apply(dir), EditError);
  });
});

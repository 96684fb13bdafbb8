import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { APP_PERMISSIONS_END, APP_PERMISSIONS_START, appPermissionsTable } from "../../infra/github/appPermissions";
import { APP_PERMISSION_DOCUMENTS } from "../../tools/appPermissionsReference";
import { betweenMarkers } from "../../tools/markers";
import { PROJECT_DIR } from "../harness";

describe("docs: the GitHub Apps' permission tables", () => {
  for (const document of APP_PERMISSION_DOCUMENTS) {
    it(`${document.file} shows the ${document.app} App's table from infra/github/appPermissions.ts (run \`npm run docs\` when it fails)`, () => {
      const text = readFileSync(path.join(PROJECT_DIR, document.file), "utf8");
      assert.equal(betweenMarkers(text, APP_PERMISSIONS_START(document.app), APP_PERMISSIONS_END(document.app)), appPermissionsTable(document.app, document.permissions, document.indent));
    });
  }
});

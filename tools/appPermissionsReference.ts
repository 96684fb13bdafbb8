import * as path from "node:path";
import { APP_PERMISSIONS_END, APP_PERMISSIONS_START, BOOTSTRAP_APP_PERMISSIONS, DEPLOY_APP_PERMISSIONS, appPermissionsTable } from "../infra/github/appPermissions";
import { rewriteBetweenMarkers } from "./markers";
import { PROJECT_ROOT } from "./projectRoot";

/** Where each App's permission table is shown (the docs' numbered steps indent it by three spaces). */
export const APP_PERMISSION_DOCUMENTS = [
  { app: "bootstrap", file: "docs/day-zero.md", permissions: BOOTSTRAP_APP_PERMISSIONS, indent: "   " },
  { app: "deploy", file: "docs/running-for-real.md", permissions: DEPLOY_APP_PERMISSIONS, indent: "   " },
] as const;

export function writeAppPermissionTables(): void {
  for (const document of APP_PERMISSION_DOCUMENTS) {
    rewriteBetweenMarkers(
      path.join(PROJECT_ROOT, document.file),
      APP_PERMISSIONS_START(document.app),
      APP_PERMISSIONS_END(document.app),
      appPermissionsTable(document.app, document.permissions, document.indent),
    );
  }
}

if (require.main === module) writeAppPermissionTables();

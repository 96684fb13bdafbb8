import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** The generated policy table (docs/policies.md) against the pack: each policy's name and severity as users read them. */
const POLICY_REFERENCE = "test/tools/policyReference.spec.ts";

/**
 * The spec files each pack file is mutated against: the specs that judge its behaviour, not every spec
 * that happens to load it (the pack integration specs start packs in child processes, where Stryker
 * sees no coverage, and the stack plans take minutes per mutant). A file not listed here runs against
 * the spec files that import it directly.
 */
export const SPECS_OF: Readonly<Record<string, readonly string[]>> = {
  "policies/lib/waivers.ts": ["test/policies/waivers.spec.ts", POLICY_REFERENCE],
  "policies/rules/database.ts": ["test/policies/database.spec.ts", POLICY_REFERENCE],
  "policies/rules/secrets.ts": ["test/policies/secrets.spec.ts", "test/policies/secretInputs.spec.ts", POLICY_REFERENCE],
  "policies/lib/schedule.ts": ["test/policies/schedule.spec.ts"],
  "policies/rules/schedule.ts": ["test/policies/schedule.spec.ts", POLICY_REFERENCE],
  // The pre-flight script is built here and run in bash by the workflow's spec (first: most of the script's
  // mutants are static, and the first failing spec ends each run); the pack reads it back in schedule.spec.
  "policies/lib/scheduleCheck.ts": ["test/infra/workflows/preflight.spec.ts", "test/policies/schedule.spec.ts"],
  "policies/lib/floors.ts": ["test/policies/floors.spec.ts"],
};

function specFilesUnder(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return specFilesUnder(root, file);
    return entry.name.endsWith(".spec.ts") ? [file] : [];
  });
}

/** Module specifiers a TypeScript file imports (`from "…"`, `import("…")`, `require("…")`). */
function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)].map((match) => match[1]!);
}

/** Spec files under test/ with an import that resolves to `file` (relative to `root`, without or with `.ts`). */
export function importingSpecs(root: string, file: string): string[] {
  const target = file.replace(/\.ts$/, "");
  return specFilesUnder(root, "test").filter((spec) =>
    importsOf(readFileSync(path.join(root, spec), "utf8")).some(
      (specifier) => specifier.startsWith(".") && path.posix.join(path.posix.dirname(spec), specifier).replace(/\.ts$/, "") === target,
    ),
  );
}

export function specsFor(root: string, file: string): string[] {
  return [...(SPECS_OF[file] ?? importingSpecs(root, file))];
}

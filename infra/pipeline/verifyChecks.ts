/**
 * The verify pipeline's jobs. One definition for both sides: the workflow builders
 * emit these job ids, and the rulesets require exactly these status checks.
 */
export const verifyChecks = [
  { id: "lint", covers: "ESLint, Ruff" },
  { id: "typecheck", covers: "TypeScript, Pyright" },
  { id: "unit-tests", covers: "Jest, pytest" },
  { id: "build", covers: "Next.js build, API Docker image" },
  { id: "security-scan", covers: "npm audit, pip-audit" },
  { id: "migration-reversibility", covers: "alembic upgrade head, downgrade -1, upgrade head" },
  { id: "performance-budgets", covers: "Lighthouse CI, initial JS bundle, Docker image size" },
] as const;

export type VerifyCheckId = (typeof verifyChecks)[number]["id"];

export const verifyCheckIds: readonly VerifyCheckId[] = verifyChecks.map((check) => check.id);

/** The artifact check's results as a plan document carries them (tools/artifacts/check.ts makes them). */

export interface ArtifactCheckResult {
  urn: string;
  /** The input whose code ran, as the plan prints it (`code: <archive: index.js (… bytes, sha256:…)>`). */
  artifact: string;
  scenario: string;
  title: string;
  expected: string;
  observed: string;
  passed: boolean;
}

export interface ArtifactSection {
  checks: ArtifactCheckResult[];
}

/** The line a failed check prints (plan's stderr, the text and Markdown reports). */
export function failureLine(check: ArtifactCheckResult): string {
  return `artifact ${check.urn.split("::").pop()} (${check.artifact}): scenario ${check.scenario} (${check.title}): expected ${check.expected}; observed ${check.observed}`;
}

export const failedChecks = (section: ArtifactSection | undefined): ArtifactCheckResult[] => (section?.checks ?? []).filter((check) => !check.passed);

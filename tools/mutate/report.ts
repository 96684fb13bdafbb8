/**
 * Scores from Stryker's JSON report, and the scores table of docs/mutation.md.
 *
 * The report follows mutation-testing-elements' report schema (a `files` map of `mutants`, each with a
 * `status`); the score is Stryker's "mutation score": detected (killed + timeout) over valid (detected +
 * survived + no coverage); ignored mutants (a `// Stryker disable` comment) and compile or runtime
 * errors count in neither (https://stryker-mutator.io/docs/mutation-testing-elements/mutant-states-and-metrics/).
 */

export type MutantStatus = "Killed" | "Survived" | "NoCoverage" | "Timeout" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

export interface MutationReport {
  files: Record<string, { mutants: { status: MutantStatus }[] }>;
}

export interface FileScore {
  /** The pack file, relative to the repository root. */
  file: string;
  specs: string[];
  mutants: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Mutants a `// Stryker disable` comment excludes (documentation text). */
  ignored: number;
  errors: number;
  /** Percent, or undefined when no mutant was valid. */
  score: number | undefined;
  /** The commit measured (`abc1234`, `abc1234+` when the file or its specs had uncommitted changes). */
  commit: string;
}

export function scoreOf(report: MutationReport, file: string, specs: string[], commit: string): FileScore {
  const entry = Object.entries(report.files).find(([name]) => name.replaceAll("\\", "/") === file)?.[1];
  if (entry === undefined) throw new Error(`the mutation report has no entry for ${file} (it has ${Object.keys(report.files).join(", ") || "none"})`);
  const count = (...statuses: MutantStatus[]) => entry.mutants.filter((mutant) => statuses.includes(mutant.status)).length;
  const killed = count("Killed");
  const timeout = count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const valid = killed + timeout + survived + noCoverage;
  return {
    file,
    specs,
    mutants: entry.mutants.length,
    killed,
    timeout,
    survived,
    noCoverage,
    ignored: count("Ignored"),
    errors: count("CompileError", "RuntimeError"),
    score: valid === 0 ? undefined : ((killed + timeout) * 100) / valid,
    commit,
  };
}

export const TABLE_START = "<!-- mutation-scores: written by `npm run mutate`; one row per file -->";
export const TABLE_END = "<!-- /mutation-scores -->";
const HEADER = [
  "| file | specs | mutants | killed | timed out | survived | no coverage | documentation (ignored) | score | ≥ target | commit |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
];

export const formatScore = (score: number | undefined) => (score === undefined ? "n/a" : `${score.toFixed(1)}%`);

function row(score: FileScore, target: number): string {
  const specs = score.specs.map((spec) => `\`${spec.replace(/^test\//, "")}\``).join(", ");
  const meets = score.score !== undefined && score.score >= target ? "yes" : "no";
  const cells = [`\`${score.file}\``, specs, score.mutants, score.killed, score.timeout, score.survived, score.noCoverage, score.ignored, formatScore(score.score), meets, `\`${score.commit}\``];
  return `| ${cells.join(" | ")} |`;
}

/** `doc` with the rows of `scores` written into its table (a file's row replaced, new files added), rows in path order. */
export function withScores(doc: string, scores: FileScore[], target: number): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`docs/mutation.md: the scores table's markers are missing (${TABLE_START} … ${TABLE_END})`);
  const rows = new Map<string, string>();
  for (const line of doc.slice(start + TABLE_START.length, end).split("\n")) {
    const file = /^\| `([^`]+)` \|/.exec(line)?.[1];
    if (file !== undefined) rows.set(file, line);
  }
  for (const score of scores) rows.set(score.file, row(score, target));
  const table = [...HEADER, ...[...rows.keys()].sort().map((file) => rows.get(file)!)].join("\n");
  return `${doc.slice(0, start + TABLE_START.length)}\n${table}\n${doc.slice(end)}`;
}

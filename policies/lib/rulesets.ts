/**
 * The repository rules of a stack as GitHub applies them to a branch: which rulesets (repository and
 * organisation) cover it, and what they require together.
 *
 * - A branch ruleset applies to a branch when one `conditions.refName.include` pattern matches the full ref
 *   name and no `exclude` pattern does; `~DEFAULT_BRANCH` names the default branch, `~ALL` every branch
 *   (integrations/terraform-provider-github@v6.13.0 docs/resources/repository_ruleset.md, conditions.ref_name;
 *   patterns: ./refPattern.ts).
 * - Only `enforcement: active` enforces; `evaluate` reports and `disabled` does nothing
 *   (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets#using-ruleset-enforcement-statuses).
 * - Rules of every ruleset that applies are layered: all are evaluated, and where two define the same rule
 *   the most restrictive wins (same page, "About rule layering"). So a requirement holds when any active
 *   ruleset that applies to the branch has it.
 * - An organisation ruleset applies to the repository when `conditions.repositoryName` includes it and does
 *   not exclude it; by repository ids or properties it may, which the pack cannot tell from the inputs.
 *   Its rules layer with the repository's; the coverage policy still wants the stack's own repository ruleset.
 */
import { UnknownInputError } from "./define";
import { matchRefPattern } from "./refPattern";
import { Plain, PlainRecord, asArray, asRecord, at, isUnknown, knownNumber, knownString } from "./values";

export const REPOSITORY_RULESET = "github:index/repositoryRuleset:RepositoryRuleset";
export const ORGANIZATION_RULESET = "github:index/organizationRuleset:OrganizationRuleset";
export const BRANCH_DEFAULT = "github:index/branchDefault:BranchDefault";
export const RULESET_TYPES: readonly string[] = [REPOSITORY_RULESET, ORGANIZATION_RULESET];

/** A ruleset resource as the rules need it. */
export interface RulesetResource {
  type: string;
  name: string;
  urn: string;
  props: PlainRecord;
}

export const refOf = (branch: string): string => `refs/heads/${branch}`;

/** A string input that decides coverage; unknown during preview means the policy cannot judge yet. */
function decidingString(value: Plain | undefined, path: string): string | undefined {
  if (isUnknown(value)) throw new UnknownInputError(path);
  return knownString(value);
}

function patterns(value: Plain | undefined, path: string): string[] {
  if (isUnknown(value)) throw new UnknownInputError(path);
  return asArray(value).map((item, index) => {
    if (isUnknown(item)) throw new UnknownInputError(`${path}[${index}]`);
    return knownString(item) ?? "";
  });
}

/** Whether a ref-name pattern list names the branch: "match" certainly, "uncertain" perhaps. */
function listMatches(list: readonly string[], branch: string, defaultBranch: string): "match" | "uncertain" | "no-match" {
  let result: "match" | "uncertain" | "no-match" = "no-match";
  for (const pattern of list) {
    const outcome =
      pattern === "~ALL" ? "match" : pattern === "~DEFAULT_BRANCH" ? (branch === defaultBranch ? "match" : "no-match") : matchRefPattern(pattern, refOf(branch));
    if (outcome === "match") return "match";
    if (outcome === "uncertain") result = "uncertain";
  }
  return result;
}

/** Whether an organisation ruleset's repository condition certainly includes the repository ("yes"), perhaps ("maybe"), or not. */
function repositoryCondition(props: PlainRecord, repository: string): "yes" | "maybe" | "no" {
  const conditions = asRecord(props["conditions"]);
  const byName = asRecord(conditions?.["repositoryName"]);
  if (!byName) return conditions?.["repositoryIds"] !== undefined || conditions?.["repositoryProperty"] !== undefined ? "maybe" : "no";
  const name = repository.toLowerCase();
  const matches = (list: readonly string[]) => {
    let outcome: "match" | "uncertain" | "no-match" = "no-match";
    for (const pattern of list) {
      const result = pattern === "~ALL" ? "match" : matchRefPattern(pattern.toLowerCase(), name);
      if (result === "match") return "match";
      if (result === "uncertain") outcome = "uncertain";
    }
    return outcome;
  };
  const included = matches(patterns(byName["includes"], "conditions.repositoryName.includes"));
  const excluded = matches(patterns(byName["excludes"], "conditions.repositoryName.excludes"));
  if (included === "match" && excluded === "no-match") return "yes";
  return included === "no-match" ? "no" : "maybe";
}

export interface Scope {
  /** The governed repository (name, without owner). */
  repository: string;
  /** The repository's default branch, for `~DEFAULT_BRANCH`. */
  defaultBranch: string;
}

/**
 * Why a ruleset does not enforce its rules on `branch` for every push, or undefined when it does (an active
 * branch ruleset of the repository whose conditions certainly include the branch and certainly do not exclude it).
 */
export function whyNotEnforcedOn(ruleset: RulesetResource, branch: string, scope: Scope): string | undefined {
  const props = ruleset.props;
  if (ruleset.type === REPOSITORY_RULESET) {
    const repository = decidingString(props["repository"], "repository");
    if (repository?.toLowerCase() !== scope.repository.toLowerCase()) return `it belongs to repository ${JSON.stringify(repository)}, not ${scope.repository}`;
  } else {
    const condition = repositoryCondition(props, scope.repository);
    if (condition !== "yes") return `its conditions.repositoryName does not certainly include ${scope.repository}`;
  }
  const target = decidingString(props["target"], "target");
  if (target !== "branch") return `its target is ${JSON.stringify(target)}, not "branch"`;
  const enforcement = decidingString(props["enforcement"], "enforcement");
  if (enforcement !== "active") return `its enforcement is ${JSON.stringify(enforcement)}: only "active" enforces`;
  const include = patterns(at(props, "conditions.refName.includes"), "conditions.refName.includes");
  const exclude = patterns(at(props, "conditions.refName.excludes"), "conditions.refName.excludes");
  const included = listMatches(include, branch, scope.defaultBranch);
  if (included !== "match") {
    return included === "uncertain"
      ? `its include patterns ${JSON.stringify(include)} match ${refOf(branch)} only in a form GitHub does not document (a backslash, a complemented set, another case)`
      : `its include patterns ${JSON.stringify(include)} do not match ${refOf(branch)}` +
          (include.some((pattern) => !pattern.startsWith("refs/") && !pattern.startsWith("~")) ? " (patterns match the full ref name: refs/heads/<branch>)" : "");
  }
  const excluded = listMatches(exclude, branch, scope.defaultBranch);
  if (excluded !== "no-match") return `its exclude patterns ${JSON.stringify(exclude)} ${excluded === "match" ? "exclude" : "may exclude"} ${refOf(branch)}`;
  return undefined;
}

/** Whether a ruleset may apply to `branch` at all (any enforcement; any uncertain match counts): whose bypass list matters. */
export function mayApplyTo(ruleset: RulesetResource, branches: readonly string[], repository: string): boolean {
  const props = ruleset.props;
  if (ruleset.type === REPOSITORY_RULESET) {
    const name = knownString(props["repository"]);
    if (name !== undefined && name.toLowerCase() !== repository.toLowerCase()) return false;
  } else if (repositoryCondition(props, repository) === "no") {
    return false;
  }
  const target = knownString(props["target"]);
  if (target !== undefined && target !== "branch") return false;
  const include = asArray(at(props, "conditions.refName.includes"));
  if (include.some((pattern) => isUnknown(pattern))) return true;
  const names = include.map((pattern) => knownString(pattern) ?? "");
  if (names.some((pattern) => pattern === "~ALL" || pattern === "~DEFAULT_BRANCH")) return true;
  return branches.some((branch) => names.some((pattern) => matchRefPattern(pattern, refOf(branch)) !== "no-match"));
}

/** The repository's default branch: a github.BranchDefault of the stack for it, else the configured one. */
export function defaultBranchOf(resources: readonly { type: string; props: PlainRecord }[], repository: string, configured: string): string {
  for (const resource of resources) {
    if (resource.type !== BRANCH_DEFAULT) continue;
    if (knownString(resource.props["repository"])?.toLowerCase() !== repository.toLowerCase()) continue;
    const branch = decidingString(resource.props["branch"], "BranchDefault.branch");
    if (branch !== undefined) return branch;
  }
  return configured;
}

/** A rule's value across the rulesets that enforce on a branch: the most restrictive wins. */
export function rulesOf(ruleset: RulesetResource): PlainRecord {
  return asRecord(ruleset.props["rules"]) ?? {};
}

export function approvalsOf(ruleset: RulesetResource): number {
  return knownNumber(at(rulesOf(ruleset), "pullRequest.requiredApprovingReviewCount")) ?? 0;
}

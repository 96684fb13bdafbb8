import * as path from "node:path";
import type { ServedPolicy } from "../policyReference";
import { SECTIONS, StrategyRule } from "./rules";

/** Where the rules live, for the messages that ask for a change there. */
export const RULES_FILE = "tools/strategy/rules.ts";

/** The repository as the check reads it: paths relative to its root, with `/`. */
export interface RepositoryFiles {
  exists(file: string): boolean;
  read(file: string): string;
}

/**
 * Everything that makes the traceability untrue, one sentence each (none when it holds): a rule
 * naming a policy the pack does not serve, a policy the pack serves that no rule traces, a file or
 * spec that does not exist, a spec that mentions nothing its rule names, a rule with nothing
 * declared or enforced and no reason given.
 */
export function traceabilityProblems(rules: readonly StrategyRule[], served: readonly ServedPolicy[], files: RepositoryFiles): string[] {
  const problems: string[] = [];
  const servedNames = new Set(served.map((policy) => policy.name));
  const ids = new Set<string>();

  for (const rule of rules) {
    const where = `${RULES_FILE}: rule ${rule.id}`;
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(rule.id)) problems.push(`${where}: the id must be kebab-case`);
    if (ids.has(rule.id)) problems.push(`${where}: the id is used twice`);
    ids.add(rule.id);
    if (rule.rule.trim() === "" || rule.figure.trim() === "") problems.push(`${where}: the rule and its figure must not be blank`);

    for (const name of duplicates(rule.policies)) problems.push(`${where}: names policy ${name} twice`);
    for (const name of rule.policies) {
      if (!servedNames.has(name)) problems.push(`${where}: names policy ${name}, which the pack does not serve`);
    }
    for (const file of [...rule.declaredIn, ...rule.specs]) {
      if (!isRepositoryPath(file)) problems.push(`${where}: ${file} is not a path inside the repository (relative, with /, no ..)`);
      else if (!files.exists(file)) problems.push(`${where}: ${file} does not exist`);
    }
    for (const file of duplicates([...rule.declaredIn, ...rule.specs])) problems.push(`${where}: lists ${file} twice`);

    if (rule.policies.length === 0 && !rule.notEnforced?.trim()) problems.push(`${where}: no policy enforces it; say why in notEnforced`);
    if (rule.policies.length > 0 && rule.notEnforced !== undefined) problems.push(`${where}: has policies and a notEnforced reason; keep one`);
    if (rule.declaredIn.length === 0 && !rule.notDeclared?.trim()) problems.push(`${where}: no file declares it; say why in notDeclared`);
    if (rule.declaredIn.length > 0 && rule.notDeclared !== undefined) problems.push(`${where}: has declaring files and a notDeclared reason; keep one`);
    if (rule.specs.length === 0 && (rule.policies.length > 0 || rule.declaredIn.length > 0)) {
      problems.push(`${where}: nothing proves it; name the specs that test its policies or declaring files`);
    }

    for (const spec of rule.specs) {
      if (!spec.startsWith("test/") || !spec.endsWith(".spec.ts")) {
        problems.push(`${where}: ${spec} is not a spec (test/**/*.spec.ts)`);
        continue;
      }
      if (!isRepositoryPath(spec) || !files.exists(spec)) continue;
      if (!specMentionsRule(spec, files.read(spec), rule, files)) {
        problems.push(`${where}: ${spec} mentions none of its policies and neither imports nor names any of its declaring files`);
      }
    }
  }

  const traced = new Set(rules.flatMap((rule) => rule.policies));
  for (const policy of served) {
    if (!traced.has(policy.name)) {
      problems.push(`policy ${policy.name} is served by the pack but enforces no rule of the strategy: add it to the policies of the rule it enforces in ${RULES_FILE} (or add a rule there), then run \`npm run docs\``);
    }
  }
  for (const section of SECTIONS) {
    if (!rules.some((rule) => rule.section === section)) problems.push(`${RULES_FILE}: the strategy's section "${section}" has no rule`);
  }
  return problems;
}

/**
 * Whether a spec is about its rule: it names one of the rule's policies, imports one of its
 * declaring modules, or names one of its declaring files: the file (`Pulumi.production.yaml`), a
 * camelCase module's stem in any case or in kebab-case (`RuntimeSettings`, `deploy-production` for
 * deployProduction.ts, the workflow it builds), or a name the module exports that has a capital
 * (`AlertRules` for infra/aws/alerts.ts; a lower-case word such as `roles` says too little).
 */
export function specMentionsRule(spec: string, text: string, rule: Pick<StrategyRule, "policies" | "declaredIn">, files: RepositoryFiles): boolean {
  if (rule.policies.some((name) => new RegExp(`(?<![a-z0-9-])${escape(name)}(?![a-z0-9-])`).test(text))) return true;
  const imported = new Set(importedModules(spec, text));
  // Names count in the spec's own text, not in the paths it imports (policies/lib/policyDocument is not infra/aws/policyDocument.ts).
  const prose = text.replace(IMPORT_SPECIFIER, "");
  for (const file of rule.declaredIn) {
    const stem = file.replace(/\.(ts|js|cjs|mjs|json)$/, "");
    if (imported.has(stem) || imported.has(file) || imported.has(`${stem}/index`)) return true;
    if (prose.includes(path.posix.basename(file))) return true;
    if (!/\.ts$/.test(file)) continue;
    const names = [path.posix.basename(stem), ...exportedNames(files.read(file))].filter((name) => /[a-z][A-Z]|^[A-Z]/.test(name));
    for (const name of names) {
      const kebab = name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
      if (new RegExp(`\\b(${escape(name)}|${escape(kebab)})\\b`, "i").test(prose)) return true;
    }
  }
  return false;
}

function exportedNames(source: string): string[] {
  return [...source.matchAll(/^export\s+(?:abstract\s+)?(?:class|function|const|let|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm)].map((match) => match[1]!);
}

/** The repository paths (without extension) of the relative modules a spec imports or requires. */
const IMPORT_SPECIFIER = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function importedModules(spec: string, text: string): string[] {
  const modules: string[] = [];
  for (const match of text.matchAll(IMPORT_SPECIFIER)) {
    modules.push(path.posix.normalize(path.posix.join(path.posix.dirname(spec), match[1]!)).replace(/\.(ts|js)$/, ""));
  }
  return modules;
}

function isRepositoryPath(file: string): boolean {
  return file !== "" && !path.posix.isAbsolute(file) && !file.includes("\\") && path.posix.normalize(file) === file && !file.startsWith("../");
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

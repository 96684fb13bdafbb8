import { DeploymentModel, stackConfigSchema, StackSettings } from "../../../infra/config/schema";
import { structuralProblems } from "../../../infra/config/validate";
import { sampleConfig } from "../../harness";

/** Validated settings of the sample production stack, reshaped into each deployment model. */
export function settingsFor(model: DeploymentModel, mutate?: (raw: Record<string, unknown>) => void): StackSettings {
  const raw = sampleConfig("production");
  raw["model"] = model;
  const github = raw["github"] as { branches: Record<string, string> };
  if (model !== "staging-prod") {
    github.branches = { production: github.branches["production"] ?? "main" };
  }
  if (model === "local-only") {
    for (const key of ["web", "api", "database", "alerts", "audit", "secrets", "disasterRecovery"]) delete raw[key];
  }
  mutate?.(raw);
  // Shape and structure as the program validates them (secret values are not the builders' business).
  const settings = stackConfigSchema.parse(raw);
  const problems = structuralProblems(settings);
  if (problems.length > 0) throw new Error(`fixture for ${model} is invalid:\n${problems.join("\n")}`);
  return settings;
}

export const models: readonly DeploymentModel[] = ["staging-prod", "direct-prod", "local-only"];

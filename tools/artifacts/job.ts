import type { BridgeScenario } from "./bridgeScenarios";
import type { Observed } from "./standIns/bridgeServices";

/**
 * What the plan hands the artifact check's child process (tools/artifacts/child.ts) and what it hands
 * back: plain data, written to files in a directory of the check's own.
 */
export interface ArtifactJob {
  bridges: BridgeJob[];
  flags: FlagJob[];
}

export interface BridgeJob {
  urn: string;
  /** The function's code archive: its files by name (the planned `code` input). */
  files: Record<string, string>;
  /** The function's `handler` input (`index.handler`: file index.js, export handler). */
  handler: string;
  /** The function's FLIGHTDECK_BRIDGE, as planned. */
  config: string;
  scenarios: BridgeScenario[];
}

export interface FlagJob {
  urn: string;
  /** The resource's `__provider`, as the provider host would load it. */
  provider: string;
  /** The resource's inputs as planned (the API key is replaced by the stand-in's). */
  inputs: Record<string, unknown>;
}

export interface ScenarioRun {
  scenario: string;
  /** The handler's error, or why the run could not start. */
  error?: string;
  /** The handler's result's `watch` (state and detail), for the report. */
  watch?: { state?: string; detail?: string };
  observed: Observed;
  /** Network calls outside the stand-ins (refused). */
  outside: string[];
}

export interface BridgeRuns {
  urn: string;
  /** Why none of the scenarios could run (the bundle does not load, no handler). */
  error?: string;
  runs: ScenarioRun[];
}

export interface FlagRun {
  urn: string;
  error?: string;
  checkFailures?: unknown[];
  checkedFilters?: unknown;
  created?: { method: string; body: unknown };
  storedFilters?: unknown;
  /** Whether diff reported a change from a flag at another rollout to the declared one. */
  diffChanges?: boolean;
  updated?: { method: string; body: unknown };
  outside: string[];
}

export interface ArtifactRuns {
  bridges: BridgeRuns[];
  flags: FlagRun[];
}

import { spawnSync } from "node:child_process";

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Wall-clock seconds of one run of a command; throws when it fails. */
export function timeCommand(command: string, args: readonly string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  }
  return seconds;
}

/** The median wall-clock seconds of `runs` runs. */
export function medianSeconds(runs: number, measure: () => number): { median: number; samples: number[] } {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push(measure());
  return { median: median(samples), samples };
}

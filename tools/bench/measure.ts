import { spawnSync } from "node:child_process";

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One run of a command: its wall-clock seconds and exit status; throws when it fails (exit 1, a mandatory violation, is a result). */
export function timeCommand(command: string, args: readonly string[], cwd: string): { seconds: number; status: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  }
  return { seconds, status: result.status };
}

/** The median wall-clock seconds of `runs` runs, and the exit status of the last. */
export function medianSeconds(runs: number, measure: () => { seconds: number; status: number }): { median: number; samples: number[]; status: number } {
  const samples: number[] = [];
  let status = 0;
  for (let run = 0; run < runs; run++) {
    const result = measure();
    samples.push(result.seconds);
    status = result.status;
  }
  return { median: median(samples), samples, status };
}

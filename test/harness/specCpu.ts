import { appendFileSync, readFileSync } from "node:fs";

/**
 * Opt-in (FLIGHTDECK_SPEC_CPU=<file>): each spec file's CPU seconds, its worker's own plus those of the
 * processes it started and waited for (packs, plans, scripts: cutime and cstime of /proc/self/stat, proc(5)),
 * appended as one JSON line per file. In parallel mode root hooks run once per spec file.
 */
const out = process.env["FLIGHTDECK_SPEC_CPU"];
const TICKS = 100; // USER_HZ on Linux

function cpuSeconds(): number {
  const own = process.cpuUsage();
  const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /s, "").split(" ");
  // After the command name: field 3 is state, so cutime (16) and cstime (17) are at 13 and 14.
  const children = (Number(fields[13]) + Number(fields[14])) / TICKS;
  return (own.user + own.system) / 1e6 + children;
}

let start = 0;
let startWall = 0;

export const mochaHooks = out
  ? {
      beforeAll(): void {
        start = cpuSeconds();
        startWall = Date.now();
      },
      afterAll(this: Mocha.Context): void {
        const file = this.test?.parent?.suites.find((suite) => suite.file)?.file ?? this.test?.parent?.file ?? "?";
        const line = { file, cpu: Number((cpuSeconds() - start).toFixed(2)), wall: (Date.now() - startWall) / 1000, pid: process.pid };
        appendFileSync(out, JSON.stringify(line) + "\n");
      },
    }
  : {};

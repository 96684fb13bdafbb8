import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { CLOCK_ENV } from "./lib/clock";
import { currentProject, currentStack } from "./lib/stack";
import { buildPack } from "./pack";

// The only file that calls `new PolicyPack`: it starts the analyzer's gRPC server and prints its port.
// Run by the engine (`pulumi preview --policy-pack policies`) or by tools/policy, always with the pack
// directory as the working directory: the SDK reads package.json from there too.
const manifest = JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { description?: string };

// The clock and the waivers file can be fixed only on the pack's command line, which only the
// offline client writes: the engine starts the pack with no program arguments
// (@pulumi/pulumi cmd/run-policy-pack/run.js: process.argv = [node, script, ...arguments after the
// program], and pulumi passes none). A variable set in a workflow's environment changes nothing.
delete process.env[CLOCK_ENV];
let waiversFile = path.join(process.cwd(), "waivers.yaml");
for (const argument of process.argv.slice(2).filter((arg) => arg !== "--")) {
  if (argument.startsWith("--now=")) process.env[CLOCK_ENV] = argument.slice("--now=".length);
  else if (argument.startsWith("--waivers=")) waiversFile = path.resolve(argument.slice("--waivers=".length));
}

new PolicyPack("flightdeck", {
  description: manifest.description?.split(".")[0] ?? "flightdeck quality gates",
  policies: buildPack({ waiversFile, stack: currentStack(), project: currentProject() }).policies,
});

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { buildPolicies } from "./pack";

// The only file that calls `new PolicyPack`: it starts the analyzer's gRPC server and prints its port.
// Run by the engine (`pulumi preview --policy-pack policies`) or by tools/policy, always with the pack
// directory as the working directory: the SDK reads package.json from there too.
const manifest = JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { description?: string };

new PolicyPack("flightdeck", {
  description: manifest.description?.split(".")[0] ?? "flightdeck quality gates",
  enforcementLevel: "advisory",
  policies: buildPolicies(),
});

// `npm run -s policy:levels -- --stack STACK [--project NAME] CONFIG.json` (see ./levelFloors.ts). An entry
// file of its own: the plan bundles levelFloors.ts, and in a bundle every module is the main module.
import { runLevelCheck } from "./levelFloors";

const { code, message } = runLevelCheck(process.argv.slice(2));
if (message) process.stderr.write(`${message}\n`);
process.exitCode = code;

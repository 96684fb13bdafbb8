// A Stryker ignore plugin (https://stryker-mutator.io/docs/stryker-js/disable-mutants/, "Using an
// ignore-plugin"): leaves unmutated the documentation a policy carries, not its verdicts. That is
// the value of an object property named `description`, `remediation` or `topics`: a policy's
// description and remediation steps, its topics (served as the policy's tags, a catalogue label),
// and the `description` of a config schema property. Mutants there change what the pack says about
// a policy, never whether it reports a violation, so the score would only measure whether a spec
// copies the prose. Everything else (names, severities, messages, config defaults and schemas) is
// mutated. Other documentation text (a quoted spec line kept in a constant) is excluded in place
// with a `// Stryker disable` comment that says so.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

const DOCUMENTATION_KEYS = new Set(["description", "remediation", "topics"]);

function keyName(property) {
  const key = property.node.key;
  if (property.node.computed) return undefined;
  if (key.type === "Identifier") return key.name;
  if (key.type === "StringLiteral") return key.value;
  return undefined;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "documentation", {
    shouldIgnore(path) {
      if (path.isObjectProperty() && DOCUMENTATION_KEYS.has(keyName(path) ?? "")) return "documentation text (a policy's description, remediation or topics; a config schema's description)";
      return undefined;
    },
  }),
];

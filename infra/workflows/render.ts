import { Document, isPair, isScalar, visit } from "yaml";
import { Workflow } from "./model";
import { pinnedVersion } from "./pins";

/** The first lines of every generated file. */
export function managedHeader(name: string): string {
  return [
    ` ${name}: managed by flightdeck (infra/workflows), committed by the Pulumi stack.`,
    " Do not edit by hand: change the builders or the stack config and run `pulumi up`;",
    " a hand edit is overwritten on the next update.",
  ].join("\n");
}

/**
 * The one place a workflow becomes YAML: keys in the model's order, multi-line shell as
 * literal blocks, no anchors or aliases, no line folding, and the released version of every
 * pinned action as a comment beside its `uses:`.
 */
export function renderWorkflow(workflow: Workflow, fileName: string): string {
  const doc = new Document(workflow, { aliasDuplicateObjects: false });
  doc.commentBefore = managedHeader(fileName);
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || pair.key.value !== "uses" || !isScalar(pair.value)) return;
      const uses = pair.value.value;
      if (typeof uses !== "string") return;
      const version = pinnedVersion(uses);
      if (version !== undefined) pair.value.comment = ` ${version}`;
    },
  });
  return doc.toString({ lineWidth: 0, blockQuote: "literal", indentSeq: true });
}

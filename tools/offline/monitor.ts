import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, Mocks } from "@pulumi/pulumi/runtime/mocks";
import { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { unwrapSecrets } from "./values";

/** One resource as the engine would see it: identity, parent, inputs (secrets unwrapped) and options. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** Paths (`a.b[0].c`) of input values that were Pulumi secrets. */
  secretPaths: string[];
  options: {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    dependsOn: string[];
    provider: string | null;
    replaceOnChanges: string[];
  };
}

type RegisterCallback = (err: unknown, response: unknown) => void;

/**
 * The SDK's mock monitor, recording what each registration asked for, and refusing
 * a URN registered twice, as the real engine does (the plain mock accepts it silently).
 */
export class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[] = [];
  private readonly seenUrns = new Set<string>();

  constructor(mocks: Mocks, private readonly project: string, private readonly stack: string) {
    super(mocks);
  }

  override async registerResource(req: RegisterResourceRequest, callback: RegisterCallback): Promise<void> {
    const parent = req.getParent() || null;
    const urn = urnOf(this.project, this.stack, parent, req.getType(), req.getName());
    if (this.seenUrns.has(urn)) {
      callback(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`), undefined);
      return;
    }
    this.seenUrns.add(urn);
    const { value, secretPaths } = unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject()!, true));
    summarizeDynamicProvider(value as Record<string, unknown>);
    this.recorded.push({
      urn,
      type: req.getType(),
      name: req.getName(),
      parent,
      custom: req.getCustom(),
      inputs: value as Record<string, unknown>,
      secretPaths,
      options: {
        protect: req.getProtect() ?? false,
        retainOnDelete: req.getRetainondelete() ?? false,
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependsOn: req.getDependenciesList(),
        provider: req.getProvider() || null,
        replaceOnChanges: req.getReplaceonchangesList(),
      },
    });
    return super.registerResource(req, callback);
  }
}

/**
 * A dynamic resource's `__provider` input is its provider's serialized JavaScript (@pulumi/pulumi
 * dynamic/index.ts): kilobytes of code in every flag. The record keeps its size and digest, so a
 * changed provider still shows as a changed input.
 */
function summarizeDynamicProvider(inputs: Record<string, unknown>): void {
  const code = inputs["__provider"];
  if (typeof code !== "string") return;
  inputs["__provider"] = `<serialized dynamic provider: ${code.length} bytes, sha256:${createHash("sha256").update(code).digest("hex").slice(0, 16)}>`;
}

/** The URN the engine gives a resource: the parent's type chain, then the resource's type and name. */
export function urnOf(project: string, stack: string, parent: string | null, type: string, name: string): string {
  let qualifiedType = type;
  if (parent) {
    const parentQualifiedType = parent.split("::")[2] ?? "";
    const parentType = parentQualifiedType.split("$").pop() ?? parentQualifiedType;
    qualifiedType = `${parentType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

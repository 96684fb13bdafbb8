/**
 * The analyze handler, run per resource type over the policies that can judge that type.
 *
 * @pulumi/policy 1.21's handler (server.js makeAnalyzeRpcFun) walks every policy for every resource. A
 * single-type policy of another type costs a PolicyNotApplicable message ("Policy only applies to
 * resources of type '…'"); a policy of several types runs in full (its arguments, proxies, a promise)
 * only for its validation to return at once. With a hundred policies that walk was most of the pack's
 * time per resource. Here each type gets the SDK's own handler (the same makeAnalyzeRpcFun, so levels,
 * unknown values, notApplicable() and errors are handled by the SDK's code) over only the policies that
 * can judge that type, and the not-applicable entries of the single-type policies left out are added
 * to the response as the SDK would have written them: same policy, same reason, same order, and none
 * for a disabled policy. test/policies/analyzeDispatch.spec.ts compares the responses byte for byte.
 */
import type * as grpc from "@grpc/grpc-js";
import type { EnforcementLevel, Policy } from "@pulumi/policy";
import type { AnalyzeRequest, AnalyzeResponse, ConfigureAnalyzerRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { markedType, mayJudge } from "./define";
import { notApplicableField } from "./responseEncoding";

/** An Analyze handler: it reads only the call's request (server.js makeAnalyzeRpcFun). */
export type AnalyzeHandler = (call: { request: AnalyzeRequest }, callback: grpc.sendUnaryData<AnalyzeResponse>) => void;

const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun(name: string, version: string, level: EnforcementLevel, policies: Policy[]): AnalyzeHandler;
};
const protoutil = require("@pulumi/policy/protoutil") as { convertEnforcementLevel(level: number): EnforcementLevel };

/** The pack as the SDK serves it (policy.js PolicyPack: its name, package.json's version, its level). */
export interface ServedPack {
  name: string;
  version: string;
  enforcementLevel: EnforcementLevel;
  policies: readonly Policy[];
}

/** A not-applicable entry the response gets besides its own: where it goes (the policy's index) and its bytes. */
export interface AddedNotApplicable {
  index: number;
  bytes: Uint8Array;
}

/**
 * The one type a resource policy's validation is marked with. Markers of resource validations are values set
 * when the policy is built (lib/define.ts, copied by the wrappers), so a type's policies can be chosen once.
 */
function singleTypeOf(policy: Policy): string | undefined {
  const validation = "validateResource" in policy ? policy.validateResource : undefined;
  return typeof validation === "function" ? markedType(validation) : undefined;
}

export class AnalyzeDispatch {
  /** The levels the Configure call set, by policy (the SDK's policyPackConfig[name].enforcementLevel). */
  private configured = new Map<string, EnforcementLevel>();
  private readonly handlers = new Map<string, { handler: AnalyzeHandler; skipped: number[] }>();
  private readonly entryBytes = new Map<number, Uint8Array>();
  /** The entries to add to each response the handlers answer, read by the response encoder. */
  readonly added = new WeakMap<AnalyzeResponse, readonly AddedNotApplicable[]>();
  readonly policyIndex: ReadonlyMap<string, number>;

  constructor(private readonly pack: ServedPack) {
    this.policyIndex = new Map(pack.policies.map((policy, index) => [policy.name, index]));
  }

  /** After the SDK stored a Configure request: the levels it will run each policy at. */
  configure(request: ConfigureAnalyzerRequest): void {
    const configured = new Map<string, EnforcementLevel>();
    request.getPolicyconfigMap().forEach((entry, name) => configured.set(name, protoutil.convertEnforcementLevel(entry.getEnforcementlevel())));
    this.configured = configured;
  }

  /** The level the SDK runs `policy` at (server.js: config's level, else the policy's, else the pack's). */
  private levelOf(policy: Policy): EnforcementLevel {
    return this.configured.get(policy.name) || policy.enforcementLevel || this.pack.enforcementLevel;
  }

  readonly handle: AnalyzeHandler = (call, callback) => {
    const { handler, skipped } = this.forType(call.request.getType());
    const added: AddedNotApplicable[] = [];
    for (const index of skipped) {
      if (this.levelOf(this.pack.policies[index]!) !== "disabled") added.push({ index, bytes: this.notApplicableBytes(index) });
    }
    handler(call, (error, response) => {
      if (response && added.length > 0) this.added.set(response, added);
      callback(error, response);
    });
  };

  private forType(type: string): { handler: AnalyzeHandler; skipped: number[] } {
    let known = this.handlers.get(type);
    if (known === undefined) {
      const judging: Policy[] = [];
      const skipped: number[] = [];
      this.pack.policies.forEach((policy, index) => {
        if ("validateStack" in policy) return; // the SDK skips stack policies in analyze, silently
        const single = singleTypeOf(policy);
        if (single !== undefined && single !== type) skipped.push(index);
        else if (single !== undefined || mayJudge(policy.name, type)) judging.push(policy);
      });
      known = { handler: server.makeAnalyzeRpcFun(this.pack.name, this.pack.version, this.pack.enforcementLevel, judging), skipped };
      this.handlers.set(type, known);
    }
    return known;
  }

  /** The `not_applicable` field the SDK writes for a single-type policy on another type. */
  private notApplicableBytes(index: number): Uint8Array {
    let bytes = this.entryBytes.get(index);
    if (bytes === undefined) {
      const policy = this.pack.policies[index]!;
      bytes = notApplicableField(policy.name, `Policy only applies to resources of type '${singleTypeOf(policy)}'`);
      this.entryBytes.set(index, bytes);
    }
    return bytes;
  }
}

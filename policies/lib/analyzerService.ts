/**
 * The analyzer service @pulumi/policy registers, with three changes made as it registers: the pack sees
 * each Configure request before the SDK stores it (lib/packConfig.ts); Analyze calls run the SDK's
 * handler per resource type over the policies that can judge it (lib/analyzeDispatch.ts); and
 * AnalyzeResponses are encoded by lib/responseEncoding.ts instead of the generated serializer (the same
 * bytes, faster).
 */
import { createRequire } from "node:module";
import type * as grpc from "@grpc/grpc-js";
import type { AnalyzeResponse, ConfigureAnalyzerRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzeDispatch, AnalyzeHandler, ServedPack } from "./analyzeDispatch";
import { AnalyzeResponseEncoder } from "./responseEncoding";

type ConfigureCall = { request: ConfigureAnalyzerRequest };
type Callback = (error: Partial<grpc.StatusObject> | null, response?: unknown) => void;

export interface AnalyzerServiceOptions {
  /** Sees, and may rewrite, each Configure request before the SDK stores it; a throw fails the call. */
  onConfigure(request: ConfigureAnalyzerRequest): void;
  /** What `start` serves: the same name, version, level and policies as its PolicyPack. */
  pack: ServedPack;
}

/** The methods whose response is an AnalyzeResponse (@pulumi/pulumi proto/analyzer_grpc_pb.js). */
const ANALYZE_RESPONSE_METHODS = ["analyze", "analyzeStack"] as const;

function withResponseEncoder(service: grpc.ServiceDefinition, dispatch: AnalyzeDispatch): grpc.ServiceDefinition {
  const encoder = new AnalyzeResponseEncoder();
  const rewritten: Record<string, grpc.MethodDefinition<unknown, unknown>> = { ...service };
  for (const method of ANALYZE_RESPONSE_METHODS) {
    const definition = service[method];
    if (!definition) throw new Error(`the analyzer service has no ${method} method`);
    rewritten[method] = {
      ...definition,
      responseSerialize: (value) => {
        const response = value as AnalyzeResponse;
        return encoder.encode(response, dispatch.added.get(response), dispatch.policyIndex);
      },
    };
  }
  return rewritten;
}

/**
 * Runs `start` (which constructs the PolicyPack, whose constructor registers the analyzer service
 * on a new gRPC server) with the service changed as above: `onConfigure` sees, and may rewrite, each
 * request before the SDK's handler stores it. A failing `onConfigure` fails the call, which fails the
 * engine's preview (pkg/engine/update.go: "configuring policy pack"). Throws if no analyzer service
 * was registered, rather than serve a pack whose config is not guarded.
 */
export function withAnalyzerService({ onConfigure, pack }: AnalyzerServiceOptions, start: () => void): void {
  // The gRPC module @pulumi/policy itself loads (its server.js requires "@grpc/grpc-js").
  const sdkRequire = createRequire(require.resolve("@pulumi/policy"));
  const grpcOfSdk = sdkRequire("@grpc/grpc-js") as typeof grpc;
  const prototype = grpcOfSdk.Server.prototype;
  const addService = prototype.addService;
  let guarded = false;
  prototype.addService = function (this: grpc.Server, service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void {
    const configure = implementation["configure"];
    if (typeof configure === "function" && "analyzeStack" in implementation) {
      guarded = true;
      const handler = configure as (call: ConfigureCall, callback: Callback) => void;
      const dispatch = new AnalyzeDispatch(pack);
      implementation = {
        ...implementation,
        configure: (call: ConfigureCall, callback: Callback) => {
          try {
            onConfigure(call.request);
          } catch (error) {
            callback({ code: grpcOfSdk.status.INVALID_ARGUMENT, details: `flightdeck policy config: ${error instanceof Error ? error.message : String(error)}` });
            return;
          }
          handler(call, (error, response) => {
            if (!error) dispatch.configure(call.request);
            callback(error, response);
          });
        },
        analyze: ((call, callback) => dispatch.handle(call, callback)) satisfies AnalyzeHandler,
      };
      service = withResponseEncoder(service, dispatch);
    }
    addService.call(this, service, implementation);
  };
  try {
    start();
  } finally {
    prototype.addService = addService;
  }
  if (!guarded) throw new Error("the policy pack registered no analyzer service whose Configure call could be guarded");
}

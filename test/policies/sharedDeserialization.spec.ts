import { strict as assert } from "node:assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { shareDeserialization } from "../../policies/lib/sharedDeserialization";

// The modules the pack's server calls through (@pulumi/policy@1.21.0 server.js: deserialize_1.deserializeProperties,
// proxy_1.unknownCheckingProxy).
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: (struct: object, proxySecrets: boolean) => Record<string, unknown> };
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy: (target: unknown) => unknown; UnknownValueError: new (...args: never[]) => Error };

/** The engine's sentinel for an unknown string (@pulumi/pulumi runtime/rpc: unknownValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("the pack deserializes a request's properties once for all its policies", () => {
  const originalDeserialize = deserialize.deserializeProperties;
  const originalProxy = proxy.unknownCheckingProxy;
  after(() => {
    deserialize.deserializeProperties = originalDeserialize;
    proxy.unknownCheckingProxy = originalProxy;
  });

  it("the same Struct gives the same properties to every policy; another Struct, or secrets kept as proxies, is deserialized anew", () => {
    shareDeserialization();
    const struct = Struct.fromJavaScript({ bucket: "flightpro-audit", tags: { team: "platform" } });
    const first = deserialize.deserializeProperties(struct, false);
    assert.deepEqual(first, { bucket: "flightpro-audit", tags: { team: "platform" } });
    assert.equal(deserialize.deserializeProperties(struct, false), first);
    const other = Struct.fromJavaScript({ bucket: "flightpro-audit", tags: { team: "platform" } });
    assert.notEqual(deserialize.deserializeProperties(other, false), first);
    assert.notEqual(deserialize.deserializeProperties(struct, true), first);
  });

  it("the same properties get the same unknown-checking proxy, which still throws on an unknown value", () => {
    shareDeserialization();
    const props = { bucket: "flightpro-audit", arn: UNKNOWN };
    const first = proxy.unknownCheckingProxy(props) as Record<string, unknown>;
    assert.equal(proxy.unknownCheckingProxy(props), first);
    assert.notEqual(proxy.unknownCheckingProxy({ ...props }), first);
    assert.equal(first["bucket"], "flightpro-audit");
    assert.throws(() => first["arn"], proxy.UnknownValueError);
    assert.equal(proxy.unknownCheckingProxy("plain"), "plain");
  });
});

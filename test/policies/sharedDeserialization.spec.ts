import { strict as assert } from "node:assert";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { shareDeserialization } from "../../policies/lib/sharedDeserialization";

// The module the pack's server calls through (@pulumi/policy@1.21.0 server.js: deserialize_1.deserializeProperties).
const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: (struct: object, proxySecrets: boolean) => Record<string, unknown> };

describe("the pack deserializes a request's properties once for all its policies", () => {
  const original = deserialize.deserializeProperties;
  after(() => (deserialize.deserializeProperties = original));

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
});

/**
 * The only table of third-party actions the generated workflows may use, each pinned to the
 * full commit SHA of a released tag (a tag can be moved; a commit cannot). The renderer writes
 * the released version as a comment next to every `uses:`. To upgrade an action, change its row
 * here (SHA and version together); every workflow file follows on the next `pulumi up`.
 */
export const actionPins = {
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
  "actions/setup-python": { sha: "5fda3b95a4ea91299a34e894583c3862153e4b97", version: "v7.0.0" },
  "pnpm/action-setup": { sha: "fe02b34f77f8bc703788d5817da081398fad5dd2", version: "v4.0.0" },
  "docker/login-action": { sha: "4907a6ddec9925e35a0a9e82d7399ccc52663121", version: "v4.1.0" },
  "docker/setup-buildx-action": { sha: "37fe631027851001ddb9b187196cc803df7f5f0e", version: "v4.3.0" },
  "docker/build-push-action": { sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", version: "v7.3.0" },
  "aws-actions/configure-aws-credentials": { sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c", version: "v6.2.3" },
  "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0" },
  "github/codeql-action/upload-sarif": { sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e", version: "v4.36.2" },
  "actions/upload-artifact": { sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", version: "v7.0.0" },
  "actions/download-artifact": { sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", version: "v8.0.1" },
} as const satisfies Record<string, { sha: string; version: string }>;

export type ActionName = keyof typeof actionPins;

declare const pinned: unique symbol;
/** `owner/repo@<40-hex sha>`, obtainable only through `action()`: a step cannot name an unpinned action. */
export type ActionRef = string & { readonly [pinned]: true };

export function action(name: ActionName): ActionRef {
  return `${name}@${actionPins[name].sha}` as ActionRef;
}

/** The released version of a pinned `uses:` value, or undefined if it is not in the table. */
export function pinnedVersion(uses: string): string | undefined {
  const at = uses.lastIndexOf("@");
  if (at < 0) return undefined;
  const name = uses.slice(0, at);
  const sha = uses.slice(at + 1);
  const pin = (actionPins as Record<string, { sha: string; version: string }>)[name];
  return pin !== undefined && pin.sha === sha ? pin.version : undefined;
}

/** Command-line tools the workflows install from npm, pinned to exact versions. (Railway is driven through its API: see railway.ts.) */
export const cliPins = {
  vercel: "vercel@64.0.2",
  lhci: "@lhci/cli@0.15.1",
} as const;

import { CONFIG_NAMESPACE } from "./validate";

/**
 * Provider config keys that hold credentials. Each provider's SDK treats them as secrets: its
 * Provider class wraps them in `pulumi.secret` (@pulumi/aws 7 provider.js: accessKey, secretKey,
 * token; @pulumi/github 6 provider.js: token; @pulumi/postgresql 3 provider.js: password;
 * @pulumiverse/vercel 5 provider.js: apiToken; test/infra/config/secretKeys.spec.ts reads them there).
 * `github:appAuth` is an object whose `pemFile` is the GitHub App's private key
 * (integrations/terraform-provider-github github/provider.go: app_auth.pem_file, Sensitive).
 */
export const providerCredentialKeys: Readonly<Record<string, string>> = {
  "aws:accessKey": "aws:accessKey",
  "aws:secretKey": "aws:secretKey",
  "aws:token": "aws:token",
  "github:token": "github:token",
  "github:appAuth": "--path github:appAuth.pemFile",
  "postgresql:password": "postgresql:password",
  "vercel:apiToken": "vercel:apiToken",
};

/**
 * Keys whose values are secrets but are held in plain text: one line each, naming the key and the
 * file it is set in and how to store it encrypted, never the value.
 *
 * `config` is the whole config map as the program sees it (fully-qualified keys), `secretKeys` the
 * `<namespace>:*` keys the settings read as secrets (unqualified; `flightdeck` unless another project's), `isSecret` whether the CLI handed a
 * key over as a secret (it does for every key stored `secure:` in the stack file), `fileOf` where a key is set.
 */
export function plainSecretProblems(
  config: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
  isSecret: (qualifiedKey: string) => boolean,
  fileOf: (qualifiedKey: string) => string,
  namespace: string = CONFIG_NAMESPACE,
): string[] {
  const problems: string[] = [];
  const report = (qualified: string, setCommand: string) =>
    problems.push(
      `${qualified}: is a secret but ${fileOf(qualified)} holds it in plain text: remove it there and store it encrypted with \`pulumi config set --secret ${setCommand}\` (then rotate it: it was exposed)`,
    );
  for (const key of secretKeys) {
    const qualified = `${namespace}:${key}`;
    if (config[qualified] !== undefined && !isSecret(qualified)) report(qualified, key);
  }
  for (const [qualified, setCommand] of Object.entries(providerCredentialKeys)) {
    if (config[qualified] !== undefined && !isSecret(qualified)) report(qualified, setCommand);
  }
  return problems;
}

/** The stack file the CLI reads a stack's own values from. */
export function stackFileName(stack: string): string {
  return `Pulumi.${stack}.yaml`;
}

/**
 * The stack being judged. The engine starts the pack with PULUMI_NODEJS_STACK and
 * PULUMI_NODEJS_PROJECT set (pulumi/pulumi@v3.259.0:pkg/resource/plugin/analyzer_plugin.go,
 * constructEnv; its values take precedence over the inherited environment); the offline client does
 * the same. Empty when the pack runs outside a stack.
 */
export const STACK_ENV = "PULUMI_NODEJS_STACK";
export const PROJECT_ENV = "PULUMI_NODEJS_PROJECT";

export function currentStack(): string {
  return process.env[STACK_ENV] ?? "";
}

export function currentProject(): string {
  return process.env[PROJECT_ENV] ?? "";
}

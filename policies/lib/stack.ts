/**
 * The stack being judged. The engine starts the pack with PULUMI_NODEJS_STACK set (as it does for a
 * Node.js program); the offline client does the same. Empty when the pack runs outside a stack.
 */
export const STACK_ENV = "PULUMI_NODEJS_STACK";

export function currentStack(): string {
  return process.env[STACK_ENV] ?? "";
}

/** The stack has no `--policy-pack-config` file under policies/config/. */
export class MissingPolicyConfigError extends Error {}

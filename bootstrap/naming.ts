import { BootstrapSettings } from "./config/schema";

/** `<slug>-infra`: the prefix of every name the bootstrap gives a resource. */
export function bootstrapPrefix(settings: Pick<BootstrapSettings, "product">): string {
  return `${settings.product.slug}-infra`;
}

/** The roles' names, fixed so that their ARNs are known before they exist (key and bucket policies name them). */
export function roleNames(settings: Pick<BootstrapSettings, "product">) {
  const prefix = bootstrapPrefix(settings);
  return {
    preview: `${prefix}-preview`,
    deploy: (stack: string) => `${prefix}-deploy-${stack}`,
    readOnly: `${prefix}-readonly`,
    breakGlass: `${prefix}-break-glass`,
  };
}

export function roleArn(account: string, name: string): string {
  return `arn:aws:iam::${account}:role/${name}`;
}

/** `alias/<slug>-infra-secrets-<stack>`: what a stack's `--secrets-provider awskms://…` names. */
export function secretsKeyAlias(settings: Pick<BootstrapSettings, "product">, stack: string): string {
  return `alias/${bootstrapPrefix(settings)}-secrets-${stack}`;
}

/** The secrets provider URL for `pulumi stack init <stack> --secrets-provider …` (Pulumi CLI docs, pulumi stack init). */
export function secretsProviderUrl(alias: string, region: string): string {
  return `awskms://${alias}?region=${region}`;
}

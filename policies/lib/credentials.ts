/** Shapes of credentials that must never sit in a plain (non-secret) input. */
export const credentialPatterns: readonly { kind: string; pattern: RegExp }[] = [
  { kind: "Stripe live secret key", pattern: /\b[sr]k_live_[A-Za-z0-9]{8,}/ },
  { kind: "Stripe test secret key", pattern: /\b[sr]k_test_[A-Za-z0-9]{8,}/ },
  { kind: "GitHub personal access token", pattern: /\bghp_[A-Za-z0-9]{20,}/ },
  { kind: "GitHub fine-grained token", pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/ },
  { kind: "GitHub app/OAuth token", pattern: /\bgh[ousr]_[A-Za-z0-9]{20,}/ },
  { kind: "AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: "Clerk secret key", pattern: /\bsk_(live|test)_[A-Za-z0-9]{20,}/ },
  { kind: "Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: "private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/**
 * A connection string with an inline password (`postgres://user:pass@host`). Not credentials:
 * `${{ secrets.X }}` and `$VAR` references, and throwaway databases on localhost (CI service containers).
 */
const connectionString = /\b(postgres(?:ql)?|mysql|redis|rediss|mongodb(?:\+srv)?|amqps?):\/\/[^\s:/@]*:(?![^@\s]*\$)[^@\s/]+@([^\s/:?#]+)/g;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The kind of credential `text` contains, or undefined. */
export function credentialIn(text: string): string | undefined {
  const kind = credentialPatterns.find(({ pattern }) => pattern.test(text))?.kind;
  if (kind) return kind;
  for (const match of text.matchAll(connectionString)) {
    if (!LOCAL_HOSTS.has((match[2] ?? "").toLowerCase())) return "connection string with a password";
  }
  return undefined;
}

/** Names that say "this is a secret" (for variables, which are stored and shown in plain). */
export const secretLikeName = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL|DATABASE_URL|REDIS_URL|_DSN$)/i;

import { lintSource } from "@secretlint/core";
import { creator as recommendedPreset } from "@secretlint/secretlint-rule-preset-recommend";

/**
 * Credential detection: secretlint's recommended preset (secretlint/secretlint
 * packages/@secretlint/secretlint-rule-preset-recommend: Stripe, GitHub, Slack, npm, OpenAI, Anthropic,
 * GCP, AWS secret access keys, private keys, basic-auth and database URLs, …), plus our own rules for
 * the shapes the spec names that the preset does not cover (each says why below).
 */

/** One credential found in a text: the rule that found it and where (offsets into the text). Never the value. */
export interface CredentialFinding {
  rule: string;
  start: number;
  end: number;
}

type SecretlintConfig = Parameters<typeof lintSource>[0]["options"]["config"];

const LOCAL_HOSTS = "localhost|127\\.0\\.0\\.1|\\[::1\\]";

const secretlintConfig: SecretlintConfig = {
  rules: [
    {
      id: "@secretlint/secretlint-rule-preset-recommend",
      rule: recommendedPreset,
      rules: [
        // Throwaway databases of CI service containers (postgres://ci:ci@localhost) are not credentials.
        // `allows` takes regexp strings matched against the finding (secretlint's regexp-string-matcher).
        { id: "@secretlint/secretlint-rule-database-connection-string", options: { allows: [`/@(${LOCAL_HOSTS})(:\\d+)?(\\/|$)/`] } },
      ],
    },
  ],
};

interface OwnRule {
  rule: string;
  pattern: RegExp;
  /** Whether a match is a credential (default: every match). */
  accept?(match: RegExpMatchArray): boolean;
}

/** Schemes whose `user:password@` URLs the preset already reports (basicauth: http(s); database-connection-string). */
const PRESET_URL_SCHEMES = new Set(["http", "https", "postgres", "postgresql", "mysql", "mongodb", "mongodb+srv"]);

/** What the preset lacks, and why each is ours. */
const ownRules: readonly OwnRule[] = [
  // Stripe webhook signing secrets (`whsec_…`): the preset's Stripe rule knows sk_/rk_ keys only.
  { rule: "flightdeck/stripe-webhook-secret", pattern: /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9+/=]{24,}/g },
  // AWS access key ids: the preset's AWS rule scans them only with enableIDScanRule, which also
  // reports `account: 123456789012`, and account ids are in every ARN and IAM condition we write.
  { rule: "flightdeck/aws-access-key-id", pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])/g },
  // JSON Web Tokens (header.payload.signature, both JSON objects base64url-encoded: "eyJ"): no preset rule.
  { rule: "flightdeck/json-web-token", pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}/g },
  // PagerDuty integration keys inside their URLs: the Amazon CloudWatch/SNS integration URL is
  // https://events.pagerduty.com/integration/<integration key>/enqueue, event rules use /x-ere/<key>
  // (PagerDuty's Amazon CloudWatch Integration Guide); keys are 32 hex characters. No preset rule.
  { rule: "flightdeck/pagerduty-integration-key", pattern: /(?:https?:\/\/)?events\.(?:eu\.)?pagerduty\.com\/(?:integration|x-ere)\/[0-9A-Za-z]{20,}/g },
  { rule: "flightdeck/pagerduty-routing-key", pattern: /(?:routing_key|integration_key|service_key)["']?\s*[:=]\s*["']?[0-9a-f]{32}(?![0-9a-f])/gi },
  // PostHog personal API keys: "phx_" and a base62 token of 32 random bytes (PostHog/posthog
  // posthog/models/utils.py, generate_random_token_personal; the project key "phc_" is public by design).
  // They read and change every project of their user (feature flags included). No preset rule.
  { rule: "flightdeck/posthog-personal-api-key", pattern: /(?<![A-Za-z0-9_])phx_[0-9A-Za-z]{30,}(?![0-9A-Za-z])/g },
  // user:password@ in URLs of other schemes (redis://, rediss://, amqp://, …): the preset covers only its own.
  {
    rule: "flightdeck/url-with-password",
    pattern: /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]*):\/\/([^\s:/@]+):([^\s@/]+)@([^\s/:?#]+)/gi,
    accept(match) {
      const [, scheme = "", user = "", password = "", host = ""] = match;
      if (PRESET_URL_SCHEMES.has(scheme.toLowerCase())) return false;
      if (new RegExp(`^(${LOCAL_HOSTS})$`, "i").test(host)) return false;
      if (/\$|\{\{/.test(password) || user === password) return false; // ${{ secrets.X }}, $VAR, throwaway user:user
      return true;
    },
  },
];

/** Every credential in `text`, by secretlint's preset and our own rules, in order of position. */
export async function findCredentials(text: string): Promise<CredentialFinding[]> {
  const findings: CredentialFinding[] = [];
  const result = await lintSource({
    source: { filePath: "flightdeck-plain-inputs.txt", content: text, contentType: "text" },
    options: { config: secretlintConfig, maskSecrets: true, noPhysicFilePath: true },
  });
  for (const message of result.messages) {
    const rule = `${message.ruleId.replace(/^@secretlint\//, "")}/${message.messageId}`;
    findings.push({ rule, start: message.range[0], end: message.range[1] });
  }
  for (const own of ownRules) {
    for (const match of text.matchAll(own.pattern)) {
      if (own.accept && !own.accept(match)) continue;
      const start = match.index ?? 0;
      findings.push({ rule: own.rule, start, end: start + match[0].length });
    }
  }
  return findings.sort((a, b) => a.start - b.start);
}

/** Never part of a credential any rule looks for; keeps a finding inside the string it starts in. */
const SEPARATOR = "\n\u0000\n";

/**
 * Scans many strings in one pass (secretlint's cost is mostly per call, not per character) and says
 * which string each finding is in. Returns, per finding, the index of its string and the rule.
 */
export async function findCredentialsIn(texts: readonly string[]): Promise<{ index: number; rule: string }[]> {
  const starts: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += text.length + SEPARATOR.length;
  }
  const findings = await findCredentials(texts.join(SEPARATOR));
  return findings.map((finding) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= finding.start) low = middle;
      else high = middle - 1;
    }
    return { index: low, rule: finding.rule };
  });
}

/** Names that say "this is a secret" (for variables, which are stored and shown in plain). */
export const secretLikeName = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL|DATABASE_URL|REDIS_URL|_DSN$)/i;

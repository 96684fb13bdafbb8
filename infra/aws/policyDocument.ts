/**
 * IAM / KMS / S3 policy documents as plain JSON objects. Built by pure functions so tests
 * read them without mocks; serialised once, where a resource takes them.
 */
export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export type Principal = "*" | { AWS?: string | string[]; Service?: string | string[]; Federated?: string };

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** The account's root principal: lets IAM policies in the account grant use of a key (and keeps the key manageable). */
export function accountRootStatement(accountId: string): PolicyStatement {
  return {
    Sid: "AccountAdministersKey",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${accountId}:root` },
    Action: "kms:*",
    Resource: "*",
  };
}

export function toJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}

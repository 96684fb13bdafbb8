/**
 * A planned resource's inputs as the provider's resource data: the Pulumi input names the bridge
 * derives from the Terraform attributes (camelCase; `search_path` → `searchPaths`, `policy` →
 * `policies`, as @pulumi/postgresql 3.18's typings name them), and the Terraform schema's
 * defaults for what the program leaves out (the `Default:` of each attribute in
 * cyrilgdn/terraform-provider-postgresql@v1.27.0:postgresql/resource_postgresql_*.go).
 *
 * An input this model does not know fails loudly: a new input in `infra/database/` must be modelled
 * before the integration spec can pass, never silently ignored.
 */
export class ProviderInputs {
  constructor(
    private readonly resource: string,
    private readonly inputs: Record<string, unknown>,
    known: readonly string[],
  ) {
    const unknown = Object.keys(inputs).filter((key) => !known.includes(key) && inputs[key] !== undefined);
    if (unknown.length > 0) throw new Error(`${resource}: no statement model for input(s) ${unknown.join(", ")}`);
  }

  has(key: string): boolean {
    const value = this.inputs[key];
    return value !== undefined && value !== null;
  }

  /** `d.Get` of a string: the default when unset ("" as Terraform's zero value). */
  string(key: string, fallback = ""): string {
    const value = this.inputs[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "string") throw new Error(`${this.resource}.${key}: expected a string, got ${JSON.stringify(value)}`);
    return value;
  }

  bool(key: string, fallback = false): boolean {
    const value = this.inputs[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") throw new Error(`${this.resource}.${key}: expected a boolean, got ${JSON.stringify(value)}`);
    return value;
  }

  int(key: string, fallback = 0): number {
    const value = this.inputs[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value)) throw new Error(`${this.resource}.${key}: expected an integer, got ${JSON.stringify(value)}`);
    return value;
  }

  /** A TypeSet or TypeList of strings (a set's duplicates collapse). */
  strings(key: string, set = true): string[] {
    const value = this.inputs[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw new Error(`${this.resource}.${key}: expected a list of strings, got ${JSON.stringify(value)}`);
    }
    return set ? [...new Set(value as string[])] : (value as string[]);
  }
}

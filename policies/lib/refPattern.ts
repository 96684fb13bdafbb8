/**
 * Ref name patterns as GitHub matches them in rulesets and branch protection: Ruby's `File.fnmatch` with
 * `File::FNM_PATHNAME` ("Using fnmatch syntax",
 * https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax):
 * `*` and `?` do not match `/`; `**​/` matches any number of directories (`qa/**​/*`); `[set]` a character of a
 * set. GitHub does not support a backslash as a quote, a complemented set (`[^set]`), nor FNM_EXTGLOB braces.
 *
 * What GitHub does with the unsupported forms is not documented, so a match with one is "uncertain": a caller
 * that needs a pattern to protect a branch counts only "match"; one that fears a pattern exempts a branch
 * counts "uncertain" as a match too.
 */
export type PatternMatch = "match" | "no-match" | "uncertain";

type Token =
  | { kind: "literal"; char: string }
  | { kind: "any" } // ?
  | { kind: "star" } // *
  | { kind: "globstar" } // **/
  | { kind: "set"; ranges: [string, string][]; negated: boolean };

interface Reading {
  /** A backslash escapes the next character (Ruby without FNM_NOESCAPE), or is a literal backslash. */
  escape: boolean;
  /** A set starting with `!` or `^` is complemented (Ruby), or those are members. */
  negate: boolean;
}

function tokenize(pattern: string, reading: Reading): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === "\\" && reading.escape && i + 1 < pattern.length) {
      tokens.push({ kind: "literal", char: pattern[++i]! });
    } else if (char === "*") {
      if (pattern[i + 1] === "*" && pattern[i + 2] === "/" && (i === 0 || pattern[i - 1] === "/")) {
        tokens.push({ kind: "globstar" });
        i += 2;
      } else {
        // `**` not followed by `/` is a `*` under FNM_PATHNAME.
        while (pattern[i + 1] === "*") i++;
        tokens.push({ kind: "star" });
      }
    } else if (char === "?") {
      tokens.push({ kind: "any" });
    } else if (char === "[" && pattern.indexOf("]", i + 2) !== -1) {
      const close = pattern.indexOf("]", i + 2);
      let body = pattern.slice(i + 1, close);
      const negated = reading.negate && (body.startsWith("!") || body.startsWith("^"));
      if (negated) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === "-" && j + 2 < body.length) {
          ranges.push([body[j]!, body[j + 2]!]);
          j += 2;
        } else ranges.push([body[j]!, body[j]!]);
      }
      tokens.push({ kind: "set", ranges, negated });
      i = close;
    } else {
      // Braces are literal: GitHub does not support FNM_EXTGLOB.
      tokens.push({ kind: "literal", char });
    }
  }
  return tokens;
}

function matchesAt(tokens: Token[], ti: number, text: string, si: number, fold: boolean): boolean {
  if (ti === tokens.length) return si === text.length;
  const token = tokens[ti]!;
  const same = (a: string, b: string) => (fold ? a.toLowerCase() === b.toLowerCase() : a === b);
  switch (token.kind) {
    case "literal":
      return si < text.length && same(text[si]!, token.char) && matchesAt(tokens, ti + 1, text, si + 1, fold);
    case "any":
      return si < text.length && text[si] !== "/" && matchesAt(tokens, ti + 1, text, si + 1, fold);
    case "set": {
      if (si >= text.length || text[si] === "/") return false;
      const char = text[si]!;
      const inSet = token.ranges.some(([from, to]) => (fold ? char.toLowerCase() >= from.toLowerCase() && char.toLowerCase() <= to.toLowerCase() : char >= from && char <= to));
      return inSet !== token.negated && matchesAt(tokens, ti + 1, text, si + 1, fold);
    }
    case "star":
      for (let end = si; end <= text.length; end++) {
        if (matchesAt(tokens, ti + 1, text, end, fold)) return true;
        if (end < text.length && text[end] === "/") return false;
      }
      return false;
    case "globstar":
      // Zero directories, or one directory and the globstar again.
      if (matchesAt(tokens, ti + 1, text, si, fold)) return true;
      for (let slash = text.indexOf("/", si); slash !== -1; slash = text.indexOf("/", slash + 1)) {
        if (slash > si && matchesAt(tokens, ti + 1, text, slash + 1, fold)) return true;
      }
      return false;
  }
}

/** How `pattern` matches `text` (a full ref name such as `refs/heads/main`). */
export function matchRefPattern(pattern: string, text: string): PatternMatch {
  const documented = tokenize(pattern, { escape: false, negate: false });
  const unsupported = pattern.includes("\\") || /\[[!^]/.test(pattern);
  if (!unsupported && matchesAt(documented, 0, text, 0, false)) return "match";
  // Every other reading: the unsupported forms either way, and case folded (GitHub does not say whether ref
  // patterns fold case).
  for (const escape of [false, true]) {
    for (const negate of [false, true]) {
      const tokens = tokenize(pattern, { escape, negate });
      if (matchesAt(tokens, 0, text, 0, false) || matchesAt(tokens, 0, text, 0, true)) return "uncertain";
    }
  }
  return "no-match";
}

/** `*` matches any run of characters (including none), `?` one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

// Compiled globs: the same few globs (from the policy config) are matched for every resource.
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1024;

export function globMatch(glob: string, text: string): boolean {
  let regExp = compiled.get(glob);
  if (regExp === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    regExp = globToRegExp(glob);
    compiled.set(glob, regExp);
  }
  return regExp.test(text);
}

export function anyGlobMatch(globs: readonly string[], text: string): boolean {
  return globs.some((glob) => globMatch(glob, text));
}

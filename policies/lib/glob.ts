/** `*` matches any run of characters (including none), `?` one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

export function globMatch(glob: string, text: string): boolean {
  return globToRegExp(glob).test(text);
}

export function anyGlobMatch(globs: readonly string[], text: string): boolean {
  return globs.some((glob) => globMatch(glob, text));
}

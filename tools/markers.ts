import { readFileSync, writeFileSync } from "node:fs";

/** The text from `start` to `end`, both markers included; undefined when either is missing. */
export function betweenMarkers(text: string, start: string, end: string): string | undefined {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  return from < 0 || to < 0 ? undefined : text.slice(from, to + end.length);
}

/**
 * Replaces the generated section of `file`, from `start` to `end`, with `generated` (which carries
 * both markers itself). The rest of the file is written by hand and kept as it is.
 */
export function rewriteBetweenMarkers(file: string, start: string, end: string, generated: string): void {
  const text = readFileSync(file, "utf8");
  const current = betweenMarkers(text, start, end);
  if (current === undefined) throw new Error(`${file} has no generated section: add the lines ${start} and ${end} where it belongs`);
  const from = text.indexOf(start);
  writeFileSync(file, text.slice(0, from) + generated + text.slice(from + current.length));
}

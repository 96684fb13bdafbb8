import * as path from "node:path";
import MarkdownIt from "markdown-it";

type Token = MarkdownIt.Token;

/**
 * Links in the repository's Markdown must work in a user's clone, which holds the repository and
 * nothing beside it. Read with markdown-it (CommonMark): a link in a code block or a code span is
 * no link, a reference definition is resolved, an image counts as a link.
 */
const markdown = new MarkdownIt({ html: true });
// markdown-it drops links with file:, data:, javascript: or vbscript: targets before they become
// tokens (markdown-it@15.0.3 src/markdownit.ts `validateLink`, whose documentation shows this override);
// the check must see every link to refuse those.
markdown.validateLink = () => true;

/** Mentions of what lies outside the repository (the workspace's shared folder, its design notes). */
const OUTSIDE = [/\.\.\/shared\b/, /\bshared\/spec\b/, /\bDESIGN\.md\b/];

/**
 * Each link of `text` (the file `file`, relative to the repository root) that leaves the repository
 * or points to a file it does not hold, and each mention of a place outside it, with its line.
 * Links with a web scheme (https://docs.github.com/…) are citations and allowed.
 */
export function markdownLinkProblems(file: string, text: string, tracked: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  text.split("\n").forEach((line, index) => {
    for (const pattern of OUTSIDE) {
      const match = pattern.exec(line);
      if (match) problems.push(`${file}:${index + 1}: mentions ${match[0]}, which a clone of the repository does not have`);
    }
  });
  for (const { target, line } of links(markdown.parse(text, {}))) {
    const problem = linkProblem(file, target, tracked);
    if (problem !== undefined) problems.push(`${file}:${line}: ${problem}`);
  }
  return problems;
}

function linkProblem(file: string, target: string, tracked: ReadonlySet<string>): string | undefined {
  if (/^(https?|mailto):/i.test(target) || target.startsWith("//")) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return `links to ${target}, outside the repository`;
  const withoutFragment = target.replace(/[?#].*$/, "");
  if (withoutFragment === "") return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(withoutFragment);
  } catch {
    return `links to ${target}, which is not a valid URL path`;
  }
  // GitHub: "Links starting with / will be relative to the repository root", the others to the file
  // (https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-readmes#relative-links-and-image-paths-in-readme-files).
  const resolved = decoded.startsWith("/") ? path.posix.normalize(decoded.slice(1)) : path.posix.normalize(path.posix.join(path.posix.dirname(file), decoded));
  const inRepository = resolved.replace(/\/$/, "");
  if (inRepository === ".." || inRepository.startsWith("../")) return `links to ${target}, which resolves outside the repository`;
  if (inRepository === "." || tracked.has(inRepository)) return undefined;
  for (const candidate of tracked) if (candidate.startsWith(`${inRepository}/`)) return undefined;
  return `links to ${target}, but the repository has no ${inRepository}`;
}

/** Every link and image target in the parsed document, with its line (inline tokens count their line breaks). */
function links(tokens: readonly Token[]): { target: string; line: number }[] {
  const found: { target: string; line: number }[] = [];
  const visit = (list: readonly Token[], start: number) => {
    let line = start;
    for (const token of list) {
      if (token.map) line = token.map[0] + 1;
      const target = token.type === "link_open" ? token.attrGet("href") : token.type === "image" ? token.attrGet("src") : null;
      if (target !== null) found.push({ target: String(target), line });
      if (token.type === "html_inline" || token.type === "html_block") {
        for (const match of token.content.matchAll(/\b(?:href|src)\s*=\s*["']([^"']*)["']/gi)) found.push({ target: match[1]!, line });
      }
      if (token.children) visit(token.children, line);
      if (token.type === "softbreak" || token.type === "hardbreak") line += 1;
    }
  };
  visit(tokens, 1);
  return found;
}

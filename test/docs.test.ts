import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs');
/** The two pages written for contributors and reviewers, where naming a test file is the point. */
const PAGES_THAT_NAME_TESTS = new Set(['docs/development.md', 'docs/verified-without-aws.md']);

interface Page {
  /** Path from the repository root, with forward slashes. */
  readonly name: string;
  readonly file: string;
  readonly lines: readonly string[];
}

interface ProseLine {
  readonly number: number;
  readonly text: string;
}

function readPage(file: string): Page {
  return { name: path.relative(ROOT, file).split(path.sep).join('/'), file, lines: readFileSync(file, 'utf8').split('\n') };
}

const pages: readonly Page[] = [
  readPage(README),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => readPage(path.join(DOCS, name))),
];

/** Lines outside fenced code blocks, which are where Markdown reads links and headings. */
function proseLines(page: Page): ProseLine[] {
  const prose: ProseLine[] = [];
  let fence: string | undefined;
  page.lines.forEach((text, index) => {
    const marker = /^\s*(```|~~~)/.exec(text)?.[1];
    if (marker !== undefined && (fence === undefined || fence === marker)) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) prose.push({ number: index + 1, text });
  });
  return prose;
}

/**
 * GitHub's heading anchors: the rendered text in lower case, with everything but letters, digits,
 * marks, `_`, `-` and spaces removed, spaces made hyphens, and `-1`, `-2`, … on repeats.
 */
function anchors(page: Page): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(page)) {
    for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(match[1] ?? '');
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const rendered = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/`/g, '');
    const slug = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const repeats = seen.get(slug) ?? 0;
    seen.set(slug, repeats + 1);
    found.add(repeats === 0 ? slug : `${slug}-${repeats}`);
  }
  return found;
}

/** Relative link targets in prose, inline code left out. */
function relativeLinks(page: Page): { line: number; target: string }[] {
  return proseLines(page).flatMap(({ number, text }) =>
    [...text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((match) => match[1] ?? '')
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ line: number, target })),
  );
}

describe('README and docs/', () => {
  it('keeps the README a short page', () => {
    // Prepare
    const readme = readPage(README);

    // Act
    const lines = readme.lines.at(-1) === '' ? readme.lines.length - 1 : readme.lines.length;

    // Assess
    expect(lines).toBeLessThanOrEqual(250);
  });

  it('links only to files and headings that exist', () => {
    // Prepare
    const pageAnchors = new Map(pages.map((page) => [page.file, anchors(page)]));

    // Act
    const broken = pages.flatMap((page) =>
      relativeLinks(page).flatMap(({ line, target }) => {
        const [filePart = '', anchor] = target.split('#', 2);
        const file = filePart === '' ? page.file : path.resolve(path.dirname(page.file), decodeURIComponent(filePart));
        if (!existsSync(file)) return [`${page.name}:${line}: ${target}: no such file`];
        if (anchor === undefined || statSync(file).isDirectory() || !file.endsWith('.md')) return [];
        const known = pageAnchors.get(file) ?? anchors(readPage(file));
        return known.has(decodeURIComponent(anchor)) ? [] : [`${page.name}:${line}: ${target}: no such heading`];
      }),
    );

    // Assess
    expect(broken).toEqual([]);
  });

  it('names no test file on the pages written for users', () => {
    // Act
    const mentions = pages
      .filter((page) => !PAGES_THAT_NAME_TESTS.has(page.name))
      .flatMap((page) =>
        page.lines.flatMap((text, index) => (/(?<![\w.-])test\//.test(text) ? [`${page.name}:${index + 1}: ${text.trim()}`] : [])),
      );

    // Assess
    expect(mentions).toEqual([]);
  });

  it('wraps prose at 100 characters, leaving code blocks, tables and unbreakable lines alone', () => {
    // Act
    const long = pages.flatMap((page) =>
      proseLines(page)
        .filter(({ text }) => text.length > 100 && !text.trimStart().startsWith('|') && /\s/.test(text.trim()))
        .map(({ number, text }) => `${page.name}:${number}: ${text.length} characters`),
    );

    // Assess
    expect(long).toEqual([]);
  });

  it('runs the CLI from the clone only as `npx --no console-broker`, which never fetches from the registry', () => {
    // Act
    // The whole text, since a wrapped line may put npx at the end of one line and the name on the next.
    const fetching = pages.flatMap((page) =>
      [...page.lines.join('\n').matchAll(/npx\s+console-broker/g)].map(
        (match) => `${page.name}:${page.lines.join('\n').slice(0, match.index).split('\n').length}`,
      ),
    );

    // Assess
    expect(fetching).toEqual([]);
  });
});

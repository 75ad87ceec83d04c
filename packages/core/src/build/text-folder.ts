import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Texts kept in files of their own — the agents' prompts, one Markdown file each — rather than
 * in string literals. A folder of them has a `texts.ts` that exports
 * `TEXTS = readTextFolder(import.meta.url, [names])`: from source (tests, benches) the files are
 * read there, on first import; a bundle (tsup's build of a package, a browser page made from the
 * packages' source) replaces that module by the texts themselves with
 * {@link textFolderEsbuildPlugin}, so the published code reads no file. The same way as the
 * sandbox-side scripts of `@actkit/code-actions/build`: written as what they are, inlined at build.
 */

/** The module of a text folder that holds its texts. */
export const TEXTS_MODULE = 'texts.ts';
/** What that module exports. */
export const TEXTS_EXPORT = 'TEXTS';
const EXTENSION = '.md';

/** A file's text as the program uses it: without the final newline editors add. */
const asText = (content: string) => content.replace(/\r\n/g, '\n').replace(/\n$/, '');

/** Every `.md` file of a folder, by name (the file name without `.md`). */
function readAll(folder: string): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const file of readdirSync(folder).sort()) {
    if (extname(file) === EXTENSION) texts[basename(file, EXTENSION)] = asText(readFileSync(join(folder, file), 'utf8'));
  }
  return texts;
}

/**
 * The texts of the folder of `moduleUrl` (the `texts.ts` calling this), checked against the
 * names the package uses: a file missing or left over is an error here, not a prompt gone quiet.
 */
export function readTextFolder<Name extends string>(moduleUrl: string, names: readonly Name[]): Readonly<Record<Name, string>> {
  const folder = dirname(fileURLToPath(moduleUrl));
  const texts = readAll(folder);
  const missing = names.filter((name) => !(name in texts));
  const unused = Object.keys(texts).filter((name) => !names.includes(name as Name));
  if (missing.length > 0 || unused.length > 0) {
    const problems = [missing.length > 0 ? `missing ${missing.map((n) => n + EXTENSION).join(', ')}` : '', unused.length > 0 ? `not listed: ${unused.map((n) => n + EXTENSION).join(', ')}` : ''];
    throw new Error(`${folder}: ${problems.filter(Boolean).join('; ')} (the names are listed in ${TEXTS_MODULE}).`);
  }
  return Object.freeze(texts as Record<Name, string>);
}

/** An esbuild `onLoad` filter matching exactly the file at `path`, for a plugin that replaces that one module. */
export function exactPathFilter(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** An esbuild plugin, as much of its type as this one uses (core does not depend on esbuild). */
export interface TextFolderPlugin {
  name: string;
  setup(build: { onLoad(options: { filter: RegExp }, callback: () => { contents: string; loader: 'js'; watchFiles: string[] }): void }): void;
}

/** An esbuild plugin that replaces the `texts.ts` of each given folder by the folder's texts, read now. */
export function textFolderEsbuildPlugin(...folders: string[]): TextFolderPlugin {
  return {
    name: 'actkit-text-folder',
    setup(build) {
      for (const folder of folders) {
        build.onLoad({ filter: exactPathFilter(join(folder, TEXTS_MODULE)) }, () => ({
          contents: `export const ${TEXTS_EXPORT} = Object.freeze(${JSON.stringify(readAll(folder))});\n`,
          loader: 'js',
          // A text edited while watching rebuilds the bundle.
          watchFiles: readdirSync(folder).map((file) => join(folder, file)),
        }));
      }
    },
  };
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sandboxSideEsbuildPlugin } from '@actkit/code-actions/build';
import { textFolderEsbuildPlugin } from '@actkit/core/build';
import { SANDBOX_SIDE as CODE_ACTIONS_SANDBOX_SIDE } from '../../code-actions/src/sandbox-side/entries.js';
import { SANDBOX_SIDE } from '../src/sandbox-side/entries.js';

/**
 * The QuickJS executor in a real browser page (headless Chromium, Debian's): one more runtime
 * users deploy to, where isolated-vm cannot run. Skipped, saying so, when Chromium is absent —
 * unless ACTKIT_REQUIRE_BROWSER=1, which makes its absence a failure.
 */
const CHROMIUM = process.env.ACTKIT_CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = process.env.ACTKIT_REQUIRE_BROWSER === '1';
const present = existsSync(CHROMIUM);
if (!present && !required) console.warn(`browser.test.ts: skipped — no Chromium at ${CHROMIUM} (set ACTKIT_CHROMIUM_PATH, or ACTKIT_REQUIRE_BROWSER=1 to fail instead)`);

/** The page's script: the executor and its imports bundled for the browser, as a user's bundler would. */
async function bundlePage(): Promise<string> {
  // The agents' prompts (Markdown files) inlined, as the published builds have them.
  const prompts: Plugin = textFolderEsbuildPlugin(
    ...['../../core/src/prompts', '../../code-actions/src/agent/prompts'].map((folder) => fileURLToPath(new URL(folder, import.meta.url))),
  );
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@actkit/source'],
    write: false,
    logLevel: 'silent',
    // Loaded on demand only, never in this page: the file-based QuickJS build (the Node default,
    // unused when a variant is given) and esbuild (the `modules` bundler, unused with none).
    external: ['@jitl/quickjs-wasmfile-release-asyncify', 'esbuild'],
    plugins: [
      // The sandbox-side scripts as text, as the published build has them (from source they are bundled on first import, with Node).
      sandboxSideEsbuildPlugin(CODE_ACTIONS_SANDBOX_SIDE, SANDBOX_SIDE),
      prompts,
      {
        // Node built-ins that parts of @actkit/code-actions and core import (child processes,
        // the module bundler): unused in a page, so empty here — what a bundler's fallback does.
        name: 'node-builtins',
        setup(b) {
          b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin' }));
          b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
            contents: args.path === 'node:crypto' ? 'module.exports = { randomUUID: () => globalThis.crypto.randomUUID() };' : 'module.exports = {};',
            loader: 'js',
          }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

describe.skipIf(!present && !required)('QuickJS executor in a browser page (headless Chromium)', () => {
  it('keeps the code-action contract: tools with and without await, names across steps, TypeScript, errors with lines, limits', { timeout: 180_000 }, async () => {
    expect(present, `ACTKIT_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM}`).toBe(true);
    const script = await bundlePage();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 120_000,
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto('about:blank');
      await page.addScriptTag({ content: script });
      const out = (await page.evaluate(() => (globalThis as unknown as { runScenario: () => Promise<unknown> }).runScenario())) as Record<string, any>;
      expect(errors).toEqual([]);
      expect(out.userAgent).toMatch(/Chrome/);
      expect(out.tools).toMatchObject({ logs: '3 7 slow done [ 2, 4 ]\n' });
      expect(out.tools.error).toBeUndefined();
      expect(out.persisted).toMatchObject({ value: '42' });
      expect(out.error.error).toMatchObject({ kind: 'runtime', name: 'TypeError', line: 2 });
      expect(out.error.error.stack).toContain('step-2.js:2');
      expect(out.loop).toMatchObject({ error: { kind: 'timeout' }, stateLost: true });
      expect(out.afterLoop).toMatchObject({ value: "'undefined'" });
      expect(out.memory).toMatchObject({ error: { kind: 'memory' }, stateLost: true });
      expect(out.answer).toMatchObject({ finalAnswer: { value: { total: '1,234.5' } } });
    } finally {
      await browser.close();
    }
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// End to end: the real server, driven by a real headless Chromium (Debian's `chromium`).
const CHROMIUM = process.env.ACTKIT_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.ACTKIT_REQUIRE_BROWSER === '1') throw new Error(`Chromium not found at ${CHROMIUM}, and ACTKIT_REQUIRE_BROWSER=1.`);
  console.warn(`\n!!! Chromium not found at ${CHROMIUM}: the playground browser tests are SKIPPED (apt-get install chromium).\n`);
}

describe.skipIf(!available)('playground in headless Chromium', () => {
  let server: ChildProcess;
  let url = '';
  let browser: Browser;
  beforeAll(async () => {
    server = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'src/server.ts'], { env: { ...process.env, PORT: '0', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => {
        const m = /http:\/\/\S+/.exec(d.toString());
        if (m) resolve(m[0]);
      });
      server.on('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    server?.kill();
  });

  for (const agent of ['code', 'tool'] as const) {
    it(`streams a ${agent} agent's steps to the page`, async () => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      await page.goto(url);
      await page.selectOption('#agent', agent);
      await page.click('#run');
      await page.waitForSelector('#answer', { state: 'visible', timeout: 30_000 });
      expect(await page.textContent('#answer')).toBe('Final answer: Cairo is the warmest at 29 °C.');
      expect(await page.textContent('#status')).toMatch(/^success · \d+ tokens/);
      const steps = await page.locator('.step').count();
      expect(steps).toBe(agent === 'code' ? 1 : 2);
      if (agent === 'code') expect(await page.textContent('pre')).toContain('get_temperature({ city })');
      else expect(await page.locator('.call').count()).toBe(5);
      await page.screenshot({ path: `/tmp/actkit-playground-${agent}.png`, fullPage: true });
      await page.close();
    });
  }

  it('shows clear messages for bad input', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.fill('#task', '   ');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Error'));
    expect(await page.textContent('#status')).toBe('Error: A task is needed.');
    await page.fill('#task', 'Warmest city?');
    await page.selectOption('#model', 'openai');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('OPENAI_API_KEY'));
    await page.close();
  });

  it('stops the run when the page closes, and keeps serving', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.click('#run');
    await page.waitForSelector('.step');
    await page.close(); // mid-run
    const again = await browser.newPage();
    await again.goto(url);
    await again.click('#run');
    await again.waitForSelector('#answer', { state: 'visible', timeout: 30_000 });
    await again.close();
  });
});

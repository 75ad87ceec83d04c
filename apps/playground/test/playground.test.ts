import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type ScriptedServer, startOpenAIServer } from '@actkit/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// End to end: the real server (started as `pnpm start` starts it), driven by a real headless
// Chromium — Debian's `chromium` package. Screenshots go to $ACTKIT_SCREENSHOTS (default /tmp).
const CHROMIUM = process.env.ACTKIT_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.ACTKIT_SCREENSHOTS ?? '/tmp';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.ACTKIT_REQUIRE_BROWSER === '1') throw new Error(`Chromium not found at ${CHROMIUM}, and ACTKIT_REQUIRE_BROWSER=1.`);
  console.warn(`\n!!! Chromium not found at ${CHROMIUM}: the playground browser tests are SKIPPED (apt-get install chromium, or set ACTKIT_CHROMIUM).\n`);
}

describe.skipIf(!available)('playground in headless Chromium', () => {
  let server: ChildProcess;
  let serverLog = '';
  let url = '';
  let browser: Browser;
  // The "openai" model of this server is a local OpenAI-compatible server whose replies each test scripts.
  let wire: ScriptedServer;

  beforeAll(async () => {
    wire = await startOpenAIServer();
    server = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: '0', OPENAI_API_KEY: '', OPENAI_BASE_URL: `${wire.url}/v1`, ANTHROPIC_API_KEY: '', ACTKIT_MODEL: '', ACTKIT_PROVIDER: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => {
        serverLog += d;
        const m = /http:\/\/\S+/.exec(serverLog);
        if (m) resolve(m[0]);
      });
      server.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    server?.kill();
    await wire?.close();
  });

  const open = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(url);
    // Ready once the options have come from the server.
    await page.waitForFunction(() => document.getElementById('hint')!.textContent !== '');
    return page;
  };
  const finished = (page: Page) => page.waitForFunction(() => !document.getElementById('main')!.classList.contains('running'), undefined, { timeout: 30_000 });

  it('streams a CodeAgent solving an example task: thought, highlighted code, tool calls, output, answer', async () => {
    const page = await open();
    await page.selectOption('#example', 'trip-order');
    expect(await page.inputValue('#task')).toMatch(/^Starting and ending in Berlin/);
    await page.click('#run');
    // While the scripted model "thinks" the page says it is running.
    await page.waitForSelector('#main.running');
    expect(await page.textContent('#status')).toMatch(/^Running/);
    await page.waitForSelector('#answer', { state: 'visible', timeout: 30_000 });
    await finished(page);
    expect(await page.textContent('#answer')).toBe('Final answer: Berlin→Rome→Paris→Berlin is cheaper: 734 EUR in total.');
    expect(await page.textContent('#status')).toMatch(/^success · 1 step · \d+ tokens · \d+\.\d\d s$/);
    expect(await page.locator('.step').count()).toBe(1);
    expect(await page.textContent('.thought')).toBe('I price both orders in one action.');
    expect(await page.textContent('pre')).toContain("const hotels = 2 * hotel_price({ city: 'Paris' })");
    expect(await page.locator('pre .k').first().textContent()).toBe('const');
    expect(await page.locator('.call').count()).toBe(8);
    expect(await page.textContent('.output')).toContain("route: 'Berlin→Rome→Paris→Berlin', total: 734");
    expect(await page.textContent('.step .meta')).toMatch(/^\d+\.\d\d s · \d+ tokens$/);
    await page.screenshot({ path: `${SHOTS}/actkit-playground-code.png`, fullPage: true });
    await page.close();
  });

  it('streams a ToolCallingAgent step by step', async () => {
    const page = await open();
    await page.selectOption('#example', 'decode-message');
    await page.selectOption('#agent', 'tool');
    await page.click('#run');
    // Steps arrive one by one while the run goes on.
    await page.waitForSelector('.step');
    expect(await page.locator('.step').count()).toBeLessThan(4);
    await finished(page);
    expect(await page.textContent('#answer')).toBe('Final answer: MEET ME AT THE OLD MILL AT NOON');
    expect(await page.locator('.step').count()).toBe(4);
    expect(await page.locator('.step .call').allTextContents()).toEqual([
      '→ hex_to_text({"hex":"51525251205744204f4f4c5020474f5220484b572057442048502057484850"})',
      '→ reverse_text({"text":"QRRQ WD OOLP GOR HKW WD HP WHHP"})',
      '→ caesar_shift({"text":"PHHW PH DW WKH ROG PLOO DW QRRQ","shift":-3})',
      '→ final_answer({"answer":"MEET ME AT THE OLD MILL AT NOON"})',
    ]);
    expect(await page.locator('.result').first().textContent()).toBe('← hex_to_text: QRRQ WD OOLP GOR HKW WD HP WHHP');
    await page.screenshot({ path: `${SHOTS}/actkit-playground-tool.png`, fullPage: true });
    await page.close();
  });

  it('runs on a real model (a local OpenAI-compatible server), streaming its text', async () => {
    wire.push({ text: 'I will compute it.\n<code>\nfinal_answer(6 * 7);\n</code>', chunkDelayMs: 20, usage: { input: 1000, output: 40 } });
    const page = await open();
    await page.selectOption('#model', 'openai');
    expect(await page.textContent('#hint')).toContain(`Runs on openai gpt-4.1-mini at ${wire.url}/v1.`);
    await page.selectOption('#example', '');
    await page.fill('#task', 'What is 6 times 7?');
    await page.click('#run');
    await finished(page);
    expect(await page.textContent('#answer')).toBe('Final answer: 42');
    // gpt-4.1-mini has a list price: the cost is shown.
    expect(await page.textContent('#status')).toMatch(/^success · 1 step · 1040 tokens · \$0\.00046 · /);
    // And the bill: tokens by how they were billed.
    expect(await page.textContent('#bill')).toBe('input 1,000 tokens (1,000 fresh · 0 cache read · 0 cache write) · output 40 · $0.00046 at gpt-4.1-mini list prices');
    expect(wire.requests.at(-1)!.body.messages.at(-1).content).toContain('What is 6 times 7?');
    await page.close();
  });

  it('shows a model error clearly', async () => {
    wire.push({ status: 401, message: 'Incorrect API key provided' });
    const page = await open();
    await page.selectOption('#model', 'openai');
    await page.click('#run');
    await page.waitForSelector('#failure', { state: 'visible' });
    expect(await page.textContent('#failure')).toBe('openai/gpt-4.1-mini failed with HTTP 401: Incorrect API key provided');
    expect(await page.textContent('#status')).toBe('Failed.');
    expect(await page.isEnabled('#run')).toBe(true);
    await page.screenshot({ path: `${SHOTS}/actkit-playground-error.png`, fullPage: true });
    await page.close();
  });

  it('shows clear messages for bad input, and marks a model without its key', async () => {
    const page = await open();
    await page.fill('#task', '   ');
    await page.click('#run');
    await page.waitForSelector('#failure', { state: 'visible' });
    expect(await page.textContent('#failure')).toBe('Write a task first (or pick an example).');
    await page.fill('#task', 'Plan my holidays.');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('failure')!.textContent!.startsWith('The scripted model only knows the example tasks'));
    // Anthropic has no key on this server: the option says so and cannot be chosen…
    const anthropic = page.locator('#model option[value=anthropic]');
    expect(await anthropic.isDisabled()).toBe(true);
    expect(await anthropic.textContent()).toBe('anthropic (not set up)');
    expect(await page.textContent('#hint')).toContain('anthropic: ANTHROPIC_API_KEY is not set.');
    // …and a request that asks for it anyway gets the reason.
    const body = await page.evaluate(async () => (await fetch('/run?task=hi&model=anthropic')).text());
    expect(body).toBe('event: failure\ndata: {"message":"ANTHROPIC_API_KEY is not set."}\n\n');
    const unknown = await page.evaluate(async () => (await fetch('/run?task=hi&agent=json')).text());
    expect(unknown).toContain('Unknown agent type \\"json\\": use tool or code.');
    await page.close();
  });

  it('stops the run when the page closes (or Stop is pressed), and keeps serving', async () => {
    const page = await open();
    await page.selectOption('#agent', 'tool');
    await page.click('#run');
    await page.waitForSelector('.step');
    await page.close(); // mid-run: 5 paced steps
    await expect.poll(() => serverLog, { timeout: 10_000 }).toMatch(/run \d+: stopped: the page closed the stream after \d steps/);

    const again = await open();
    await again.selectOption('#agent', 'tool');
    await again.click('#run');
    await again.waitForSelector('.step');
    await again.click('#stop');
    expect(await again.textContent('#status')).toBe('Stopped.');
    await expect.poll(() => serverLog.match(/stopped: the page closed the stream/g)?.length, { timeout: 10_000 }).toBe(2);
    await again.click('#run');
    await again.waitForSelector('#answer', { state: 'visible', timeout: 30_000 });
    expect(await again.textContent('#answer')).toBe('Final answer: 3.69 EUR');
    await again.close();
  });
});

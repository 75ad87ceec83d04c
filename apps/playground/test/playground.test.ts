import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type ScriptedServer, startOpenAIServer } from '@actkit/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// End to end: the real server (started as `pnpm start` starts it, with a tools module of the
// user's own and two MCP servers), driven by a real headless Chromium — Debian's `chromium`
// package — at a phone's width and at a desktop's. Screenshots go to test/screenshots/ (or
// $ACTKIT_SCREENSHOTS), to be looked at.
const CHROMIUM = process.env.ACTKIT_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.ACTKIT_SCREENSHOTS ?? fileURLToPath(new URL('./screenshots/', import.meta.url));
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.ACTKIT_REQUIRE_BROWSER === '1') throw new Error(`Chromium not found at ${CHROMIUM}, and ACTKIT_REQUIRE_BROWSER=1.`);
  console.warn(`\n!!! Chromium not found at ${CHROMIUM}: the playground browser tests are SKIPPED (apt-get install chromium, or set ACTKIT_CHROMIUM).\n`);
}
const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const WAIT = { timeout: 60_000 };
/** A 1×1 red PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts a program and waits (as long as it takes) for a line matching `ready` on stdout or stderr. */
function startProgram(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, onOutput: (text: string) => void = () => {}) {
  const child = spawn(process.execPath, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const started = new Promise<RegExpExecArray>((resolve, reject) => {
    const seen = (d: Buffer) => {
      output += d;
      onOutput(String(d));
      const m = ready.exec(output);
      if (m) resolve(m);
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}):\n${output}`)));
  });
  return { child, started };
}

describe.skipIf(!available)('playground in headless Chromium', () => {
  let server: ChildProcess;
  let mcpHttp: ChildProcess;
  let serverLog = '';
  let url = '';
  let browser: Browser;
  // The "openai" model of this server is a local OpenAI-compatible server whose replies each test scripts.
  let wire: ScriptedServer;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    wire = await startOpenAIServer();
    // One MCP server over streamable HTTP (a URL), one over stdio (a command): `--mcp` twice.
    const mcpPort = await freePort();
    const http = startProgram([EVERYTHING, 'streamableHttp'], { PORT: String(mcpPort) }, /listening on port/);
    mcpHttp = http.child;
    await http.started;
    const playground = startProgram(
      [
        '--no-node-snapshot', '--import', 'tsx', 'src/main.ts',
        '--tools', './test/fixtures/my-tools.ts',
        '--mcp', `${process.execPath} ${EVERYTHING} stdio`,
        '--mcp', `http://127.0.0.1:${mcpPort}/mcp`,
        // The server's default approval policy: deny, except place_order, which asks.
        '--approve', 'none,place_order=ask',
      ],
      { PORT: '0', INIT_CWD: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: `${wire.url}/v1`, ANTHROPIC_API_KEY: '', ACTKIT_MODEL: '', ACTKIT_PROVIDER: '' },
      /http:\/\/\S+/,
      (text) => {
        serverLog += text;
      },
    );
    server = playground.child;
    url = (await playground.started)[0];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    server?.kill();
    mcpHttp?.kill();
    await wire?.close();
  });

  const open = async (viewport = DESKTOP): Promise<Page> => {
    const page = await browser.newPage({ viewport });
    await page.goto(url);
    // Ready once the options have come from the server.
    await page.waitForFunction(() => document.getElementById('hint')!.textContent !== '');
    return page;
  };
  /** The nth question of the conversation has its totals: its run is over. */
  const turnDone = async (page: Page, n = 0) => {
    await page.locator('.turn').nth(n).locator('.totals').waitFor(WAIT);
    await page.waitForFunction(() => !document.getElementById('main')!.classList.contains('running'), undefined, WAIT);
  };
  const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const useOpenAI = async (page: Page, agent: 'tool' | 'code') => {
    await page.selectOption('#model', 'openai');
    await page.selectOption('#agent', agent);
  };
  const ask = async (page: Page, task: string) => {
    await page.fill('#task', task);
    await page.click('#run');
  };

  it('shows a CodeAgent run with numbered code, each tool call with its own result, and labelled figures — at phone and desktop widths', async () => {
    for (const [viewport, name] of [[PHONE, 'phone'], [DESKTOP, 'desktop']] as const) {
      const page = await open(viewport);
      expect(await page.textContent('#who')).toBe('CodeAgent (JavaScript code actions) · model: scripted (replays recorded replies; no LLM is called)');
      await page.selectOption('#example', 'trip-order');
      expect(await page.inputValue('#task')).toMatch(/^Starting and ending in Berlin/);
      expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
      await page.click('#run');
      await turnDone(page);
      expect(await page.textContent('.answer')).toBe('Final answer: Berlin→Rome→Paris→Berlin is cheaper: 734 EUR in total.');
      expect(await page.textContent('.ask .text')).toMatch(/^Starting and ending in Berlin/);
      // Code with line numbers, highlighted.
      const lines = page.locator('pre.code .line');
      expect(await lines.count()).toBe(10);
      expect(await lines.nth(0).locator('.ln').textContent()).toBe('1');
      expect(await lines.nth(9).locator('.ln').textContent()).toBe('10');
      expect(await lines.nth(0).textContent()).toBe("1const hotels = 2 * hotel_price({ city: 'Paris' }) + 2 * hotel_price({ city: 'Rome' });\n");
      expect(await page.locator('pre .k').first().textContent()).toBe('const');
      // Eight calls, each with its own result under it (paired by call id), in the order they were made.
      const calls = page.locator('.call');
      expect(await calls.count()).toBe(8);
      expect(await calls.nth(0).locator('.head').textContent()).toBe('→\u00a0hotel_price({"city":"Paris"})');
      expect(await calls.nth(0).locator('.result').textContent()).toBe('←\u00a0130');
      expect(await calls.nth(2).locator('.head').textContent()).toBe('→\u00a0flight_price({"from":"Berlin","to":"Paris"})');
      expect(await calls.nth(2).locator('.result').textContent()).toBe('←\u00a089');
      expect(await calls.nth(7).locator('.head').textContent()).toBe('→\u00a0flight_price({"from":"Paris","to":"Berlin"})');
      expect(await calls.nth(7).locator('.result').textContent()).toBe('←\u00a079');
      expect(await page.locator('.call:not(:has(.result))').count()).toBe(0);
      expect(await page.textContent('.output')).toContain("route: 'Berlin→Rome→Paris→Berlin', total: 734");
      // Scripted figures say so: estimated tokens, scripted pace, a "scripted" badge.
      expect(await page.textContent('.step .meta')).toMatch(/^\d+\.\d\d s · ~\d+ tokens \(estimated\)$/);
      expect(await page.textContent('.totals')).toMatch(/^scriptedsuccess · 1 step · ~\d+ tokens \(estimated\) · \d+\.\d\d s \(scripted pace\)$/);
      expect(await page.textContent('.totals .badge')).toBe('scripted');
      // Nothing wider than the screen (wide code scrolls inside its box).
      expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width);
      await shot(page, `code-agent-${name}`);
      await page.close();
    }
  });

  it('streams a ToolCallingAgent step by step, and a follow-up question continues the conversation', async () => {
    const page = await open(PHONE);
    await page.selectOption('#example', 'decode-message');
    await page.selectOption('#agent', 'tool');
    expect(await page.textContent('#who')).toBe('ToolCallingAgent (JSON tool calls) · model: scripted (replays recorded replies; no LLM is called)');
    await page.click('#run');
    // Steps arrive one by one while the run goes on.
    await page.locator('.step').first().waitFor(WAIT);
    expect(await page.locator('.step').count()).toBeLessThan(4);
    await turnDone(page);
    expect(await page.textContent('.answer')).toBe('Final answer: MEET ME AT THE OLD MILL AT NOON');
    expect(await page.locator('.step').count()).toBe(4);
    expect(await page.locator('.call .head').allTextContents()).toEqual([
      '→\u00a0hex_to_text({"hex":"51525251205744204f4f4c5020474f5220484b572057442048502057484850"})',
      '→\u00a0reverse_text({"text":"QRRQ WD OOLP GOR HKW WD HP WHHP"})',
      '→\u00a0caesar_shift({"text":"PHHW PH DW WKH ROG PLOO DW QRRQ","shift":-3})',
      '→\u00a0final_answer({"answer":"MEET ME AT THE OLD MILL AT NOON"})',
    ]);
    expect(await page.locator('.call').first().locator('.result').textContent()).toBe('←\u00a0QRRQ WD OOLP GOR HKW WD HP WHHP');
    // The same agent takes a second question, in the same thread; agent and model are fixed now.
    expect(await page.textContent('#run')).toBe('Ask');
    expect(await page.isDisabled('#agent')).toBe(true);
    await page.selectOption('#example', 'best-trade');
    await page.click('#run');
    await turnDone(page, 1);
    expect(await page.locator('.turn').count()).toBe(2);
    expect(await page.locator('.turn').nth(1).locator('.answer').textContent()).toMatch(/^Final answer: /);
    expect(await page.locator('.turn').nth(0).locator('.answer').textContent()).toBe('Final answer: MEET ME AT THE OLD MILL AT NOON');
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'tool-agent-follow-up-phone');
    // A new conversation starts afresh.
    await page.click('#new');
    expect(await page.locator('.turn').count()).toBe(0);
    expect(await page.isDisabled('#agent')).toBe(false);
    await page.close();
  });

  it("continues the agent's memory on a follow-up (a real model: the local OpenAI-compatible server), with the model named and the cost labelled", async () => {
    const page = await open();
    await useOpenAI(page, 'code');
    expect(await page.textContent('#hint')).toContain(`Runs on openai gpt-4.1-mini at ${wire.url}/v1.`);
    expect(await page.textContent('#who')).toBe(`CodeAgent (JavaScript code actions) · model: openai gpt-4.1-mini at ${wire.url}/v1`);
    wire.push({ text: 'I will compute it.\n<code>\nconst product = 6 * 7;\nfinal_answer(product);\n</code>', chunkDelayMs: 20, usage: { input: 1000, output: 40 } });
    await ask(page, 'What is 6 times 7?');
    await turnDone(page);
    expect(await page.textContent('.answer')).toBe('Final answer: 42');
    // Real token counts from the API; the cost is the list price applied to them.
    expect(await page.textContent('.totals')).toMatch(/^success · 1 step · 1040 tokens · ~\$0\.00046 \(estimated at list price\) · \d+\.\d\d s/);
    expect(await page.textContent('.totals .bill')).toBe('input 1,000 tokens (1,000 fresh · 0 cache read · 0 cache write) · output 40 · $0.00046 at gpt-4.1-mini list prices');
    expect(await page.textContent('#who')).toBe(`CodeAgent (JavaScript code actions) · model: openai gpt-4.1-mini at ${wire.url}/v1`);

    // The follow-up: the model is sent the whole conversation, and the sandbox kept `product`.
    wire.push({ text: 'Doubling it.\n<code>\nfinal_answer(product * 2);\n</code>' });
    await ask(page, 'And twice that?');
    await turnDone(page, 1);
    expect(await page.locator('.turn').nth(1).locator('.answer').textContent()).toBe('Final answer: 84');
    const messages = wire.requests.at(-1)!.body.messages as Array<{ role: string; content: unknown }>;
    const texts = messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
    expect(texts.findIndex((t) => t.includes('What is 6 times 7?'))).toBeGreaterThan(0);
    expect(texts.some((t) => t.includes('const product = 6 * 7;'))).toBe(true);
    expect(texts.at(-1)).toContain('And twice that?');
    expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
    await shot(page, 'conversation-desktop');
    await page.close();
  });

  it('asks for approval on the page for a ToolCallingAgent: deny with a reason, then approve', async () => {
    const page = await open(PHONE);
    await useOpenAI(page, 'tool');
    // The server was started with --approve none,place_order=ask: the form shows it.
    expect(await page.inputValue('#approve-mode')).toBe('none');
    expect(await page.inputValue('#tool-modes select[data-tool=place_order]')).toBe('ask');
    const order = { name: 'place_order', input: { item: 'lamp', quantity: 3 } };
    wire.push({ text: 'Three lamps cost 135 EUR.', toolCalls: [order] });
    wire.push({ text: 'The order was refused.', toolCalls: [{ name: 'final_answer', input: { answer: 'not ordered' } }] });
    await ask(page, 'Order 3 lamps.');
    const box = page.locator('.call .approval');
    await box.waitFor(WAIT);
    expect(await box.locator('b').textContent()).toBe('place_order needs your approval');
    // The arguments, readably.
    expect(await box.locator('.args').textContent()).toBe('item: lamp\nquantity: 3');
    expect(await page.locator('.call .head').first().textContent()).toBe('→\u00a0place_order({"item":"lamp","quantity":3})');
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'approval-tool-agent-phone');
    await box.locator('input').fill('too expensive');
    await box.locator('.deny').click();
    await turnDone(page);
    expect(await page.locator('.call .decision').first().textContent()).toBe('✗ denied: too expensive');
    expect(await page.locator('.call .error').first().textContent()).toBe('✗\u00a0Denied by the user: too expensive');
    // The model was told why.
    expect(JSON.stringify(wire.requests.at(-1)!.body.messages)).toContain('Denied by the user: too expensive');

    wire.push({ text: 'Ordering.', toolCalls: [order] });
    wire.push({ toolCalls: [{ name: 'final_answer', input: { answer: 'ordered' } }] });
    await ask(page, 'Order them anyway, please.');
    const second = page.locator('.turn').nth(1);
    await second.locator('.call .approval').waitFor(WAIT);
    await second.locator('.call .approve').click();
    await turnDone(page, 1);
    expect(await second.locator('.call .decision').first().textContent()).toBe('✓ approved');
    expect(await second.locator('.call .result').first().textContent()).toBe('←\u00a0{"orderId":"ORD-LAMP-3","item":"lamp","quantity":3,"totalEur":135}');
    expect(await second.locator('.answer').textContent()).toBe('Final answer: ordered');
    await page.close();
  });

  it('asks for approval of a call made inside a CodeAgent code action', async () => {
    const page = await open();
    await useOpenAI(page, 'code');
    wire.push({ text: 'I order the lamps.\n<code>\nconst order = place_order({ item: "lamp", quantity: 3 });\nconsole.log(order.orderId);\n</code>' });
    wire.push({ text: 'Done.\n<code>\nfinal_answer("ordered " + order.orderId);\n</code>' });
    await ask(page, 'Order 3 lamps.');
    const box = page.locator('.call .approval');
    await box.waitFor(WAIT);
    // The code is on the page while its call waits inside the sandbox.
    expect(await page.locator('pre.code .line').count()).toBe(2);
    expect(await page.locator('.call .pending').textContent()).toBe('waiting for your approval… (denied if not answered within 10 minutes)');
    await shot(page, 'approval-code-agent-desktop');
    await box.locator('.approve').click();
    await turnDone(page);
    expect(await page.locator('.call .decision').textContent()).toBe('✓ approved');
    expect(await page.locator('.call .result').textContent()).toBe('←\u00a0{"orderId":"ORD-LAMP-3","item":"lamp","quantity":3,"totalEur":135}');
    expect(await page.locator('.output').first().textContent()).toBe('OutputORD-LAMP-3\n');
    expect(await page.textContent('.answer')).toBe('Final answer: ordered ORD-LAMP-3');

    // A denied call inside code throws there: the error cites its line, which is marked.
    wire.push({ text: 'Again.\n<code>\nconst n = 2;\nconst again = place_order({ item: "lamp", quantity: n * 2 });\n</code>' });
    wire.push({ text: 'Fine.\n<code>\nfinal_answer("not ordered");\n</code>' });
    await ask(page, 'Order 4 more.');
    const second = page.locator('.turn').nth(1);
    await second.locator('.call .approval').waitFor(WAIT);
    await second.locator('.call .approval input').fill('we have enough');
    await second.locator('.call .deny').click();
    await turnDone(page, 1);
    expect(await second.locator('.call .decision').textContent()).toBe('✗ denied: we have enough');
    const error = await second.locator('.step > .error').first().textContent();
    expect(error).toContain('Denied by the user: we have enough');
    expect(error).toMatch(/line 2\b/);
    expect(await second.locator('pre.code .line.bad .ln').textContent()).toBe('2');
    await shot(page, 'code-error-line-desktop');
    await page.close();
  });

  it('decides approvals by the setting on the page: per tool, and all / none', async () => {
    const page = await open();
    await useOpenAI(page, 'tool');
    const order = { name: 'place_order', input: { item: 'lamp', quantity: 2 } };
    // place_order=none: denied at once, no buttons.
    await page.click('#per-tool summary');
    await page.selectOption('#tool-modes select[data-tool=place_order]', 'none');
    wire.push({ toolCalls: [order] });
    wire.push({ toolCalls: [{ name: 'final_answer', input: { answer: 'no' } }] });
    await ask(page, 'Order 2 lamps.');
    await turnDone(page);
    expect(await page.locator('.approval').count()).toBe(0);
    expect(await page.locator('.call .decision').first().textContent()).toBe('✗ denied: calls of this tool are denied (--approve none) (by the approval setting: deny)');
    // Everything approved (the per-tool setting back to "as above").
    await page.selectOption('#tool-modes select[data-tool=place_order]', '');
    await page.selectOption('#approve-mode', 'all');
    wire.push({ toolCalls: [order] });
    wire.push({ toolCalls: [{ name: 'final_answer', input: { answer: 'yes' } }] });
    await ask(page, 'Order 2 lamps now.');
    await turnDone(page, 1);
    const second = page.locator('.turn').nth(1);
    expect(await second.locator('.call .decision').first().textContent()).toBe('✓ approved (by the approval setting: approve)');
    expect(await second.locator('.call .result').first().textContent()).toBe('←\u00a0{"orderId":"ORD-LAMP-2","item":"lamp","quantity":2,"totalEur":90}');
    await page.close();
  });

  it("gives attached files to tools (the user's own too) and images to the model", async () => {
    const page = await open(PHONE);
    await useOpenAI(page, 'tool');
    await page.setInputFiles('#files', [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('three little words\nand two more') },
      { name: 'dot.png', mimeType: 'image/png', buffer: PNG },
    ]);
    expect(await page.locator('#chips .chip').count()).toBe(2);
    wire.push({ toolCalls: [{ name: 'read_attachment', input: { name: 'notes.txt' } }, { name: 'count_words', input: { name: 'notes.txt' } }] });
    wire.push({ toolCalls: [{ name: 'final_answer', input: { answer: '6 words' } }] });
    await ask(page, 'How many words are in my notes?');
    await turnDone(page);
    expect(await page.locator('#chips .chip').count()).toBe(0);
    expect(await page.locator('.ask .chip').allTextContents()).toEqual(['notes.txt · 31 bytes', 'dot.png · 70 bytes']);
    const calls = page.locator('.call');
    expect(await calls.nth(0).locator('.result').textContent()).toBe('←\u00a0three little words\nand two more');
    expect(await calls.nth(1).locator('.result').textContent()).toBe('←\u00a06');
    // The model got the image as an image part, and the task names the files.
    const first = wire.requests.at(-2)!.body.messages as Array<{ role: string; content: any }>;
    const user = first.find((m) => m.role === 'user')!;
    expect(user.content[0].text).toContain('Attached files: notes.txt (text/plain, 31 bytes), dot.png (image/png, 70 bytes). Read them with the read_attachment tool.');
    expect(user.content[1]).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } });
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'attachments-phone');
    await page.close();
  });

  it('offers the tools of --tools and every --mcp server', async () => {
    const options = await (await fetch(`${url}/api/options`)).json();
    expect(options.extraTools).toEqual(expect.arrayContaining(['count_words', 'get_sum', 'mcp2_get_sum']));
    const page = await open();
    expect(await page.textContent('#hint')).toContain('Your tools (--tools, --mcp): count_words, ');
    await useOpenAI(page, 'tool');
    wire.push({ toolCalls: [{ name: 'get_sum', input: { a: 2, b: 3 } }, { name: 'mcp2_get_sum', input: { a: 4, b: 5 } }] });
    wire.push({ toolCalls: [{ name: 'final_answer', input: { answer: '5 and 9' } }] });
    await ask(page, 'Add 2+3 and 4+5 with the MCP servers.');
    await turnDone(page);
    expect(await page.locator('.call .result').nth(0).textContent()).toContain('5');
    expect(await page.locator('.call .result').nth(1).textContent()).toContain('9');
    expect(await page.textContent('.answer')).toBe('Final answer: 5 and 9');
    await page.close();
  });

  it('shows a model error and bad input clearly, and marks a model without its key', async () => {
    wire.push({ status: 401, message: 'Incorrect API key provided' });
    const page = await open();
    await page.selectOption('#model', 'openai');
    await page.click('#run');
    await page.waitForSelector('#failure', { state: 'visible', ...WAIT });
    expect(await page.textContent('#failure')).toBe('openai/gpt-4.1-mini failed with HTTP 401: Incorrect API key provided');
    expect(await page.textContent('#status')).toBe('Failed.');
    expect(await page.locator('.step').count()).toBe(0);
    expect(await page.isEnabled('#run')).toBe(true);
    // The failed first question left nothing to continue: the page starts afresh, question kept.
    expect(await page.isEnabled('#model')).toBe(true);
    expect(await page.textContent('#run')).toBe('Run');
    expect(await page.inputValue('#task')).toMatch(/^What do 3 apples/);

    await page.selectOption('#model', 'scripted');
    await page.fill('#task', '   ');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('failure')!.textContent === 'Write a task first (or pick an example).', undefined, WAIT);
    await page.fill('#task', 'Plan my holidays.');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('failure')!.textContent!.startsWith('The scripted model only knows the example tasks'), undefined, WAIT);
    // Anthropic has no key on this server: the option says so and cannot be chosen…
    const anthropic = page.locator('#model option[value=anthropic]');
    expect(await anthropic.isDisabled()).toBe(true);
    expect(await anthropic.textContent()).toBe('anthropic (not set up)');
    expect(await page.textContent('#hint')).toContain('anthropic: ANTHROPIC_API_KEY is not set.');
    // …and a request that asks for it anyway gets the reason; so does a bad agent or approval setting.
    const turn = (body: object) =>
      page.evaluate(async (b) => (await fetch('/api/turn', { method: 'POST', body: JSON.stringify(b) })).text(), body);
    expect(await turn({ task: 'hi', model: 'anthropic' })).toBe('event: failure\ndata: {"message":"ANTHROPIC_API_KEY is not set."}\n\n');
    expect(await turn({ task: 'hi', agent: 'json' })).toContain('Unknown agent type \\"json\\": use tool or code.');
    expect(await turn({ task: 'hi', approve: 'maybe' })).toContain('approve takes ask|all|none');
    expect(await turn({ task: 'hi', conversation: 'nope' })).toContain('This conversation has ended');
    await page.close();
  });

  it('Stop ends the run with its totals and no empty step; closing the page stops it too', async () => {
    // Step 1 calls a tool; in step 2 the model goes silent (a server that never answers), so Stop
    // lands while the model "thinks" — whatever the machine's speed.
    wire.push({ text: 'I look up the price.', toolCalls: [{ name: 'get_price', input: { product: 'apple' } }], usage: { input: 1000, output: 40 } });
    wire.push({ text: 'Now the tax.', stallAfterEvents: 0 });
    const page = await open(PHONE);
    await useOpenAI(page, 'tool');
    await ask(page, 'What do 3 apples cost with German tax?');
    await page.locator('.step').nth(1).waitFor(WAIT);
    expect(await page.locator('.call .result').first().textContent()).toBe('←\u00a00.5');
    await page.click('#stop');
    await turnDone(page);
    // The totals of the stopped run, counting the steps shown; step 2 did nothing and has no card.
    expect(await page.textContent('.totals')).toMatch(/^stopped · 1 step · 1040 tokens · ~\$0\.00046 \(estimated at list price\) · \d+\.\d\d s/);
    expect(await page.locator('.step').count()).toBe(1);
    const empty = await page.locator('.step').evaluateAll((steps) => steps.filter((s) => !s.querySelector('.thought, .call, pre, .output, .error')).length);
    expect(empty).toBe(0);
    expect(await page.locator('.answer').count()).toBe(0);
    expect(await page.textContent('#status')).toMatch(/^stopped · 1 step · /);
    await expect.poll(() => serverLog, WAIT).toMatch(/run \d+: stopped from the page after \d steps/);
    await shot(page, 'stopped-phone');
    // The conversation goes on after a stop.
    wire.push({ toolCalls: [{ name: 'final_answer', input: { answer: '1.79 EUR' } }] });
    await ask(page, 'Just give me the answer.');
    await turnDone(page, 1);
    expect(await page.locator('.turn').nth(1).locator('.answer').textContent()).toBe('Final answer: 1.79 EUR');
    await page.close();

    wire.push({ text: 'Thinking…', stallAfterEvents: 0 });
    const again = await open();
    await useOpenAI(again, 'tool');
    await ask(again, 'Anything.');
    await again.locator('.step').first().waitFor(WAIT);
    // (The page's own state: a top-level binding of its script, read as an expression.)
    const conversationId = await again.evaluate<string>('conversation.id');
    await again.close(); // mid-run
    // The run stops (the page lets go of its conversation as it goes, and its stream closes), and
    // the conversation — the agent, a CodeAgent's sandbox — is closed.
    const runId = /run (\d+): tool agent on openai\/gpt-4\.1-mini\n(?![\s\S]*run \d+: tool agent)/.exec(serverLog)![1];
    await expect.poll(() => serverLog, WAIT).toMatch(new RegExp(`run ${runId}: stopped( from the page|: the page closed the stream) after \\d steps`));
    await expect.poll(() => serverLog, WAIT).toContain(`conversation ${conversationId.slice(0, 8)} closed (by the page)`);
  });
});

describe('starting the playground', () => {
  /** Runs `src/main.ts` with these options until it exits (they all exit before listening). */
  const start = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'src/main.ts', ...args], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, PORT: '0', INIT_CWD: '' },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => resolve({ code, out }));
    });

  it('explains its options, and refuses bad ones with a clear message before listening', async () => {
    const [help, missing, approve, mcp] = await Promise.all([
      start(['--help']),
      start(['--tools', './test/fixtures/nope.ts']),
      start(['--approve', 'maybe']),
      start(['--mcp', `${process.execPath} -e "process.exit(3)"`]),
    ]);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--tools <module>');
    expect(help.out).toContain('--mcp <server>');
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('actkit playground: Cannot load the tools module ./test/fixtures/nope.ts');
    expect(approve.code).toBe(2);
    expect(approve.out).toContain('--approve takes ask|all|none, or tool=ask|all|none per tool, not "maybe".');
    expect(mcp.code).toBe(3);
    expect(mcp.out).toContain('actkit playground: Cannot use the MCP server');
  }, 180_000);
});

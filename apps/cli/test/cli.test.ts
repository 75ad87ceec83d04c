import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerExecutor } from '@actkit/executor-docker';
import { type ScriptedServer, startAnthropicServer, startOpenAIServer } from '@actkit/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// The real CLI as a process, started the way `pnpm start` starts it (tests run it from source;
// one test builds and runs the `actkit` binary itself). No key or model leaks in from the shell.
const CLEAN_ENV = {
  OPENAI_API_KEY: '',
  ANTHROPIC_API_KEY: '',
  OPENAI_BASE_URL: '',
  ANTHROPIC_BASE_URL: '',
  ACTKIT_MODEL: '',
  ACTKIT_PROVIDER: '',
  FORCE_COLOR: undefined,
  NO_COLOR: '1',
};

interface Finished {
  code: number | null;
  out: string;
  err: string;
}

function start(args: string[], env: Record<string, string | undefined> = {}, command = [process.execPath, '--import', 'tsx', 'src/cli.ts']) {
  const child: ChildProcess = spawn(command[0]!, [...command.slice(1), ...args], { env: { ...process.env, ...CLEAN_ENV, ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const done = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
  return { child, done, output: () => out };
}
const cli = (args: string[], env?: Record<string, string | undefined>) => start(args, env).done;

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'actkit-cli-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('actkit run', () => {
  it('runs a CodeAgent and shows each step: thought, code, tool calls, output, answer', async () => {
    const r = await cli(['run', 'What is 6 times 7?', '--model', 'scripted', '--script', 'examples/code-calculator.json', '--tools', 'calculator']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('━━ CodeAgent');
    expect(r.out).toContain('── Step 1');
    expect(r.out).toContain('Thought: I will use the calculator.');
    expect(r.out).toContain("const x = calculator({ a: 6, op: '*', b: 7 });");
    expect(r.out).toContain('→ calculator({"a":6,"op":"*","b":7})');
    expect(r.out).toMatch(/Output:\n\s+│ 42/);
    expect(r.out).toContain('✔ Final answer: 42');
    // No price for the scripted model: no cost shown rather than a made-up one.
    expect(r.out).not.toContain('$');
  });

  it('takes the "--" that `pnpm start -- …` passes on, and prints only the answer with -q', async () => {
    const r = await cli(['--', 'run', 'What is 6 times 7?', '-m', 'scripted', '--script', 'examples/code-calculator.json', '-q']);
    expect(r).toMatchObject({ code: 0, out: '42\n', err: '' });
  });

  it('prints JSON for machines, without the prompts', async () => {
    const r = await cli(['run', 'What is 6 times 7?', '--agent', 'tool', '--model', 'scripted', '--script', 'examples/tool-calculator.json', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({ state: 'success', output: 42, agent: 'tool', model: { provider: 'scripted', id: 'scripted' }, costUsd: null });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0].toolCalls[0]).toMatchObject({ toolName: 'calculator', output: 42 });
    expect(result.steps[0].modelInput).toBeUndefined();
  });

  it('exits 1 when the agent gives no final answer, saying why; the step limit is a warning, never an answer', async () => {
    const script = file('chatty.json', ['<code>console.log(1)</code>', '<code>console.log(2)</code>', 'Checking again.\n<code>\nconsole.log(3);\n</code>']);
    const quiet = await cli(['run', 'go', '--model', 'scripted', '--script', script, '--max-steps', '2', '-q']);
    expect(quiet.code).toBe(1);
    // -q prints answers only: the model's best guess at the step limit is not one.
    expect(quiet.out).toBe('');
    expect(quiet.err).toContain('actkit: the agent did not give a final answer (it reached --max-steps 2).');
    const shown = await cli(['run', 'go', '--model', 'scripted', '--script', script, '--max-steps', '2']);
    expect(shown.code).toBe(1);
    expect(shown.out).toContain('── Step 2');
    expect(shown.out).not.toContain('── Step 3');
    expect(shown.out).toContain('── Step limit reached: asking for the best answer from memory');
    expect(shown.out).not.toContain('✔ Final answer');
    expect(shown.out).toMatch(/⚠ No final answer within the step limit\. Best answer from memory:\n {2}Checking again\./);
    expect(shown.out).toMatch(/max_steps \(step limit reached\) · 2 steps · ~\d+ tokens \(estimated\)/);
  });

  it('names the model and the sandbox in its header, and marks estimated token counts', async () => {
    const r = await cli(['run', 'What is 6 times 7?', '-m', 'scripted', '--script', 'examples/code-calculator.json']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('CodeAgent (JavaScript code actions) · model: scripted (replays examples/code-calculator.json; no LLM is called) · sandbox: local · at most 10 steps');
    expect(r.out).toMatch(/ms · ~\d+ tokens in, ~\d+ out \(estimated\)/);
  });

  it('ends quietly with 141 when the reader of its output goes away (| head)', async () => {
    const script = file('long.json', Array.from({ length: 8 }, (_, i) => `Step ${i}.\n<code>\nconsole.log(${i});\n</code>`));
    const run = start(['run', 'go', '--model', 'scripted', '--script', script, '--max-steps', '8']);
    // Like `head -1`: read the first line, then close the pipe.
    await expect.poll(() => run.output(), { timeout: 30_000 }).toContain('\n');
    run.child.stdout!.destroy();
    const r = await run.done;
    expect(r.code).toBe(141);
    expect(r.err).not.toContain('EPIPE');
  });

  it('uses your own tools from a TypeScript module (--tools ./my-tools.ts)', async () => {
    const r = await cli(['run', 'shout', '-a', 'tool', '-m', 'scripted', '--script', 'test/fixtures/shout.json', '--tools', './test/fixtures/my-tools.ts']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('← shout: HELLO! (');
    const none = await cli(['run', 'x', '-m', 'scripted', '--script', 'examples/code-calculator.json', '--tools', './examples/code-calculator.json']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('exports no actkit tools');
  });

  it("uses an MCP server's tools (--mcp \"command\"), closing the server at the end", async () => {
    const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
    const r = await cli(['run', 'sum', '-a', 'tool', '-m', 'scripted', '--script', 'test/fixtures/mcp-sum.json', '--tools', 'none', '--mcp', `${process.execPath} ${everything} stdio`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('← get_sum: ');
    expect(r.out).toContain('✔ Final answer: 5');
    const bad = await cli(['run', 'x', '-a', 'tool', '-m', 'scripted', '--script', 'test/fixtures/mcp-sum.json', '--mcp', 'node -e "process.exit(3)"']);
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('Cannot use the MCP server');
  });

  it('decides approvals without a terminal by --approve all|none, per tool too', async () => {
    const args = ['run', 'order', '-a', 'tool', '-m', 'scripted', '--script', 'test/fixtures/order-lamps.json', '--tools', 'get_price,place_order'];
    const none = await cli([...args, '--approve', 'none']);
    expect(none.out).toContain('✗ place_order: Denied by the user: calls of this tool are denied (--approve none)');
    const all = await cli([...args, '--approve', 'none,place_order=all']);
    expect(all.out).toContain('✓ approved');
    expect(all.out).toContain('← place_order: {"orderId":"ORD-LAMP-3","item":"lamp","quantity":3,"totalEur":135}');
    // ask (the default) with nobody at a terminal: not approved, saying nobody decided and what to do.
    const asked = await cli(args);
    expect(asked.out).toContain('✗ place_order: Not approved: nobody at a terminal to approve it (use --approve all or none when not interactive)');
    const bad = await cli([...args, '--approve', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--approve takes ask|all|none');
  });

  it('exits 2 on bad usage, with a clear message', async () => {
    const usage = async (args: string[], message: RegExp) => {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    };
    // Each case is its own process; they run side by side.
    await Promise.all([
      usage(['run', 'x', '--frobnicate'], /^actkit: Unknown option '--frobnicate'\.\nSee actkit --help\.\n$/),
      usage(['dance'], /Unknown command "dance": use run or compare/),
      usage(['run', 'x', '-m', 'scripted', '--script', 'examples/tool-calculator.json', '--tools', 'laser'], /Unknown tool "laser"\. Available: calculator, clock, get_price/),
      usage(['run', '-m', 'scripted'], /actkit run needs a task/),
      usage(['run', 'x', '--max-steps', 'many'], /--max-steps must be a positive whole number, not "many"/),
      usage(['run', 'x', '--report', 'r.html'], /Unknown option '--report'/),
      usage(['run', 'x', '-m', 'scripted'], /The scripted model needs its replies: pass --script/),
      usage(['run', 'x', '-m', 'scripted', '--script', join(dir, 'missing.json')], /Cannot read the script .*missing\.json/),
      usage(['run', 'x', '-m', 'scripted', '--script', file('bad-script.json', { replies: 1 })], /must be a non-empty JSON array of replies/),
      usage(['run', 'x', '--agent', 'tool', '--executor', 'docker'], /--executor and --docker-image are for --agent code/),
      usage(['run', 'x', '--agent', 'json'], /Unknown agent "json": use tool or code/),
      usage(['run', 'x', '--model', 'llama3.2'], /Which provider serves "llama3\.2"\?/),
    ]);
    const bare = await cli([]);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('Usage: actkit <command> [options]');
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('compare [tasks.json]');
    // Each command has its own help, with examples, wrapped to 80 columns off a terminal.
    const run = await cli(['run', '--help']);
    expect(run.out).toMatch(/Exit codes\n {2}0 {4}success/);
    expect(run.out).toContain('--approve mode');
    expect(run.out).toContain('Examples');
    expect(run.out).not.toContain('--report');
    const compare = await cli(['compare', '--help']);
    expect(compare.out).toContain('-o, --report file.html');
    expect(compare.out).not.toContain('--approve');
    for (const text of [help.out, run.out, compare.out]) expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('exits 3 on a missing key, before anything runs', async () => {
    const setup = async (args: string[], env: Record<string, string>, message: RegExp) => {
      const r = await cli(args, env);
      expect({ args, code: r.code }).toEqual({ args, code: 3 });
      expect(r.err).toMatch(message);
    };
    await Promise.all([
      setup(['run', 'x', '--model', 'gpt-4.1'], {}, /^actkit: OPENAI_API_KEY is not set\. Set it, or use an OpenAI-compatible server/),
      setup(['run', 'x', '--model', 'claude-sonnet-5-5'], {}, /ANTHROPIC_API_KEY is not set/),
      setup(['run', 'x', '--model', 'gpt-4.1', '--api-key-env', 'MY_ROUTER_KEY'], { OPENAI_API_KEY: 'sk-unused' }, /MY_ROUTER_KEY is not set/),
      setup(['run', 'x'], {}, /No model is configured: set OPENAI_API_KEY or ANTHROPIC_API_KEY/),
    ]);
  });

  it('exits 3 on a model error, also as JSON', async () => {
    const script = file('failing.json', [{ error: 'the model is overloaded' }]);
    const r = await cli(['run', 'x', '--model', 'scripted', '--script', script]);
    expect(r.code).toBe(3);
    expect(r.err).toBe('actkit: Model call failed (scripted/scripted): the model is overloaded\n');
    const json = await cli(['run', 'x', '--model', 'scripted', '--script', script, '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out)).toMatchObject({ exitCode: 3, error: { name: 'ModelCallError', message: expect.stringContaining('overloaded') } });
  });

  it('talks to an OpenAI-compatible server (--base-url), with the key from --api-key-env and the cost per step', async () => {
    server = await startOpenAIServer([{ text: 'Computing.\n<code>\nfinal_answer(6 * 7);\n</code>', usage: { input: 1200, output: 80 } }]);
    const r = await cli(['run', 'What is 6 times 7?', '--base-url', `${server.url}/v1`, '--model', 'gpt-4.1-mini', '--api-key-env', 'ROUTER_KEY'], { ROUTER_KEY: 'sk-router' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('✔ Final answer: 42');
    expect(r.out).toContain('1200 tokens in, 80 out');
    // 1200 × $0.40 + 80 × $1.60 per million tokens.
    expect(r.out).toContain('$0.00061 (gpt-4.1-mini list prices)');
    expect(r.out).toContain('bill: input 1,200 tokens (1,200 fresh · 0 cache read · 0 cache write) · output 80 · $0.00061 at gpt-4.1-mini list prices');
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-router');
    expect(server.requests[0]!.body).toMatchObject({ model: 'gpt-4.1-mini', stream: true });
  });

  it('talks to Anthropic (here a local wire-compatible server) as a ToolCallingAgent', async () => {
    server = await startAnthropicServer([
      { text: 'Let me compute.', toolCalls: [{ name: 'calculator', input: { a: 6, op: '*', b: 7 } }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 42 } }] },
    ]);
    const r = await cli(['run', 'What is 6 times 7?', '--agent', 'tool', '--model', 'claude-sonnet-5-5', '--base-url', server.url, '--tools', 'calculator', '-q'], {
      ANTHROPIC_API_KEY: 'sk-ant-test',
    });
    expect(r).toMatchObject({ code: 0, out: '42\n' });
    expect(JSON.stringify(server.requests[0]!.headers)).toContain('sk-ant-test');
    expect(server.requests[0]!.body.tools.map((t: { name: string }) => t.name)).toEqual(['calculator', 'final_answer']);
  });

  it("exits 3 with a hint when the model's API refuses the key", async () => {
    server = await startOpenAIServer([{ status: 401, message: 'Incorrect API key provided' }]);
    const r = await cli(['run', 'x', '--base-url', `${server.url}/v1`, '--model', 'gpt-4.1-mini'], { OPENAI_API_KEY: 'sk-wrong' });
    expect(r.code).toBe(3);
    expect(r.err).toBe('actkit: openai/gpt-4.1-mini failed with HTTP 401: Incorrect API key provided\nCheck the API key (and --api-key-env).\n');
  });

  it('names the URL it could not reach', async () => {
    const r = await cli(['run', 'x', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'gpt-4.1-mini'], { OPENAI_API_KEY: 'sk-test' });
    expect(r.code).toBe(3);
    expect(r.err).toContain('(http://127.0.0.1:9/v1)');
    expect(r.err).toContain('Check that the server is running and the base URL is right.');
  });

  it('stops cleanly on Ctrl-C and exits 130', async () => {
    server = await startOpenAIServer([{ text: '<code>final_answer(1)</code>', delayMs: 30_000 }]);
    const run = start(['run', 'x', '--base-url', `${server.url}/v1`, '--model', 'gpt-4.1-mini']);
    await expect.poll(() => run.output(), { timeout: 20_000 }).toContain('── Step 1');
    await expect.poll(() => server!.requests.length, { timeout: 20_000 }).toBe(1);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.err).toContain('actkit: stopping… (Ctrl-C again to quit at once)');
    expect(r.err).toContain('actkit: interrupted.');
  });

  it('reports an unreachable Docker engine as a setup error before calling the model', async () => {
    const r = await cli(['run', 'x', '-m', 'scripted', '--script', 'examples/code-calculator.json', '--executor', 'docker'], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^actkit: The docker executor could not start: .*nonexistent\/docker\.sock/);
    expect(r.err).toContain('Is the Docker engine running (DOCKER_HOST)');
    expect(r.out).toBe('');
  });
});

describe('the actkit binary', () => {
  beforeAll(() => {
    const build = spawnSync('node_modules/.bin/tsup', { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
  }, 120_000);

  it('is built with its shebang and runs as `actkit`', async () => {
    accessSync('dist/cli.js', constants.X_OK);
    const r = await start(['run', 'What is 6 times 7?', '-m', 'scripted', '--script', 'examples/code-calculator.json', '-q'], {}, ['./dist/cli.js']).done;
    expect(r).toMatchObject({ code: 0, out: '42\n' });
    const version = await start(['--version'], {}, ['./dist/cli.js']).done;
    expect(version.out.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});

// The Docker executor for real, when an engine is there (CI starts one and sets ACTKIT_REQUIRE_DOCKER=1).
const docker = new DockerExecutor().sandboxes.docker;
const dockerUp = await docker.ping().then(
  () => true,
  () => false,
);
if (!dockerUp) {
  if (process.env.ACTKIT_REQUIRE_DOCKER === '1') throw new Error('No Docker engine, and ACTKIT_REQUIRE_DOCKER=1.');
  console.warn('\n!!! No Docker engine: the CLI\'s --executor docker test is SKIPPED.\n');
}

describe.skipIf(!dockerUp)('actkit run --executor docker', () => {
  const image = 'actkit-node-offline:test';
  beforeAll(async () => {
    const { buildOfflineNodeImage } = await import('@actkit/executor-docker');
    const exists = await docker.getImage(image).inspect().then(
      () => true,
      () => false,
    );
    if (!exists) await buildOfflineNodeImage(docker, { tag: image });
  }, 300_000);

  it('runs the code action in a container', async () => {
    const r = await cli(['run', 'What is 6 times 7?', '-m', 'scripted', '--script', 'examples/code-calculator.json', '--executor', 'docker', '--docker-image', image]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('← calculator: 42');
    expect(r.out).toContain('✔ Final answer: 42');
  });

  it('names a missing image and how to choose another', async () => {
    const r = await cli(['run', 'x', '-m', 'scripted', '--script', 'examples/code-calculator.json', '--executor', 'docker', '--docker-image', 'actkit-no-such-image:none']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('actkit-no-such-image:none');
    expect(r.err).toContain('--docker-image');
  });
});

describe('actkit compare', () => {
  it('runs the built-in task set through both agents offline, side by side, with a chart and an HTML report', async () => {
    const report = join(dir, 'report.html');
    const r = await cli(['compare', '--report', report]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Model: scripted — each task's replies are replayed");
    expect(r.out).toContain('8 tasks · at most 10 steps each');
    expect(r.out).toContain('Token counts are estimated from text length.');
    // Times are ms or s, as long as the machine takes.
    expect(r.out).toMatch(/basket-with-tax\s+✔\s+5\s+\d+\s+[\d.]+ m?s\s+0 │ ✔\s+1\s+\d+/);
    expect(r.out).toMatch(/total\s+8\/8\s+31\s+\d+\s+[\d.]+ m?s\s+0 │ 8\/8\s+9\s+\d+\s+[\d.]+ m?s\s+1/);
    expect(r.out).toMatch(/steps {3}tool █{36} 31\n {8}code █{10} {26} 9/);
    expect(r.out).toContain('drinks-in-gbp · CodeAgent · step 1: ReferenceError on line 2: get_rate is not defined (recovered)');
    expect(r.out).toContain(`Report written to ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<th scope="row">trip-order</th>');
    expect(html).toContain('Berlin→Rome→Paris→Berlin is cheaper: 734 EUR');
    // No figure of a replay can pass for a model's results, even cropped.
    expect(html.match(/<span class="badge">scripted replay<\/span>/g)).toHaveLength(3);
    expect(html.match(/<figcaption>[^<]*· scripted replay<\/figcaption>/g)).toHaveLength(2);
  });

  it('never counts the step-limit answer as a step: "at most N steps" holds', async () => {
    const tasks = file('stubborn.json', [
      {
        id: 'stubborn',
        task: 'What is 6 times 7?',
        tools: ['calculator'],
        expect: { number: 42 },
        scripted: {
          tool: [{ toolCalls: [{ name: 'calculator', input: { a: 6, op: '*', b: 7 } }] }, { toolCalls: [{ name: 'calculator', input: { a: 6, op: '*', b: 7 } }] }, { text: '42' }],
          code: ['<code>console.log(1)</code>', '<code>console.log(2)</code>', '42'],
        },
      },
    ]);
    const r = await cli(['compare', tasks, '--max-steps', '2', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.tasks[0].tool).toMatchObject({ steps: 2, state: 'max_steps', success: false });
    expect(json.tasks[0].code).toMatchObject({ steps: 2, state: 'max_steps', success: false });
    const one = await cli(['compare', tasks, '--max-steps', '1']);
    expect(one.out).toContain('1 task · at most 1 step each');
  });

  it('prints JSON for machines', async () => {
    const r = await cli(['compare', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.tasks).toHaveLength(8);
    expect(json.tasks.every((t: { tool: { success: boolean }; code: { success: boolean } }) => t.tool.success && t.code.success)).toBe(true);
    expect(json.totals).toMatchObject({ tool: { success: 8, steps: 31 }, code: { success: 8, steps: 9, errors: 1 } });
  });

  it('gives real numbers on a real model (here a local OpenAI-compatible server), costs included', async () => {
    const tasks = file('one-task.json', [{ id: 'six-times-seven', task: 'What is 6 times 7?', tools: ['calculator'], expect: { number: 42 } }]);
    // The same server answers each agent in its own way of acting.
    const reply = (request: { body: Record<string, any> }) =>
      request.body.tools?.length ? { toolCalls: [{ name: 'final_answer', input: { answer: 42 } }], usage: { input: 900, output: 20 } } : { text: '<code>final_answer(6 * 7)</code>', usage: { input: 700, output: 15 } };
    server = await startOpenAIServer([reply, reply]);
    const r = await cli(['compare', tasks, '--base-url', `${server.url}/v1`, '--model', 'gpt-4.1-mini', '--json'], { OPENAI_API_KEY: 'sk-test' });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.model).toEqual({ provider: 'openai', id: 'gpt-4.1-mini' });
    expect(json.tasks[0].tool).toMatchObject({ success: true, steps: 1, tokens: 920, costUsd: expect.closeTo(0.000392, 9) });
    expect(json.tasks[0].code).toMatchObject({ success: true, steps: 1, tokens: 715, costUsd: expect.closeTo(0.000304, 9) });
    expect(json.tasks[0].tool.bill).toMatchObject({ inputTokens: { fresh: 900, cacheRead: 0, cacheWrite: 0, total: 900 }, outputTokens: 20, modelId: 'gpt-4.1-mini' });
    expect(json.totals.code.bill).toMatchObject({ inputTokens: { total: 700 }, outputTokens: 15, cost: expect.closeTo(0.000304, 9) });
  });

  it('stops at a key the model refuses rather than failing every task', async () => {
    server = await startOpenAIServer([{ status: 401, message: 'Incorrect API key provided' }]);
    const r = await cli(['compare', '--base-url', `${server.url}/v1`, '--model', 'gpt-4.1-mini'], { OPENAI_API_KEY: 'sk-wrong' });
    expect(r.code).toBe(3);
    expect(r.err).toContain('Check the API key (and --api-key-env).');
    expect(server.requests).toHaveLength(1);
  });

  it('stops on Ctrl-C with the partial results, exit 130', async () => {
    const tasks = file('two-tasks.json', [
      { id: 'first', task: 'What is 6 times 7?', tools: [], expect: { number: 42 } },
      { id: 'second', task: 'What is 7 times 8?', tools: [], expect: { number: 56 } },
    ]);
    server = await startOpenAIServer([
      { toolCalls: [{ name: 'final_answer', input: { answer: 42 } }] },
      { text: '<code>final_answer(42)</code>' },
      { toolCalls: [{ name: 'final_answer', input: { answer: 56 } }], delayMs: 30_000 },
    ]);
    const run = start(['compare', tasks, '--base-url', `${server.url}/v1`, '--model', 'gpt-4.1-mini']);
    await expect.poll(() => server!.requests.length, { timeout: 20_000 }).toBe(3);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.out).toContain('Interrupted: the results below are partial.');
    expect(r.out).toMatch(/first\s+✔\s+1 .* │ ✔\s+1 /);
    expect(r.out).not.toContain('second');
  });

  it('rejects a bad task set with the task and field named', async () => {
    const bad = await cli(['compare', file('bad-tasks.json', [{ id: 'a', task: 'x', tools: ['laser'], expect: { number: 1 } }])]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/is not a task set at 0\.tools\.0: unknown tool "laser"/);
    const unscripted = await cli(['compare', file('unscripted.json', [{ id: 'plain', task: 'x', tools: [], expect: { number: 1 } }])]);
    expect(unscripted.code).toBe(2);
    expect(unscripted.err).toContain('Task "plain" has no scripted replies: name a model (--model …) to run this task set.');
    expect((await cli(['compare', 'a.json', 'b.json'])).err).toContain('actkit compare takes one task set, got 2');
  });
});

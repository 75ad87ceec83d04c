import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The real CLI, run as a process.
const cli = (args: string[], env: Record<string, string | undefined> = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'actkit-cli-'));

describe('actkit run', () => {
  it('runs a CodeAgent and shows each step, then exits 0', () => {
    const r = cli(['run', 'What is 6 times 7?', '--provider', 'scripted', '--script', 'examples/code-calculator.json', '--tools', 'calculator']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('── Step 1');
    expect(r.out).toContain("const x = calculator({ a: 6, op: '*', b: 7 });");
    expect(r.out).toContain('→ calculator({"a":6,"op":"*","b":7})');
    expect(r.out).toContain('✔ Final answer: 42');
  });

  it('prints JSON for machines', () => {
    const r = cli(['run', 'What is 6 times 7?', '--agent', 'tool', '--provider', 'scripted', '--script', 'examples/tool-calculator.json', '--tools', 'calculator', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result).toMatchObject({ state: 'success', output: 42 });
    expect(result.steps.length).toBeGreaterThan(1);
  });

  it('exits 1 when the agent does not succeed', () => {
    const script = join(dir, 'chatty.json');
    writeFileSync(script, JSON.stringify(['<code>console.log(1)</code>', '<code>console.log(2)</code>', 'my best guess']));
    const r = cli(['run', 'go', '--provider', 'scripted', '--script', script, '--max-steps', '2', '-q']);
    expect(r.code).toBe(1);
    expect(r.out.trim()).toBe('my best guess');
  });

  it('exits 2 on bad usage, with a clear message', () => {
    const unknownFlag = cli(['run', 'x', '--frobnicate']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.err).toMatch(/Unknown option '--frobnicate'/);
    expect(cli(['dance']).err).toMatch(/Unknown command "dance"/);
    expect(cli(['run', 'x', '--provider', 'scripted', '--script', 'examples/tool-calculator.json', '--tools', 'laser']).err).toMatch(/Unknown tool "laser"/);
    expect(cli([]).code).toBe(2);
    expect(cli(['--help']).code).toBe(0);
  });

  it('exits 3 on a missing key or a model error', () => {
    const missing = cli(['run', 'x', '--provider', 'openai']);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/OPENAI_API_KEY is not set/);
    const script = join(dir, 'failing.json');
    writeFileSync(script, JSON.stringify([{ error: 'the model is overloaded' }]));
    const failing = cli(['run', 'x', '--provider', 'scripted', '--script', script]);
    expect(failing.code).toBe(3);
    expect(failing.err).toMatch(/the model is overloaded/);
  });
});

describe('actkit compare', () => {
  it('runs the task set through both agents offline, side by side, with an HTML report', () => {
    const report = join(dir, 'report.html');
    const r = cli(['compare', 'tasks/m3-lite.json', '--report', report]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Model: SCRIPTED');
    expect(r.out).toMatch(/basket-with-tax\s+✔\s+5 steps.*✔\s+1 steps/);
    expect(r.out).toMatch(/total\s+4\/4 ✔\s+16 steps.*4\/4 ✔\s+5 steps/);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('drinks-in-gbp');
    const json = JSON.parse(cli(['compare', 'tasks/m3-lite.json', '--json']).out);
    expect(json).toHaveLength(4);
    expect(json.every((row: { tool: { success: boolean }; code: { success: boolean } }) => row.tool.success && row.code.success)).toBe(true);
  });
});

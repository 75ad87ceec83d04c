import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

// The CLI in a real terminal: tmux gives it a pty, `send-keys` types, `capture-pane` reads the
// screen, as a person would see it. Skipped, saying so, without tmux (required in CI).
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.ACTKIT_REQUIRE_TMUX === '1') throw new Error('tmux is required here (ACTKIT_REQUIRE_TMUX=1) but not installed.');
if (!hasTmux) console.warn('[skip] tmux is not installed: the terminal tests of the CLI are skipped.');

// A server of our own, so that no other tmux session on the machine is touched.
const socket = `actkit-cli-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (session: string) => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session).stdout;

let sessions = 0;
/** Starts `actkit run …` (or another command) in a new tmux window; its exit code is printed as EXIT=n when it ends. */
function startInTerminal(args: string[], command = 'run'): string {
  const session = `s${++sessions}`;
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const line = `NO_COLOR=1 OPENAI_API_KEY= ANTHROPIC_API_KEY= ${process.execPath} --import tsx src/cli.ts ${command} ${quoted}; echo EXIT=$?; sleep 600`;
  const r = tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '50', '-c', process.cwd(), line);
  if (r.status !== 0) throw new Error(`tmux did not start: ${r.stderr}`);
  return session;
}

afterEach(() => {
  tmux('kill-server');
});

const ORDER = ['order 3 lamps', '-a', 'tool', '-m', 'scripted', '--script', 'test/fixtures/order-lamps.json', '--tools', 'get_price,place_order'];

describe.skipIf(!hasTmux)('approval at the terminal', () => {
  it('asks, showing the arguments readably, and y approves', async () => {
    const session = startInTerminal(ORDER);
    await expect.poll(() => screen(session), { timeout: 60_000, interval: 200 }).toContain('Approve? [y]es, [n]o, or type a reason to deny (300 s):');
    const shown = screen(session);
    expect(shown).toContain('? place_order needs your approval (step 1), with:');
    expect(shown).toMatch(/ {4}item: lamp\n {4}quantity: 3/);
    tmux('send-keys', '-t', session, 'y', 'Enter');
    await expect.poll(() => screen(session), { timeout: 60_000, interval: 200 }).toContain('EXIT=0');
    const done = screen(session);
    expect(done).toContain('← place_order: {"orderId":"ORD-LAMP-3"');
    expect(done).toContain('✔ Final answer: done');
  });

  it('denies with the reason typed, which the model sees', async () => {
    const session = startInTerminal(ORDER);
    await expect.poll(() => screen(session), { timeout: 60_000, interval: 200 }).toContain('Approve?');
    tmux('send-keys', '-t', session, 'too many lamps', 'Enter');
    await expect.poll(() => screen(session), { timeout: 60_000, interval: 200 }).toContain('EXIT=0');
    expect(screen(session)).toContain('✗ place_order: Denied by the user: too many lamps');
  });

  it('counts no answer within --approve-timeout as not approved, and says nobody decided', async () => {
    const session = startInTerminal([...ORDER, '--approve-timeout', '2']);
    // The clock starts at the question, so the test waits on the screen, not on time.
    await expect.poll(() => screen(session), { timeout: 60_000, interval: 200 }).toContain('EXIT=0');
    expect(screen(session)).toContain('no answer within 2 s: not approved');
    expect(screen(session)).toContain('✗ place_order: Not approved: no answer within 2 s');
  });

  it('stops on Ctrl-C at the prompt with 130', async () => {
    const session = startInTerminal(ORDER);
    await expect.poll(() => screen(session), { timeout: 60_000, interval: 200 }).toContain('Approve?');
    tmux('send-keys', '-t', session, 'C-c');
    await expect.poll(() => screen(session), { timeout: 60_000, interval: 200 }).toContain('EXIT=130');
  });
});

describe.skipIf(!hasTmux)('Ctrl-C at the terminal', () => {
  it('stops compare cleanly with 130: the sandbox is not killed from under it', async () => {
    // The terminal sends SIGINT to the whole foreground process group; the sandbox's child
    // process is in a group of its own, so only actkit hears it and stops the comparison.
    const session = startInTerminal([], 'compare');
    await expect.poll(() => screen(session), { timeout: 120_000, interval: 200 }).toMatch(/[2-7]\/8 /);
    tmux('send-keys', '-t', session, 'C-c');
    await expect.poll(() => screen(session), { timeout: 120_000, interval: 200 }).toMatch(/EXIT=\d+/);
    const shown = screen(session);
    expect(shown).toContain('EXIT=130');
    expect(shown).toContain('Interrupted: the results below are partial.');
    expect(shown).not.toContain('could not start');
  });
});

import { createInterface } from 'node:readline';
import { type ApprovalPolicy, policyDecision } from '@actkit/app-kit';
import { type ApprovalDecision, type ApprovalOptions, type ApprovalRequest, undecided } from '@actkit/core';

export interface TerminalApprovalOptions {
  policy: ApprovalPolicy;
  /** How long a question waits for an answer before the call counts as not approved (nobody decided). */
  timeoutMs: number;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  /** Called before the question is printed (e.g. to clear a spinner). */
  beforeAsk?: () => void;
}

/**
 * Approval at the terminal: the call's arguments shown readably, then `y` approves, `n` denies, and
 * any other text denies with that text as the reason the model sees. No answer in time, or no
 * terminal to ask (choose `--approve all|none` for scripts), is not an approval: the model is told
 * nobody decided, and why.
 */
export function terminalApproval(options: TerminalApprovalOptions): ApprovalOptions {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  // One question at a time: parallel calls of a step wait their turn at the prompt.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    // The core's own wait limit stays above ours, so that our "no answer" message is the one seen.
    timeoutMs: options.timeoutMs + 60_000,
    decide: (request) => {
      const decided = policyDecision(options.policy, request.toolName);
      if (decided !== 'ask') return decided;
      if (!input.isTTY) return undecided('nobody at a terminal to approve it (use --approve all or none when not interactive)');
      const asked = queue.then(() => ask(request, input, output, options));
      queue = asked.catch(() => {});
      return asked;
    },
  };
}

async function ask(request: ApprovalRequest, input: NodeJS.ReadStream, output: NodeJS.WriteStream, options: TerminalApprovalOptions): Promise<ApprovalDecision> {
  // The run's own line about the request is printed first (its event is delivered on the next turn).
  await new Promise((resolve) => setImmediate(resolve));
  options.beforeAsk?.();
  const seconds = Math.round(options.timeoutMs / 1000);
  output.write(`\n? ${request.toolName} needs your approval (step ${request.stepNumber}), with:\n${readable(request.input)}\n`);
  const rl = createInterface({ input, output, terminal: true });
  return new Promise<ApprovalDecision>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (decision: ApprovalDecision, note: string) => {
      clearTimeout(timer);
      rl.close();
      output.write(`${note}\n`);
      resolve(decision);
    };
    // Nobody decided: the model is told so, not that the person said no.
    timer = setTimeout(() => finish(undecided(`no answer within ${seconds} s`), `\n  no answer within ${seconds} s: not approved`), options.timeoutMs);
    // Ctrl-C at the prompt stops the run as it does anywhere else (readline takes it from the terminal).
    rl.on('SIGINT', () => {
      finish({ approved: false, reason: 'interrupted' }, '');
      process.emit('SIGINT');
    });
    const question = () =>
      rl.question(`  Approve? [y]es, [n]o, or type a reason to deny (${seconds} s): `, (answer) => {
        const text = answer.trim();
        if (!text) return question();
        if (/^(y|yes)$/i.test(text)) return finish({ approved: true }, '  approved');
        if (/^(n|no)$/i.test(text)) return finish({ approved: false, reason: 'the person said no' }, '  denied');
        finish({ approved: false, reason: text }, '  denied');
      });
    question();
  });
}

/** Arguments as indented lines a person reads at a glance: `key: value`, JSON for nested values. */
function readable(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `    ${JSON.stringify(value)}`;
  return Object.entries(value)
    .map(([key, v]) => `    ${key}: ${typeof v === 'string' ? v : JSON.stringify(v, null, 2).replace(/\n/g, '\n    ')}`)
    .join('\n');
}

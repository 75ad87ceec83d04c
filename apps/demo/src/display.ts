import type { AgentStream, ModelResponse, RunEvent, RunResult } from '@actkit/core';

/** Prints a run as it happens: each step's thought, action, observation, then the answer. */

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint(1);
const dim = paint(2);
const red = paint(31);
const green = paint(32);
const yellow = paint(33);
const cyan = paint(36);

const out = (text = '') => process.stdout.write(`${text}\n`);
const indent = (text: string, prefix = '  ') => text.replace(/\n$/, '').split('\n').map((l) => prefix + l).join('\n');
const short = (value: unknown, max = 300) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

export async function watch(title: string, stream: AgentStream): Promise<RunResult> {
  out();
  out(bold(`━━ ${title}`));
  let printedLogs = false;
  for await (const event of stream) {
    print(event);
  }
  return stream.result;

  function print(event: RunEvent): void {
    switch (event.type) {
      case 'run-start':
        out(`${bold('Task:')} ${event.task.task}`);
        break;
      case 'step-start':
        printedLogs = false;
        out();
        out(cyan(`── Step ${event.stepNumber} ${'─'.repeat(50)}`));
        break;
      case 'model-response': {
        const thought = thoughtOf(event.text);
        if (thought) out(`${dim('Thought:')} ${thought}`);
        break;
      }
      case 'code':
        out(dim('Code:'));
        out(event.code.split('\n').map((line, i) => `${dim(String(i + 1).padStart(3))}  ${line}`).join('\n'));
        break;
      case 'tool-call':
        out(`${yellow('→')} ${event.toolName}(${short(event.input)})`);
        break;
      case 'tool-result':
        out(
          event.error
            ? `${red('✗')} ${event.toolName}: ${event.error.message}`
            : `${green('←')} ${event.toolName}: ${short(event.output)} ${dim(`(${event.durationMs.toFixed(1)} ms)`)}`,
        );
        break;
      case 'code-log':
        if (!printedLogs) out(dim('Output:'));
        printedLogs = true;
        out(indent(event.text, `  ${dim('│')} `));
        break;
      case 'step-finish': {
        const { step } = event;
        if (step.error) out(red(`Error: ${step.error.message}`));
        if (step.code && step.observation && !printedLogs && !step.finalAnswer) out(indent(step.observation, `  ${dim('│')} `));
        const tokens = step.usage.inputTokens.total ?? 0;
        out(dim(`   ${(step.timing.durationMs ?? 0).toFixed(0)} ms · ${tokens} tokens in, ${step.usage.outputTokens.total ?? 0} out`));
        break;
      }
      case 'final-answer':
        out();
        out(`${green(bold('✔ Final answer:'))} ${typeof event.output === 'string' ? event.output : JSON.stringify(event.output, null, 2)}`);
        break;
      case 'run-finish': {
        const r = event.result;
        const steps = r.steps.filter((s) => s.type === 'action').length;
        out(
          dim(
            `  ${r.state} · ${steps} steps · ${r.usage.inputTokens.total ?? 0} tokens in, ${r.usage.outputTokens.total ?? 0} out · ${(r.timing.durationMs / 1000).toFixed(2)} s`,
          ),
        );
        break;
      }
      default:
        break;
    }
  }
}

/** The prose of a reply, without its code. */
function thoughtOf(text: string): string {
  return text.split(/<code>|```/)[0]!.trim();
}

export type { ModelResponse };

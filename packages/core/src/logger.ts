import type { RunEvent } from './events.js';
import type { AgentHooks } from './features.js';
import { totalTokens } from './usage.js';

/**
 * A terminal view of a run, as a person wants to watch an agent work: each step's thought, its
 * code (highlighted) or tool calls, the observation, usage and time. Plug it in as hooks:
 *
 *   new CodeAgent({ …, hooks: createConsoleLogger({ level: 'info' }) })
 *
 * `quiet` prints nothing (for library use), `info` the steps, `debug` also streamed deltas.
 */
export type LogLevel = 'quiet' | 'info' | 'debug';

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stdout). */
  write?: (text: string) => void;
  /** ANSI colours (default: when writing to a terminal and NO_COLOR is unset). */
  color?: boolean;
}

export function createConsoleLogger(options: ConsoleLoggerOptions = {}): AgentHooks {
  const level = options.level ?? 'info';
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const color = options.color ?? (!!process.stdout.isTTY && !process.env.NO_COLOR);
  const paint = (code: number) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const bold = paint(1);
  const dim = paint(2);
  const red = paint(31);
  const green = paint(32);
  const yellow = paint(33);
  const magenta = paint(35);
  const cyan = paint(36);
  const out = (text = '') => write(`${text}\n`);
  const indent = (text: string, prefix: string) => text.replace(/\n$/, '').split('\n').map((l) => prefix + l).join('\n');
  const short = (value: unknown, max = 300) => {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
    return text.length > max ? `${text.slice(0, max)}…` : text;
  };
  const highlight = (code: string) =>
    color
      ? code.replace(
          /(\/\/[^\n]*)|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`)|\b(const|let|var|function|return|await|async|if|else|for|of|in|while|new|class|try|catch|throw|import|from)\b|\b(\d+(?:\.\d+)?n?)\b/g,
          (m, comment, str, keyword, num) => (comment ? dim(m) : str ? green(m) : keyword ? magenta(m) : num ? yellow(m) : m),
        )
      : code;
  let printedLogs = false;

  return {
    onEvent(event: RunEvent) {
      if (level === 'quiet') return;
      switch (event.type) {
        case 'run-start':
          out(bold(`━━ ${event.agentName}`));
          out(`${bold('Task:')} ${event.task.task}`);
          break;
        case 'planning':
          out(cyan('── Plan'));
          out(indent(event.step.plan, '  '));
          break;
        case 'step-start':
          printedLogs = false;
          out();
          out(cyan(`── Step ${event.stepNumber} ${'─'.repeat(50)}`));
          break;
        case 'text-delta':
          if (level === 'debug') write(dim(event.delta));
          break;
        case 'model-response': {
          if (level === 'debug') out();
          const thought = event.text.split(/<code>|```/)[0]!.trim();
          if (thought) out(`${dim('Thought:')} ${thought}`);
          break;
        }
        case 'code':
          out(dim('Code:'));
          out(highlight(event.code).split('\n').map((line, i) => `${dim(String(i + 1).padStart(3))}  ${line}`).join('\n'));
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
        case 'approval-request':
          out(yellow(`? approval needed: ${event.request.toolName}(${short(event.request.input)}) [${event.request.id}]`));
          break;
        case 'code-log':
          if (!printedLogs) out(dim('Output:'));
          printedLogs = true;
          out(indent(event.text, `  ${dim('│')} `));
          break;
        case 'step-finish': {
          const { step } = event;
          if (step.error) out(red(`Error: ${step.error.message}`));
          else if (step.code && step.observation && !printedLogs && !step.finalAnswer) out(indent(step.observation, `  ${dim('│')} `));
          out(dim(`   ${(step.timing.durationMs ?? 0).toFixed(0)} ms · ${step.usage.inputTokens.total ?? 0} tokens in, ${step.usage.outputTokens.total ?? 0} out`));
          break;
        }
        case 'final-answer':
          out();
          out(`${green(bold('✔ Final answer:'))} ${typeof event.output === 'string' ? event.output : JSON.stringify(event.output, null, 2)}`);
          break;
        case 'run-finish': {
          const r = event.result;
          const steps = r.steps.filter((s) => s.type === 'action').length;
          out(dim(`  ${r.state}${r.stopReason ? ` (${r.stopReason})` : ''} · ${steps} steps · ${totalTokens(r.usage)} tokens · ${(r.timing.durationMs / 1000).toFixed(2)} s`));
          break;
        }
        default:
          break;
      }
    },
  };
}

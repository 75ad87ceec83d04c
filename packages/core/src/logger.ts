import { AgentConfigError } from './errors.js';
import type { RunEvent } from './events.js';
import type { AgentHooks } from './features.js';
import { stepCount } from './inspect.js';
import { totalTokens } from './usage.js';

/** How much the console logger shows: `quiet` nothing, `info` each step, `debug` also the model's text as it streams. */
export type LogLevel = 'quiet' | 'info' | 'debug';

const LEVELS: readonly LogLevel[] = ['quiet', 'info', 'debug'];

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stdout). */
  write?: (text: string) => void;
  /** ANSI colours (default: when writing to a terminal and NO_COLOR is unset). */
  color?: boolean;
  /**
   * The model's token counts are estimates (a scripted model counts characters, not tokens): they
   * are shown as `~N … (estimated)` so that nobody takes them for a provider's bill.
   */
  estimatedTokens?: boolean;
}

/**
 * A terminal view of a run, as a person wants to watch an agent work: each step's thought, its
 * code (highlighted) or tool calls, the observation, usage and time. Plug it in as hooks:
 *
 *   new CodeAgent({ …, hooks: createConsoleLogger({ level: 'info' }) })
 *
 * `quiet` prints nothing (for library use), `info` the steps, `debug` also streamed deltas. A managed
 * agent's steps show indented under the call that ran it. Or for one run only:
 *
 *   await agent.run(task, { hooks: createConsoleLogger() })
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): AgentHooks {
  const level = options.level ?? 'info';
  if (!LEVELS.includes(level)) throw new AgentConfigError(`Unknown log level ${JSON.stringify(level)}: use ${LEVELS.join(', ')}.`);
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
  const json = (value: unknown, space?: number) => {
    try {
      return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v), space) ?? 'undefined';
    } catch {
      return String(value);
    }
  };
  const short = (value: unknown, max = 300) => {
    const text = typeof value === 'string' ? value : json(value);
    return text.length > max ? `${text.slice(0, max)}…` : text;
  };
  const highlight = (code: string) =>
    color
      ? code.replace(
          /(\/\/[^\n]*)|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`)|\b(const|let|var|function|return|await|async|if|else|for|of|in|while|new|class|try|catch|throw|import|from)\b|\b(\d+(?:\.\d+)?n?)\b/g,
          (m, comment, str, keyword, num) => (comment ? dim(m) : str ? green(m) : keyword ? magenta(m) : num ? yellow(m) : m),
        )
      : code;
  // Per nesting depth (0: the agent, 1: a managed agent it called, …): whether code output was shown.
  const printedLogs: boolean[] = [];
  // Whether this step's text was streamed to the screen (debug level), so it is not printed twice.
  let streamedText = false;
  const approx = options.estimatedTokens ? '~' : '';
  const tokens = (usage: { inputTokens: { total?: number | undefined }; outputTokens: { total?: number | undefined } }) =>
    `${approx}${usage.inputTokens.total ?? 0} tokens in, ${approx}${usage.outputTokens.total ?? 0} out${approx ? ' (estimated)' : ''}`;

  const show = (event: RunEvent, depth: number): void => {
    // A managed agent's lines are indented under the call that made them.
    const bar = dim('│ ').repeat(depth);
    const line = (text = '') => out(text.split('\n').map((l) => bar + l).join('\n'));
    switch (event.type) {
      case 'run-start':
        line(bold(depth === 0 ? `━━ ${event.agentName}` : `┌ managed agent ${event.agentName}`));
        line(`${bold('Task:')} ${depth === 0 ? event.task.task : short(event.task.task, 500)}`);
        if (event.task.files?.length) line(dim(`(+${event.task.files.length} files: ${event.task.files.map((f) => f.mediaType).join(', ')})`));
        break;
      case 'planning':
        line(cyan('── Plan'));
        line(indent(event.step.plan, '  '));
        line(dim(`   ${(event.step.timing.durationMs ?? 0).toFixed(0)} ms · ${tokens(event.step.usage)}`));
        break;
      case 'step-start':
        printedLogs[depth] = false;
        if (depth === 0) streamedText = false;
        line();
        line(
          event.afterStepLimit
            ? yellow(`── Step limit reached: asking for the best answer from memory ${'─'.repeat(Math.max(4, 20 - depth * 2))}`)
            : cyan(`── Step ${event.stepNumber} ${'─'.repeat(Math.max(10, 50 - depth * 2))}`),
        );
        break;
      case 'text-delta':
      case 'reasoning-delta':
        if (level === 'debug' && depth === 0) {
          write(dim(event.delta));
          streamedText = true;
        }
        break;
      case 'model-response': {
        if (depth === 0 && streamedText) {
          // The whole text, code included, is on the screen already.
          out();
          break;
        }
        const thought = event.text.split(/<code>|```/)[0]!.trim();
        if (thought) line(`${dim('Thought:')} ${thought}`);
        break;
      }
      case 'code':
        if (depth === 0 && streamedText) break;
        line(dim('Code:'));
        line(highlight(event.code).split('\n').map((l, i) => `${dim(String(i + 1).padStart(3))}  ${l}`).join('\n'));
        break;
      case 'tool-call':
        line(`${yellow('→')} ${event.toolName}(${short(event.input)})`);
        break;
      case 'tool-result':
        line(
          event.error
            ? `${red('✗')} ${event.toolName}: ${event.error.message}`
            : `${green('←')} ${event.toolName}: ${short(event.output)} ${dim(`(${event.durationMs.toFixed(1)} ms)`)}`,
        );
        break;
      case 'approval-request':
        line(yellow(`? approval needed: ${event.request.toolName}(${short(event.request.input)}) [${event.request.id}]`));
        break;
      case 'approval-decision':
        line(event.decision.approved ? green('✓ approved') : red(`✗ denied${event.decision.reason ? `: ${event.decision.reason}` : ''}`));
        break;
      case 'code-log':
        if (!printedLogs[depth]) line(dim('Output:'));
        printedLogs[depth] = true;
        line(indent(event.text, `  ${dim('│')} `));
        break;
      case 'step-finish': {
        const { step } = event;
        if (step.error) line(red(`Error: ${step.error.message}`));
        else if (step.code && step.observation && !printedLogs[depth] && !step.finalAnswer) line(indent(step.observation, `  ${dim('│')} `));
        line(dim(`   ${(step.timing.durationMs ?? 0).toFixed(0)} ms · ${tokens(step.usage)}`));
        break;
      }
      case 'managed-agent':
        show(event.event, depth + 1);
        break;
      case 'final-answer': {
        const text = typeof event.output === 'string' ? event.output : json(event.output, 2);
        line();
        // The step limit's answer is the model's best guess, not an answer it chose to give.
        if (event.afterStepLimit) line(`${yellow(bold('⚠ No final answer within the step limit.'))} ${dim('Best answer from memory:')}\n${indent(text ?? '', '  ')}`);
        else line(`${green(bold(depth === 0 ? '✔ Final answer:' : '✔ Answer:'))} ${text}`);
        break;
      }
      case 'run-finish': {
        const r = event.result;
        const steps = r.steps.filter((s) => s.type === 'action' && !s.afterStepLimit).length;
        const note = r.state === 'max_steps' ? ' (step limit reached)' : r.stopReason ? ` (${r.stopReason})` : '';
        line(dim(`${depth === 0 ? '  ' : '└ '}${r.state}${note} · ${stepCount(steps)} · ${approx}${totalTokens(r.usage)} tokens${approx ? ' (estimated)' : ''} · ${(r.timing.durationMs / 1000).toFixed(2)} s`));
        break;
      }
    }
  };

  return {
    onEvent(event: RunEvent) {
      if (level !== 'quiet') show(event, 0);
    },
  };
}

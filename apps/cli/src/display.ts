import { costOf, formatCost } from '@actkit/app-kit';
import { type AgentHooks, combineHooks, createConsoleLogger, formatBill, type LogLevel, type RunEvent } from '@actkit/core';
import { Spinner } from './spinner.js';

/** Colours when writing to a terminal, unless NO_COLOR is set; FORCE_COLOR=1 forces them. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return !!stream.isTTY && !process.env.NO_COLOR;
}

export const paint = (on: boolean) => (code: number, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

export interface DisplayOptions {
  modelId: string;
  level: LogLevel;
  out?: NodeJS.WriteStream;
  /** Where the spinner goes (a terminal, or nowhere). */
  status?: NodeJS.WriteStream;
  /** Token counts are estimates (the scripted model): shown as such. */
  estimatedTokens?: boolean;
}

/**
 * The live view of `actkit run`: the core console logger prints the steps (thought, highlighted
 * code or tool calls, observations, tokens and time); around it this adds a spinner while the
 * model thinks — showing the tail of the text as it streams in — or while tools and code run,
 * and the cost of each step and of the run when the model's price is known.
 */
export function createDisplay(options: DisplayOptions): { hooks: AgentHooks; pause: () => void; stop: () => void } {
  const out = options.out ?? process.stdout;
  const color = useColor(out);
  const dim = (text: string) => paint(color)(2, text);
  const spinner = new Spinner(options.status ?? process.stderr);
  const live = options.level !== 'quiet';
  let streamed = '';
  // Tool calls inside a code action are part of running the code.
  let inCode = false;

  // Runs before the logger: the status line is cleared before anything is printed under it.
  const before: AgentHooks = {
    onEvent(event: RunEvent) {
      if (!live) return;
      const delta = event.type === 'text-delta' || event.type === 'reasoning-delta' || event.type === 'tool-input-delta';
      if (!delta) return spinner.stop();
      // At debug level the logger streams the text itself; otherwise the status line shows its tail.
      if (options.level === 'debug') return spinner.stop();
      streamed = (streamed + event.delta).replace(/\s+/g, ' ').slice(-200);
      spinner.update(`${event.type === 'reasoning-delta' ? 'reasoning' : 'writing'}: …${streamed.slice(-60)}`);
    },
  };
  // Runs after the logger: costs under the logger's lines, and the spinner for what comes next.
  const after: AgentHooks = {
    onEvent(event: RunEvent) {
      if (!live) return;
      switch (event.type) {
        case 'step-start':
          streamed = '';
          inCode = false;
          spinner.start('thinking');
          break;
        case 'code':
        case 'tool-call':
        case 'tool-result':
        case 'code-log':
          inCode ||= event.type === 'code';
          spinner.start(inCode ? 'running the code' : 'running tools');
          break;
        case 'step-finish': {
          const cost = costOf(options.modelId, event.step.usage);
          if (cost !== undefined) out.write(`${dim(`   ${formatCost(cost)} (${options.modelId} list prices)`)}\n`);
          break;
        }
        case 'run-finish':
          // Tokens by how they are billed, the cost, and what caching saved.
          out.write(`${dim(`  bill: ${formatBill(event.result.bill)}`)}\n`);
          break;
        default:
          break;
      }
    },
  };
  const logger = createConsoleLogger({ level: options.level, color, estimatedTokens: options.estimatedTokens ?? false, write: (text) => out.write(text) });
  return {
    hooks: combineHooks(before, logger, after),
    // Until the next event: a question at the prompt must not be drawn over.
    pause: () => spinner.stop(),
    stop: () => spinner.stop(),
  };
}

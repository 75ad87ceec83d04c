import { type AgentHooks, combineHooks, createConsoleLogger, type LogLevel, type Model } from '@actkit/core';
import { costOf } from './pricing.js';

/**
 * The CLI's live view: the core console logger, plus a spinner while the model thinks (on a
 * terminal) and the cost of each step when the model's price is known.
 */
export function liveDisplay(model: Model, level: LogLevel): AgentHooks {
  const tty = !!process.stderr.isTTY;
  let spinner: NodeJS.Timeout | undefined;
  const stopSpinner = () => {
    if (!spinner) return;
    clearInterval(spinner);
    spinner = undefined;
    process.stderr.write('\r\x1b[K');
  };
  const extras: AgentHooks = {
    onEvent(event) {
      if (level === 'quiet') return;
      if (event.type === 'step-start' && tty) {
        const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
        let i = 0;
        spinner = setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} thinking…`), 80);
        spinner.unref();
      }
      if (event.type === 'model-response' || event.type === 'text-delta' || event.type === 'run-finish') stopSpinner();
      if (event.type === 'step-finish') {
        const cost = costOf(model.modelId, event.step.usage);
        if (cost !== undefined) process.stdout.write(`   cost $${cost.toFixed(4)}\n`);
      }
    },
  };
  return combineHooks(extras, createConsoleLogger({ level }));
}

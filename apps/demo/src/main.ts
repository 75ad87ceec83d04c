import { exitWhenOutputCloses } from '@actkit/app-kit/pipes';
import { createConsoleLogger } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ANALYST_TASK, analystScript, dataAnalyst, FIBONACCI_TASK } from './data-analyst.js';
import { pickModel } from './model.js';
import { SUPPORT_TASK, supportRouter, supportScript } from './support-router.js';

/**
 * The actkit demo: the same loop acting two ways. Offline by default — a scripted model replays
 * what a capable model would write, so the agents, tools and sandbox all run for real.
 */
async function main(): Promise<void> {
  const support = pickModel(supportScript);
  const analysis = pickModel(analystScript);
  console.log(
    support.real
      ? `actkit demo — model: ${support.model.provider}/${support.model.modelId} (a real model).`
      : 'actkit demo — model: SCRIPTED (replayed replies, no LLM is called). Tools and the sandbox run for real.\n' +
          'Set OPENAI_API_KEY, OPENAI_BASE_URL or ANTHROPIC_API_KEY (and ACTKIT_MODEL) to run the same apps on a real model.',
  );
  const logger = createConsoleLogger({ level: 'info', estimatedTokens: !support.real });

  console.log('\nSupport router · ToolCallingAgent (JSON tool calls)');
  const tickets: Array<Record<string, unknown>> = [];
  await supportRouter(support.model, tickets, logger).run(SUPPORT_TASK);
  console.log(`\nTickets opened: ${JSON.stringify(tickets)}`);

  const analyst = dataAnalyst(analysis.model, new LocalExecutor({ timeoutMs: 10_000 }), logger);
  try {
    console.log('\nData analyst · CodeAgent (JavaScript code actions in a V8 isolate)');
    await analyst.run(ANALYST_TASK);
    console.log('\nData analyst · one code action, exact arithmetic');
    const fib = await analyst.run(FIBONACCI_TASK);
    if (String(fib.output).replace(/\D/g, '') !== '2046711111473984623691759') {
      console.log('\nNote: the exact 118th Fibonacci number is 2046711111473984623691759; the answer above differs.');
    }
  } finally {
    await analyst.close();
  }
}

// `npm run demo | head`: the reader has seen what it wanted; end quietly and successfully.
exitWhenOutputCloses(0);
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

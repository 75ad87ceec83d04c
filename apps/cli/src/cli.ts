import { parseArgs } from 'node:util';
import { AgentAbortedError, ModelCallError, type RunResult } from '@actkit/core';
import { createModel } from './setup.js';
import { ConfigError, createAgent } from './setup.js';
import { formatComparison, readTasks, runComparison, writeReport } from './compare.js';
import { liveDisplay } from './live-display.js';
import { builtinTools, pickTools, UsageError } from './tools.js';

const HELP = `actkit — run an agent, or compare the two ways of acting

Usage:
  actkit run "task" [options]
  actkit compare <tasks.json> [--report report.html] [model options]

Options:
  --agent tool|code        how the agent acts (default code)
  --provider p             scripted | openai | anthropic (default: openai if OPENAI_API_KEY is set,
                           else anthropic if ANTHROPIC_API_KEY is set, else scripted)
  --model id               model id (e.g. gpt-4.1-mini, claude-sonnet-5-5)
  --base-url url           an OpenAI-compatible server (Ollama, vLLM, LM Studio…)
  --script file.json       the replies of the scripted model
  --executor local|docker  where code actions run (default local)
  --tools a,b              built-in tools: ${Object.keys(builtinTools).join(', ')}
  --max-steps n            (default 10)
  -v, --verbose            also stream the model's text;  -q, --quiet  print only the answer
  --json                   print the result as JSON
  -h, --help

Exit codes: 0 success · 1 the agent did not succeed (max steps, stopped, failed checks)
            2 usage error · 3 model or configuration error · 130 interrupted`;

const EXIT = { ok: 0, agent: 1, usage: 2, config: 3, interrupted: 130 } as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      agent: { type: 'string', default: 'code' },
      provider: { type: 'string' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      script: { type: 'string' },
      executor: { type: 'string', default: 'local' },
      tools: { type: 'string', default: 'calculator,clock' },
      'max-steps': { type: 'string', default: '10' },
      report: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const maxSteps = Number(values['max-steps']);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new UsageError(`--max-steps must be a positive integer, not "${values['max-steps']}".`);
  const provider =
    values.provider ?? (process.env.OPENAI_API_KEY ? 'openai' : process.env.ANTHROPIC_API_KEY ? 'anthropic' : 'scripted');
  const modelFlags = {
    provider,
    ...(values.model ? { model: values.model } : {}),
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    ...(values.script ? { script: values.script } : {}),
  };

  if (command === 'run') {
    const task = rest.join(' ').trim();
    if (!task) throw new UsageError('actkit run needs a task: actkit run "What is 6 times 7?"');
    const model = createModel(modelFlags);
    const level = values.json || values.quiet ? 'quiet' : values.verbose ? 'debug' : 'info';
    const agent = await createAgent({
      agent: values.agent,
      model,
      tools: pickTools(values.tools.split(',').filter(Boolean)),
      executor: values.executor,
      maxSteps,
      hooks: liveDisplay(model, level),
    });
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    let result: RunResult;
    try {
      const stream = agent.stream(task, { signal: abort.signal });
      for await (const _ of stream);
      result = await stream.result;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await agent.close?.();
    }
    if (values.json) console.log(JSON.stringify({ state: result.state, output: result.output, usage: result.usage, timing: result.timing, steps: result.steps }, null, 2));
    else if (values.quiet) console.log(typeof result.output === 'string' ? result.output : JSON.stringify(result.output));
    if (result.state === 'aborted') return EXIT.interrupted;
    return result.state === 'success' ? EXIT.ok : EXIT.agent;
  }

  if (command === 'compare') {
    const [file] = rest;
    if (!file) throw new UsageError('actkit compare needs a task set: actkit compare tasks/m3-lite.json');
    const tasks = readTasks(file);
    const rows = await runComparison(
      tasks,
      (task, kind) => {
        if (provider !== 'scripted') return createModel(modelFlags);
        if (!task.scripted) throw new UsageError(`Task "${task.id}" has no scripted replies: pass --provider to use a real model.`);
        return createModel(modelFlags, task.scripted[kind]);
      },
      { executor: values.executor, maxSteps },
    );
    if (values.json) console.log(JSON.stringify(rows.map((r) => ({ id: r.task.id, tool: r.tool, code: r.code })), null, 2));
    else {
      console.log(provider === 'scripted' ? 'Model: SCRIPTED (offline demonstration of the task set)\n' : `Model: ${provider} ${values.model ?? ''}\n`);
      console.log(formatComparison(rows));
    }
    if (values.report) {
      writeReport(values.report, rows, provider === 'scripted' ? 'scripted' : `${provider} ${values.model ?? ''}`);
      if (!values.json) console.log(`\nReport written to ${values.report}`);
    }
    return EXIT.ok;
  }
  throw new UsageError(`Unknown command "${command}". Commands: run, compare. See actkit --help.`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const config = error instanceof ConfigError || error instanceof ModelCallError;
    console.error(`actkit: ${(error as Error).message}${usage ? '\nSee actkit --help.' : ''}`);
    process.exitCode = usage ? EXIT.usage : error instanceof AgentAbortedError ? EXIT.interrupted : config ? EXIT.config : EXIT.agent;
  },
);

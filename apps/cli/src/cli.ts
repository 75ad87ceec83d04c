import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { builtinTools, SetupError } from '@actkit/app-kit';
import { AgentAbortedError, AgentConfigError, ModelCallError } from '@actkit/core';
import { compareCommand } from './compare.js';
import { runCommand } from './run.js';
import { EXIT } from './shared.js';

const MODEL_HELP = `Model:
  -m, --model id           a model id: gpt-4.1-mini, claude-sonnet-5-5, openai:llama3.2, or "scripted"
      --provider p         openai | anthropic | scripted (usually inferred from --model)
      --base-url url       an OpenAI-compatible server: Ollama, vLLM, LM Studio, OpenRouter…
      --api-key-env VAR    read the API key from $VAR (default OPENAI_API_KEY / ANTHROPIC_API_KEY)
  Without --model: ACTKIT_MODEL, then OPENAI_API_KEY, OPENAI_BASE_URL or ANTHROPIC_API_KEY decides.`;

const HELP = `actkit — run an agent on a task, or compare the two ways of acting on a task set

Usage:
  actkit run "task" [options]          one agent, watched live
  actkit compare [tasks.json] [options] ToolCallingAgent vs CodeAgent on the same tasks
  actkit <command> --help

Run:
  -a, --agent tool|code    JSON tool calls, or JavaScript code actions (default code)
  -t, --tools a,b|all|none the built-in tools to enable (default all):
                           ${Object.keys(builtinTools).join(', ')}
      --script file.json   the scripted model's replies (with --model scripted), see examples/
  -v, --verbose            also stream the model's text as it is written
  "-" as the task reads it from stdin

Compare:
  tasks.json               a task set (default: the built-in M3ToolEval-style set); without
                           --model the tasks' scripted replies are replayed, offline
  -o, --report file.html   also write an HTML report with SVG charts

Both:
      --executor local|quickjs|docker   where code actions run (default local: V8 isolates; quickjs: WebAssembly)
      --docker-image image      with --executor docker (default $ACTKIT_DOCKER_IMAGE or actkit-runner:latest)
      --max-steps n        at most n steps per run (default 10)
  -q, --quiet              print only the answer (run) or the table (compare)
      --json               print the result as JSON, for machines
  -h, --help;  -V, --version

${MODEL_HELP}

Exit codes:
  0    success (compare: the comparison finished, whatever the tasks' results)
  1    the agent gave no final answer (max steps reached, or stopped)
  2    usage error: unknown command or flag, bad value, unreadable file
  3    model or setup error: missing API key, model API error, executor unavailable
  130  interrupted (Ctrl-C)`;

const common = {
  model: { type: 'string', short: 'm' },
  provider: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-env': { type: 'string' },
  executor: { type: 'string' },
  'docker-image': { type: 'string' },
  'max-steps': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const runOptions = {
  ...common,
  agent: { type: 'string', short: 'a', default: 'code' },
  tools: { type: 'string', short: 't', default: 'all' },
  script: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const;
const compareOptions = { ...common, report: { type: 'string', short: 'o' } } as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's message goes on about "--" after the first sentence; the first says it all.
    const first = (error as Error).message.split(/(?<=\.) /)[0];
    throw new SetupError('usage', first ?? (error as Error).message);
  }
}

async function main(argv: string[]): Promise<number> {
  // `pnpm start -- run …` passes the "--" on.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [command, ...rest] = args;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command ? console.log : console.error)(HELP);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '-V' || command === '--version') {
    console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    return EXIT.ok;
  }
  if (command === 'run') {
    const { values, positionals } = parse(rest, runOptions);
    if (values.help) {
      console.log(HELP);
      return EXIT.ok;
    }
    return runCommand(values, positionals);
  }
  if (command === 'compare') {
    const { values, positionals } = parse(rest, compareOptions);
    if (values.help) {
      console.log(HELP);
      return EXIT.ok;
    }
    return compareCommand(values, positionals);
  }
  throw new SetupError('usage', `Unknown command "${command}": use run or compare.`);
}

/** The exit code of an error, and what to tell the person. */
function explain(error: unknown): { code: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SetupError) {
    return error.kind === 'usage' ? { code: EXIT.usage, message: `${message}\nSee actkit --help.` } : { code: EXIT.setup, message };
  }
  if (error instanceof AgentAbortedError) return { code: EXIT.interrupted, message: 'interrupted.' };
  if (error instanceof ModelCallError) {
    const hints: Record<number, string> = {
      401: 'Check the API key.',
      403: 'The key may not have access to this model.',
      404: 'Check the model id and the base URL.',
      429: 'Rate limited or out of quota; try again later.',
    };
    const hint = error.statusCode !== undefined ? hints[error.statusCode] : undefined;
    return { code: EXIT.setup, message: `${message}${hint ? `\n${hint}` : ''}` };
  }
  if (error instanceof AgentConfigError) return { code: EXIT.setup, message };
  return { code: EXIT.notSolved, message: `unexpected error: ${process.env.ACTKIT_DEBUG ? ((error as Error)?.stack ?? message) : message}` };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { code, message } = explain(error);
    console.error(`actkit: ${message}`);
    // Machines asked for JSON get the error as JSON too.
    if (process.argv.includes('--json')) console.log(JSON.stringify({ error: { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) }, exitCode: code }));
    process.exitCode = code;
  },
);

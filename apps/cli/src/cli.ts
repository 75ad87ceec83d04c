import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { exitWhenOutputCloses } from '@actkit/app-kit/pipes';
import { EXIT } from './exit-codes.js';
import { helpText } from './help.js';
import { Spinner } from './spinner.js';

// This file imports only what it needs to show a first sign of life: the commands, the model
// SDKs and the sandbox load while a status line says so (they take seconds on a cold start).

const common = {
  model: { type: 'string', short: 'm' },
  provider: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-env': { type: 'string' },
  executor: { type: 'string' },
  'docker-image': { type: 'string' },
  'max-steps': { type: 'string' },
  mcp: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const runOptions = {
  ...common,
  agent: { type: 'string', short: 'a', default: 'code' },
  tools: { type: 'string', short: 't', default: 'all' },
  approve: { type: 'string', default: 'ask' },
  'approve-timeout': { type: 'string', default: '300' },
  script: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} as const;
const compareOptions = { ...common, report: { type: 'string', short: 'o' }, tools: { type: 'string', short: 't' } } as const;

class UsageError extends Error {}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's message goes on about "--" after the first sentence; the first says it all.
    throw new UsageError((error as Error).message.split(/(?<=\.) /)[0] ?? (error as Error).message);
  }
}

async function builtinToolNames(): Promise<string[]> {
  return Object.keys((await import('@actkit/app-kit')).builtinTools);
}

async function main(argv: string[], startup: Spinner): Promise<number> {
  // `pnpm start -- run …` passes the "--" on.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [command, ...rest] = args;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command ? console.log : console.error)(helpText('main', []));
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '-V' || command === '--version') {
    console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    return EXIT.ok;
  }
  if (command === 'run') {
    const { values, positionals } = parse(rest, runOptions);
    if (values.help) {
      console.log(helpText('run', await builtinToolNames()));
      return EXIT.ok;
    }
    startup.start('starting');
    const { runCommand } = await import('./run.js');
    return runCommand(values, positionals, startup);
  }
  if (command === 'compare') {
    const { values, positionals } = parse(rest, compareOptions);
    if (values.help) {
      console.log(helpText('compare', []));
      return EXIT.ok;
    }
    startup.start('starting');
    const { compareCommand } = await import('./compare.js');
    return compareCommand(values, positionals, startup);
  }
  throw new UsageError(`Unknown command "${command}": use run or compare.`);
}

/** The exit code of an error, and what to tell the person. */
async function explain(error: unknown): Promise<{ code: number; message: string }> {
  const message = error instanceof Error ? error.message : String(error);
  const usage = { code: EXIT.usage, message: `${message}\nSee actkit --help.` };
  if (error instanceof UsageError) return usage;
  const { SetupError } = await import('@actkit/app-kit');
  const { AgentAbortedError, AgentConfigError, ModelCallError } = await import('@actkit/core');
  if (error instanceof SetupError) return error.kind === 'usage' ? usage : { code: EXIT.setup, message };
  if (error instanceof AgentAbortedError) return { code: EXIT.interrupted, message: 'interrupted.' };
  if (error instanceof ModelCallError) {
    const hints: Record<number, string> = {
      401: 'Check the API key (and --api-key-env).',
      403: 'The key may not have access to this model.',
      404: 'Check the model id and the base URL.',
      429: 'Rate limited or out of quota; try again later.',
    };
    const hint = error.statusCode !== undefined ? hints[error.statusCode] : error.unreachable ? 'Check that the server is running and the base URL is right.' : undefined;
    return { code: EXIT.setup, message: `${message}${hint ? `\n${hint}` : ''}` };
  }
  if (error instanceof AgentConfigError) return { code: EXIT.setup, message };
  return { code: EXIT.notSolved, message: `unexpected error: ${process.env.ACTKIT_DEBUG ? ((error as Error)?.stack ?? message) : message}` };
}

// `actkit run … | head`: when the reader goes away, stop quietly, as Unix tools do.
exitWhenOutputCloses(EXIT.outputClosed);

const startup = new Spinner(process.stderr);
main(process.argv.slice(2), startup).then(
  (code) => {
    startup.stop();
    process.exitCode = code;
  },
  async (error: unknown) => {
    startup.stop();
    const { code, message } = await explain(error);
    console.error(`actkit: ${message}`);
    // Machines asked for JSON get the error as JSON too.
    if (process.argv.includes('--json')) console.log(JSON.stringify({ error: { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) }, exitCode: code }));
    process.exitCode = code;
  },
);

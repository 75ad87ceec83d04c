import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadExtraTools, parseApprovalPolicy, SetupError } from '@actkit/app-kit';
import { createPlaygroundServer } from './server.js';

const HELP = `actkit playground: a web page that runs an agent here and shows its steps as they happen.

Usage: pnpm --filter @actkit/app-playground start [-- options]

Options:
  --tools <module>   your own tools: a module exporting actkit tools (TypeScript allowed),
                     e.g. ./my-tools.ts; repeatable, or comma-separated
  --mcp <server>     an MCP server's tools: a URL (streamable HTTP) or a command line that
                     starts a stdio server, e.g. --mcp "npx -y @modelcontextprotocol/server-everything";
                     repeatable
  --approve <mode>   how calls that need approval are answered by default: ask (buttons on the
                     page), all, none, or per tool, e.g. none,place_order=ask (the page can change it)
  -h, --help         this help

Environment: PORT (default 3000) and HOST (default 127.0.0.1) say where it listens;
OPENAI_API_KEY / OPENAI_BASE_URL, ANTHROPIC_API_KEY and ACTKIT_MODEL offer real models.`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      tools: { type: 'string', multiple: true },
      mcp: { type: 'string', multiple: true },
      approve: { type: 'string', default: 'ask' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return void console.log(HELP);
  const approve = parseApprovalPolicy(values.approve);
  // Paths are the person's: relative to where they typed the command (pnpm runs us in the package folder).
  const cwd = process.env.INIT_CWD || process.cwd();
  const modulePaths = (values.tools ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  const extra = await loadExtraTools(modulePaths, values.mcp ?? [], cwd);
  const server = createPlaygroundServer({ extraTools: extra.tools, approve });
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  server.on('error', async (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: start with PORT=<another port>.` : `The server failed: ${error.message}`);
    await extra.close();
    process.exit(1);
  });
  server.listen(port, host, () => {
    const { port: actual } = server.address() as AddressInfo;
    if (extra.tools.length) console.log(`your tools: ${extra.tools.map((t) => t.name).join(', ')}`);
    console.log(`actkit playground: http://${host}:${actual}`);
  });
  const stop = () => {
    server.closeAllConnections();
    server.close();
    // The sandboxes of open conversations and the MCP servers go too.
    void Promise.allSettled([server.closeConversations(), extra.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof SetupError || error instanceof TypeError ? `actkit playground: ${error.message}` : error);
  process.exit(error instanceof SetupError && error.kind === 'config' ? 3 : 2);
});

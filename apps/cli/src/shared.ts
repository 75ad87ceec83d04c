import { EXIT } from './exit-codes.js';
import { connectMcpServers, type ExtraTools, isToolModulePath, loadToolModule, SetupError } from '@actkit/app-kit';

/**
 * Ctrl-C stops the run cleanly (the model call is cancelled, the sandbox closed, partial results
 * kept); a second Ctrl-C quits at once. Returns the function that stops listening.
 */
export function onInterrupt(stop: () => void): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nactkit: stopping… (Ctrl-C again to quit at once)\n');
    stop();
  };
  process.on('SIGINT', handler);
  return () => process.removeListener('SIGINT', handler);
}

export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new SetupError('usage', `${flag} must be a positive whole number, not "${value}".`);
  return n;
}

/** A comma-separated flag value as its trimmed, non-empty parts. */
export function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The tools of `--tools ./module.ts` (each a module path) and `--mcp` servers (each a URL or a
 * command line), loaded before any agent starts so that a bad path or server is a setup error.
 */
export async function loadExtraTools(modulePaths: readonly string[], mcpServers: readonly string[]): Promise<ExtraTools> {
  for (const path of modulePaths) {
    if (!isToolModulePath(path)) throw new SetupError('usage', `"${path}" is not a tools module: give a path such as ./my-tools.ts.`);
  }
  const fromModules = (await Promise.all(modulePaths.map((path) => loadToolModule(path)))).flat();
  const mcp = await connectMcpServers(mcpServers);
  return { tools: [...fromModules, ...mcp.tools], close: mcp.close };
}

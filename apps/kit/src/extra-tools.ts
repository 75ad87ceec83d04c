import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AnyTool, isTool } from '@actkit/core';
import { parse as parseShellWords } from 'shell-quote';
import { SetupError } from './errors.js';

/** Tools from outside the built-in set, and how to let go of them (MCP servers). */
export interface ExtraTools {
  tools: AnyTool[];
  close(): Promise<void>;
}

/** A value of `--tools` that names a module rather than built-in tools: a path, or a script file. */
export function isToolModulePath(value: string): boolean {
  return /[\\/]/.test(value) || /\.(m|c)?[jt]s$/.test(value);
}

/**
 * The actkit tools a module exports (named exports, a default export, or arrays of tools).
 * TypeScript is allowed: the module is loaded through tsx, so `actkit run --tools ./my-tools.ts`
 * needs no build step.
 */
export async function loadToolModule(path: string, cwd = process.cwd()): Promise<AnyTool[]> {
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  let loaded: Record<string, unknown>;
  try {
    const { tsImport } = await import('tsx/esm/api');
    loaded = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new SetupError('usage', `Cannot load the tools module ${path}: ${(error as Error).message}`, { cause: error });
  }
  const found = Object.values(loaded).flatMap((value) => (Array.isArray(value) ? value : [value])).filter(isTool);
  const tools = [...new Set(found)];
  if (tools.length === 0) {
    throw new SetupError('usage', `${path} exports no actkit tools: export the values made with tool() from @actkit/core (or an array of them).`);
  }
  return tools;
}

/** `--mcp` values: a URL is a streamable-HTTP server, anything else a command line that starts a stdio server. */
export async function connectMcpServers(specs: readonly string[]): Promise<ExtraTools> {
  const toolsets: Array<{ tools: AnyTool[]; close(): Promise<void> }> = [];
  const close = async () => {
    await Promise.allSettled(toolsets.map((t) => t.close()));
  };
  if (specs.length === 0) return { tools: [], close };
  const { loadMcpTools } = await import('@actkit/mcp');
  try {
    for (const [index, spec] of specs.entries()) {
      // Two servers may offer tools of the same name: the second and later ones get a prefix.
      const options = index === 0 ? {} : { prefix: `mcp${index + 1}_` };
      toolsets.push(await loadMcpTools(mcpServerConfig(spec), options));
    }
  } catch (error) {
    await close();
    throw new SetupError('config', `Cannot use the MCP server: ${(error as Error).message}`, { cause: error });
  }
  return { tools: toolsets.flatMap((t) => t.tools), close };
}

function mcpServerConfig(spec: string): { url: string } | { command: string; args: string[] } {
  if (/^https?:\/\//.test(spec)) return { url: spec };
  const words = parseShellWords(spec);
  if (words.length === 0 || !words.every((w): w is string => typeof w === 'string')) {
    throw new SetupError('usage', `--mcp takes a URL or a plain command line (no pipes or redirections), not "${spec}".`);
  }
  const [command, ...args] = words as string[];
  return { command: command!, args };
}

/**
 * The tools of `--tools ./module.ts` (each a module path, relative to `cwd`) and `--mcp` servers
 * (each a URL or a command line), loaded before any agent starts so that a bad path or server is
 * a setup error. `close()` lets go of the MCP servers.
 */
export async function loadExtraTools(modulePaths: readonly string[], mcpServers: readonly string[], cwd = process.cwd()): Promise<ExtraTools> {
  for (const path of modulePaths) {
    if (!isToolModulePath(path)) throw new SetupError('usage', `"${path}" is not a tools module: give a path such as ./my-tools.ts.`);
  }
  const fromModules = (await Promise.all(modulePaths.map((path) => loadToolModule(path, cwd)))).flat();
  const mcp = await connectMcpServers(mcpServers);
  return { tools: [...fromModules, ...mcp.tools], close: mcp.close };
}

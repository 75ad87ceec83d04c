import { type AnyTool, AgentError, tool } from '@actkit/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';

/** Where an MCP server is: a command to start (stdio), or a URL (streamable HTTP). */
export type McpServerConfig =
  | { command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { url: string; headers?: Record<string, string> };

export interface McpToolset {
  /** The server's tools as actkit tools: usable by both agents, in code actions too. */
  readonly tools: AnyTool[];
  /** The server's own names, by actkit tool name (names that are not identifiers are renamed). */
  readonly originalNames: ReadonlyMap<string, string>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The MCP server failed: it could not start, it died, or a tool cannot be used. */
export class McpError extends AgentError {
  override name = 'McpError';
  override readonly code = 'mcp';
}

/**
 * Connects to an MCP server and loads its tools. Each tool's JSON Schema becomes its zod input
 * schema, so arguments are validated before the call and CodeAgent shows a TypeScript signature
 * for it. Close the toolset (or the agent's lifetime) to end the connection and the process.
 */
export async function loadMcpTools(server: McpServerConfig, options: { clientName?: string; only?: string[] } = {}): Promise<McpToolset> {
  const client = new Client({ name: options.clientName ?? 'actkit', version: '0.0.0' });
  const transport =
    'url' in server
      ? new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers ?? {} } })
      : new StdioClientTransport({ command: server.command, args: server.args ?? [], ...(server.env ? { env: server.env } : {}), ...(server.cwd ? { cwd: server.cwd } : {}), stderr: 'pipe' });
  const where = 'url' in server ? server.url : [server.command, ...(server.args ?? [])].join(' ');
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => {});
    throw new McpError(`Could not connect to the MCP server (${where}): ${(error as Error).message}`, { cause: error });
  }
  let listed: Awaited<ReturnType<Client['listTools']>>['tools'];
  try {
    listed = (await client.listTools()).tools;
  } catch (error) {
    await client.close().catch(() => {});
    throw new McpError(`The MCP server (${where}) did not list its tools: ${(error as Error).message}`, { cause: error });
  }
  const originalNames = new Map<string, string>();
  const tools: AnyTool[] = [];
  try {
    for (const t of listed) {
      if (options.only && !options.only.includes(t.name)) continue;
      const name = identifier(t.name);
      originalNames.set(name, t.name);
      tools.push(
        tool({
          name,
          description: t.description || t.title || t.name,
          input: inputSchema(t.name, t.inputSchema),
          run: async (args, { signal }) => {
            let result: Awaited<ReturnType<Client['callTool']>>;
            try {
              result = await client.callTool({ name: t.name, arguments: args as Record<string, unknown> }, undefined, { signal });
            } catch (error) {
              throw new McpError(`MCP tool ${t.name} failed: ${(error as Error).message}`, { cause: error });
            }
            const text = (result.content as Array<{ type: string; text?: string; mimeType?: string }> | undefined)
              ?.map((c) => (c.type === 'text' ? c.text : `[${c.type}${c.mimeType ? ` ${c.mimeType}` : ''}]`))
              .join('\n');
            if (result.isError) throw new Error(text || `MCP tool ${t.name} reported an error.`);
            return result.structuredContent ?? text ?? '';
          },
        }),
      );
    }
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= client.close().catch(() => {}));
  return { tools, originalNames, close, [Symbol.asyncDispose]: close };
}

/** An MCP tool's JSON Schema as a zod object schema, or a clear error naming the tool. */
function inputSchema(toolName: string, schema: unknown): z.ZodObject {
  let converted: z.ZodType;
  try {
    converted = z.fromJSONSchema(schema as never);
  } catch (error) {
    throw new McpError(`MCP tool ${toolName} has an input schema actkit cannot use: ${(error as Error).message}`, { cause: error });
  }
  if (!(converted instanceof z.ZodObject)) {
    throw new McpError(`MCP tool ${toolName} has an input schema actkit cannot use: it is not an object schema.`);
  }
  return converted;
}

/** Code actions call tools by name: `get-sum` becomes `get_sum`. */
function identifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

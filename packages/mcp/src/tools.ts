import { type AnyTool, assertValidToolName, type FilePart, jsonSchemaTool, ToolDefinitionError } from '@actkit/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type CallToolResult, ErrorCode, McpError as ProtocolError, type Tool as McpToolInfo } from '@modelcontextprotocol/sdk/types.js';
import { McpError, type McpFailure } from './errors.js';

/** Where an MCP server is. */
export type McpServerConfig =
  /** A local server started as a child process, spoken to over stdio. */
  | {
      command: string;
      args?: string[];
      /** Added to a safe default environment (PATH, HOME, …): the parent's secrets are not passed on. */
      env?: Record<string, string>;
      cwd?: string;
      /** The server's stderr: kept (the end of it goes into error messages; default), shown, or dropped. */
      stderr?: 'pipe' | 'inherit' | 'ignore';
    }
  /** A remote server over streamable HTTP. */
  | { url: string | URL; headers?: Record<string, string> }
  /** Any transport of the MCP SDK (in-memory, SSE, WebSocket…), not yet started. */
  | { transport: Transport };

export interface LoadMcpToolsOptions {
  /** How errors name the server (default: the name it reports, else its command or URL). */
  name?: string;
  /** Prepended to every tool name, to keep two servers' tools apart (e.g. "github_"). */
  prefix?: string;
  /** Only these tools (by the server's names), or those the function accepts. */
  include?: readonly string[] | ((tool: McpToolInfo) => boolean);
  /** A call fails after this long without a result or a progress notification (default 60 000 ms). It does not bound connecting. */
  timeoutMs?: number;
  /** Starting (or reaching) the server and the handshake fail after this long (default 60 000 ms): a server may take seconds to start. */
  connectTimeoutMs?: number;
  /** A tool whose schema cannot be validated fails the load (default), or is left out and listed in `skipped`. */
  onUnsupportedSchema?: 'throw' | 'skip';
  /**
   * Stdio only: the largest message (a tool's result) read from the server, in bytes (default the
   * MCP SDK's 10 MB). A larger result fails that call (`too_large`) and the connection is restarted.
   */
  maxMessageBytes?: number;
  /** Which tools need a person's approval, e.g. `(t) => t.annotations?.destructiveHint === true`. */
  needsApproval?: boolean | ((tool: McpToolInfo) => boolean);
}

export interface McpToolset extends AsyncDisposable {
  /** The server's tools as actkit tools: usable by both agents, in code actions too. */
  readonly tools: AnyTool[];
  /** The server's own name of each tool, by actkit name (names that are not identifiers are changed). */
  readonly originalNames: ReadonlyMap<string, string>;
  /** Tools left out with `onUnsupportedSchema: 'skip'`, and why. */
  readonly skipped: ReadonlyArray<{ name: string; reason: string }>;
  /** The name the toolset uses for the server in errors. */
  readonly serverName: string;
  /** The server's instructions for using its tools, if it gives any (worth adding to the agent's). */
  readonly instructions: string | undefined;
  /** The MCP client itself, for what is not a tool (resources, prompts); a new one after a restart. */
  readonly client: Client;
  /** Ends the connection; a server started by the toolset is stopped. Idempotent. */
  close(): Promise<void>;
}

/** The default limit of a call without progress, and of connecting. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The MCP SDK's own limit of a message read over stdio. */
const STDIO_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Characters of a stdio server's stderr kept for error messages. */
const STDERR_TAIL = 2_000;

/**
 * Connects to an MCP server and loads its tools. Each keeps the server's JSON Schema, so models
 * see it as written and CodeAgent prompts show a TypeScript signature generated from it; calls
 * are validated against it before they are sent. Close the toolset when the agent is done.
 */
export async function loadMcpTools(server: McpServerConfig, options: LoadMcpToolsOptions = {}): Promise<McpToolset> {
  const stderr = { tail: '' };
  let label = options.name ?? describeServer(server);
  const state = { closing: false, disconnected: false, oversized: false, reopen: false };
  const fail = (message: string, reason: McpFailure, cause?: unknown) => {
    const output = stderr.tail.trim();
    const detail = output ? `\nThe server's stderr ended with:\n${output}` : '';
    return new McpError(`${message}${detail}`, label, reason, { cause });
  };
  // Aborted when an HTTP server is found gone while calls wait on it (their streams broke off).
  let lost = new AbortController();

  const open = async (): Promise<{ client: Client; transport: Transport }> => {
    const transport = createTransport(server, stderr, options);
    const client = new Client({ name: 'actkit', version: '0.0.0' });
    const serverProcess = startedProcessOf(transport);
    try {
      // Its own limit: a short per-call timeout must not fail a server that takes a while to start.
      await client.connect(transport, { timeout: options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS });
    } catch (error) {
      await client.close().catch(() => {});
      // The SDK's close lets the process take its time to exit (seconds); the caller, told the
      // connect failed, may exit first and leave it running. A server that failed its handshake is ended now.
      serverProcess.kill();
      throw fail(`Could not connect to the MCP server "${label}": ${messageOf(error)}`, 'connect', error);
    }
    // Set after connecting: the SDK reports a handshake failure itself, and a close while we close is expected.
    client.onclose = () => {
      if (state.closing || current?.client !== client || state.reopen) return;
      state.disconnected = true;
    };
    client.onerror = (error) => {
      if (/ReadBuffer exceeded maximum size/.test(error.message)) {
        // The SDK drops the connection but not the calls waiting on it: end them, and reconnect for the next.
        state.oversized = true;
        if (!('transport' in server)) state.reopen = true;
        else state.disconnected = true;
        lost.abort();
      } else if ('url' in server && /SSE stream disconnected|reconnect/i.test(error.message)) {
        // A call's stream broke off: if the server cannot be reached, its calls will never be answered.
        void reachable(server).then((ok) => {
          if (!ok) lost.abort();
        });
      }
    };
    return { client, transport };
  };

  let current: { client: Client; transport: Transport } | undefined;
  current = await open();
  label = options.name ?? current.client.getServerVersion()?.name ?? label;
  let reopening: Promise<void> | undefined;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      state.closing = true;
      await reopening?.catch(() => {});
      const { client, transport } = current!;
      // A streamable HTTP session is ended on the server too, not left to expire.
      if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    })();
    return closed;
  };

  try {
    const listed = await listAllTools(current.client).catch((error) => {
      throw fail(`The MCP server "${label}" did not list its tools: ${messageOf(error)}`, 'list', error);
    });
    const toolset = buildTools(listed, options, label, async (info, args, signal) => {
      if (state.closing) throw new McpError(`MCP tool ${info.name}: the toolset of server "${label}" is closed.`, label, 'closed');
      if (state.reopen) {
        const previous = current!.client;
        reopening ??= open().then((next) => {
          void previous.close().catch(() => {});
          current = next;
          state.reopen = false;
          reopening = undefined;
        });
        await reopening.catch((error) => {
          reopening = undefined;
          throw error;
        });
      }
      if (state.disconnected) throw fail(`MCP tool ${info.name} cannot run: the MCP server "${label}" has closed the connection.`, 'disconnected');
      const gone = lost.signal;
      try {
        return (await current!.client.callTool({ name: info.name, arguments: args }, undefined, {
          signal: AbortSignal.any([signal, gone]),
          timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          // Ask for progress, and let each report extend the time limit: long tools report, hung ones don't.
          onprogress: () => {},
          resetTimeoutOnProgress: true,
        })) as CallToolResult;
      } catch (error) {
        if (signal.aborted) throw error;
        if (gone.aborted && lost.signal === gone) lost = new AbortController();
        if (state.oversized) {
          state.oversized = false;
          throw fail(
            `MCP tool ${info.name} (server "${label}") failed: its result is larger than the ${formatBytes(options.maxMessageBytes ?? STDIO_MAX_MESSAGE_BYTES)} an MCP message over stdio may have here (raise \`maxMessageBytes\`, or ask for less). ${'transport' in server ? 'The connection is closed.' : 'The connection was restarted: later calls work.'}`,
            'too_large',
            error,
          );
        }
        if (state.closing) throw fail(`MCP tool ${info.name}: the toolset of server "${label}" was closed during the call.`, 'closed', error);
        if (gone.aborted) {
          throw fail(`MCP tool ${info.name} (server "${label}") failed: the server went away during the call and cannot be reached.`, 'disconnected', error);
        }
        const [reason, what] = classify(error, state.disconnected);
        throw fail(`MCP tool ${info.name} (server "${label}") failed: ${what}: ${messageOf(error)}`, reason, error);
      }
    });
    return {
      ...toolset,
      serverName: label,
      instructions: current.client.getInstructions(),
      get client() {
        return current!.client;
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Whether an HTTP server answers at all (any status): a refused connection means it is gone. */
async function reachable(server: { url: string | URL; headers?: Record<string, string> }): Promise<boolean> {
  try {
    const response = await fetch(server.url, { method: 'GET', headers: server.headers ?? {}, signal: AbortSignal.timeout(30_000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function formatBytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

type CallTool = (info: McpToolInfo, args: Record<string, unknown>, signal: AbortSignal) => Promise<CallToolResult>;

function buildTools(listed: McpToolInfo[], options: LoadMcpToolsOptions, label: string, call: CallTool) {
  const tools: AnyTool[] = [];
  const originalNames = new Map<string, string>();
  const skipped: Array<{ name: string; reason: string }> = [];
  const include = options.include;
  for (const info of listed) {
    if (Array.isArray(include) ? !include.includes(info.name) : typeof include === 'function' && !include(info)) continue;
    const name = uniqueIdentifier(`${options.prefix ?? ''}${info.name}`, originalNames);
    const approval = typeof options.needsApproval === 'function' ? options.needsApproval(info) : options.needsApproval;
    let tool: AnyTool;
    try {
      tool = jsonSchemaTool({
        name,
        description: info.description?.trim() || info.title || info.annotations?.title || info.name,
        inputSchema: info.inputSchema,
        ...(info.outputSchema ? { outputSchema: info.outputSchema } : {}),
        ...(approval ? { needsApproval: true } : {}),
        run: async (args, { signal }) => toolOutput(info.name, label, await call(info, args, signal)),
      });
    } catch (error) {
      if (!(error instanceof ToolDefinitionError)) throw error;
      if (options.onUnsupportedSchema === 'skip') {
        skipped.push({ name: info.name, reason: error.message });
        continue;
      }
      throw new McpError(
        `MCP tool ${info.name} of server "${label}" cannot be used: ${error.message} Leave it out with \`include\`, or pass \`onUnsupportedSchema: 'skip'\`.`,
        label,
        'schema',
        { cause: error },
      );
    }
    originalNames.set(name, info.name);
    tools.push(tool);
  }
  return { tools, originalNames, skipped };
}

/**
 * A tool result as actkit tools return them: structured content when the server gives it, text
 * otherwise; images and other binary content become file parts, which reach models that see them.
 */
function toolOutput(toolName: string, label: string, result: CallToolResult): unknown {
  const parts: Array<string | FilePart> = [];
  for (const item of result.content ?? []) {
    switch (item.type) {
      case 'text':
        parts.push(item.text);
        break;
      case 'image':
      case 'audio':
        parts.push({ type: 'file', mediaType: item.mimeType, data: item.data });
        break;
      case 'resource':
        if ('text' in item.resource) parts.push(item.resource.text);
        else parts.push({ type: 'file', mediaType: item.resource.mimeType ?? 'application/octet-stream', data: item.resource.blob, filename: item.resource.uri });
        break;
      case 'resource_link':
        parts.push(`[resource ${item.name}: ${item.uri}${item.mimeType ? ` (${item.mimeType})` : ''}]`);
        break;
    }
  }
  const text = parts.filter((p): p is string => typeof p === 'string').join('\n');
  if (result.isError) throw new McpError(text || `MCP tool ${toolName} reported an error.`, label, 'tool');
  if (parts.some((p) => typeof p !== 'string')) return parts;
  return result.structuredContent ?? text;
}

async function listAllTools(client: Client): Promise<McpToolInfo[]> {
  const tools: McpToolInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

function createTransport(server: McpServerConfig, stderr: { tail: string }, options: LoadMcpToolsOptions): Transport {
  if ('transport' in server) return server.transport;
  if ('url' in server) {
    return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers ?? {} } });
  }
  const transport = new StdioClientTransport({
    command: server.command,
    args: server.args ?? [],
    ...(server.env ? { env: server.env } : {}),
    ...(server.cwd ? { cwd: server.cwd } : {}),
    stderr: server.stderr ?? 'pipe',
    ...(options.maxMessageBytes ? { maxBufferSize: options.maxMessageBytes } : {}),
  });
  // Read a piped stderr: unread, a chatty server would block once the pipe is full.
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr.tail = (stderr.tail + chunk.toString()).slice(-STDERR_TAIL);
  });
  return transport;
}

/** The process a stdio transport starts, remembered when it starts (the SDK forgets it on close). */
function startedProcessOf(transport: Transport): { kill(): void } {
  let pid: number | null = null;
  if (transport instanceof StdioClientTransport) {
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      pid = transport.pid;
    };
  }
  return {
    kill: () => {
      if (pid === null) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

function describeServer(server: McpServerConfig): string {
  if ('transport' in server) return 'custom transport';
  if ('url' in server) return String(server.url);
  return [server.command, ...(server.args ?? [])].join(' ');
}

function classify(error: unknown, disconnected: boolean): [McpFailure, string] {
  const code = error instanceof ProtocolError ? error.code : undefined;
  if (code === ErrorCode.RequestTimeout) return ['timeout', 'no answer in time'];
  if (code === ErrorCode.ConnectionClosed || disconnected) return ['disconnected', 'the server closed the connection'];
  // fetch() failing outright means the HTTP server is gone.
  if (error instanceof TypeError && error.message === 'fetch failed') return ['disconnected', 'the server cannot be reached'];
  return ['call', 'the server refused the call'];
}

/** Code actions call tools by name: `get-sum` becomes `get_sum`, `delete` becomes `delete_`. */
function uniqueIdentifier(raw: string, taken: ReadonlyMap<string, string>): string {
  let base = raw.replace(/[^A-Za-z0-9_$]/g, '_').slice(0, 60);
  if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`.slice(0, 60);
  try {
    assertValidToolName(base);
  } catch {
    base = `${base}_`; // a reserved word
  }
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  return name;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { message?: string } } | undefined)?.cause?.message;
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MultiStepAgent, RunResult } from '@actkit/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export interface AgentMcpServerOptions {
  /** The server's name (default `actkit-<agent name>`). */
  name?: string;
  version?: string;
  /** The tool's name (default the agent's name). */
  toolName?: string;
  /** What the tool does, for the client's model (default the agent's description). */
  description?: string;
}

/**
 * An MCP server whose one tool runs an actkit agent on a task: any MCP client (Claude Desktop,
 * an IDE, another agent) can hand it work. Connect it to a transport, e.g.
 * `await agentMcpServer(agent).connect(new StdioServerTransport())`, or serve it over HTTP with
 * `createMcpHttpHandler`. Each finished step is sent as a progress notification when the client
 * asks for progress, so long runs do not hit the client's time limit.
 */
export function agentMcpServer(agent: MultiStepAgent<any, any>, options: AgentMcpServerOptions = {}): McpServer {
  const server = new McpServer({ name: options.name ?? `actkit-${agent.name}`, version: options.version ?? '0.0.0' });
  server.registerTool(
    options.toolName ?? agent.name,
    {
      description: options.description ?? (agent.description || `Runs the ${agent.name} agent on a task and returns its answer.`),
      inputSchema: { task: z.string().min(1).describe('The task, with every detail the agent needs') },
    },
    async ({ task }, extra): Promise<CallToolResult> => {
      const progressToken = extra._meta?.progressToken;
      const run = async () => {
        const stream = agent.stream(task, { signal: extra.signal }, false);
        for await (const event of stream) {
          if (event.type !== 'step-finish' || progressToken === undefined) continue;
          const { step } = event;
          await extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken, progress: step.stepNumber, message: `step ${step.stepNumber} done${step.error ? ` (error: ${step.error.message})` : ''}` },
            })
            .catch(() => {}); // Progress is a courtesy: a client gone away is seen by the run's signal.
        }
        return stream.result;
      };
      // Calls made at the same time (MCP clients may call in parallel) are runs of their own.
      try {
        return toCallToolResult(agent.name, await run());
      } catch (error) {
        return { content: [{ type: 'text', text: `The agent failed: ${(error as Error)?.message ?? error}` }], isError: true };
      }
    },
  );
  return server;
}

function toCallToolResult(name: string, result: RunResult): CallToolResult {
  const text = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value)));
  switch (result.state) {
    case 'success':
      return { content: [{ type: 'text', text: text(result.output) }] };
    case 'max_steps':
      return { content: [{ type: 'text', text: `${text(result.output)}\n\n(The agent hit its step limit; this is its best answer.)` }] };
    case 'awaiting_approval':
      return { content: [{ type: 'text', text: `The agent ${name} stopped: a tool call needs approval, which cannot be given over MCP.` }], isError: true };
    default:
      return { content: [{ type: 'text', text: `The agent ${name} did not finish (${result.state}${result.stopReason ? `: ${result.stopReason}` : ''}).` }], isError: true };
  }
}

export interface McpHttpHandlerOptions {
  /** A client's session with no request for this long is closed (default 30 minutes). */
  sessionIdleMs?: number;
}

/**
 * A `node:http` request handler serving MCP over streamable HTTP. Each client gets a session
 * (its own server from `createServer`, e.g. `() => agentMcpServer(agent)`), so any number of
 * clients can call it, and a client's cancel reaches the call it cancels (a served agent's run
 * is aborted). Sessions end when the client ends them (DELETE) or after `sessionIdleMs` without a
 * request. `http.createServer(createMcpHttpHandler(() => agentMcpServer(agent))).listen(3000)`.
 * It does no authentication: put it behind your own, or serve it only on a trusted network.
 */
export function createMcpHttpHandler(
  createServer: () => McpServer,
  options: McpHttpHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const sessions = new Map<string, Session>();
  const jsonError = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
  };
  return async (req, res) => {
    try {
      const sessionId = req.headers['mcp-session-id'];
      if (typeof sessionId === 'string') {
        const session = sessions.get(sessionId);
        // 404 tells the client its session is gone and to start a new one.
        if (!session) return jsonError(res, 404, -32001, 'Session not found.');
        session.busy++;
        clearTimeout(session.idle);
        res.on('close', () => {
          if (--session.busy === 0) session.idle = setTimeout(() => void session.transport.close(), idleMs).unref();
        });
        await session.transport.handleRequest(req, res);
        return;
      }
      // Without a session: only a POST that starts one (initialize).
      if (req.method !== 'POST') return jsonError(res, 405, -32000, 'Method not allowed.', { allow: 'POST' });
      const server = createServer();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => {
          const session: Session = { transport, busy: 1, idle: undefined };
          sessions.set(id, session);
          res.on('close', () => {
            if (--session.busy === 0) session.idle = setTimeout(() => void transport.close(), idleMs).unref();
          });
        },
      });
      transport.onclose = () => {
        const session = transport.sessionId ? sessions.get(transport.sessionId) : undefined;
        if (session) clearTimeout(session.idle);
        if (transport.sessionId) sessions.delete(transport.sessionId);
        void server.close();
      };
      await server.connect(transport);
      await transport.handleRequest(req, res);
      // A request that did not start a session (the transport refused it) leaves nothing behind.
      if (!transport.sessionId) await transport.close();
    } catch (error) {
      if (!res.headersSent) jsonError(res, 500, -32603, `Internal error: ${(error as Error).message}`);
    }
  };
}

interface Session {
  transport: StreamableHTTPServerTransport;
  /** Requests in progress; the idle timer runs only when there are none. */
  busy: number;
  idle: ReturnType<typeof setTimeout> | undefined;
}

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

/** One run at a time per agent: an agent instance is not re-entrant, and MCP clients may call in parallel. */
const queues = new WeakMap<MultiStepAgent, Promise<unknown>>();

/**
 * An MCP server whose one tool runs an actkit agent on a task: any MCP client (Claude Desktop,
 * an IDE, another agent) can hand it work. Connect it to a transport, e.g.
 * `await agentMcpServer(agent).connect(new StdioServerTransport())`, or serve it over HTTP with
 * `createMcpHttpHandler`. Each finished step is sent as a progress notification when the client
 * asks for progress, so long runs do not hit the client's time limit.
 */
export function agentMcpServer(agent: MultiStepAgent, options: AgentMcpServerOptions = {}): McpServer {
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
      const previous = queues.get(agent) ?? Promise.resolve();
      const current = previous.catch(() => {}).then(run);
      queues.set(agent, current);
      try {
        return toCallToolResult(agent.name, await current);
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

/**
 * A `node:http` request handler serving MCP over streamable HTTP, statelessly: every POST gets a
 * fresh server from `createServer` (e.g. `() => agentMcpServer(agent)`), so any number of clients
 * can call it. `http.createServer(createMcpHttpHandler(() => agentMcpServer(agent))).listen(3000)`.
 * It does no authentication: put it behind your own, or serve it only on a trusted network.
 */
export function createMcpHttpHandler(createServer: () => McpServer): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'POST') {
      // Stateless: no session to stream to (GET) or to end (DELETE).
      res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
      return;
    }
    const server = createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: `Internal error: ${(error as Error).message}` }, id: null }));
      }
    }
  };
}

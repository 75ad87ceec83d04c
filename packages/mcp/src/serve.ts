import type { MultiStepAgent } from '@actkit/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/**
 * An MCP server whose one tool runs an actkit agent: any MCP client (Claude Desktop, an IDE,
 * another agent) can hand it a task. Connect it to a transport, e.g.
 * `await server.connect(new StdioServerTransport())`.
 */
export function agentMcpServer(agent: MultiStepAgent, options: { name?: string; toolName?: string; description?: string } = {}): McpServer {
  const server = new McpServer({ name: options.name ?? `actkit-${agent.name}`, version: '0.0.0' });
  server.registerTool(
    options.toolName ?? agent.name,
    {
      description: options.description ?? (agent.description || `Runs the ${agent.name} agent on a task and returns its answer.`),
      inputSchema: { task: z.string().min(1).describe('The task, with every detail the agent needs') },
    },
    async ({ task }, extra) => {
      try {
        const result = await agent.run(task, { signal: extra.signal });
        const text = typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
        return {
          content: [{ type: 'text', text: text ?? '' }],
          isError: result.state !== 'success',
        };
      } catch (error) {
        return { content: [{ type: 'text', text: `The agent failed: ${(error as Error).message}` }], isError: true };
      }
    },
  );
  return server;
}

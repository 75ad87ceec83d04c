import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { CodeAgent } from '@actkit/code-actions';
import { actionSteps } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { agentMcpServer, loadMcpTools, McpError } from '../src/index.js';

// Real MCP servers from the npm registry, started by the tests over stdio.
const require = createRequire(import.meta.url);
const everything = { command: process.execPath, args: [require.resolve('@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] };
const filesystemBin = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');

describe('MCP tools', () => {
  it("loads the reference 'everything' server's tools: schemas, renamed identifiers, both agents", async () => {
    const toolset = await loadMcpTools(everything);
    try {
      const names = toolset.tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['echo', 'get_sum']));
      expect(toolset.originalNames.get('get_sum')).toBe('get-sum');

      const json = new ToolCallingAgent({
        model: new ScriptedModel([{ toolCalls: [{ name: 'echo', input: { message: 'hello mcp' } }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'done' } }] }]),
        tools: toolset.tools,
      });
      const result = await json.run('Echo.');
      expect(actionSteps(result)[0]!.toolCalls[0]!.output).toBe('Echo: hello mcp');

      const bad = await json.toolbox.call('get_sum', { a: 'x', b: 2 }, { signal: new AbortController().signal, toolCallId: 'x' });
      expect(bad.ok || bad.error.message).toMatch(/get_sum.*"a"/);

      const model = new ScriptedModel(['<code>\nconst r = get_sum({ a: 2, b: 40 });\nfinal_answer(r)\n</code>']);
      const executor = new LocalExecutor();
      try {
        const code = await new CodeAgent({ model, tools: toolset.tools, executor }).run('Sum.');
        expect(String(code.output)).toContain('42');
        expect(model.calls[0]!.messages[0]!.content).toMatch(/declare function get_sum\(input: \{[\s\S]*a: number;/);
      } finally {
        await executor.close();
      }
    } finally {
      await toolset.close();
    }
  });

  it("uses the reference 'filesystem' server inside a sandbox it allows", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'actkit-mcp-fs-'));
    writeFileSync(join(dir, 'notes.txt'), 'actkit was here');
    const toolset = await loadMcpTools({ command: process.execPath, args: [filesystemBin, dir] });
    try {
      const read = toolset.tools.find((t) => t.name === 'read_text_file' || t.name === 'read_file')!;
      const content = await read.run({ path: join(dir, 'notes.txt') }, { signal: new AbortController().signal, toolCallId: 't' });
      expect(JSON.stringify(content)).toContain('actkit was here');
      await expect(read.run({ path: '/etc/passwd' }, { signal: new AbortController().signal, toolCallId: 't' })).rejects.toThrow(/denied|outside|not allowed/i);
    } finally {
      await toolset.close();
    }
  });

  it('serves an actkit agent as an MCP tool over streamable HTTP', async () => {
    const agent = new ToolCallingAgent({
      name: 'helper',
      description: 'Answers questions.',
      model: new ScriptedModel([{ toolCalls: [{ name: 'final_answer', input: { answer: 'The answer is 42.' } }] }], { loop: true }),
    });
    const http = createServer(async (req, res) => {
      // Stateless: one server and transport per request.
      const server = agentMcpServer(agent);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      let body = '';
      for await (const chunk of req) body += chunk;
      await transport.handleRequest(req, res, body ? JSON.parse(body) : undefined);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    try {
      const toolset = await loadMcpTools({ url });
      try {
        expect(toolset.tools.map((t) => t.name)).toEqual(['helper']);
        const output = await toolset.tools[0]!.run({ task: 'What is the answer?' }, { signal: new AbortController().signal, toolCallId: 't' });
        expect(output).toBe('The answer is 42.');
      } finally {
        await toolset.close();
      }
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });

  it('fails clearly for a server that dies, and a tool whose schema is unusable', async () => {
    await expect(loadMcpTools({ command: process.execPath, args: ['-e', 'process.exit(3)'] })).rejects.toThrow(McpError);
    const script = join(mkdtempSync(join(tmpdir(), 'actkit-mcp-bad-')), 'bad-server.mjs');
    writeFileSync(
      script,
      `import { Server } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/server/index.js'))};
       import { StdioServerTransport } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/server/stdio.js'))};
       import { ListToolsRequestSchema } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/types.js'))};
       const server = new Server({ name: 'bad', version: '1' }, { capabilities: { tools: {} } });
       server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'weird', description: 'x', inputSchema: { type: 'object', properties: { v: { type: 'not-a-type' } } } }] }));
       await server.connect(new StdioServerTransport());`,
    );
    await expect(loadMcpTools({ command: process.execPath, args: [script] })).rejects.toThrow(/MCP tool weird has an input schema actkit cannot use/);
  });
});

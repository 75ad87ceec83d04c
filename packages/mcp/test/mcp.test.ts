import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeAgent } from '@actkit/code-actions';
import { actionSteps, type AnyTool, type ToolContext, toolInputJSONSchema } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentMcpServer, createMcpHttpHandler, loadMcpTools, McpError, type McpToolset } from '../src/index.js';

// Real MCP servers from the npm registry, started by the tests.
const require = createRequire(import.meta.url);
const everythingBin = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const filesystemBin = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
const everything = { command: process.execPath, args: [everythingBin, 'stdio'] };

const call = (): ToolContext => ({ signal: new AbortController().signal, toolCallId: 'test' });
const byName = (toolset: McpToolset, name: string): AnyTool => toolset.tools.find((t) => t.name === name)!;
const pidOf = (toolset: McpToolset) => (toolset.client.transport as unknown as { pid: number | null }).pid!;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the reference 'everything' server over stdio", () => {
  let toolset: McpToolset;
  beforeAll(async () => {
    toolset = await loadMcpTools(everything);
  });
  afterAll(() => toolset.close());

  it('loads its tools under identifier names, with the JSON Schema as the server wrote it', async () => {
    expect(toolset.serverName).toBe('mcp-servers/everything');
    expect(toolset.instructions).toMatch(/Everything Server/);
    expect(toolset.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get_sum', 'get_tiny_image', 'get_structured_content']));
    expect(toolset.originalNames.get('get_sum')).toBe('get-sum');
    const listed = (await toolset.client.listTools()).tools.find((t) => t.name === 'get-sum')!;
    const { $schema: _, ...asWritten } = listed.inputSchema as Record<string, unknown>;
    expect(toolInputJSONSchema(byName(toolset, 'get_sum'))).toEqual(asWritten);
  });

  it('runs in a ToolCallingAgent: the model sees the raw schema, bad arguments never reach the server', async () => {
    const model = new ScriptedModel([
      { toolCalls: [{ name: 'get_sum', input: { a: 'two', b: 2 } }, { name: 'echo', input: { message: 'hello mcp' } }] },
      { toolCalls: [{ name: 'final_answer', input: { answer: 'done' } }] },
    ]);
    const result = await new ToolCallingAgent({ model, tools: toolset.tools }).run('Echo.');
    const [sum, echo] = actionSteps(result)[0]!.toolCalls;
    expect(sum!.error?.message).toMatch(/get_sum.*field "a".*expected number/);
    expect(echo!.output).toBe('Echo: hello mcp');
    const sent = model.calls[0]!.tools!.find((t) => t.name === 'get_sum')!;
    expect(sent.inputSchema).toEqual(toolInputJSONSchema(byName(toolset, 'get_sum')));
  });

  it('runs in a CodeAgent: TypeScript signatures from the JSON Schema, tools called from the sandbox', async () => {
    const model = new ScriptedModel([
      '<code>\nconst sum = get_sum({ a: 2, b: 40 });\nconst weather = get_structured_content({ location: "Chicago" });\nfinal_answer({ sum, humidity: weather.humidity })\n</code>',
    ]);
    const executor = new LocalExecutor();
    try {
      const result = await new CodeAgent({ model, tools: toolset.tools, executor }).run('Sum, and the humidity in Chicago.');
      expect(result.output).toEqual({ sum: 'The sum of 2 and 40 is 42.', humidity: 82 });
      const prompt = model.calls[0]!.messages[0]!.content as string;
      expect(prompt).toContain('declare function get_sum(input: {\n  /** First number */\n  a: number;\n  /** Second number */\n  b: number;\n}): unknown;');
      // The server's output schema becomes the declared return type.
      expect(prompt).toMatch(/declare function get_structured_content\(input: \{[\s\S]*location: "New York" \| "Chicago" \| "Los Angeles";\n\}\): \{[\s\S]*humidity: number;/);
    } finally {
      await executor.close();
    }
  });

  it('turns images into file parts that reach the model', async () => {
    const output = await byName(toolset, 'get_tiny_image').run({}, call());
    expect(output).toEqual([expect.stringMatching(/image/), { type: 'file', mediaType: 'image/png', data: expect.stringMatching(/^iVBOR/) }, expect.any(String)]);
    const model = new ScriptedModel([{ toolCalls: [{ name: 'get_tiny_image', input: {} }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'a logo' } }] }]);
    await new ToolCallingAgent({ model, tools: toolset.tools }).run('Show the image.');
    const toolMessage = model.calls[1]!.messages.find((m) => m.role === 'tool')!;
    expect(JSON.stringify(toolMessage.content)).toContain('"mediaType":"image/png"');
  });

  it('passes only the environment it is given', async () => {
    process.env.ACTKIT_TEST_SECRET = 'do-not-leak';
    const scoped = await loadMcpTools({ ...everything, env: { ACTKIT_TEST_VISIBLE: 'yes' } }, { include: ['get-env'] });
    try {
      expect(scoped.tools.map((t) => t.name)).toEqual(['get_env']);
      const env = String(await scoped.tools[0]!.run({}, call()));
      expect(env).toContain('ACTKIT_TEST_VISIBLE');
      expect(env).not.toContain('do-not-leak');
    } finally {
      delete process.env.ACTKIT_TEST_SECRET;
      await scoped.close();
    }
  });

  it('times out a call that makes no progress in time, with a typed error; the call timeout does not bound connecting', async () => {
    // 1 ms cannot start a server and do the handshake: connecting has its own, generous limit.
    const slow = await loadMcpTools(everything, { include: ['trigger-long-running-operation'], timeoutMs: 1, prefix: 'ev_' });
    try {
      const tool = slow.tools[0]!;
      expect(tool.name).toBe('ev_trigger_long_running_operation');
      // One step of an hour: no progress arrives before the call's time limit, however slow the machine.
      const error = await Promise.resolve(tool.run({ duration: 3600, steps: 1 }, call())).catch((e) => e);
      expect(error).toBeInstanceOf(McpError);
      expect(error).toMatchObject({ reason: 'timeout', server: 'mcp-servers/everything' });
    } finally {
      await slow.close();
    }
  });
});

describe("the reference 'filesystem' server over stdio", () => {
  it('reads inside the directory it allows, and reports its own refusals as tool errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'actkit-mcp-fs-'));
    writeFileSync(join(dir, 'notes.txt'), 'actkit was here');
    const toolset = await loadMcpTools({ command: process.execPath, args: [filesystemBin, dir] });
    try {
      const read = byName(toolset, 'read_text_file');
      expect(await read.run({ path: join(dir, 'notes.txt') }, call())).toEqual({ content: 'actkit was here' });
      const denied = await Promise.resolve(read.run({ path: '/etc/passwd' }, call())).catch((e) => e);
      expect(denied).toBeInstanceOf(McpError);
      expect(denied.reason).toBe('tool');
      expect(denied.message).toMatch(/Access denied/i);
    } finally {
      await toolset.close();
    }
  });

  it('fails to start with the reason the server printed', async () => {
    const error = await loadMcpTools({ command: process.execPath, args: [filesystemBin, '/no/such/dir/actkit'] }).catch((e) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error.reason).toBe('connect');
    expect(error.message).toMatch(/Could not connect to the MCP server .*server-filesystem[\s\S]*stderr ended with:[\s\S]*no\/such\/dir/);
  });
});

describe('a server that goes away', () => {
  it('gives typed errors once the server process dies, and the agent run goes on', async () => {
    const toolset = await loadMcpTools(everything, { include: ['echo'] });
    try {
      expect(await toolset.tools[0]!.run({ message: 'before' }, call())).toBe('Echo: before');
      const pid = pidOf(toolset);
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50)); // the client sees the pipes close just after the exit
      const error = await Promise.resolve(toolset.tools[0]!.run({ message: 'after' }, call())).catch((e) => e);
      expect(error).toBeInstanceOf(McpError);
      expect(error).toMatchObject({ reason: 'disconnected' });
      expect(error.message).toMatch(/MCP tool echo cannot run: the MCP server "mcp-servers\/everything" has closed the connection/);

      const result = await new ToolCallingAgent({
        model: new ScriptedModel([{ toolCalls: [{ name: 'echo', input: { message: 'x' } }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'gave up' } }] }]),
        tools: toolset.tools,
      }).run('Echo.');
      expect(result.output).toBe('gave up');
      expect(actionSteps(result)[0]!.toolCalls[0]!.error?.message).toMatch(/has closed the connection/);
    } finally {
      await toolset.close();
    }
  });

  it('fails to connect to a process that exits, a command that does not exist, and a URL with no server', async () => {
    const exits = await loadMcpTools({ command: process.execPath, args: ['-e', 'console.error("bad config"); process.exit(3)'] }).catch((e) => e);
    expect(exits).toBeInstanceOf(McpError);
    expect(exits.message).toMatch(/Could not connect[\s\S]*bad config/);
    const missing = await loadMcpTools({ command: 'actkit-no-such-mcp-server' }).catch((e) => e);
    expect(missing).toMatchObject({ name: 'McpError', reason: 'connect' });
    expect(missing.message).toMatch(/ENOENT/);
    const nobody = await loadMcpTools({ url: 'http://127.0.0.1:9/mcp' }).catch((e) => e);
    expect(nobody).toMatchObject({ name: 'McpError', reason: 'connect' });
  });

  it('closes the connection and stops the server with the toolset', async () => {
    const toolset = await loadMcpTools(everything, { include: ['echo'] });
    const pid = pidOf(toolset);
    expect(alive(pid)).toBe(true);
    await toolset[Symbol.asyncDispose]();
    await toolset.close(); // idempotent
    expect(alive(pid)).toBe(false);
    const error = await Promise.resolve(toolset.tools[0]!.run({ message: 'x' }, call())).catch((e) => e);
    expect(error).toMatchObject({ name: 'McpError', reason: 'closed' });
  });

  it('ends a call in flight when the toolset is closed, saying it was closed (not that the server went away)', async () => {
    const toolset = await loadMcpTools(everything, { include: ['trigger-long-running-operation'], timeoutMs: 600_000 });
    const pending = Promise.resolve(toolset.tools[0]!.run({ duration: 3600, steps: 1 }, call())).catch((e) => e);
    await toolset.close();
    const error = await pending;
    expect(error).toMatchObject({ name: 'McpError', reason: 'closed' });
    expect(error.message).toMatch(/was closed during the call/);
  });
});

describe('tools with schemas actkit cannot validate', () => {
  // A real MCP server (the SDK's own Server class) listing one usable and one unusable tool.
  const script = join(mkdtempSync(join(tmpdir(), 'actkit-mcp-bad-')), 'bad-server.mjs');
  writeFileSync(
    script,
    `import { Server } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/server/index.js'))};
     import { StdioServerTransport } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/server/stdio.js'))};
     import { ListToolsRequestSchema } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/types.js'))};
     const server = new Server({ name: 'odd', version: '1' }, { capabilities: { tools: {} } });
     server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [
       { name: 'fine', description: 'ok', inputSchema: { type: 'object', properties: { v: { type: 'string' } } } },
       { name: 'conditional', description: 'x', inputSchema: { type: 'object', if: { properties: { a: { const: 1 } } }, then: { required: ['b'] } } },
       { name: 'delete', description: 'A reserved word.', inputSchema: { type: 'object' } },
       { name: 'get-sum', description: 'Not an identifier.', inputSchema: { type: 'object' } },
       { name: 'get_sum', description: 'Taken once renamed.', inputSchema: { type: 'object' } },
     ] }));
     await server.connect(new StdioServerTransport());`,
  );

  it('fails the load naming the tool, or skips it when asked; renames tools code cannot call', async () => {
    const error = await loadMcpTools({ command: process.execPath, args: [script] }).catch((e) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ reason: 'schema', server: 'odd' });
    expect(error.message).toMatch(/MCP tool conditional of server "odd" cannot be used: .*Conditional schemas/);

    const toolset = await loadMcpTools({ command: process.execPath, args: [script] }, { onUnsupportedSchema: 'skip' });
    try {
      expect(toolset.tools.map((t) => t.name)).toEqual(['fine', 'delete_', 'get_sum', 'get_sum_2']);
      expect([...toolset.originalNames]).toEqual([
        ['fine', 'fine'],
        ['delete_', 'delete'],
        ['get_sum', 'get-sum'],
        ['get_sum_2', 'get_sum'],
      ]);
      expect(toolset.skipped).toEqual([{ name: 'conditional', reason: expect.stringMatching(/Conditional schemas/) }]);
    } finally {
      await toolset.close();
    }
  });
});

describe('streamable HTTP', () => {
  it("loads the 'everything' server's tools over streamable HTTP, and notices when it goes away", async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [everythingBin, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitForOutput(server, /listening on port/);
      const toolset = await loadMcpTools({ url: `http://127.0.0.1:${port}/mcp` });
      try {
        expect(await byName(toolset, 'get_sum').run({ a: 1, b: 2 }, call())).toBe('The sum of 1 and 2 is 3.');
        server.kill('SIGKILL');
        await new Promise((r) => server.once('exit', r));
        const error = await Promise.resolve(byName(toolset, 'echo').run({ message: 'x' }, call())).catch((e) => e);
        expect(error).toMatchObject({ name: 'McpError', reason: 'disconnected' });
        expect(error.message).toMatch(/cannot be reached/);
      } finally {
        await toolset.close();
      }
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('serves an actkit agent as an MCP tool, loaded back by both agents, with progress per step', async () => {
    const helper = new ToolCallingAgent({
      name: 'helper',
      description: 'Answers questions about the number 42.',
      // Two steps a run: a call of a tool it does not have (an error the model sees), then the answer.
      model: new ScriptedModel(
        [{ toolCalls: [{ name: 'lookup', input: {} }] }, { toolCalls: [{ name: 'final_answer', input: { answer: 'The answer is 42.' } }] }],
        { loop: true },
      ),
    });
    const http = createServer(createMcpHttpHandler(() => agentMcpServer(helper)));
    const url = await listen(http);
    try {
      const toolset = await loadMcpTools({ url });
      try {
        expect(toolset.tools.map((t) => t.name)).toEqual(['helper']);
        expect(toolset.tools[0]!.description).toBe('Answers questions about the number 42.');
        // Calls in parallel are runs of their own on the one agent instance.
        const answers = await Promise.all([1, 2, 3].map(() => toolset.tools[0]!.run({ task: 'What is the answer?' }, call())));
        expect(answers).toEqual(['The answer is 42.', 'The answer is 42.', 'The answer is 42.']);

        const model = new ScriptedModel(['<code>\nfinal_answer(helper({ task: "What is the answer?" }))\n</code>']);
        const executor = new LocalExecutor();
        try {
          expect((await new CodeAgent({ model, tools: toolset.tools, executor }).run('Ask the helper.')).output).toBe('The answer is 42.');
        } finally {
          await executor.close();
        }
      } finally {
        await toolset.close();
      }

      const client = new Client({ name: 'raw', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        const progress: number[] = [];
        const result = await client.callTool({ name: 'helper', arguments: { task: 'Again?' } }, undefined, { onprogress: (p) => progress.push(p.progress) });
        expect(result.content).toEqual([{ type: 'text', text: 'The answer is 42.' }]);
        expect(progress).toEqual([1, 2]);
        const refused = await client.callTool({ name: 'helper', arguments: { task: '' } });
        expect(refused.isError).toBe(true);
      } finally {
        await client.close();
      }
      expect((await fetch(url)).status).toBe(405);
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });

  it('reports a failing agent as a tool error, not a broken server', async () => {
    const failing = new ToolCallingAgent({ name: 'failing', description: 'Fails.', model: new ScriptedModel([{ error: new Error('model is down') }], { loop: true }) });
    const http = createServer(createMcpHttpHandler(() => agentMcpServer(failing)));
    const url = await listen(http);
    try {
      const toolset = await loadMcpTools({ url });
      try {
        const error = await Promise.resolve(toolset.tools[0]!.run({ task: 'go' }, call())).catch((e) => e);
        expect(error).toMatchObject({ name: 'McpError', reason: 'tool' });
        expect(error.message).toMatch(/The agent failed: .*model is down/);
      } finally {
        await toolset.close();
      }
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Server did not start: ${seen}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`Server exited (${code}): ${seen}`)));
  });
}

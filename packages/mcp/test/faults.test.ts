import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolContext } from '@actkit/core';
import { runNodeProcess } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { loadMcpTools, McpError } from '../src/index.js';

const require = createRequire(import.meta.url);
const everythingBin = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const call = (): ToolContext => ({ signal: new AbortController().signal, toolCallId: 'test' });
const pidOf = (client: { transport?: unknown }) => (client.transport as { pid: number | null }).pid!;

describe('faults of MCP servers', () => {
  it('ends a server that failed its handshake before loadMcpTools rejects: a script that exits then leaves none behind', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'actkit-mcp-mute-')), 'pid');
    const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
    const { stdout } = await runNodeProcess(['--conditions=@actkit/source', '--import', 'tsx', fixture('connect-fails-then-exits.ts'), fixture('mute-server.mjs'), pidFile]);
    expect(stdout.trim()).toBe('McpError connect');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // The server ignores SIGTERM and its stdin's end: left to the SDK's close, it would outlive the script for good.
    await waitUntil(() => !isRunning(pid), 60_000);
  }, 120_000);


  it('reports a streamable HTTP server that dies mid-call as disconnected at once, not as a timeout later', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [everythingBin, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await waitForOutput(server, /listening on port/);
      // A call limit of 10 minutes: only noticing the server is gone can end this call sooner.
      const toolset = await loadMcpTools({ url: `http://127.0.0.1:${port}/mcp` }, { include: ['trigger-long-running-operation'], timeoutMs: 600_000 });
      try {
        const started = Date.now();
        const pending = Promise.resolve(toolset.tools[0]!.run({ duration: 3600, steps: 1 }, call())).catch((e) => e);
        setTimeout(() => server.kill('SIGKILL'), 1000);
        const error = await pending;
        expect(error).toBeInstanceOf(McpError);
        expect(error).toMatchObject({ reason: 'disconnected' });
        expect(error.message).toMatch(/cannot be reached/);
        expect(Date.now() - started).toBeLessThan(300_000);
      } finally {
        await toolset.close();
      }
    } finally {
      server.kill('SIGKILL');
    }
  }, 320_000);

  // A real MCP server (the SDK's own) whose one tool answers with as many megabytes of text as asked.
  const script = join(mkdtempSync(join(tmpdir(), 'actkit-mcp-big-')), 'big-server.mjs');
  writeFileSync(
    script,
    `import { McpServer } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/server/mcp.js'))};
     import { StdioServerTransport } from ${JSON.stringify(require.resolve('@modelcontextprotocol/sdk/server/stdio.js'))};
     import { z } from ${JSON.stringify(require.resolve('zod'))};
     const server = new McpServer({ name: 'big', version: '1' });
     server.registerTool('megabytes', { description: 'Text of n MB.', inputSchema: { n: z.number() } }, async ({ n }) => ({ content: [{ type: 'text', text: 'x'.repeat(n * 1024 * 1024) }] }));
     await server.connect(new StdioServerTransport());`,
  );

  it('fails only the call whose result is over the stdio limit, and restarts the connection for the next ones', async () => {
    // A 1 MB limit, so the test moves little data (the SDK's default is 10 MB); generous call limits: no race with the machine.
    const toolset = await loadMcpTools({ command: process.execPath, args: [script] }, { maxMessageBytes: 1024 * 1024, timeoutMs: 600_000 });
    try {
      const megabytes = toolset.tools[0]!;
      const firstPid = pidOf(toolset.client);
      const error = await Promise.resolve(megabytes.run({ n: 2 }, call())).catch((e) => e);
      expect(error).toBeInstanceOf(McpError);
      expect(error).toMatchObject({ reason: 'too_large', server: 'big' });
      expect(error.message).toMatch(/its result is larger than the 1 MB an MCP message over stdio may have here \(raise `maxMessageBytes`, or ask for less\)\. The connection was restarted: later calls work\./);
      expect(String(await megabytes.run({ n: 0.5 }, call()))).toHaveLength(512 * 1024);
      expect(pidOf(toolset.client)).not.toBe(firstPid);
    } finally {
      await toolset.close();
    }
  }, 900_000);
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

function waitForOutput(child: ReturnType<typeof spawn>, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Server did not start: ${seen}`)), 60_000);
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

/** Whether the process runs: gone, or a zombie waiting to be reaped, counts as ended. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, limitMs: number): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > limitMs) throw new Error(`still not so after ${limitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

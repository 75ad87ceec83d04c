import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunResult, tool } from '@actkit/core';
import { ToolCallingAgent } from '@actkit/json-actions';
import { ScriptedModel } from '@actkit/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentMcpServer, createMcpHttpHandler } from '../src/index.js';

describe('an agent served over streamable HTTP', () => {
  it("is aborted by the client's cancel: its side-effecting tool stops running", async () => {
    const charges: number[] = [];
    let charged!: () => void;
    const firstCharge = new Promise<void>((r) => {
      charged = r;
    });
    const charge = tool({
      name: 'charge',
      description: 'Charges a card.',
      input: z.object({ cents: z.number() }),
      run: ({ cents }) => {
        charges.push(cents);
        charged();
        return 'charged';
      },
    });
    let finished!: (result: RunResult) => void;
    const runEnded = new Promise<RunResult>((r) => {
      finished = r;
    });
    // A model that charges, then waits (as a slow model would) until aborted, five times over.
    const slowly = (call: { abortSignal?: AbortSignal }) =>
      new Promise<never>((_, reject) => call.abortSignal!.addEventListener('abort', () => reject(call.abortSignal!.reason), { once: true }));
    const agent = new ToolCallingAgent({
      name: 'biller',
      description: 'Bills.',
      tools: [charge],
      model: new ScriptedModel([{ toolCalls: [{ name: 'charge', input: { cents: 100 } }] }, slowly as never, { toolCalls: [{ name: 'charge', input: { cents: 100 } }] }]),
      hooks: { onEvent: (event) => void (event.type === 'run-finish' && finished(event.result)) },
    });
    const http = createServer(createMcpHttpHandler(() => agentMcpServer(agent)));
    const url = await listen(http);
    const client = new Client({ name: 'raw', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const controller = new AbortController();
      const pending = client.callTool({ name: 'biller', arguments: { task: 'Bill twice.' } }, undefined, { signal: controller.signal }).catch((e) => e);
      await firstCharge;
      controller.abort('the user changed their mind');
      expect(await pending).toBeInstanceOf(Error);
      // The served run ends aborted (it would otherwise wait on the model for good): no second charge.
      expect((await runEnded).state).toBe('aborted');
      expect(charges).toEqual([100]);
    } finally {
      await client.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  }, 60_000);
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

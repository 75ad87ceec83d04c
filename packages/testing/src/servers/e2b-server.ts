import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readBody, sendJson } from './http-messages.js';
import { networkSwitch } from './network-switch.js';

/**
 * A local server that speaks E2B's wire protocol, for tests of the real `e2b` SDK: the control
 * API (`POST /v2/sandboxes`, `DELETE /sandboxes/{id}`, with `X-API-Key`) and a sandbox's envd —
 * `POST /files` (multipart upload) and the `process.Process` Connect RPC service in its JSON
 * encoding (`Start` server-streaming with enveloped messages, `SendInput`, `SendSignal`), which
 * is what the JS SDK uses. A "sandbox" is a private folder on this machine; its processes run
 * here (node runs the runner): the SDK's code path is real, the machine behind it is a stand-in.
 *
 * Point the SDK at it with `{ apiUrl: server.url, sandboxUrl: server.url }`.
 */
export interface E2BServerOptions {
  /** The API key the control API accepts (default "e2b_test_key"); any other gets 401. */
  apiKey?: string;
}

export interface E2BTestServer {
  readonly url: string;
  readonly apiKey: string;
  /** Sandboxes alive now, by id. */
  readonly sandboxes: ReadonlyMap<string, { root: string; processes: ReadonlyMap<number, ChildProcessWithoutNullStreams> }>;
  /** Every request, as "METHOD /path". */
  readonly requests: string[];
  /** The next sandbox creations fail: `quota` answers 429, `slow` waits `ms` before answering. */
  failNextCreate(fault: { type: 'quota' } | { type: 'slow'; ms: number }): void;
  /** A sandbox disappears (its processes are killed, its envd answers 502 from now on). */
  destroySandbox(id: string): void;
  /** Every open connection is cut, and new ones are refused until `restoreNetwork()`. */
  cutNetwork(): void;
  restoreNetwork(): void;
  /** The runner of the sandbox made last is killed, as a crash inside the sandbox would end it. */
  killNewestRunner(): void;
  close(): Promise<void>;
}

interface FakeSandbox {
  root: string;
  processes: Map<number, ChildProcessWithoutNullStreams>;
  /** Paths written through /files, mapped to this machine. */
  files: Map<string, string>;
}

const ENVD_VERSION = '0.5.7';

export async function startE2BServer(options: E2BServerOptions = {}): Promise<E2BTestServer> {
  const apiKey = options.apiKey ?? 'e2b_test_key';
  const sandboxes = new Map<string, FakeSandbox>();
  const requests: string[] = [];
  const faults: Array<{ type: 'quota' } | { type: 'slow'; ms: number }> = [];
  let nextPid = 1000;

  const sandboxOf = (req: IncomingMessage) => sandboxes.get(String(req.headers['e2b-sandbox-id'] ?? ''));
  const local = (sandbox: FakeSandbox, path: string) => join(sandbox.root, path);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}`);
    // ── control API ──
    if (url.pathname === '/v2/sandboxes' && req.method === 'POST') {
      if (req.headers['x-api-key'] !== apiKey) return sendJson(res, 401, { code: 401, message: 'Invalid API key' });
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { templateID?: string };
      const fault = faults.shift();
      if (fault?.type === 'quota') return sendJson(res, 429, { code: 429, message: 'You have reached the maximum number of concurrent sandboxes' });
      if (fault?.type === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
      const id = `sbx_${randomUUID().slice(0, 8)}`;
      sandboxes.set(id, { root: mkdtempSync(join(tmpdir(), 'actkit-e2b-')), processes: new Map(), files: new Map() });
      return sendJson(res, 201, { sandboxID: id, templateID: body.templateID ?? 'base', clientID: 'local', envdVersion: ENVD_VERSION, envdAccessToken: null, domain: null });
    }
    const kill = /^\/sandboxes\/([^/]+)$/.exec(url.pathname);
    if (kill && req.method === 'DELETE') {
      if (req.headers['x-api-key'] !== apiKey) return sendJson(res, 401, { code: 401, message: 'Invalid API key' });
      if (!sandboxes.has(kill[1]!)) return sendJson(res, 404, { code: 404, message: `Sandbox ${kill[1]} not found` });
      destroy(kill[1]!);
      res.writeHead(204).end();
      return;
    }
    // ── envd ──
    const sandbox = sandboxOf(req);
    if (!sandbox) return sendJson(res, 502, { code: 502, message: 'The sandbox was not found' });
    if (url.pathname === '/health') return void res.writeHead(204).end();
    if (url.pathname === '/files' && req.method === 'POST') {
      const path = url.searchParams.get('path') ?? '';
      const form = await new Request('http://localhost/files', { method: 'POST', headers: req.headers as Record<string, string>, body: new Uint8Array(await readBody(req)) }).formData();
      const file = form.get('file') as Blob;
      const target = local(sandbox, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, Buffer.from(await file.arrayBuffer()));
      sandbox.files.set(path, target);
      return sendJson(res, 200, [{ name: basename(path), type: 'file', path }]);
    }
    if (url.pathname === '/process.Process/Start' && req.method === 'POST') {
      const [request] = unenvelope(await readBody(req)) as [{ process: { cmd: string; args?: string[]; envs?: Record<string, string> } }];
      // The command runs here; paths written into the sandbox point at their local copies.
      const args = (request.process.args ?? []).filter((a) => a !== '-l');
      const last = args.length - 1;
      for (const [path, target] of sandbox.files) args[last] = args[last]!.split(path).join(target);
      const child = spawn(request.process.cmd, args, { cwd: sandbox.root, env: { ...process.env, ...request.process.envs }, stdio: 'pipe' });
      const pid = nextPid++;
      sandbox.processes.set(pid, child);
      res.writeHead(200, { 'content-type': 'application/connect+json' });
      res.write(envelope({ event: { start: { pid } } }));
      child.stdout.on('data', (c: Buffer) => res.write(envelope({ event: { data: { stdout: c.toString('base64') } } })));
      child.stderr.on('data', (c: Buffer) => res.write(envelope({ event: { data: { stderr: c.toString('base64') } } })));
      child.on('close', (code, signal) => {
        sandbox.processes.delete(pid);
        res.write(envelope({ event: { end: { exitCode: code ?? -1, exited: code !== null, status: signal ? `signal: ${signal}` : `exit status ${code}` } } }));
        res.end(envelope({}, 2));
      });
      child.on('error', () => {});
      return;
    }
    if (url.pathname === '/process.Process/SendInput' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { process: { pid: number }; input: { stdin: string } };
      const child = sandbox.processes.get(body.process.pid);
      if (!child) return sendJson(res, 404, { code: 'not_found', message: `process ${body.process.pid} not found` });
      child.stdin.write(Buffer.from(body.input.stdin, 'base64'));
      return sendJson(res, 200, {});
    }
    if (url.pathname === '/process.Process/SendSignal' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { process: { pid: number } };
      const child = sandbox.processes.get(body.process.pid);
      if (!child) return sendJson(res, 404, { code: 'not_found', message: `process ${body.process.pid} not found` });
      child.kill('SIGKILL');
      return sendJson(res, 200, {});
    }
    sendJson(res, 404, { code: 404, message: `no route ${req.method} ${url.pathname}` });
  };

  const destroy = (id: string) => {
    const sandbox = sandboxes.get(id);
    if (!sandbox) return;
    sandboxes.delete(id);
    for (const child of sandbox.processes.values()) child.kill('SIGKILL');
    rmSync(sandbox.root, { recursive: true, force: true });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { code: 500, message: error.message });
      else res.destroy();
    });
  });
  const network = networkSwitch(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiKey,
    sandboxes,
    requests,
    failNextCreate: (fault) => void faults.push(fault),
    destroySandbox: destroy,
    cutNetwork: network.cut,
    restoreNetwork: network.restore,
    killNewestRunner: () => {
      const newest = [...sandboxes.values()].at(-1);
      if (!newest) throw new Error('no sandbox to kill the runner of');
      for (const child of newest.processes.values()) child.kill('SIGKILL');
    },
    close: async () => {
      for (const id of [...sandboxes.keys()]) destroy(id);
      network.dropAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One Connect streaming message: a flags byte, a 4-byte big-endian length, the JSON. */
function envelope(message: unknown, flags = 0): Buffer {
  const payload = Buffer.from(JSON.stringify(message), 'utf8');
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

function unenvelope(body: Buffer): unknown[] {
  const messages: unknown[] = [];
  for (let at = 0; at + 5 <= body.length; ) {
    const length = body.readUInt32BE(at + 1);
    messages.push(JSON.parse(body.subarray(at + 5, at + 5 + length).toString('utf8')));
    at += 5 + length;
  }
  return messages;
}

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readBody, sendJson } from './http-messages.js';
import { networkSwitch } from './network-switch.js';

/**
 * A local server that speaks Blaxel's wire protocol, for tests of the real `@blaxel/core` SDK:
 * the control API (`POST /sandboxes`, `DELETE /sandboxes/{name}`, with the
 * `x-blaxel-authorization` bearer key and `x-blaxel-workspace`) and a sandbox's API at the `metadata.url` it returns — `PUT /filesystem/{path}`,
 * `POST /process`, `GET /process/{id}/logs/stream` (lines prefixed `stdout:`/`stderr:`, replayed
 * from the start), `POST /process/{id}/stdin` (raw bytes), `GET /process/{id}`,
 * `DELETE /process/{id}/kill`. A "sandbox" is a private folder here and its processes run on this
 * machine: the SDK's code path is real, the machine behind it is a stand-in.
 *
 * Point the SDK at it with BL_API_URL=server.url, BL_WORKSPACE, BL_API_KEY=server.apiKey, and
 * BL_DISABLE_H2=1 (no region: no edge HTTP/2 pool).
 */
export interface BlaxelTestServer {
  readonly url: string;
  readonly apiKey: string;
  readonly workspace: string;
  readonly sandboxes: ReadonlyMap<string, { root: string; processes: ReadonlyMap<string, { child: ChildProcessWithoutNullStreams }> }>;
  /** Every request, as "METHOD /path". */
  readonly requests: string[];
  /** The next sandbox creations fail: `quota` answers 429, `slow` waits `ms` before answering. */
  failNextCreate(fault: { type: 'quota' } | { type: 'slow'; ms: number }): void;
  /** From now on only `key` is accepted (e.g. to answer 401 to the SDK's current key). */
  acceptKey(key: string): void;
  /** A sandbox disappears (its processes are killed, its API answers 404 from now on). */
  destroySandbox(name: string): void;
  /** Every open connection is cut, and new ones are refused until `restoreNetwork()`. */
  cutNetwork(): void;
  restoreNetwork(): void;
  /** The runner of the sandbox made last is killed, as a crash inside the sandbox would end it. */
  killNewestRunner(): void;
  close(): Promise<void>;
}

interface FakeProcess {
  child: ChildProcessWithoutNullStreams;
  /** Every log line so far ("stdout:…"), replayed to a stream that connects late. */
  lines: string[];
  listeners: Set<(line: string | null) => void>;
  status: 'running' | 'completed' | 'failed' | 'killed';
  exitCode?: number;
}

interface FakeSandbox {
  root: string;
  processes: Map<string, FakeProcess>;
  files: Map<string, string>;
}

export async function startBlaxelServer(options: { apiKey?: string; workspace?: string } = {}): Promise<BlaxelTestServer> {
  const apiKey = options.apiKey ?? 'bl_test_key';
  let acceptedKey = apiKey;
  const workspace = options.workspace ?? 'actkit-test';
  const sandboxes = new Map<string, FakeSandbox>();
  const requests: string[] = [];
  const faults: Array<{ type: 'quota' } | { type: 'slow'; ms: number }> = [];
  let url = '';

  const authorised = (req: IncomingMessage) => req.headers['x-blaxel-authorization'] === `Bearer ${acceptedKey}` && req.headers['x-blaxel-workspace'] === workspace;
  const describe = (name: string, spec: unknown = {}) => ({ metadata: { name, workspace, url: `${url}/sbx/${name}` }, spec, status: 'DEPLOYED' });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push(`${req.method} ${path}`);
    if (!authorised(req)) return sendJson(res, 401, { error: 'Unauthorized', code: 401 });
    // ── control API ──
    if (path === '/sandboxes' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { metadata?: { name?: string }; spec?: unknown };
      const fault = faults.shift();
      if (fault?.type === 'quota') return sendJson(res, 429, { error: 'Sandbox quota reached for this workspace', code: 429 });
      if (fault?.type === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
      const name = body.metadata?.name ?? `sandbox-${randomUUID().slice(0, 8)}`;
      if (!sandboxes.has(name)) sandboxes.set(name, { root: mkdtempSync(join(tmpdir(), 'actkit-blaxel-')), processes: new Map(), files: new Map() });
      return sendJson(res, 200, describe(name, body.spec));
    }
    const control = /^\/sandboxes\/([^/]+)$/.exec(path);
    if (control) {
      const name = decodeURIComponent(control[1]!);
      if (!sandboxes.has(name)) return sendJson(res, 404, { error: `Sandbox ${name} not found`, code: 404 });
      if (req.method === 'DELETE') destroy(name);
      return sendJson(res, 200, describe(name));
    }
    // ── a sandbox's API ──
    const inSandbox = /^\/sbx\/([^/]+)(\/.*)$/.exec(path);
    const sandbox = inSandbox ? sandboxes.get(decodeURIComponent(inSandbox[1]!)) : undefined;
    if (!inSandbox || !sandbox) return sendJson(res, 404, { error: 'Sandbox not found', code: 404 });
    const route = inSandbox[2]!;
    if (route.startsWith('/filesystem/') && req.method === 'PUT') {
      const file = `/${decodeURIComponent(route.slice('/filesystem/'.length)).replace(/^\/+/, '')}`;
      const { content } = JSON.parse((await readBody(req)).toString('utf8')) as { content: string };
      const target = join(sandbox.root, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
      sandbox.files.set(file, target);
      return sendJson(res, 200, { message: 'File created', path: file });
    }
    if (route === '/process' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { name?: string; command: string; env?: Record<string, string> };
      let command = body.command;
      for (const [file, target] of sandbox.files) command = command.split(file).join(target);
      const child = spawn('/bin/sh', ['-c', command], { cwd: sandbox.root, env: { ...process.env, ...body.env }, stdio: 'pipe' });
      const name = body.name ?? `proc-${randomUUID().slice(0, 8)}`;
      const proc: FakeProcess = { child, lines: [], listeners: new Set(), status: 'running' };
      sandbox.processes.set(name, proc);
      const emit = (line: string | null) => {
        if (line !== null) proc.lines.push(line);
        for (const listener of proc.listeners) listener(line);
      };
      for (const [stream, prefix] of [[child.stdout, 'stdout:'], [child.stderr, 'stderr:']] as const) {
        let partial = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          const parts = (partial + chunk).split('\n');
          partial = parts.pop()!;
          for (const part of parts) emit(`${prefix}${part}`);
        });
      }
      child.on('close', (code, signal) => {
        proc.exitCode = code ?? -1;
        if (proc.status === 'running') proc.status = signal ? 'killed' : code === 0 ? 'completed' : 'failed';
        emit(null);
      });
      child.on('error', () => {});
      return sendJson(res, 200, { name, pid: String(child.pid ?? 0), command: body.command, status: 'running' });
    }
    const procRoute = /^\/process\/([^/]+)(\/.*)?$/.exec(route);
    // A process is known by its name or its pid (the SDK streams logs by pid).
    const id = procRoute ? decodeURIComponent(procRoute[1]!) : '';
    const proc = sandbox.processes.get(id) ?? [...sandbox.processes.values()].find((p) => String(p.child.pid) === id);
    if (!procRoute || !proc) return sendJson(res, 404, { error: 'Process not found', code: 404 });
    const action = procRoute[2] ?? '';
    if (action === '/logs/stream' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      for (const line of proc.lines) res.write(`${line}\n`);
      if (proc.status !== 'running') return void res.end();
      const listener = (line: string | null) => {
        if (line === null) {
          proc.listeners.delete(listener);
          res.end();
        } else res.write(`${line}\n`);
      };
      proc.listeners.add(listener);
      res.on('close', () => proc.listeners.delete(listener));
      return;
    }
    if (action === '/stdin' && req.method === 'POST') {
      proc.child.stdin.write(await readBody(req));
      return sendJson(res, 200, { message: 'ok' });
    }
    if (action === '/kill' && req.method === 'DELETE') {
      proc.status = 'killed';
      proc.child.kill('SIGKILL');
      return sendJson(res, 200, { message: 'Process killed' });
    }
    if (action === '' && req.method === 'GET') return sendJson(res, 200, { name: procRoute[1], status: proc.status, exitCode: proc.exitCode ?? 0 });
    sendJson(res, 404, { error: `no route ${req.method} ${route}`, code: 404 });
  };

  const destroy = (name: string) => {
    const sandbox = sandboxes.get(name);
    if (!sandbox) return;
    sandboxes.delete(name);
    for (const proc of sandbox.processes.values()) proc.child.kill('SIGKILL');
    rmSync(sandbox.root, { recursive: true, force: true });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: error.message, code: 500 });
      else res.destroy();
    });
  });
  const network = networkSwitch(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiKey,
    workspace,
    sandboxes,
    requests,
    failNextCreate: (fault) => void faults.push(fault),
    acceptKey: (key) => {
      acceptedKey = key;
    },
    destroySandbox: destroy,
    cutNetwork: network.cut,
    restoreNetwork: network.restore,
    killNewestRunner: () => {
      const newest = [...sandboxes.values()].at(-1);
      if (!newest) throw new Error('no sandbox to kill the runner of');
      for (const proc of newest.processes.values()) proc.child.kill('SIGKILL');
    },
    close: async () => {
      for (const name of [...sandboxes.keys()]) destroy(name);
      network.dropAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

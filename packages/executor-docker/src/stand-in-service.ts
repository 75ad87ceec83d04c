import { PassThrough } from 'node:stream';
import type { HostedProcess, HostedProcessIO, HostedSandbox, HostedSandboxService } from '@actkit/code-actions';
import Docker from 'dockerode';
import { CONTAINER_LABEL, ownerLabels } from './docker-sandbox.js';

/**
 * A hosted-sandbox service backed by the local Docker engine: the same narrow interface as the
 * E2B and Blaxel services (create, write a file, start a process with stdin/stdout, kill), so
 * their executors' shared code runs for real in tests on machines that cannot reach them.
 */
export class DockerStandInService implements HostedSandboxService {
  readonly name: string;
  readonly docker: Docker;

  constructor(private readonly options: { image: string; docker?: Docker; name?: string; labels?: Record<string, string>; startDelayMs?: number }) {
    this.docker = options.docker ?? new Docker();
    this.name = options.name ?? 'docker-stand-in';
  }

  async create(): Promise<HostedSandbox> {
    if (this.options.startDelayMs) await new Promise((r) => setTimeout(r, this.options.startDelayMs));
    const container = await this.docker.createContainer({
      Image: this.options.image,
      // Keeps the sandbox alive, like a hosted sandbox that waits for commands.
      Cmd: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
      User: '65534:65534',
      Labels: { ...this.options.labels, [CONTAINER_LABEL]: 'stand-in', ...ownerLabels() },
      HostConfig: { AutoRemove: true, NetworkMode: 'none', Tmpfs: { '/tmp': 'rw,uid=65534,gid=65534,size=64m' } },
    });
    await container.start();
    const exec = async (cmd: string[], io?: HostedProcessIO): Promise<HostedProcess> => {
      const e = await container.exec({ Cmd: cmd, AttachStdin: !!io, AttachStdout: true, AttachStderr: true, User: '65534:65534' });
      const stream = (await e.start({ hijack: true, stdin: !!io })) as NodeJS.ReadWriteStream & { destroy(): void };
      const stdout = new PassThrough().setEncoding('utf8');
      const stderr = new PassThrough().setEncoding('utf8');
      this.docker.modem.demuxStream(stream, stdout, stderr);
      if (!io) {
        await new Promise((resolve) => stream.on('end', resolve));
        return { writeStdin: async () => {}, kill: async () => {} };
      }
      stdout.on('data', io.onStdout);
      stderr.on('data', io.onStderr);
      stream.on('end', () => io.onExit('exited'));
      stream.on('error', (error: Error) => io.onExit(error.message));
      return {
        writeStdin: async (data) => {
          stream.write(data);
        },
        // Closing its stdin ends the runner.
        kill: async () => stream.destroy(),
      };
    };
    return {
      writeFile: async (path, content) => {
        await exec(['node', '-e', `require('fs').writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(content)})`]);
      },
      startProcess: (command, io) => exec(command.split(' '), io),
      kill: async () => {
        await container.remove({ force: true }).catch(() => {});
      },
    };
  }
}

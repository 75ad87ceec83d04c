import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';

export interface OfflineNodeImageOptions {
  /** Image tag; default `actkit-node-offline:latest`. */
  tag?: string;
  /** The node binary to copy; default: the one running this process. */
  nodePath?: string;
  /** A dockerode client; default: from the environment (DOCKER_HOST, or the local socket). */
  docker?: Docker;
}

/**
 * Builds an image holding only this machine's own `node` binary and the shared libraries it
 * links, with `docker import` — for machines that cannot reach an image registry (CI, air-gapped
 * hosts). Linux only. The image runs code actions exactly like one built from the Dockerfile.
 * Returns the tag. `buildOfflineNodeImage({ tag })` needs no dockerode import of your own; the
 * older form `buildOfflineNodeImage(docker, { tag })` still works.
 */
export async function buildOfflineNodeImage(options?: OfflineNodeImageOptions): Promise<string>;
export async function buildOfflineNodeImage(docker: Docker, options?: Omit<OfflineNodeImageOptions, 'docker'>): Promise<string>;
export async function buildOfflineNodeImage(
  first: Docker | OfflineNodeImageOptions = {},
  second: Omit<OfflineNodeImageOptions, 'docker'> = {},
): Promise<string> {
  const options: OfflineNodeImageOptions = first instanceof Docker ? { ...second, docker: first } : first;
  const docker = options.docker ?? new Docker();
  const tag = options.tag ?? 'actkit-node-offline:latest';
  const nodePath = options.nodePath ?? process.execPath;
  const files = [nodePath, ...linkedLibraries(nodePath)];
  const root = mkdtempSync(join(tmpdir(), 'actkit-rootfs-'));
  try {
    for (const file of files) {
      mkdirSync(join(root, dirname(file)), { recursive: true });
      copyFileSync(file, join(root, file)); // Follows symlinks: the image gets the real files.
    }
    // `node` is found on Docker's default PATH; /tmp is where the tmpfs is mounted.
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    if (nodePath !== '/usr/local/bin/node') copyFileSync(nodePath, join(root, 'usr/local/bin/node'));
    mkdirSync(join(root, 'tmp'), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, version = 'latest'] = tag.split(':');
    const progress = await docker.importImage(tar.stdout as unknown as string, { repo, tag: version });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(progress, (error: Error | null) => (error ? reject(error) : resolve())),
    );
    return tag;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The shared libraries (and the dynamic loader) a binary needs, from `ldd`. */
function linkedLibraries(binary: string): string[] {
  const output = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const paths = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1]) paths.add(match[1]);
  }
  return [...paths];
}

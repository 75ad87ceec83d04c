import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A local server's network, cut and restored on demand: cutting drops every open connection and
 * refuses new ones until it is restored. Hosted-sandbox servers use it to play a network fault.
 */
export function networkSwitch(server: Server): { cut(): void; restore(): void; dropAll(): void } {
  const sockets = new Set<Socket>();
  let isCut = false;
  server.on('connection', (socket) => {
    if (isCut) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    cut: () => {
      isCut = true;
      dropAll();
    },
    restore: () => {
      isCut = false;
    },
    dropAll,
  };
}

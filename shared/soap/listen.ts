import type { Server } from 'node:https';
import type { ListenConfig } from '../config/schema';

export function listen(server: Server, at: ListenConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Graceful stop: no new connections, calls in flight finish and get their answer, connections left idle are
 * closed at once (kept-alive clients would otherwise hold the process for their keep-alive timeout), and after
 * `graceMs` whatever is left is cut.
 */
export function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

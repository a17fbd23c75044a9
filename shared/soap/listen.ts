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

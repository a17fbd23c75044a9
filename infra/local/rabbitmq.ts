import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Local RabbitMQ vhosts (the federation's own, or one per test file), managed with rabbitmqctl, which the
 * local broker's administrator (root here) can run.
 */
const run = promisify(execFile);

function vhostOf(url: string): { vhost: string; user: string } {
  const u = new URL(url);
  const vhost = decodeURIComponent(u.pathname.replace(/^\//, '')) || '/';
  return { vhost, user: decodeURIComponent(u.username || 'guest') };
}

export async function ensureVhost(url: string): Promise<void> {
  const { vhost, user } = vhostOf(url);
  if (vhost === '/') return;
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_vhosts']);
  if (!stdout.split('\n').map((l) => l.trim()).includes(vhost)) {
    await run('rabbitmqctl', ['-q', 'add_vhost', vhost]);
  }
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, user, '.*', '.*', '.*']);
}

export async function deleteVhost(url: string): Promise<void> {
  const { vhost } = vhostOf(url);
  if (vhost === '/') return;
  await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => undefined);
}

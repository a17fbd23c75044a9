import net from 'node:net';

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port with `count` consecutive free ports after it. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    // Below the kernel's ephemeral range (32768+), so an outgoing connection cannot take a port between the
    // check and the service's bind.
    const base = 10000 + Math.floor(Math.random() * 22000);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error('no free port range found');
}

/**
 * Awaits a condition the system reaches asynchronously (across processes), checking it again whenever
 * the previous check completes, up to a timeout. The failure message carries the last observed value.
 */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, opts: { timeoutMs?: number; what?: string; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/**
 * The key a source address is counted by (admission of callers without an identity, the console's login throttling):
 * an IPv4 address as it is (also IPv4-mapped), an IPv6 address by its /64 (one subscriber's network; counting single
 * IPv6 addresses would let one host take a fresh limit for every address it owns).
 */
export function sourceKey(raw: string): string {
  const address = plainAddress(raw);
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => (g.replace(/^0+(?=.)/, '') || '0').toLowerCase()).join(':')}::/64`;
}

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d until identification normalises it. */
export function plainAddress(raw: string): string {
  return raw.startsWith('::ffff:') && raw.includes('.') ? raw.slice(7) : raw;
}

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Five hosts on one machine for test:siti: a Linux network namespace per party, joined by a bridge in the root
 * namespace (10.<n>.0.1, where the test itself sits, as the INPS case system would on its own network), each host
 * with one veth and its own address, its own loopback (so its PostgreSQL, RabbitMQ and epmd are its own), and a
 * second address on one host for the allow-list test. iproute2 from Debian; root needed.
 *
 * Every name starts with PREFISSO_NS / PREFISSO_LINK and the run's id, so a run removes what an earlier one that
 * was killed left behind (pulisciResidui) without touching anything else.
 */
const run = promisify(execFile);
export const IP = '/usr/sbin/ip';
const PREFISSO_NS = 'ape-siti-';
const PREFISSO_LINK = 'apes';

export const PARTI = ['INPS', 'MINLAVORO', 'ANPAL', 'INAIL', 'INL'] as const;
export type Parte = (typeof PARTI)[number];

/** Short names: a Linux interface name has at most 15 characters. */
const SIGLA: Record<Parte, string> = { INPS: 'inps', MINLAVORO: 'mlav', ANPAL: 'anpl', INAIL: 'inai', INL: 'inl' };

export interface Host {
  parte: Parte;
  ns: string;
  /** The host's address on the bridge. */
  indirizzo: string;
  /** The veth end inside the namespace (what `ip link set ... down` cuts). */
  interfaccia: string;
}

export class ReteSiti {
  private rimossa = false;
  private readonly allUscita = () => this.rimuoviSync();

  private constructor(
    readonly id: string,
    /** 10.<n>.0.0/24 */
    private readonly n: number,
    readonly hosts: Readonly<Record<Parte, Host>>,
  ) {
    process.once('exit', this.allUscita);
  }

  /** The root namespace's address on the bridge: where the test (the case system) calls from. */
  get indirizzoRadice(): string {
    return `10.${this.n}.0.1`;
  }

  /** The second address given to INAIL's host, outside every allow-list. */
  get indirizzoEstraneo(): string {
    return `10.${this.n}.0.66`;
  }

  private get bridge(): string {
    return `${PREFISSO_LINK}${this.id}-br`;
  }

  /** Creates the namespaces, the bridge and the links; on a failure removes what it made and throws. */
  static async crea(): Promise<ReteSiti> {
    pulisciResidui();
    const id = randomBytes(2).toString('hex');
    const n = await reteLibera();
    const hosts = Object.fromEntries(
      PARTI.map((parte, i) => [parte, { parte, ns: `${PREFISSO_NS}${id}-${SIGLA[parte]}`, indirizzo: `10.${n}.0.${i + 2}`, interfaccia: 'eth0' }]),
    ) as Record<Parte, Host>;
    const rete = new ReteSiti(id, n, hosts);
    try {
      await ip('link', 'add', rete.bridge, 'type', 'bridge');
      await ip('addr', 'add', `${rete.indirizzoRadice}/24`, 'dev', rete.bridge);
      await ip('link', 'set', rete.bridge, 'up');
      for (const h of Object.values(hosts)) {
        const esterna = `${PREFISSO_LINK}${id}-${SIGLA[h.parte]}`;
        await ip('netns', 'add', h.ns);
        await ip('-n', h.ns, 'link', 'set', 'lo', 'up');
        await ip('link', 'add', esterna, 'type', 'veth', 'peer', 'name', h.interfaccia, 'netns', h.ns);
        await ip('link', 'set', esterna, 'master', rete.bridge);
        await ip('link', 'set', esterna, 'up');
        await ip('-n', h.ns, 'addr', 'add', `${h.indirizzo}/24`, 'dev', h.interfaccia);
        await ip('-n', h.ns, 'link', 'set', h.interfaccia, 'up');
      }
      await ip('-n', hosts.INAIL.ns, 'addr', 'add', `${rete.indirizzoEstraneo}/24`, 'dev', hosts.INAIL.interfaccia);
      return rete;
    } catch (err) {
      rete.rimuoviSync();
      throw err;
    }
  }

  /** A command run on a party's host. */
  comando(parte: Parte): string[] {
    return [IP, 'netns', 'exec', this.hosts[parte].ns];
  }

  /** Cuts the party's host off the network (its veth down, on its side), as a pulled cable would. */
  async taglia(parte: Parte): Promise<void> {
    await ip('-n', this.hosts[parte].ns, 'link', 'set', this.hosts[parte].interfaccia, 'down');
  }

  async ripristina(parte: Parte): Promise<void> {
    await ip('-n', this.hosts[parte].ns, 'link', 'set', this.hosts[parte].interfaccia, 'up');
  }

  /** Kills whatever still runs on the hosts and removes namespaces, links and bridge. */
  rimuovi(): void {
    this.rimuoviSync();
  }

  private rimuoviSync(): void {
    if (this.rimossa) return;
    this.rimossa = true;
    process.removeListener('exit', this.allUscita);
    rimuoviPerPrefisso(`${PREFISSO_NS}${this.id}-`, `${PREFISSO_LINK}${this.id}-`);
  }
}

/** What earlier runs left (a killed test runner never reached its cleanup). */
export function pulisciResidui(): void {
  rimuoviPerPrefisso(PREFISSO_NS, PREFISSO_LINK);
}

/** Synchronous, so that it also runs from an 'exit' handler. */
function rimuoviPerPrefisso(prefissoNs: string, prefissoLink: string): void {
  const namespaces = execFileSync(IP, ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((ns) => ns.startsWith(prefissoNs));
  for (const ns of namespaces) {
    // Daemons (epmd, PostgreSQL, RabbitMQ) keep a namespace alive after its name is gone: killed first.
    const pids = execFileSync(IP, ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter((p) => /^\d+$/.test(p));
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    execFileSync(IP, ['netns', 'del', ns]);
  }
  const links = execFileSync(IP, ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)[@:]/.exec(l)?.[1])
    .filter((l): l is string => !!l && l.startsWith(prefissoLink));
  // The bridge last; a veth whose peer went with its namespace is already gone.
  for (const l of links.sort((a, b) => Number(a.endsWith('-br')) - Number(b.endsWith('-br')))) {
    try {
      execFileSync(IP, ['link', 'del', l], { stdio: 'ignore' });
    } catch {
      // removed with its peer
    }
  }
}

async function ip(...args: string[]): Promise<void> {
  await run(IP, args);
}

/** A 10.<n>.0.0/24 no route of this machine uses yet. */
async function reteLibera(): Promise<number> {
  const { stdout } = await run(IP, ['-4', 'route', 'show']);
  for (let i = 0; i < 100; i++) {
    const n = 100 + Math.floor(Math.random() * 150);
    if (!stdout.includes(`10.${n}.`)) return n;
  }
  throw new Error('no free 10.x.0.0/24 network for the sites');
}

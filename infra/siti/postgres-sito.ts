import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sottoPrefisso } from '../local/processes';

/**
 * A party's own PostgreSQL instance on its host (test:siti): Debian's binaries run as user postgres, a data
 * directory of its own, listening on the host's loopback only (127.0.0.1:5432 inside its namespace: no other host
 * reaches it), fsync on. Its unix socket, in the data directory's parent, is where the test administers it from, as
 * the host's administrator would log in locally.
 */
const run = promisify(execFile);

export class PostgresSito {
  private constructor(
    private readonly dir: string,
    private readonly bin: string,
    private readonly prefisso: readonly string[],
  ) {}

  /** initdb in `dir` (created, owned by postgres) and start on the host reached through `prefisso`. */
  static async avvia(dir: string, prefisso: readonly string[]): Promise<PostgresSito> {
    const pg = new PostgresSito(dir, binari(), prefisso);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, -1);
    await run('runuser', ['-u', 'postgres', '--', path.join(pg.bin, 'initdb'), '-D', pg.dati, '-A', 'trust', '-U', 'postgres', '--no-instructions'], { timeout: 60_000 });
    await pg.riavvia();
    return pg;
  }

  private get dati(): string {
    return path.join(this.dir, 'data');
  }

  /** The URL the party's processes use, on its host's loopback. */
  url(database: string, user = 'postgres'): string {
    return `postgres://${user}@127.0.0.1:5432/${database}`;
  }

  /** The URL the test uses: the unix socket, from the root namespace. */
  urlLocale(database: string, user = 'postgres'): string {
    return `postgres://${user}@localhost/${database}?host=${encodeURIComponent(this.dir)}`;
  }

  /** pg_ctl start on the party's host, waiting until it accepts connections. */
  async riavvia(): Promise<void> {
    const opzioni = `-c listen_addresses=127.0.0.1 -p 5432 -k ${this.dir} -c fsync=on -c max_connections=100`;
    await run(...sottoPrefisso(this.prefisso, 'runuser', ['-u', 'postgres', '--', path.join(this.bin, 'pg_ctl'), '-D', this.dati, '-l', path.join(this.dir, 'log'), '-w', '-o', opzioni, 'start']), { timeout: 60_000 });
  }

  /** pg_ctl stop -m fast: the party's database is down (connections ended), as an outage would leave it. */
  async ferma(): Promise<void> {
    await run('runuser', ['-u', 'postgres', '--', path.join(this.bin, 'pg_ctl'), '-D', this.dati, '-m', 'fast', '-w', 'stop'], { timeout: 60_000 });
  }
}

/** Debian's newest installed PostgreSQL. */
function binari(): string {
  const base = '/usr/lib/postgresql';
  const versioni = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (!versioni[0]) throw new Error(`no PostgreSQL in ${base} (Debian's postgresql package)`);
  return path.join(base, versioni[0], 'bin');
}

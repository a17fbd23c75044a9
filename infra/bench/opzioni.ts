import { KEY_TYPES, type KeyType } from '../../shared/pki/key-types';

/**
 * Command-line options of npm run bench / bench:soak. Numbers are checked: a bad value stops with a message
 * naming the option rather than running a benchmark nobody asked for.
 */
export interface OpzioniBench {
  /** domande in the capacity phase (default 1000) */
  domande: number;
  /** offered rate of the latency phase and of the soak, domande/s (default 100; soak 2.5, below this machine's capacity) */
  rate: number;
  /** case-system workers in the capacity phase, and the floor's concurrency (default 32) */
  concurrency: number;
  /** length of the latency phase, s (default 20; at most --domande domande) */
  secondiLatenza: number;
  /** offered rate of the ordinary-rate phase, domande/s (default 20) */
  rateQuieto: number;
  /** length of the ordinary-rate phase, s (default 10) */
  secondiQuieto: number;
  /** domande of the floor (default 1000, at most --domande) */
  domandePavimento: number;
  soak: boolean;
  /** soak length, minutes (default 30) */
  minuti: number;
  /** run the services with --cpu-prof and summarise the profiles */
  profilo: boolean;
  /** sample every CPU with Linux perf over the capacity phase and sum it by what ran (perf-cpu.ts) */
  perf: boolean;
  /** PostgreSQL connections per service process (default 5) */
  pool: number;
  logLevel: string;
  /** keep the database, vhost and PKI after the run */
  conserva: boolean;
  /** the case system submitting: the federation's SOAP client (default) or node-soap (cliente.ts) */
  client: 'interno' | 'node-soap';
  /** every domanda from a worker of its own and employers drawn from thousands, with matching archives (carico-generato.ts) */
  archiviGenerati: boolean;
  /** the identities' keys, pki.keyType (default RSA-2048; ECDSA-P256 signs ECDSA-SHA256, INAIL keeping RSA for PDND) */
  chiave: KeyType;
}

export const USO = `usage: npm run bench -- [--domande N] [--rate R] [--concurrency C] [--secondi-latenza S] [--rate-quieto R] [--secondi-quieto S] [--domande-pavimento N] [--profilo] [--perf] [--pool N] [--log-level L] [--client interno|node-soap] [--archivi-generati] [--chiave RSA-2048|ECDSA-P256] [--conserva]
       npm run bench:soak -- [--minuti M] [--rate R] [--profilo]`;

export function leggiOpzioni(argv: readonly string[]): OpzioniBench {
  const o: OpzioniBench = { domande: 1000, rate: 100, concurrency: 32, secondiLatenza: 20, rateQuieto: 20, secondiQuieto: 10, domandePavimento: 1000, soak: false, minuti: 30, profilo: false, perf: false, pool: 5, logLevel: 'info', conserva: false, client: 'interno', archiviGenerati: false, chiave: 'RSA-2048' };
  let rateDato = false;
  const numero = (nome: string, v: string | undefined, min: number, intero = true): number => {
    const x = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isFinite(x) || x < min || (intero && !Number.isInteger(x))) throw new Error(`--${nome} wants ${intero ? 'an integer' : 'a number'} >= ${min}, got ${v ?? 'nothing'}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [chiave, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const valore = () => inline ?? argv[++i];
    switch (chiave) {
      case '--domande': o.domande = numero('domande', valore(), 1); break;
      case '--rate': o.rate = numero('rate', valore(), 0.1, false); rateDato = true; break;
      case '--concurrency': o.concurrency = numero('concurrency', valore(), 1); break;
      case '--secondi-latenza': o.secondiLatenza = numero('secondi-latenza', valore(), 1); break;
      case '--rate-quieto': o.rateQuieto = numero('rate-quieto', valore(), 0.1, false); break;
      case '--secondi-quieto': o.secondiQuieto = numero('secondi-quieto', valore(), 1); break;
      case '--domande-pavimento': o.domandePavimento = numero('domande-pavimento', valore(), 1); break;
      case '--minuti': o.minuti = numero('minuti', valore(), 0.1, false); break;
      case '--pool': o.pool = numero('pool', valore(), 2); break;
      case '--log-level': {
        const l = valore();
        if (!l || !['fatal', 'error', 'warn', 'info', 'debug'].includes(l)) throw new Error(`--log-level wants fatal, error, warn, info or debug, got ${l ?? 'nothing'}`);
        o.logLevel = l;
        break;
      }
      case '--client': {
        const c = valore();
        if (c !== 'interno' && c !== 'node-soap') throw new Error(`--client wants interno or node-soap, got ${c ?? 'nothing'}`);
        o.client = c;
        break;
      }
      case '--chiave': {
        const k = valore();
        if (!KEY_TYPES.includes(k as KeyType)) throw new Error(`--chiave wants ${KEY_TYPES.join(' or ')}, got ${k ?? 'nothing'}`);
        o.chiave = k as KeyType;
        break;
      }
      case '--soak': o.soak = true; break;
      case '--profilo': o.profilo = true; break;
      case '--perf': o.perf = true; break;
      case '--conserva': o.conserva = true; break;
      case '--archivi-generati': o.archiviGenerati = true; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (o.soak && !rateDato) o.rate = 2.5;
  if (o.soak && o.perf) throw new Error('--perf is for npm run bench: it samples the capacity phase');
  if (o.soak && o.archiviGenerati) throw new Error('--archivi-generati is for npm run bench: the soak runs the demo load');
  return o;
}

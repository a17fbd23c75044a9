import type { ServerResponse } from 'node:http';
import type { Contesto } from './pagine/layout';
import type { Richiesta } from './richiesta';
import type { Risposta } from './risposta';
import type { Ruolo, Sessione } from './utenti';

/** What a route's handler receives. */
export interface Chiamata {
  r: Richiesta;
  /** For a handler that streams its answer itself (it then returns null). */
  res: ServerResponse;
  /** The path's named parameters (`:id`), as they appear in the URL. */
  parametri: Readonly<Record<string, string>>;
  /** The POSTed form (for an operator's route, its CSRF token already checked); empty for a GET. */
  modulo: URLSearchParams;
}

/** What the handler of an operator's route receives: the session too, and what a page needs of it. */
export interface ChiamataOperatore extends Chiamata {
  s: Sessione;
  /** The page's context, with the time read from the clock when it is called. */
  contesto(): Contesto;
}

/** A handler answers, or returns null when it has answered on `res` itself (an event stream). */
export type Gestore<C extends Chiamata> = (c: C) => Promise<Risposta | null>;

export type Metodo = 'GET' | 'POST';

interface RottaBase {
  metodo: Metodo;
  /** '/istruttorie/:id': literal segments and named parameters; `:nome(regex)` narrows one (no groups inside). */
  percorso: string;
}

/** Served without a session (the login): the handler checks its own form (double-submit token). */
export interface RottaPubblica extends RottaBase {
  pubblica: true;
  gestore: Gestore<Chiamata>;
}

/** Served to an operator with a valid session, not suspended, of one of `ruoli`; a POST's CSRF token checked first. */
export interface RottaOperatore extends RottaBase {
  pubblica?: false;
  ruoli: readonly Ruolo[];
  /** An event stream: its polling is not activity, and without a session it gets 401 rather than the login page. */
  flusso?: boolean;
  gestore: Gestore<ChiamataOperatore>;
}

export type Rotta = RottaPubblica | RottaOperatore;

/**
 * A part of the site reserved as a whole: an operator of another role asking for any path under `prefisso`,
 * one that does not exist included, is refused with `rifiuto` (and the attempt traced), not told "not found".
 */
export interface Area {
  prefisso: string;
  ruoli: readonly Ruolo[];
  rifiuto: string;
}

/** Where a request goes. */
export interface Instradamento {
  /** The route of this method and path, or null. */
  rotta: Rotta | null;
  parametri: Record<string, string>;
  /** Every route of this path, whatever its method. */
  alPercorso: readonly Rotta[];
  /** The methods this path answers (none when no route has it). */
  ammessi: readonly Metodo[];
  /** Whether only public routes serve this path (so no session is needed to be told which methods it takes). */
  pubblico: boolean;
  /** The roles this request needs: its route's or, without one, its area's; null when any operator may ask. */
  ruoli: readonly Ruolo[] | null;
  /** The area the path is in, if any. */
  area: Area | null;
}

interface RottaCompilata {
  rotta: Rotta;
  re: RegExp;
  nomi: string[];
}

const SPECIALI = /[.*+?^${}()|[\]\\]/g;

/** A path pattern as a regular expression with one group per named parameter. */
export function compilaPercorso(percorso: string): { re: RegExp; nomi: string[] } {
  if (!percorso.startsWith('/')) throw new Error(`route path must start with /: ${percorso}`);
  const nomi: string[] = [];
  const segmenti = percorso
    .slice(1)
    .split('/')
    .map((seg) => {
      const m = /^:([A-Za-z][A-Za-z0-9]*)(?:\((.+)\))?$/.exec(seg);
      if (!m) return seg.replace(SPECIALI, '\\$&');
      if (m[2]?.includes('(')) throw new Error(`route parameter :${m[1]} must not contain groups: ${percorso}`);
      if (nomi.includes(m[1]!)) throw new Error(`route parameter :${m[1]} repeated: ${percorso}`);
      nomi.push(m[1]!);
      return `(${m[2] ?? '[^/]+'})`;
    });
  return { re: new RegExp(`^/${segmenti.join('/')}$`), nomi };
}

/**
 * The console's routes: method and path pattern to handler, with who may use each. Built once at start; a table
 * that contradicts itself (the same route twice, a path both public and not, a route open to roles its area
 * excludes) stops the process instead of serving something unintended.
 */
export class TabellaRotte {
  private readonly rotte: RottaCompilata[];

  constructor(rotte: readonly Rotta[], private readonly aree: readonly Area[] = []) {
    this.rotte = rotte.map((rotta) => ({ rotta, ...compilaPercorso(rotta.percorso) }));
    const viste = new Map<string, Rotta>();
    for (const rotta of rotte) {
      const chiave = `${rotta.metodo} ${rotta.percorso}`;
      if (viste.has(chiave)) throw new Error(`route ${chiave} declared twice`);
      const stessoPercorso = rotte.find((x) => x.percorso === rotta.percorso && x !== rotta);
      if (stessoPercorso && (stessoPercorso.pubblica === true) !== (rotta.pubblica === true)) throw new Error(`route path ${rotta.percorso} is both public and for operators`);
      viste.set(chiave, rotta);
      const area = this.areaDi(rotta.percorso);
      if (area && (rotta.pubblica || rotta.ruoli.some((r) => !area.ruoli.includes(r)))) throw new Error(`route ${chiave} is open to roles its area ${area.prefisso} excludes`);
    }
  }

  trova(metodo: string, percorso: string): Instradamento {
    let rotta: Rotta | null = null;
    let parametri: Record<string, string> = {};
    const alPercorso: Rotta[] = [];
    for (const c of this.rotte) {
      const m = c.re.exec(percorso);
      if (!m) continue;
      alPercorso.push(c.rotta);
      if (rotta === null && c.rotta.metodo === metodo) {
        rotta = c.rotta;
        parametri = Object.fromEntries(c.nomi.map((n, i) => [n, m[i + 1]!]));
      }
    }
    const area = this.areaDi(percorso);
    return {
      rotta,
      parametri,
      alPercorso,
      ammessi: [...new Set(alPercorso.map((x) => x.metodo))],
      pubblico: alPercorso.length > 0 && alPercorso.every((x) => x.pubblica === true),
      ruoli: rotta ? (rotta.pubblica ? null : rotta.ruoli) : (area?.ruoli ?? null),
      area,
    };
  }

  private areaDi(percorso: string): Area | null {
    return this.aree.find((a) => percorso.startsWith(a.prefisso)) ?? null;
  }
}

import type { ServerResponse } from 'node:http';
import type { Contesto } from './pagine/layout';
import type { Richiesta } from './richiesta';
import type { Risposta } from './risposta';
import type { Sessione } from './utenti';

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

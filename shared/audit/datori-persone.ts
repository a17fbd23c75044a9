/**
 * Employers who are natural persons, as retention sees them. An employer named by a 16-character codice fiscale is a
 * person (a sole trader, a household: type CodiceFiscaleDatore in wsdl/xsd/comune.xsd); one named by 11 digits is a
 * company or a public body, whose code is not personal data and stays. A person's code is replaced by its keyed
 * pseudonym (the same HMAC as the citizens', so the same employer maps to the same pseudonym in every row a party
 * holds), the name it trades under, a person's name, is removed from the texts that quote it, and so are the INAIL
 * and INPS positions held in its name (PAT, matricola), which identify it as well as its code does. Pure functions
 * over the stored JSON: conservazione.ts reads the rows and writes them back in its transaction.
 */

/** Whether an employer's code names a natural person (16 characters) rather than a company (11 digits). */
export function datorePersona(codiceFiscale: string): boolean {
  return codiceFiscale.length === 16;
}

export interface DatorePersona {
  pseudonimo: string;
  /** The names it was declared under, where known (INPS's attestazioni): removed from texts quoting them. */
  denominazioni: string[];
}

/** The persons among the employers a row names, by code. */
export type DatoriPersone = ReadonlyMap<string, DatorePersona>;

/** An INL trigger as stored (indice_inl, IndiceSegnalato in a case for INL). */
export interface IndiceConDatore {
  codice: string;
  descrizione: string;
  datore?: string;
}

/** An employer as a relation names it (Rapporto in a packet or a case). */
export interface DatoreRapporto {
  codiceFiscale: string;
  /** INAIL's insurance position and INPS's contribution position: a person's, where the employer is one. */
  patInail?: string;
  matricolaInps?: string;
}

/** What retention rewrites in a packet (ContenutoPacchetto) or a case for INL (Segnalazione), as stored in jsonb. */
export interface ContenutoConDatori {
  lavoratore?: { codiceFiscale: string };
  rapporti?: Array<{ datore: DatoreRapporto }>;
  indici?: IndiceConDatore[];
}

/** Every employer code a packet or case names: its relations' and its triggers'. */
export function codiciDatori(c: ContenutoConDatori): string[] {
  return [...(c.rapporti ?? []).map((r) => r.datore.codiceFiscale), ...(c.indici ?? []).flatMap((i) => (i.datore ? [i.datore] : []))];
}

/**
 * The persons among `codici` (by length) and among `noti`, employers known to be persons with their names (INPS's
 * attestazioni of households, which are persons whatever their code, and of sole traders).
 */
export function datoriPersone(pseudonimo: (cf: string) => string, codici: Iterable<string>, noti: Iterable<{ codiceFiscale: string; denominazione: string }> = []): Map<string, DatorePersona> {
  const out = new Map<string, DatorePersona>();
  const aggiungi = (cf: string): DatorePersona => {
    let d = out.get(cf);
    if (!d) out.set(cf, (d = { pseudonimo: pseudonimo(cf), denominazioni: [] }));
    return d;
  };
  for (const n of noti) {
    const d = aggiungi(n.codiceFiscale);
    if (n.denominazione !== '' && !d.denominazioni.includes(n.denominazione)) d.denominazioni.push(n.denominazione);
  }
  for (const cf of codici) if (datorePersona(cf)) aggiungi(cf);
  return out;
}

/** The code as it may stay: a person's pseudonym, a company's code itself. */
export function codiceDatore(cf: string, datori: DatoriPersone): string {
  return datori.get(cf)?.pseudonimo ?? cf;
}

// IMPRESA_CESSATA reads "<denominazione> risulta cessata dal <date>" (services/inps/core/indici-inl.ts): where the
// name is not known (INL's copy of the case holds no attestazione) it is the sentence's head.
const IMPRESA_CESSATA = /^.*( risulta cessata dal \S+)$/s;

/**
 * A trigger's description without the persons among the employers: their codes become pseudonyms, their names
 * '[rimosso]' (the longest first, should one name hold another), and a ceased sole trader's name goes whether known
 * or not. The generated descriptions quote no code; a watch-list motivo, written by an operator, may.
 */
function descrizioneSenzaDatori(i: IndiceConDatore, datori: DatoriPersone): string {
  let out = i.descrizione;
  for (const [cf, d] of datori) out = out.split(cf).join(d.pseudonimo);
  const nomi = [...datori.values()].flatMap((d) => d.denominazioni).sort((a, b) => b.length - a.length);
  for (const nome of nomi) out = out.split(nome).join('[rimosso]');
  if (i.codice === 'IMPRESA_CESSATA' && i.datore !== undefined && datori.has(i.datore)) out = out.replace(IMPRESA_CESSATA, '[rimosso]$1');
  return out;
}

export function indiceSenzaDatori<T extends IndiceConDatore>(i: T, datori: DatoriPersone): T {
  return { ...i, ...(i.datore !== undefined && { datore: codiceDatore(i.datore, datori) }), descrizione: descrizioneSenzaDatori(i, datori) };
}

/**
 * A relation's employer as it may stay: a person by its pseudonym alone, without the positions INAIL and INPS keep
 * in its name (they lead back to it as surely as its code, as the domestic relation's code does); a company as it was.
 */
function datoreRapporto(d: DatoreRapporto, datori: DatoriPersone): DatoreRapporto {
  const persona = datori.get(d.codiceFiscale);
  if (!persona) return d;
  const { patInail: _pat, matricolaInps: _matricola, ...resto } = d;
  return { ...resto, codiceFiscale: persona.pseudonimo };
}

/**
 * A packet or case with the worker's code replaced by `lavoratore` (when given) and the persons among its employers
 * pseudonymised, in its relations (their positions removed) and its triggers; everything else as it was.
 */
export function contenutoPseudonimizzato<T extends ContenutoConDatori>(c: T, lavoratore: string | null, datori: DatoriPersone): T {
  return {
    ...c,
    ...(c.lavoratore && lavoratore !== null && { lavoratore: { ...c.lavoratore, codiceFiscale: lavoratore } }),
    ...(c.rapporti && { rapporti: c.rapporti.map((r) => ({ ...r, datore: datoreRapporto(r.datore, datori) })) }),
    ...(c.indici && { indici: c.indici.map((i) => indiceSenzaDatori(i, datori)) }),
  };
}

/** The positions a rewrite removed from the relations of persons (for the digest of what was removed). */
export function posizioniRimosse(c: ContenutoConDatori, datori: DatoriPersone): string[] {
  return (c.rapporti ?? []).flatMap((r) => (datori.has(r.datore.codiceFiscale) ? [r.datore.patInail, r.datore.matricolaInps].filter((x): x is string => x !== undefined) : []));
}

/** The descriptions a rewrite changed, as they were (for the digest of what was removed). */
export function descrizioniRimosse(prima: readonly IndiceConDatore[], dopo: readonly IndiceConDatore[]): string[] {
  return prima.filter((i, n) => dopo[n]?.descrizione !== i.descrizione).map((i) => i.descrizione);
}

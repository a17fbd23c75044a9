/**
 * The console's one Italian vocabulary: every code a page shows (states, types, closing rules, esiti, data,
 * categories, parties, roles, INL outcomes, access-log operations, alert rules) has its label here. A code
 * without a label is shown as a sentence-cased phrase, never as SHOUTED_SNAKE_CASE.
 */
const ETICHETTE: Record<string, string> = {
  IN_VERIFICA: 'In verifica',
  VALUTAZIONE_INL: "In valutazione all'INL",
  CHIUSA: 'Chiusa',
  APE_SOCIALE: 'APE sociale',
  PRECOCI: 'Lavoratori precoci',
  ESITI_ARCHIVI: 'Esiti degli archivi',
  ESITO_ACCERTAMENTO: "Esito dell'accertamento INL",
  AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO: "Autocertificazioni: l'INL non ha avviato accertamenti",
  AUTOCERTIFICAZIONI_TERMINE: 'Autocertificazioni: raggiunto il limite di attesa',
  CONFORME: 'Conforme',
  NON_CONFORME: 'Non conforme',
  NON_VERIFICABILE: 'Non verificabile',
  DA_INVIARE: 'Da inviare',
  INVIATO: 'Inviato, in attesa di esito',
  RISPOSTO: 'Esito ricevuto',
  SCADUTO: 'Scaduto senza esito',
  RIFIUTATO: 'Rifiutato',
  IN_CORSO: 'In corso',
  RISPETTATA: 'Rispettata',
  SUPERATA: 'Superata',
  NON_PIU_RILEVANTE: 'Non più rilevante',
  MINLAVORO: 'Ministero del Lavoro',
  ANPAL: 'ANPAL',
  INAIL: 'INAIL',
  INL: 'INL',
  INPS: 'INPS',
  HUB: 'Ministero del Lavoro (nodo di smistamento)',
  officer: 'Funzionario istruttore',
  supervisor: 'Supervisore',
  admin: 'Amministratore',
  // INL's case and its outcome.
  AVVIATO: 'accertamento avviato',
  NON_AVVIATO: 'nessun accertamento avviato',
  CONCLUSO: 'accertamento concluso',
  REQUISITI_CONFERMATI: 'requisiti confermati',
  REQUISITI_NON_CONFERMATI: 'requisiti non confermati',
  // Data each party verifies (protocol allegato 1).
  RAPPORTO_DI_LAVORO: 'Rapporto di lavoro',
  CCNL: 'Contratto collettivo (CCNL)',
  LIVELLO_INQUADRAMENTO: 'Livello di inquadramento',
  PROFESSIONE_ISTAT: 'Professione ISTAT',
  GRANDE_GRUPPO_TARIFFA: 'Grande gruppo tariffario INAIL',
  VOCE_TARIFFA: 'Voce di tariffa INAIL',
  TASSO_MEDIO_TARIFFA: 'Tasso medio di tariffa INAIL',
  LAVORO_A_TURNI: 'Lavoro a turni',
  ATTIVITA_EDUCATIVA: 'Attività educativa effettiva',
  // INPS's own checks.
  CONTINUITA_ATTIVITA: "Continuità dell'attività",
  ETA_APE_SOCIALE: 'Età per APE sociale',
  LAVORO_PRIMA_19_ANNI: 'Lavoro prima dei 19 anni',
  SODDISFATTA: 'soddisfatta',
  NON_SODDISFATTA: 'non soddisfatta',
  SODDISFATTO: 'soddisfatto',
  NON_SODDISFATTO: 'non soddisfatto',
  NON_DIMOSTRATO: 'non dimostrato',
  // Access log and alerts.
  ACCETTATA: 'Consentito',
  RIFIUTATA: 'Rifiutato',
  CONSOLE: 'Console',
  SOAP: 'Servizi SOAP',
  CLI: 'Riga di comando',
  'console:elenco': 'Elenco delle istruttorie',
  'console:istruttoria': "Scheda dell'istruttoria",
  'console:login': 'Accesso alla console',
  'console:logout': 'Uscita dalla console',
  'console:presa-in-carico': 'Presa in carico di un’allerta',
  'console:chiudi-allerta': 'Chiusura di un’allerta',
  'console:sospendi': 'Sospensione di un operatore',
  'console:riattiva': 'Riattivazione di un operatore',
  'console:supervisione-accessi': 'Ricerca nel registro degli accessi',
  'console:supervisione-allerte': 'Elenco delle allerte',
  'console:esporta-elenco': 'Esportazione CSV delle istruttorie',
  'console:esporta-accessi': 'Esportazione CSV del registro degli accessi',
  'console:storia-pacchetto': 'Storia della consegna di un pacchetto',
  'console:reinvia-pacchetto': 'Reinvio di un pacchetto',
  'console:sollecita-pacchetto': 'Sollecito a una parte',
  'console:scarti': 'Elenco dei messaggi scartati',
  'console:riprova-scarti': 'Messaggi scartati rimessi in lavoro',
  'console:crea-account': 'Creazione di un account della console',
  'console:ruolo-account': 'Cambio di ruolo di un account',
  'console:password-account': 'Nuova password di un account',
  'console:disattiva-account': 'Disattivazione di un account',
  'console-utenti:crea': 'Creazione di un account (riga di comando)',
  'console-utenti:ruolo': 'Cambio di ruolo (riga di comando)',
  'console-utenti:password': 'Nuova password (riga di comando)',
  'console-utenti:disattiva': 'Disattivazione di un account (riga di comando)',
  FUORI_SEDE: 'istruttoria di un’altra sede',
  RUOLO_NON_AUTORIZZATO: 'ruolo non autorizzato',
  OPERATORE_SCONOSCIUTO: 'operatore sconosciuto',
  LOGIN_CREDENZIALI: 'credenziali non valide',
  LOGIN_DISATTIVATO: 'account disattivato',
  LOGIN_LIMITATO_INDIRIZZO: 'troppi tentativi dallo stesso indirizzo',
  LOGIN_LIMITATO_ACCOUNT: "troppi tentativi sull'account",
  LOGIN_LIMITATO_CARICO: 'troppe verifiche in corso',
  FUORI_ORARIO: "Accessi fuori dall'orario di lavoro",
  ISTRUTTORIE_ALTRUI: "Istruttorie fuori dalla sede dell'operatore",
  VOLUME_ANOMALO: "Volume di accessi molto superiore all'abituale",
  RIFIUTI_RIPETUTI: 'Richieste rifiutate ripetutamente',
  OPERATORE: 'Operatore',
  PARTE: 'Amministrazione',
  INDIRIZZO: 'Indirizzo di rete',
  APERTA: 'Aperta',
  PRESA_IN_CARICO: 'Presa in carico',
  CHIUSA_ALLERTA: 'Chiusa',
};

/** Activity categories of the mansioni gravose (allegato 1), with their names. */
export const NOMI_CATEGORIE: Record<string, string> = {
  A: 'operai edili, dell’estrazione e della manutenzione degli edifici',
  B: 'conduttori di gru e di macchinari mobili di perforazione',
  C: 'conciatori di pelli e pellicce',
  D: 'conduttori di convogli ferroviari e personale viaggiante',
  E: 'conduttori di mezzi pesanti e camion',
  F: 'infermieri e ostetriche ospedalieri con lavoro a turni',
  G: 'addetti all’assistenza di persone non autosufficienti',
  H: 'insegnanti della scuola dell’infanzia ed educatori degli asili nido',
  I: 'facchini e addetti allo spostamento merci',
  L: 'personale non qualificato addetto ai servizi di pulizia',
  M: 'operatori ecologici e separatori di rifiuti',
};

function frase(codice: string): string {
  if (!/^[A-Z0-9_]+$/.test(codice)) return codice;
  const t = codice.toLowerCase().replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export const etichetta = (v: string | null | undefined): string => {
  if (!v) return '';
  const e = ETICHETTE[v];
  if (e !== undefined) return e;
  if (NOMI_CATEGORIE[v]) return `${v} – ${NOMI_CATEGORIE[v]}`;
  return frase(v);
};

/** A party with its article after a preposition: `ente('MINLAVORO', 'da')` → "dal Ministero del Lavoro", "dall'INL". */
export function ente(codice: string, preposizione: 'da' | 'a' | 'di' | 'per' | '' = ''): string {
  const nome = etichetta(codice);
  if (preposizione === 'per' || preposizione === '') return preposizione === 'per' ? `per ${codice === 'MINLAVORO' ? 'il ' : "l'"}${nome}` : nome;
  const vocale = codice !== 'MINLAVORO';
  const art: Record<string, [string, string]> = { da: ["dall'", 'dal '], a: ["all'", 'al '], di: ["dell'", 'del '] };
  const [v, c] = art[preposizione]!;
  return `${vocale ? v : c}${nome}`;
}

/** "1 rapporto", "2 rapporti": a count with its noun's singular or plural. */
export function quanti(n: number, singolare: string, plurale: string): string {
  return `${n} ${n === 1 ? singolare : plurale}`;
}

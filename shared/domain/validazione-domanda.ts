import { DateTime } from 'luxon';
import { ApeError } from '../errors';
import { problemaCodiceFiscaleDatore, problemaCodiceFiscalePersona } from './codice-fiscale';
import { COMPETENZE, competenzaInail } from './competenza';
import type { Domanda } from './types';

/**
 * Rules a domanda must meet beyond its XML schema. All problems are reported at once so the sender can
 * fix them in one go. Codice fiscale problems are reported with their own code.
 */
export function controllaDomanda(d: Domanda): void {
  const cfProblems: string[] = [];
  const problems: string[] = [];

  const cf = problemaCodiceFiscalePersona(d.richiedente.codiceFiscale);
  if (cf) cfProblems.push(`Richiedente/CodiceFiscale: ${cf}`);

  const presentazione = DateTime.fromJSDate(d.dataPresentazione, { zone: 'Europe/Rome' }).toISODate()!;
  if (d.richiedente.dataNascita >= presentazione) problems.push('Richiedente/DataNascita: non precede la data di presentazione');

  for (const a of d.attestazioni) {
    const where = `Attestazione ${a.riferimento}`;
    const cfDatore = problemaCodiceFiscaleDatore(a.datore.codiceFiscale);
    if (cfDatore) cfProblems.push(`${where}/DatoreLavoro/CodiceFiscale: ${cfDatore}`);
    if (a.periodo.al !== undefined && a.periodo.al < a.periodo.dal) problems.push(`${where}/Periodo: Al precede Dal`);
    if (a.periodo.dal > presentazione) problems.push(`${where}/Periodo/Dal: successivo alla presentazione della domanda`);
    if (a.tipo === 'DATORE_DOMESTICO' && a.categoria !== 'G') {
      problems.push(`${where}: l'attestazione del datore di lavoro domestico (allegato 3) riguarda solo la categoria G`);
    }
    if (a.tipo === 'DATORE_DOMESTICO' && a.codiceRapportoDomestico === undefined) {
      problems.push(`${where}: manca CodiceRapportoDomestico (allegato 3)`);
    }
    if (competenzaInail(a)) {
      if (a.datore.patInail === undefined) problems.push(`${where}/DatoreLavoro/PatInail: richiesta per la categoria ${a.categoria}`);
      if (a.vociTariffaInail.length === 0) problems.push(`${where}/VociTariffaInail: richieste per la categoria ${a.categoria}`);
    }
    const inl = COMPETENZE[a.categoria].datoInl;
    if (inl === 'LAVORO_A_TURNI' && a.lavoroATurni === undefined) problems.push(`${where}/LavoroATurni: richiesto per la categoria F`);
    if (inl === 'ATTIVITA_EDUCATIVA' && a.attivitaEducativa === undefined) problems.push(`${where}/AttivitaEducativa: richiesto per la categoria H`);
  }

  if (cfProblems.length > 0) throw new ApeError('CODICE_FISCALE_NON_VALIDO', [...cfProblems, ...problems].join('; '));
  if (problems.length > 0) throw new ApeError('DATI_INCOERENTI', problems.join('; '));
}

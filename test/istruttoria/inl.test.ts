process.env.APE_LOG_LEVEL = 'silent';

import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ManualClock } from '../../shared/clock';
import { ApeError } from '../../shared/errors';
import type { NotificaAccertamento } from '../../shared/messages/esiti';
import { TIMER_LIMITE_ISTRUTTORIA } from '../../services/inps/core/aggiorna';
import { applicaNotificaAccertamento, type NotificaApplicata } from '../../services/inps/core/accertamenti';
import { bancoIstruttorie, domanda, dopo, giorni, ore, regole } from '../support/inps-lifecycle';

/**
 * INL's answers on a case (NotificaAccertamento) and what they do to the istruttoria. Part of the INPS-side
 * lifecycle of an istruttoria, in process against a real PostgreSQL database (test/support/inps-lifecycle.ts,
 * bancoIstruttorie).
 */

const banco = bancoIstruttorie('lc_inl');
const { protocollo, scheduler, presenta, istruttoria, tipiEventi, eventi, timer, segnalazione, portaInValutazioneInl } = banco;
let pool: Pool;

beforeAll(() => {
  pool = banco.pool;
});

// ---------------------------------------------------------------------------------------------------------------

describe("h. INL's answers on a case (NotificaAccertamento)", () => {
  const INL_OP = { id: 'INL-ISP-7', ufficio: 'ITL Roma' };

  /** A case in VALUTAZIONE_INL whose SEGNALAZIONE the dispatcher sent with correlation id `corr`. */
  async function casoInl(t0: string) {
    const r = regole();
    const clock = new ManualClock(t0);
    const id = await presenta(domanda({ protocollo: protocollo('INL'), presentazione: clock.now() }), clock.now(), r);
    await portaInValutazioneInl(id, clock.now(), r);
    clock.advance(giorni(2));
    const seg = await segnalazione(id);
    const corr = randomUUID();
    await pool.query('UPDATE segnalazione_inl SET correlation_id = $2, inviata_il = $3 WHERE id = $1', [seg.id, corr, clock.now()]);
    const notifica = (n: Omit<NotificaAccertamento, 'idSegnalazione' | 'dataEvento'>, correlationId = corr): Promise<NotificaApplicata> =>
      applicaNotificaAccertamento(pool, { idSegnalazione: seg.id, dataEvento: clock.now(), ...n }, { correlationId, operatore: INL_OP, now: clock.now(), regole: r });
    return { r, clock, id, idSegnalazione: seg.id, notifica };
  }

  async function notifiche(idSegnalazione: string): Promise<Array<{ stato: string; applicata: boolean; dopo_chiusura: boolean }>> {
    return (
      await pool.query<{ stato: string; applicata: boolean; dopo_chiusura: boolean }>(
        'SELECT stato, applicata, dopo_chiusura FROM notifica_accertamento WHERE segnalazione_id = $1 ORDER BY id',
        [idSegnalazione],
      )
    ).rows;
  }

  test('NON_AVVIATO closes the istruttoria on the self-declarations (AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO)', async () => {
    const { id, clock, idSegnalazione, notifica } = await casoInl('2026-08-03T08:00:00Z');
    expect(await notifica({ stato: 'NON_AVVIATO' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_NESSUN_ACCERTAMENTO', esito_verifica: 'NON_VERIFICABILE', chiusa_il: clock.now() });
    expect(await segnalazione(id)).toMatchObject({ id: idSegnalazione, stato_accertamento: 'NON_AVVIATO', esito_accertamento: null });
    expect(await tipiEventi(id)).toEqual(expect.arrayContaining(['ACCERTAMENTO_NON_AVVIATO', 'VERIFICA_COMPLETATA']));
    expect((await timer(TIMER_LIMITE_ISTRUTTORIA, id))?.stato).toBe('ANNULLATO');
  });

  test('AVVIATO then CONCLUSO with REQUISITI_NON_CONFERMATI before the limit closes on the inspection outcome, NON_CONFORME', async () => {
    const { id, clock, notifica } = await casoInl('2026-08-04T08:00:00Z');
    const idAccertamento = randomUUID();
    expect(await notifica({ stato: 'AVVIATO', idAccertamento })).toEqual({ applicata: true, statoIstruttoria: 'VALUTAZIONE_INL', riesame: false });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'AVVIATO' });
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
    clock.advance(giorni(10));
    expect(await notifica({ stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_NON_CONFERMATI' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'ESITO_ACCERTAMENTO', esito_verifica: 'NON_CONFORME', chiusa_il: clock.now(), riesame_il: null });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'CONCLUSO', esito_accertamento: 'REQUISITI_NON_CONFERMATI' });
    expect(await tipiEventi(id)).toEqual(expect.arrayContaining(['ACCERTAMENTO_AVVIATO', 'ACCERTAMENTO_CONCLUSO', 'VERIFICA_COMPLETATA']));
    expect(await eventi(id, 'ACCERTAMENTO_DOPO_CHIUSURA')).toEqual([]);
  });

  test('AVVIATO, then the limit passes: closed AUTOCERTIFICAZIONI_TERMINE; the outcome REQUISITI_NON_CONFERMATI arriving after closure is recorded and flags riesame', async () => {
    const { r, id, clock, idSegnalazione, notifica } = await casoInl('2026-08-05T08:00:00Z');
    await notifica({ stato: 'AVVIATO', idAccertamento: randomUUID() });
    const { limite } = await istruttoria(id);
    const s = scheduler(clock, r);
    clock.set(new Date(limite.getTime() - 1));
    await s.runDue();
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
    clock.set(limite);
    await s.runDue();
    const chiusa = await istruttoria(id);
    expect(chiusa).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: 'NON_VERIFICABILE', chiusa_il: limite });

    clock.advance(giorni(3));
    expect(await notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_NON_CONFERMATI' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: true });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'CONCLUSO', esito_accertamento: 'REQUISITI_NON_CONFERMATI' });
    expect(await notifiche(idSegnalazione)).toEqual([
      { stato: 'AVVIATO', applicata: true, dopo_chiusura: false },
      { stato: 'CONCLUSO', applicata: true, dopo_chiusura: true },
    ]);
    const i = await istruttoria(id);
    // The closure stands; the case is flagged for re-examination.
    expect(i).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'AUTOCERTIFICAZIONI_TERMINE', esito_verifica: 'NON_VERIFICABILE', chiusa_il: limite, riesame_il: clock.now() });
    expect(i.riesame_motivo).toContain('REQUISITI_NON_CONFERMATI');
    expect(await eventi(id, 'ACCERTAMENTO_DOPO_CHIUSURA')).toHaveLength(1);
    expect(await eventi(id, 'RIESAME_RICHIESTO')).toHaveLength(1);
    expect(await eventi(id, 'VERIFICA_COMPLETATA')).toHaveLength(1);
  });

  test('an outcome confirming the requisites after a NON_VERIFICABILE closure does not flag riesame', async () => {
    const { r, id, clock, notifica } = await casoInl('2026-08-06T08:00:00Z');
    await notifica({ stato: 'AVVIATO' });
    clock.set((await istruttoria(id)).limite);
    await scheduler(clock, r).runDue();
    expect((await istruttoria(id)).stato).toBe('CHIUSA');
    clock.advance(giorni(1));
    expect(await notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_CONFERMATI' })).toEqual({ applicata: true, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await eventi(id, 'ACCERTAMENTO_DOPO_CHIUSURA')).toHaveLength(1);
    expect((await istruttoria(id)).riesame_il).toBeNull();
  });

  test('the same notice delivered twice changes state once', async () => {
    const { id, clock, idSegnalazione, notifica } = await casoInl('2026-08-07T08:00:00Z');
    const idAccertamento = randomUUID();
    expect(await notifica({ stato: 'AVVIATO', idAccertamento })).toMatchObject({ applicata: true });
    clock.advance(ore(1));
    expect(await notifica({ stato: 'AVVIATO', idAccertamento })).toEqual({ applicata: false, statoIstruttoria: 'VALUTAZIONE_INL', riesame: false });
    expect(await eventi(id, 'ACCERTAMENTO_AVVIATO')).toHaveLength(1);
    clock.advance(ore(1));
    expect(await notifica({ stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_CONFERMATI' })).toMatchObject({ applicata: true, statoIstruttoria: 'CHIUSA' });
    const chiusa = await istruttoria(id);
    clock.advance(ore(1));
    expect(await notifica({ stato: 'CONCLUSO', idAccertamento, esito: 'REQUISITI_CONFERMATI' })).toEqual({ applicata: false, statoIstruttoria: 'CHIUSA', riesame: false });
    expect(await istruttoria(id)).toEqual(chiusa);
    expect(await eventi(id, 'ACCERTAMENTO_CONCLUSO')).toHaveLength(1);
    expect(await eventi(id, 'VERIFICA_COMPLETATA')).toHaveLength(1);
    expect((await notifiche(idSegnalazione)).map((n) => [n.stato, n.applicata])).toEqual([
      ['AVVIATO', true],
      ['AVVIATO', false],
      ['CONCLUSO', true],
      ['CONCLUSO', false],
    ]);
  });

  test('CONCLUSO without Esito is refused with DATI_INCOERENTI and changes nothing', async () => {
    const { id, idSegnalazione, notifica } = await casoInl('2026-08-10T08:00:00Z');
    await expect(notifica({ stato: 'CONCLUSO' })).rejects.toMatchObject({ name: 'ApeError', code: 'DATI_INCOERENTI' });
    await expect(notifica({ stato: 'AVVIATO', esito: 'REQUISITI_CONFERMATI' })).rejects.toBeInstanceOf(ApeError);
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: null });
    expect(await notifiche(idSegnalazione)).toEqual([]);
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
  });

  test('a transition from CONCLUSO is refused with TRANSIZIONE_NON_AMMESSA', async () => {
    const { id, notifica } = await casoInl('2026-08-11T08:00:00Z');
    await notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_CONFERMATI' });
    expect(await istruttoria(id)).toMatchObject({ stato: 'CHIUSA', regola_chiusura: 'ESITO_ACCERTAMENTO', esito_verifica: 'CONFORME' });
    await expect(notifica({ stato: 'AVVIATO' })).rejects.toMatchObject({ code: 'TRANSIZIONE_NON_AMMESSA' });
    await expect(notifica({ stato: 'NON_AVVIATO' })).rejects.toMatchObject({ code: 'TRANSIZIONE_NON_AMMESSA' });
    await expect(notifica({ stato: 'CONCLUSO', esito: 'REQUISITI_NON_CONFERMATI' })).rejects.toMatchObject({ code: 'TRANSIZIONE_NON_AMMESSA' });
    expect(await segnalazione(id)).toMatchObject({ stato_accertamento: 'CONCLUSO', esito_accertamento: 'REQUISITI_CONFERMATI' });
    expect((await istruttoria(id)).riesame_il).toBeNull();
  });

  test('a notice with another correlation id than the case was sent with is refused', async () => {
    const { id, notifica } = await casoInl('2026-08-12T08:00:00Z');
    await expect(notifica({ stato: 'NON_AVVIATO' }, randomUUID())).rejects.toMatchObject({ code: 'CORRELAZIONE_NON_VALIDA' });
    expect((await istruttoria(id)).stato).toBe('VALUTAZIONE_INL');
  });

  test('the first notice on a case whose correlation id is not yet recorded sets it', async () => {
    const r = regole();
    const t0 = new Date('2026-08-13T08:00:00Z');
    const id = await presenta(domanda({ protocollo: protocollo('INL'), presentazione: t0 }), t0, r);
    await portaInValutazioneInl(id, t0, r);
    const seg = await segnalazione(id);
    expect(seg.correlation_id).toBeNull();
    const corr = randomUUID();
    const now = dopo(t0, giorni(2));
    await applicaNotificaAccertamento(pool, { idSegnalazione: seg.id, stato: 'AVVIATO', dataEvento: now }, { correlationId: corr, operatore: INL_OP, now, regole: r });
    expect((await segnalazione(id)).correlation_id).toBe(corr);
  });
});

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import type { EnteVerificatore, EsitoDato } from '../../shared/domain/types';
import { RemoteFaultError, ApeError } from '../../shared/errors';
import { OPERATIONS } from '../../shared/messages/contracts';
import { correlationHeader, operatoreHeader } from '../../shared/messages/envelope';
import { writeNotificaEsito } from '../../shared/messages/esiti';
import { writeSollecitaEsito } from '../../shared/messages/pacchetto';
import type { SoapClient } from '../../shared/soap/client';
import { firmaOrigine, type FirmatarioOrigine } from '../../shared/verifica-pacchetto/origine';
import type { TestFederation } from './federation';

/**
 * Duplicate and out-of-order callbacks, as a flaky network and retrying counterparts produce them: each party's
 * esiti delivered again to INPS, several copies at once, including esiti the party has verified but not yet
 * delivered itself (so a copy may overtake the original, or the ack of the packet's send); and reminders
 * (SollecitaEsito) to a party for packets it already answered, which makes it deliver its esito again (sent as the
 * hub forwards INPS's: the hub's certificate, INPS's origin signature).
 * Every outcome is counted by the answer's code.
 */
const ENTI: readonly EnteVerificatore[] = ['MINLAVORO', 'ANPAL', 'INAIL', 'INL'];

export class Doppioni {
  readonly esiti = new Map<string, number>();
  readonly solleciti = new Map<string, number>();
  private fermo = false;
  private ciclo: Promise<void> | null = null;
  private readonly offline = new Set<string>();
  private readonly client = new Map<string, SoapClient>();
  private readonly pool = new Map<string, Pool>();
  private readonly inps: FirmatarioOrigine;

  constructor(
    private readonly fed: TestFederation,
    private readonly o: { copie: number; perGiro: number; pausaMs: number },
  ) {
    for (const e of ENTI) {
      this.client.set(e, fed.soapAs(e));
      this.pool.set(e, fed.pool(e.toLowerCase()));
    }
    this.client.set('HUB', fed.soapAs(fed.config.services.hub.identity));
    const inps = fed.identity(fed.config.services.inpsDispatcher.identity);
    this.inps = { keyPem: readFileSync(inps.keyFile, 'utf8'), certPem: readFileSync(inps.certFile, 'utf8') };
  }

  get totale(): number {
    return [...this.esiti.values(), ...this.solleciti.values()].reduce((a, b) => a + b, 0);
  }

  avvia(): void {
    this.ciclo = this.esegui();
  }

  /** A party taken offline gets no reminders meanwhile (its own esiti are still replayed to INPS). */
  partyOffline(ente: string, offline: boolean): void {
    if (offline) this.offline.add(ente);
    else this.offline.delete(ente);
  }

  private async esegui(): Promise<void> {
    while (!this.fermo) {
      const ente = ENTI[Math.floor(Math.random() * ENTI.length)]!;
      // Swallowed: duplicates are sent while the faults under test make calls fail; only the ones that arrive matter.
      await Promise.all([this.esitiDiNuovo(ente), this.offline.has(ente) ? Promise.resolve() : this.sollecitiDopoEsito(ente)]).catch(() => undefined);
      await new Promise((r) => setTimeout(r, this.o.pausaMs));
    }
  }

  private async esitiDiNuovo(ente: EnteVerificatore): Promise<void> {
    const { rows } = await this.pool.get(ente)!.query<{ id_pacchetto: string; correlation_id: string; reply_to: string; esiti: EsitoDato[] }>(
      `SELECT id_pacchetto, correlation_id, reply_to, esiti FROM pacchetto_ricevuto WHERE esiti IS NOT NULL ORDER BY random() LIMIT $1`,
      [this.o.perGiro],
    );
    const invii = rows.flatMap((r) =>
      Array.from({ length: this.o.copie }, () =>
        this.chiama(this.esiti, ente, {
          url: r.reply_to,
          soapAction: OPERATIONS.NotificaEsito.soapAction,
          headers: [operatoreHeader({ id: `SYS-${ente}-VERIFICA`, ufficio: 'replica di prova' }), correlationHeader(r.correlation_id)],
          body: writeNotificaEsito({ idPacchetto: r.id_pacchetto, ente, dataEsito: this.fed.now(), esitiDato: r.esiti }),
        }),
      ),
    );
    // Shuffled, so copies of different packets interleave.
    await Promise.all(invii.sort(() => Math.random() - 0.5));
  }

  private async sollecitiDopoEsito(ente: EnteVerificatore): Promise<void> {
    const { rows } = await this.pool.get(ente)!.query<{ id_pacchetto: string; correlation_id: string }>(
      `SELECT id_pacchetto, correlation_id FROM pacchetto_ricevuto WHERE stato = 'ESITO_CONSEGNATO' ORDER BY random() LIMIT 2`,
    );
    await Promise.all(
      rows.map((r) =>
        this.chiama(this.solleciti, 'HUB', {
          url: this.fed.url(ente),
          soapAction: OPERATIONS.SollecitaEsito.soapAction,
          headers: [operatoreHeader({ id: 'SYS-INPS-ISTRUTTORIA', ufficio: 'replica di prova' }), correlationHeader(r.correlation_id)],
          body: firmaOrigine(writeSollecitaEsito({ idSollecito: randomUUID(), idPacchetto: r.id_pacchetto, destinatario: ente, scadenza: this.fed.now(), dataSollecito: this.fed.now() }), this.inps),
        }),
      ),
    );
  }

  private async chiama(conteggio: Map<string, number>, come: string, call: Parameters<SoapClient['call']>[0]): Promise<void> {
    let esito = 'OK';
    try {
      await this.client.get(come)!.call(call);
    } catch (err) {
      esito = err instanceof RemoteFaultError || err instanceof ApeError ? err.code : 'ERRORE';
    }
    conteggio.set(esito, (conteggio.get(esito) ?? 0) + 1);
  }

  async ferma(): Promise<void> {
    this.fermo = true;
    await this.ciclo;
  }
}

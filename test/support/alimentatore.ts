import { SCENARI, type ScenarioDemo } from '../../infra/demo/dataset';
import type { Domanda } from '../../shared/domain/types';
import { RemoteFaultError, toError } from '../../shared/errors';
import { OPERATIONS } from '../../shared/messages/contracts';
import { operatoreHeader } from '../../shared/messages/envelope';
import { writePresentaDomanda } from '../../shared/messages/istruttoria';
import type { SoapClient } from '../../shared/soap/client';
import type { TestFederation } from './federation';

/**
 * A stream of domande for the fault suite: the demo scenarios in turn, each with a new protocol, submitted at a
 * steady rate as the INPS case system would. A submission that fails for a transient reason (the gateway killed,
 * the database restarting) is sent again, identical, until it is acknowledged: the gateway answers a repeated
 * domanda with its first receipt. A refusal that is not transient is a finding.
 */
export interface Presentata {
  protocollo: string;
  scenario: ScenarioDemo;
  tentativi: number;
}

export class Alimentatore {
  readonly presentate: Presentata[] = [];
  readonly rifiuti: string[] = [];
  private fermo = false;
  private inCorso = new Set<Promise<void>>();
  private ciclo: Promise<void> | null = null;

  constructor(
    private readonly fed: TestFederation,
    private readonly client: SoapClient,
    private readonly o: { totale: number; alSecondo: number; tag: string },
  ) {}

  avvia(): void {
    this.ciclo = this.esegui();
  }

  private async esegui(): Promise<void> {
    const intervallo = 1000 / this.o.alSecondo;
    for (let i = 0; i < this.o.totale && !this.fermo; i++) {
      const scenario = SCENARI[i % SCENARI.length]!;
      const protocollo = `INPS.${this.o.tag}.${String(i + 1).padStart(5, '0')}`;
      const p = this.presenta(scenario, protocollo, scenario.domanda(protocollo, this.fed.now())).finally(() => this.inCorso.delete(p));
      this.inCorso.add(p);
      await new Promise((r) => setTimeout(r, intervallo));
    }
  }

  private async presenta(scenario: ScenarioDemo, protocollo: string, d: Domanda): Promise<void> {
    const voce: Presentata = { protocollo, scenario, tentativi: 0 };
    const operatore = { id: 'INPS-OP-FAULT', ufficio: 'Prova di resistenza' };
    for (;;) {
      voce.tentativi++;
      try {
        await this.client.call({
          url: this.fed.url('istruttoria'),
          soapAction: OPERATIONS.PresentaDomanda.soapAction,
          headers: [operatoreHeader(operatore)],
          body: writePresentaDomanda(d),
        });
        this.presentate.push(voce);
        return;
      } catch (err) {
        const e = toError(err);
        if (e instanceof RemoteFaultError && !e.retryable) {
          this.rifiuti.push(`${protocollo}: ${e.message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 250 + Math.random() * 500));
      }
    }
  }

  /** Resolves when every domanda of the stream is acknowledged (or refused for good). */
  async concluso(): Promise<void> {
    await this.ciclo;
    await Promise.all([...this.inCorso]);
  }

  ferma(): void {
    this.fermo = true;
  }
}

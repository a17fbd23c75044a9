import type { Domanda } from '../../shared/domain/types';
import { OPERATIONS } from '../../shared/messages/contracts';
import { operatoreHeader } from '../../shared/messages/envelope';
import { writePresentaDomanda } from '../../shared/messages/istruttoria';
import { SoapClient } from '../../shared/soap/client';
import { SistemaIstruttorio, type TlsFiles } from '../clients/sistema-istruttorio';

/**
 * How the benchmark submits domande. Two INPS case systems, both over mutual TLS with WS-Security signatures:
 * - "interno" (default): the federation's own SOAP client (keep-alive connections, the signing key parsed once),
 *   light enough that one process can offer 100 domande/s and the figures are the broker's;
 * - "node-soap": infra/clients/sistema-istruttorio.ts, a generic stack as a counterpart would write it; it opens
 *   a new TLS connection per call and signs with xml-crypto, so at high rates the load generator itself becomes
 *   the bottleneck (its CPU shows as "bench (case system)").
 */
export type TipoCliente = 'interno' | 'node-soap';

export interface ClienteBench {
  presenta(d: Domanda): Promise<unknown>;
  chiudi(): void;
}

export async function creaCliente(tipo: TipoCliente, url: string, tls: TlsFiles, gatewayCN: string): Promise<ClienteBench> {
  const operatore = { id: 'INPS-OP-BENCH-0001', ufficio: 'INPS - benchmark' };
  if (tipo === 'node-soap') {
    const s = await SistemaIstruttorio.connect(url, tls, operatore);
    return { presenta: (d) => s.presentaDomanda(d), chiudi: () => undefined };
  }
  const c = new SoapClient({ ...tls, timeoutMs: 60_000, maxSockets: 256 });
  return {
    presenta: (d) =>
      c.call({ url, soapAction: OPERATIONS.PresentaDomanda.soapAction, headers: [operatoreHeader(operatore)], body: writePresentaDomanda(d), expectedServerCN: gatewayCN }),
    chiudi: () => c.close(),
  };
}

import type { Algoritmo } from './pavimento-firme';
import type { VoceCosto } from './pavimento-piano';
import type { RisultatoPavimento } from './pavimento';
import { arrot } from './rapporto';

/** How the floor is printed, and shaped for risultati.json next to the broker's figures. */

const NOMI: Record<VoceCosto, string> = {
  tls: 'mTLS round trips',
  firme: 'signatures (digests + sign)',
  verifiche: 'verifications (digests + verify)',
  commit: 'PostgreSQL commits',
  pubblicazioni: 'confirmed publishes + consumes',
};

export function stampaPavimento(p: RisultatoPavimento, broker: { domandePerSecondo: number; cpuPerDomandaMs: number }): void {
  const t = p.tratte;
  console.log(`  hops per domanda, from the protocol over the mix: ${arrot(t.totale, 2)} (${Object.entries(t.perOperazione).map(([k, v]) => `${k} ${arrot(v, 2)}`).join(', ')}); INL share ${arrot(100 * t.quotaInl, 0)}%`);
  console.log(`  per domanda: ${Object.entries(p.operazioniPerDomanda).map(([k, v]) => `${arrot(v, 2)} ${NOMI[k as VoceCosto]}`).join(', ')}`);
  console.log(`  signed parts of a message of the mean size: ${p.sagoma.parti.join(' + ')} bytes, SignedInfo ${p.sagoma.signedInfo} bytes`);
  for (const g of p.giri) {
    const r = p.ripartizione[g.algoritmo];
    console.log(
      `  floor ${g.algoritmo}: ${arrot(g.domandePerSecondo, 1)} domande/s (${g.domande} domande in ${arrot(g.secondi, 1)} s, ${g.errori} errors${g.primoErrore ? `: ${g.primoErrore}` : ''}); ` +
        `CPU per domanda ${arrot(g.cpuPerDomandaMs, 1)} ms measured (this process, its peer, PostgreSQL backends; RabbitMQ ${arrot(g.rabbitmqCpuPerDomandaMs, 1)} ms apart), ${arrot(r.msPerDomanda, 1)} ms from the unit costs`,
    );
    console.log(`    broker: ${arrot((100 * broker.domandePerSecondo) / g.domandePerSecondo, 1)}% of this floor's rate; ${arrot(broker.cpuPerDomandaMs / Math.max(r.msPerDomanda, 1e-9), 1)}x its CPU per domanda`);
  }
  console.log('  floor CPU per domanda by kind (operations x CPU of one operation measured alone):');
  const algoritmi = Object.keys(p.ripartizione) as Algoritmo[];
  console.log(`    ${'kind'.padEnd(34)} ${'per domanda'.padStart(11)}   ${algoritmi.map((a) => `${a}: ms each -> per domanda (share)`.padStart(44)).join(' ')}   alone: ops/s -> domande/s`);
  for (const k of Object.keys(NOMI) as VoceCosto[]) {
    const celle = algoritmi.map((a) => {
      const v = p.ripartizione[a].voci[k];
      return `${arrot(v.msPerOperazione, 3)} -> ${arrot(v.msPerDomanda, 2)} (${arrot(100 * v.quota, 1)}%)`.padStart(44);
    });
    const operazioni = p.ripartizione[algoritmi[0]!].voci[k].operazioni;
    const solo = k === 'firme' || k === 'verifiche' ? 'CPU only' : `${arrot(p.daSoloPerSecondo[k], 0)} -> ${arrot(p.daSoloPerSecondo[k] / operazioni, 1)}`;
    console.log(`    ${NOMI[k].padEnd(34)} ${String(arrot(operazioni, 2)).padStart(11)}   ${celle.join(' ')}   ${solo}`);
  }
  console.log(`    RabbitMQ (shared, apart): ${arrot(p.costoUnitarioMs.rabbitmqPerPubblicazione, 3)} ms per publish + consume, ${arrot(p.costoUnitarioMs.rabbitmqPerPubblicazione * p.operazioniPerDomanda.pubblicazioni, 1)} ms per domanda`);
}

/** risultati.json's "pavimento": the floor's figures rounded, with the broker's share of each. */
export function pavimentoPerJson(p: RisultatoPavimento, brokerDomandePerSecondo: number, dimensioneMessaggio: number) {
  const r2 = (x: number) => arrot(x, 3);
  return {
    dimensioneMessaggio,
    tratte: { totale: r2(p.tratte.totale), quotaInl: r2(p.tratte.quotaInl), perOperazione: Object.fromEntries(Object.entries(p.tratte.perOperazione).map(([k, v]) => [k, r2(v)])) },
    operazioniPerDomanda: Object.fromEntries(Object.entries(p.operazioniPerDomanda).map(([k, v]) => [k, r2(v)])),
    partiFirmate: p.sagoma,
    giri: p.giri.map((g) => ({
      ...g,
      secondi: arrot(g.secondi, 2),
      domandePerSecondo: arrot(g.domandePerSecondo, 2),
      cpuPerDomandaMs: arrot(g.cpuPerDomandaMs, 1),
      rabbitmqCpuPerDomandaMs: arrot(g.rabbitmqCpuPerDomandaMs, 1),
      rapportoBroker: r2(brokerDomandePerSecondo / g.domandePerSecondo),
    })),
    costoUnitarioMs: {
      tls: r2(p.costoUnitarioMs.tls),
      commit: r2(p.costoUnitarioMs.commit),
      pubblicazioni: r2(p.costoUnitarioMs.pubblicazioni),
      rabbitmqPerPubblicazione: r2(p.costoUnitarioMs.rabbitmqPerPubblicazione),
      firme: Object.fromEntries(Object.entries(p.costoUnitarioMs.firme).map(([a, f]) => [a, { firma: arrot(f.firma, 4), verifica: arrot(f.verifica, 4) }])),
    },
    daSoloPerSecondo: Object.fromEntries(Object.entries(p.daSoloPerSecondo).map(([k, v]) => [k, arrot(v, 0)])),
    ripartizione: Object.fromEntries(
      Object.entries(p.ripartizione).map(([a, r]) => [
        a,
        { msPerDomanda: arrot(r.msPerDomanda, 2), voci: Object.fromEntries(Object.entries(r.voci).map(([k, v]) => [k, { operazioni: r2(v.operazioni), msPerOperazione: arrot(v.msPerOperazione, 4), msPerDomanda: arrot(v.msPerDomanda, 2), quota: r2(v.quota) }])) },
      ]),
    ),
  };
}

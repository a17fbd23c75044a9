import type { ChannelModel } from 'amqplib';
import { deadLetterQueue } from '../../../shared/amqp/topology';
import { CanaleScarti, statoCoda, type StatoCoda } from './rabbitmq';
import { descriviScarto, type Scarto } from './scarto';

/**
 * npm run ops -- scarti: how many dead letters each work queue has, and the first ones of those that have some.
 * Read-only: the messages are taken without ack and given back when the channel closes.
 */
export interface CodaEsaminata {
  coda: string;
  lavoro: StatoCoda | null;
  scarti: StatoCoda | null;
  primi: Scarto[];
}

export async function esaminaScarti(model: ChannelModel, code: readonly string[], limite: number): Promise<CodaEsaminata[]> {
  const out: CodaEsaminata[] = [];
  for (const coda of code) {
    const lavoro = await statoCoda(model, coda);
    const scarti = await statoCoda(model, deadLetterQueue(coda));
    let primi: Scarto[] = [];
    if (scarti && scarti.messaggi > 0 && limite > 0) {
      const canale = await CanaleScarti.apri(model);
      try {
        primi = (await canale.preleva(deadLetterQueue(coda), { massimo: limite })).map(descriviScarto);
      } finally {
        await canale.chiudi();
      }
    }
    out.push({ coda, lavoro, scarti, primi });
  }
  return out;
}

export function stampaScarti(esame: readonly CodaEsaminata[], limite: number): void {
  const w = Math.max(...esame.map((e) => e.coda.length), 'coda'.length);
  console.log(`${'coda'.padEnd(w)}  ${'scarti'.padStart(6)}  ${'in attesa'.padStart(9)}  ${'consumatori'.padStart(11)}`);
  for (const e of esame) {
    if (!e.lavoro && !e.scarti) {
      console.log(`${e.coda.padEnd(w)}  non dichiarata (nessun servizio l'ha ancora avviata)`);
      continue;
    }
    console.log(`${e.coda.padEnd(w)}  ${String(e.scarti?.messaggi ?? '-').padStart(6)}  ${String(e.lavoro?.messaggi ?? '-').padStart(9)}  ${String(e.lavoro?.consumatori ?? '-').padStart(11)}`);
  }
  const totale = esame.reduce((n, e) => n + (e.scarti?.messaggi ?? 0), 0);
  console.log(`totale scarti: ${totale}`);
  for (const e of esame) {
    if (e.primi.length === 0) continue;
    const n = e.scarti!.messaggi;
    console.log(`\n${deadLetterQueue(e.coda)}: ${n} ${n === 1 ? 'messaggio' : 'messaggi'}${n > e.primi.length ? ` (i primi ${e.primi.length}; --limite N per vederne altri)` : ''}`);
    console.table(
      e.primi.map((s) => ({
        messaggio: s.messaggio,
        coda: s.coda,
        errore: s.errore,
        motivo: s.motivo,
        tentativo: s.tentativo,
        primo_scarto: s.primoScarto,
        riprovato_da: s.riprovato,
        contenuto: s.contenuto,
      })),
    );
  }
  if (totale > 0 && limite === 0) console.log('(--limite 0: messaggi non mostrati)');
}

import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { verificaRegistro, type EsitoVerifica, type Registro } from '../shared/audit/catena';
import { Pseudonimizzatore } from '../shared/audit/pseudonimi';
import { Registri, type AccessEvent } from '../shared/audit/registri';
import { TestDatabase } from './support/database';

/**
 * `npm run audit:verifica` while the services write: the chains are read in one snapshot, so a record committed
 * during the check is either wholly in it (record and head) or wholly out of it. Never a false MANOMESSO; a real
 * tampering (the owner switching the triggers off) is still found.
 */
let db: TestDatabase;
let pool: Pool;
let owner: Pool;
const pseudonimi = new Pseudonimizzatore(randomBytes(32));
const REGISTRI: Registro[] = ['registro_accessi', 'registro_messaggi'];

beforeAll(async () => {
  db = await TestDatabase.create('registri_verifica', 'hub', ['messaging', 'hub', 'audit']);
  pool = db.pool('hub', 4);
  owner = db.pool('hub', 1);
});

afterAll(async () => {
  await db?.drop();
});

function accesso(i: number): AccessEvent {
  return {
    requestId: randomUUID(), at: new Date(Date.UTC(2026, 2, 10, 9) + i), service: '/ape/pacchetti', operation: 'VerificaPacchetto', identity: 'INPS',
    certificateSubject: 'CN=inps', operatore: { id: `OP-${i % 7}`, ufficio: 'Sede di Roma' }, remoteAddress: '127.0.0.1', outcome: 'ACCETTATA', faultCode: null, durationMs: 3,
  };
}

/** Appends accesses and messages without pause, as busy services do, until stopped. */
function scritturaContinua(registri: Registri): { ferma(): Promise<number> } {
  let attiva = true;
  let n = 0;
  const ciclo = (async () => {
    while (attiva) {
      const lotto = Array.from({ length: 8 }, () => {
        const a = accesso(n++);
        return [
          registri.registraAccesso(a),
          registri.registraMessaggio({ direzione: 'RICEVUTO', operazione: 'VerificaPacchetto', controparte: 'INPS', messageId: `urn:uuid:${randomUUID()}`, improntaCorpo: 'cd'.repeat(32), dimensione: 900, esito: 'ACCETTATO' }, a.at),
        ];
      }).flat();
      await Promise.all(lotto);
    }
  })();
  return {
    async ferma() {
      attiva = false;
      await ciclo;
      return n;
    },
  };
}

async function manometti(registro: Registro, seq: number): Promise<void> {
  // What a privileged intruder could do: the owner, with the append-only triggers switched off.
  const client = await owner.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(`UPDATE ${registro} SET registrato_il = registrato_il + interval '1 second' WHERE seq = $1`, [seq]);
  } finally {
    await client.query('SET session_replication_role = DEFAULT');
    client.release();
  }
}

test('verifying many times while records are appended never reports a chain broken', async () => {
  const registri = new Registri(pool, pseudonimi);
  // A chain longer than one page of the check, so reading it takes a while.
  await Promise.all(Array.from({ length: 6000 }, (_, i) => registri.registraAccesso(accesso(-i - 1))));
  const scrittura = scritturaContinua(registri);
  const esiti: EsitoVerifica[] = [];
  try {
    for (let i = 0; i < 25; i++) {
      for (const r of REGISTRI) esiti.push(await verificaRegistro(owner, r));
    }
  } finally {
    const scritti = await scrittura.ferma();
    expect(scritti).toBeGreaterThan(100);
  }
  expect(esiti.filter((e) => !e.integro)).toEqual([]);
  // The checks saw the chain grow: they ran while it was being written.
  const visti = new Set(esiti.filter((e) => e.registro === 'registro_accessi').map((e) => e.record));
  expect(visti.size).toBeGreaterThan(1);
});

test('a record tampered with is still found while records are appended', async () => {
  const registri = new Registri(pool, pseudonimi);
  await manometti('registro_accessi', 4321);
  const scrittura = scritturaContinua(registri);
  try {
    for (let i = 0; i < 5; i++) {
      expect(await verificaRegistro(pool, 'registro_accessi')).toMatchObject({ integro: false, primoGuasto: { seq: 4321, motivo: 'il contenuto del record non corrisponde al suo hash' } });
      expect(await verificaRegistro(pool, 'registro_messaggi')).toMatchObject({ integro: true });
    }
  } finally {
    await scrittura.ferma();
  }
});

test('a chain whose head row was removed is reported, not taken for an empty one', async () => {
  await new Registri(pool, pseudonimi).registraMessaggio({ direzione: 'INVIATO', operazione: 'NotificaEsito', controparte: 'INPS', improntaCorpo: 'ef'.repeat(32), dimensione: 10, esito: 'ACCETTATO' }, new Date());
  await owner.query("DELETE FROM catena_testa WHERE registro = 'registro_messaggi'");
  const esito = await verificaRegistro(pool, 'registro_messaggi');
  expect(esito).toMatchObject({ integro: false, primoGuasto: { motivo: expect.stringContaining('la testa della catena manca') } });
});

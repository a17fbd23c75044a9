import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import pino from 'pino';
import type { AccessEvent, MessaggioRegistrato } from '../../shared/audit/registri';
import { ApeError } from '../../shared/errors';
import { metrics } from '../../shared/metrics/metrics';
import { startRequest, type RequestContext } from '../../shared/soap/intake/context';
import { observeCall, writeRecords, type CallRegisters } from '../../shared/soap/intake/records';
import { faultReply, sendReply } from '../../shared/soap/intake/reply';
import { fakeResponse } from '../support/intake';

/** What a finished call leaves: its Fault when refused, its access trace and message log entries, its metrics. */

const AT = new Date('2026-03-10T09:00:00.000Z');
const newContext = (): RequestContext => startRequest({ url: '/ape/esiti', socket: { remoteAddress: '10.0.0.7' } } as never, { now: () => AT }, pino({ level: 'silent' }));

function registers(fail = false) {
  const accessi: AccessEvent[] = [];
  const messaggi: Array<[MessaggioRegistrato, Date]> = [];
  const r: CallRegisters = {
    registraAccesso: async (e) => {
      if (fail) throw new Error('connection terminated');
      accessi.push(e);
    },
    registraMessaggio: async (m, at) => void messaggi.push([m, at]),
  };
  return { r, accessi, messaggi };
}

describe('faultReply', () => {
  test('a refusal is its own Fault and HTTP status, and its code goes into the access trace', () => {
    const ctx = newContext();
    const res = fakeResponse();
    const reply = faultReply(ctx, new ApeError('PARTE_NON_AUTORIZZATA', 'ANPAL non è autorizzato'), res);
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('<com:Codice>PARTE_NON_AUTORIZZATA</com:Codice>');
    expect(ctx.access.faultCode).toBe('PARTE_NON_AUTORIZZATA');
    expect(res.headers).toEqual({});
  });

  test('an oversized body also closes the connection', () => {
    const res = fakeResponse();
    expect(faultReply(newContext(), new ApeError('MESSAGGIO_TROPPO_GRANDE', 'troppo'), res).status).toBe(413);
    expect(res.headers.connection).toBe('close');
  });

  test('anything else is ERRORE_INTERNO naming the request and nothing of the error', () => {
    const ctx = newContext();
    const reply = faultReply(ctx, new TypeError('cannot read properties of undefined (segreto)'), fakeResponse());
    expect(reply.status).toBe(500);
    expect(reply.body).toContain('<com:Codice>ERRORE_INTERNO</com:Codice>');
    expect(reply.body).toContain(ctx.requestId);
    expect(reply.body).not.toContain('segreto');
    expect(ctx.access.faultCode).toBe('ERRORE_INTERNO');
  });

  test("the party's database unreachable (refused, shut down, connection lost, even as a cause) is 503 SERVIZIO_NON_DISPONIBILE with Retry-After", () => {
    const giu = (code: string) => Object.assign(new Error('database'), { code });
    for (const err of [giu('ECONNREFUSED'), giu('57P01'), giu('57P03'), giu('08006'), new Error('ricezione fallita', { cause: giu('ECONNRESET') })]) {
      const ctx = newContext();
      const res = fakeResponse();
      const reply = faultReply(ctx, err, res);
      expect(reply.status).toBe(503);
      expect(reply.body).toContain('<com:Codice>SERVIZIO_NON_DISPONIBILE</com:Codice>');
      expect(reply.body).toContain('<com:Ritentabile>true</com:Ritentabile>');
      expect(res.headers['retry-after']).toBe('5');
      expect(ctx.access.faultCode).toBe('SERVIZIO_NON_DISPONIBILE');
    }
  });

  test('a query the database refuses (a bug, not an outage) stays ERRORE_INTERNO', () => {
    const reply = faultReply(newContext(), Object.assign(new Error('syntax error'), { code: '42601' }), fakeResponse());
    expect(reply.status).toBe(500);
  });
});

describe('writeRecords', () => {
  test('a call refused before its handler has an access trace entry and no message log entry', async () => {
    const { r, accessi, messaggi } = registers();
    const ctx = newContext();
    ctx.access.identity = 'ANPAL';
    ctx.access.faultCode = 'PARTE_NON_AUTORIZZATA';
    await writeRecords(r, ctx);
    expect(accessi).toEqual([ctx.access]);
    expect(messaggi).toEqual([]);
  });

  test('a call that reached its handler is in the message log with digest, size, identifiers, outcome and references', async () => {
    const { r, messaggi } = registers();
    const body = '<soap:Envelope>è</soap:Envelope>';
    const ctx = newContext();
    Object.assign(ctx.access, { identity: 'ANPAL', outcome: 'ACCETTATA', riferimenti: { idPacchetto: 'PKT-1' } });
    ctx.received = { body, operation: 'NotificaEsito', messageId: 'urn:uuid:1', correlationId: 'CORR-1' };
    await writeRecords(r, ctx);
    expect(messaggi).toEqual([
      [
        {
          direzione: 'RICEVUTO',
          operazione: 'NotificaEsito',
          controparte: 'ANPAL',
          messageId: 'urn:uuid:1',
          correlationId: 'CORR-1',
          improntaCorpo: createHash('sha256').update(body).digest('hex'),
          dimensione: Buffer.byteLength(body),
          esito: 'ACCETTATO',
          riferimenti: { idPacchetto: 'PKT-1' },
        },
        AT,
      ],
    ]);

    ctx.access.outcome = 'RIFIUTATA';
    ctx.access.faultCode = 'DATI_INCOERENTI';
    await writeRecords(r, ctx);
    expect(messaggi[1]![0].esito).toBe('RIFIUTATO DATI_INCOERENTI');
  });

  test('a call identification refused is only counted, by its source address, for the aggregated record: nothing is written for it', async () => {
    const { r, accessi, messaggi } = registers();
    const contati: Array<[AccessEvent, string]> = [];
    const ctx = newContext();
    Object.assign(ctx.access, { remoteAddress: '::ffff:192.0.2.7', faultCode: 'CERTIFICATO_ASSENTE' });
    ctx.unidentified = true;
    await writeRecords(r, ctx, { conta: (e, sorgente) => void contati.push([e, sorgente]) });
    expect(contati).toEqual([[ctx.access, '192.0.2.7']]);
    expect(accessi).toEqual([]);
    expect(messaggi).toEqual([]);
  });

  test('records that cannot be written do not change the answer: the gap is logged as an error', async () => {
    const { r } = registers(true);
    const ctx = newContext();
    const error = jest.spyOn(ctx.log, 'error');
    await expect(writeRecords(r, ctx)).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ err: 'connection terminated', requestId: ctx.requestId }), 'access trace not written');
  });
});

test('observeCall labels the latency by operation (documento for a GET without one), caller and outcome, and counts the Fault', async () => {
  const get = newContext();
  get.access.identity = 'ANPAL';
  observeCall(get, 'GET');
  const refused = newContext();
  refused.access.faultCode = 'CERTIFICATO_ASSENTE';
  observeCall(refused, 'POST');
  const text = await metrics().registry.metrics();
  expect(text).toMatch(/ape_soap_ingresso_durata_secondi_count\{operazione="documento",chiamante="ANPAL",esito="OK"\} 1/);
  expect(text).toMatch(/ape_soap_ingresso_durata_secondi_count\{operazione="sconosciuta",chiamante="sconosciuto",esito="CERTIFICATO_ASSENTE"\} 1/);
  expect(text).toMatch(/ape_errori_totale\{codice="CERTIFICATO_ASSENTE",origine="soap_fault_inviato"\} 1/);
});

test('sendReply writes the envelope as text/xml with its length, once', () => {
  const written: Array<[number, Record<string, unknown>, string]> = [];
  const res = {
    headersSent: false,
    writeHead(status: number, headers: Record<string, unknown>) {
      written.push([status, headers, '']);
      this.headersSent = true;
    },
    end(body: string) {
      written[written.length - 1]![2] = body;
    },
  };
  sendReply(res as unknown as ServerResponse, { status: 200, body: '<a>è</a>' });
  sendReply(res as unknown as ServerResponse, { status: 500, body: 'secondo' });
  expect(written).toEqual([[200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': 9, 'X-Content-Type-Options': 'nosniff' }, '<a>è</a>']]);
});

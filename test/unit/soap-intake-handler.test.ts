import pino from 'pino';
import { correlationHeader, envelope, operatoreHeader } from '../../shared/messages/envelope';
import { OPERATIONS } from '../../shared/messages/contracts';
import { writeStatoIstruttoria } from '../../shared/messages/istruttoria';
import type { Caller } from '../../shared/soap/identity';
import { startRequest } from '../../shared/soap/intake/context';
import { runHandler } from '../../shared/soap/intake/handler';
import { readOperator } from '../../shared/soap/intake/operator';
import { parseRequest } from '../../shared/soap/intake/parse';
import type { CallContext, SoapOperation } from '../../shared/soap/service';
import { el } from '../../shared/xml/write';
import { refusal } from '../support/intake';

/** The operator stage (the Operatore header into the access trace) and the handler stage (what the handler gets and leaves). */

const RECEIVED_AT = new Date('2026-03-10T09:00:00.000Z');
const clock = { now: () => RECEIVED_AT };
const operatore = operatoreHeader({ id: 'OP-1', ufficio: 'Sede di Roma' });
const payload = writeStatoIstruttoria({ protocolloDomanda: 'INPS-2026-000001' });
const caller = { identity: { code: 'INPS-SISTEMA' } } as Caller;
const newContext = () => startRequest({ url: '/ape/istruttoria', socket: { remoteAddress: '10.0.0.1' } } as never, clock, pino({ level: 'silent' }));

function operation(handle: SoapOperation['handle']): SoapOperation {
  return { name: 'StatoIstruttoria', ...OPERATIONS.StatoIstruttoria, callers: ['INPS-SISTEMA'], handle };
}

test("the Operatore header is read and put in the access trace; without one the call is OPERATORE_ASSENTE", () => {
  const ctx = newContext();
  const { operatore: op } = readOperator(ctx, parseRequest(envelope([operatore], payload)));
  expect(op).toEqual({ id: 'OP-1', ufficio: 'Sede di Roma' });
  expect(ctx.access.operatore).toEqual(op);

  const without = newContext();
  expect(refusal(() => readOperator(without, parseRequest(envelope([], payload))))).toBe('OPERATORE_ASSENTE');
  expect(without.access.operatore).toBeNull();
});

test('a contract header block given twice is SCHEMA_NON_VALIDO (one operator, one correlation per call)', () => {
  expect(refusal(() => readOperator(newContext(), parseRequest(envelope([operatore, operatore], payload))))).toBe('SCHEMA_NON_VALIDO');
});

test('the handler gets the payload and the call; its answer is enveloped; the call is noted for the message log and the log', async () => {
  const ctx = newContext();
  const body = envelope([operatore, correlationHeader('CORR-1')], payload);
  const env = parseRequest(body);
  const { headers, operatore: op } = readOperator(ctx, env);
  let seen: { protocollo: string; ctx: CallContext } | null = null;
  const reply = await runHandler(
    ctx,
    {
      operation: operation(async (p, c) => {
        seen = { protocollo: p.text('ProtocolloDomanda'), ctx: c };
        c.traccia({ riferimenti: { protocollo: 'INPS-2026-000001' }, codiceFiscale: 'RSSMRA60A01H501U' });
        c.traccia({ riferimenti: { idIstruttoria: 'IST-1' } });
        return { body: el('ist:Risposta', 'ok') };
      }),
      env,
      body,
      messageId: 'urn:uuid:1',
      caller,
      operatore: op,
      headers,
    },
    clock,
  );
  expect(reply.status).toBe(200);
  expect(reply.body).toContain('<soap:Body><ist:Risposta>ok</ist:Risposta></soap:Body>');
  expect(seen!.protocollo).toBe('INPS-2026-000001');
  expect(seen!.ctx).toMatchObject({ requestId: ctx.requestId, caller, operatore: op, receivedAt: RECEIVED_AT });
  expect(ctx.received).toEqual({ body, operation: 'StatoIstruttoria', messageId: 'urn:uuid:1', correlationId: 'CORR-1' });
  expect(ctx.log.bindings()).toMatchObject({ operation: 'StatoIstruttoria', operatore: 'OP-1', correlationId: 'CORR-1' });
  expect(ctx.access.riferimenti).toEqual({ protocollo: 'INPS-2026-000001', idIstruttoria: 'IST-1' });
  expect(ctx.access.codiceFiscale).toBe('RSSMRA60A01H501U');
});

test("a handler's failure reaches the caller of the stage, with the call already noted for the message log", async () => {
  const ctx = newContext();
  const body = envelope([operatore], payload);
  const env = parseRequest(body);
  const { headers, operatore: op } = readOperator(ctx, env);
  const failing = operation(() => Promise.reject(new Error('database down')));
  await expect(runHandler(ctx, { operation: failing, env, body, messageId: null, caller, operatore: op, headers }, clock)).rejects.toThrow('database down');
  expect(ctx.received).toEqual({ body, operation: 'StatoIstruttoria', messageId: null, correlationId: null });
});

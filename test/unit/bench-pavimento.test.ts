import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scenario } from '../../infra/demo/dataset';
import { MIX } from '../../infra/bench/carico';
import { valutaObiettivi, type MisureObiettivi } from '../../infra/bench/obiettivi';
import { firma, generaChiavi, partiCasuali, sagomaFirmata, verifica, ALGORITMI } from '../../infra/bench/pavimento-firme';
import { destinatari, operazioniPerDomanda, pianoScenario, ripartizione, tratte, trattePerDomanda } from '../../infra/bench/pavimento-piano';
import { createCertificateAuthority, issueCertificate, validityFrom } from '../../shared/pki/certificates';

describe("the benchmark's floor: hops from the protocol", () => {
  test('the realistic mix: 1 submission, 3 packets and 3 esiti, 6 art. 4 notices, the INL quarter: 22.75 hops per domanda', () => {
    const t = trattePerDomanda(MIX);
    expect(t.quotaInl).toBeCloseTo(0.25, 10);
    expect(t.perOperazione.PresentaDomanda).toBeCloseTo(1, 10);
    expect(t.perOperazione.VerificaPacchetto).toBeCloseTo(6, 10); // INPS -> hub -> party, 3 packets
    expect(t.perOperazione.NotificaEsito).toBeCloseTo(3, 10);
    expect(t.perOperazione.NotificaRiscontro).toBeCloseTo(12, 10); // 3 esiti x 2 other parties, through the hub
    expect(t.perOperazione.SegnalaCaso).toBeCloseTo(0.5, 10);
    expect(t.perOperazione.NotificaAccertamento).toBeCloseTo(0.25, 10);
    expect(t.totale).toBeCloseTo(22.75, 10);
  });

  test('the count follows the mix, not a constant', () => {
    expect(trattePerDomanda([{ chiave: 'conforme', peso: 1 }])).toMatchObject({ totale: 22, quotaInl: 0 });
    expect(trattePerDomanda([{ chiave: 'non-verificabile', peso: 1 }])).toMatchObject({ totale: 25, quotaInl: 1 });
    const met = trattePerDomanda([{ chiave: 'conforme', peso: 1 }, { chiave: 'non-verificabile', peso: 1 }]);
    expect(met.totale).toBeCloseTo(23.5, 10);
    expect(met.quotaInl).toBeCloseTo(0.5, 10);
  });

  test('packets go to the competent parties of allegato 1, and INPS reaches a party only through the hub', () => {
    expect(destinatari(scenario('conforme'))).toEqual(['MINLAVORO', 'ANPAL', 'INAIL']);
    expect(destinatari(scenario('turni-inl'))).toEqual(['MINLAVORO', 'ANPAL', 'INL']);
    const hops = tratte(pianoScenario(scenario('domestico-e-asilo')));
    expect(hops[0]).toEqual({ operazione: 'PresentaDomanda', da: 'SISTEMA_ISTRUTTORIO', a: 'INPS' });
    expect(hops.filter((h) => h.da === 'INPS').every((h) => h.a === 'HUB')).toBe(true);
    expect(hops.filter((h) => h.operazione === 'NotificaEsito').map((h) => h.da).sort()).toEqual(['ANPAL', 'INL', 'MINLAVORO']);
    // each party learns of the two other parties' esiti, never of its own
    const riscontri = hops.filter((h) => h.operazione === 'NotificaRiscontro' && h.da === 'HUB').map((h) => h.a).sort();
    expect(riscontri).toEqual(['ANPAL', 'ANPAL', 'INL', 'INL', 'MINLAVORO', 'MINLAVORO']);
    expect(hops.slice(-3).map((h) => `${h.operazione}:${h.da}>${h.a}`)).toEqual(['SegnalaCaso:INPS>HUB', 'SegnalaCaso:HUB>INL', 'NotificaAccertamento:INL>INPS']);
  });

  test("a party's chain is in order: packet to the hub, to the party, its esito, then its notices side by side", () => {
    const p = pianoScenario(scenario('conforme'));
    if (!('sequenza' in p)) throw new Error('a domanda is a sequence');
    const catene = p.sequenza[1]!;
    if (!('parallelo' in catene)) throw new Error('the parties run side by side');
    expect(catene.parallelo).toHaveLength(3);
    const prima = catene.parallelo[0]!;
    if (!('sequenza' in prima)) throw new Error('a chain is a sequence');
    expect(tratte(prima).slice(0, 3).map((h) => `${h.operazione}:${h.da}>${h.a}`)).toEqual(['VerificaPacchetto:INPS>HUB', 'VerificaPacchetto:HUB>MINLAVORO', 'NotificaEsito:MINLAVORO>INPS']);
    expect(prima.sequenza[3]).toHaveProperty('parallelo');
  });
});

describe("the benchmark's floor: arithmetic and targets", () => {
  test('per hop: a round trip, two signatures, two verifications, two commits, a publish', () => {
    expect(operazioniPerDomanda(22.75)).toEqual({ tls: 22.75, firme: 45.5, verifiche: 45.5, commit: 45.5, pubblicazioni: 22.75 });
  });

  test('the breakdown multiplies counts by unit costs and gives each kind its share', () => {
    const r = ripartizione({ tls: 10, firme: 20, verifiche: 20, commit: 20, pubblicazioni: 10 }, { tls: 0.5, firme: 1, verifiche: 0.05, commit: 0.4, pubblicazioni: 0.6 });
    expect(r.msPerDomanda).toBeCloseTo(5 + 20 + 1 + 8 + 6, 10);
    expect(r.voci.firme.msPerDomanda).toBeCloseTo(20, 10);
    expect(r.voci.firme.quota).toBeCloseTo(20 / 40, 10);
    expect(r.voci.commit.quota).toBeCloseTo(8 / 40, 10);
    expect(Object.values(r.voci).reduce((a, v) => a + v.quota, 0)).toBeCloseTo(1, 10);
    const zero = ripartizione({ tls: 1, firme: 1, verifiche: 1, commit: 1, pubblicazioni: 1 }, { tls: 0, firme: 0, verifiche: 0, commit: 0, pubblicazioni: 0 });
    expect(zero.voci.tls.quota).toBe(0);
  });

  const misure: MisureObiettivi = {
    domandePerSecondo: 20,
    cpuPerDomandaMs: 80,
    commitPerDomanda: 40,
    quotaPavimento: 0.6,
    latenza: { offertoPerSecondo: 100, secondi: 10, registratePerSecondo: 101, ackP99Ms: 900, rifiutate: 0 },
    quieto: { offertoPerSecondo: 20, secondi: 10, ackP99Ms: 100, chiusuraSenzaInlP99Ms: 2000, rifiutate: 0 },
  };

  test('targets pass at their bound and fail past it', () => {
    const o = valutaObiettivi(misure);
    expect(o.quotaPavimento!.descrizione).toContain('(RSA-2048)');
    expect(valutaObiettivi({ ...misure, algoritmoPavimento: 'ECDSA-P256' }).quotaPavimento!.descrizione).toContain('(ECDSA-P256)');
    expect(Object.values(o).map((x) => x.esito)).toEqual(Array(9).fill('PASS'));
    const peggio = valutaObiettivi({ ...misure, domandePerSecondo: 19.9, cpuPerDomandaMs: 80.1, commitPerDomanda: 40.5, quotaPavimento: 0.59, latenza: { ...misure.latenza, ackP99Ms: 1001, rifiutate: 1 } });
    expect(peggio.domandePerSecondo!.esito).toBe('FAIL');
    expect(peggio.cpuPerDomanda!.esito).toBe('FAIL');
    expect(peggio.commitPerDomanda!.esito).toBe('FAIL');
    expect(peggio.quotaPavimento).toMatchObject({ esito: 'FAIL', misurato: 59 });
    expect(peggio.ackP99A100!.esito).toBe('FAIL');
    expect(peggio.rifiutateA100!.esito).toBe('FAIL');
    expect(valutaObiettivi({ ...misure, domandePerSecondo: NaN }).domandePerSecondo).toMatchObject({ esito: 'FAIL', misurato: null });
    const lento = valutaObiettivi({ ...misure, quieto: { ...misure.quieto, ackP99Ms: 101, chiusuraSenzaInlP99Ms: 2001 } });
    expect([lento.ackP99A20!.esito, lento.chiusuraSenzaInlP99A20!.esito]).toEqual(['FAIL', 'FAIL']);
  });

  test('the ordinary-rate targets are N/A below 20/s, for a shorter phase or with refusals', () => {
    for (const quieto of [{ offertoPerSecondo: 10 }, { secondi: 5 }, { rifiutate: 1 }]) {
      const o = valutaObiettivi({ ...misure, quieto: { ...misure.quieto, ...quieto } });
      expect([o.ackP99A20!.esito, o.chiusuraSenzaInlP99A20!.esito]).toEqual(['N/A', 'N/A']);
    }
  });

  test('the latency targets are N/A when the run offered another rate or a shorter phase', () => {
    const o = valutaObiettivi({ ...misure, latenza: { ...misure.latenza, offertoPerSecondo: 100, secondi: 1, ackP99Ms: 5000 } });
    expect(o.ackP99A100!.esito).toBe('N/A');
    expect(o.ackP99A100!.nota).toContain('for 1 s');
    expect(o.domandePerSecondo!.esito).toBe('PASS');
  });
});

describe("the benchmark's floor: signatures", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-pavimento-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a real envelope's signed parts are measured, and they grow with the message", () => {
    const now = new Date();
    const ca = createCertificateAuthority({ commonName: 'CA di prova' }, validityFrom(now, 30));
    const c = issueCertificate(ca, { commonName: 'pdd.inps.ape-precoci.local', dnsNames: ['pdd.inps.ape-precoci.local'] }, validityFrom(now, 30));
    writeFileSync(path.join(dir, 'k.pem'), c.keyPem);
    writeFileSync(path.join(dir, 'c.pem'), c.certPem);
    const piccola = sagomaFirmata(7000, path.join(dir, 'k.pem'), path.join(dir, 'c.pem'));
    const grande = sagomaFirmata(11000, path.join(dir, 'k.pem'), path.join(dir, 'c.pem'));
    // Timestamp, To, MessageID, Operatore, X-ReplyTo, Body
    expect(piccola.parti).toHaveLength(6);
    expect(piccola.signedInfo).toBeGreaterThan(1000);
    expect(grande.signedInfo).toBe(piccola.signedInfo);
    expect(grande.parti.at(-1)! - piccola.parti.at(-1)!).toBeGreaterThan(3900);
    expect(grande.parti.at(-1)! - piccola.parti.at(-1)!).toBeLessThan(4100);
  });

  test.each(ALGORITMI)('%s: a signature verifies with the right key and parts only', (a) => {
    const s = { parti: [200, 80, 90, 150, 120, 1800], signedInfo: 1500 };
    const mia = generaChiavi(a);
    const altra = generaChiavi(a);
    const parti = partiCasuali(s);
    const f = firma(s, parti, mia.privata);
    expect(verifica(s, parti, f, mia.pubblica)).toBe(true);
    expect(verifica(s, parti, f, altra.pubblica)).toBe(false);
    const alterate = Buffer.from(parti);
    alterate[parti.length - 1]! ^= 1; // a byte of the Body
    expect(verifica(s, alterate, f, mia.pubblica)).toBe(false);
  });
});

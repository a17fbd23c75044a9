import { FiltroNonValido, leggiFiltro, queryDi, queryElenco } from '../../services/inps/console/filtri';

const now = new Date('2026-03-02T08:00:00Z');
const q = (s: string) => leggiFiltro(new URLSearchParams(s));

describe('istruttorie list filters', () => {
  it('turn every filter into a parameter, never into SQL text', () => {
    const f = q('stato=IN_VERIFICA&tipo=PRECOCI&categoria=B&attesa=INAIL&regola=ESITI_ARCHIVI&scadute=1&dal=2026-01-01&al=2026-01-31');
    const { text, values } = queryElenco(f, now, 25);
    expect(text).toContain('i.stato = $1');
    expect(text).toContain('i.regola_chiusura = $2');
    expect(text).toContain('i.domanda_id IN (SELECT dt.id FROM domanda dt WHERE dt.tipo = $3)');
    expect(text).toMatch(/a\.categoria = \$\d/);
    expect(text).toMatch(/pa\.destinatario = \$\d AND pa\.stato IN \('DA_INVIARE', 'INVIATO'\)/);
    expect(text).toMatch(/ps\.scadenza_esito < \$\d/);
    expect(text).toContain('ORDER BY i.aperta_il DESC, i.id DESC');
    expect(text).toMatch(/a\.domanda_id = i\.domanda_id/);
    expect(values).toEqual(expect.arrayContaining(['IN_VERIFICA', 'PRECOCI', 'B', 'INAIL', 'ESITI_ARCHIVI', now, 26]));
    // Days are Europe/Rome: 1 January starts at 23:00 UTC the day before; the end is exclusive, the next midnight.
    expect(values).toEqual(expect.arrayContaining([new Date('2025-12-31T23:00:00Z'), new Date('2026-01-31T23:00:00Z')]));
    expect(values[values.length - 1]).toBe(26);
  });

  it('has no WHERE without filters and asks one row more than a page', () => {
    const { text, values } = queryElenco({}, now, 25);
    expect(text).not.toContain('WHERE i.');
    expect(values).toEqual([26]);
  });

  it('recognises what is searched from its shape', () => {
    const cf = queryElenco(q('cerca=rssmra80a01h501u'), now, 25);
    expect(cf.text).toContain('dc.codice_fiscale = $1');
    expect(cf.values[0]).toBe('RSSMRA80A01H501U');
    const id = queryElenco(q('cerca=0F8FAD5B-D9CB-469F-A165-70867728950E'), now, 25);
    expect(id.text).toMatch(/i\.id IN \(SELECT \$1::uuid UNION ALL SELECT pc\.istruttoria_id FROM pacchetto pc WHERE pc\.id = \$1::uuid UNION ALL SELECT pk\.istruttoria_id FROM pacchetto pk WHERE pk\.correlation_id = \$1::text\)/);
    expect(id.values[0]).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    const protocollo = queryElenco(q("cerca=INPS.2026.000123'; DROP TABLE domanda; --"), now, 25);
    expect(protocollo.text).toMatch(/dx\.protocollo = \$1 UNION ALL SELECT pk\.istruttoria_id FROM pacchetto pk WHERE pk\.correlation_id = \$1/);
    expect(protocollo.text).not.toContain('DROP');
    expect(protocollo.values[0]).toBe("INPS.2026.000123'; DROP TABLE domanda; --");
  });

  it('pages by keyset after the last row shown, keeping the filters in the link', () => {
    const last = { chiave: '2026-02-01T10:00:00.000Z', id: '0f8fad5b-d9cb-469f-a165-70867728950e' };
    const qs = queryDi(q('stato=CHIUSA&cerca=X'), { verso: 'dopo', cursore: last, numero: 2 });
    const f = leggiFiltro(new URLSearchParams(qs));
    expect(f).toEqual({ stato: 'CHIUSA', cerca: 'X', dopo: last, pagina: 2 });
    const { text, values } = queryElenco(f, now, 25);
    expect(text).toMatch(/\(i\.aperta_il, i\.id\) < \(\$\d::timestamptz, \$\d::uuid\)/);
    expect(values).toEqual(expect.arrayContaining(['2026-02-01T10:00:00.000Z', last.id]));
  });

  it('goes back a page by reading backwards from the first row shown', () => {
    const first = { chiave: '2026-02-01T10:00:00.000Z', id: '0f8fad5b-d9cb-469f-a165-70867728950e' };
    const f = leggiFiltro(new URLSearchParams(queryDi(q('stato=CHIUSA'), { verso: 'prima', cursore: first, numero: 1 })));
    expect(f).toEqual({ stato: 'CHIUSA', prima: first });
    const { text } = queryElenco(f, now, 25);
    expect(text).toMatch(/\(i\.aperta_il, i\.id\) > \(\$\d::timestamptz, \$\d::uuid\)/);
    expect(text).toContain('ORDER BY i.aperta_il ASC, i.id ASC');
    expect(text).toMatch(/ORDER BY s\.aperta_il DESC, s\.id DESC$/);
  });

  it('orders open istruttorie by their next deadline, soonest first, INL evaluations counting as a wait on INL', () => {
    const { text } = queryElenco(q('ordine=scadenza&attesa=INL'), now, 25);
    expect(text).toContain("i.stato IN ('IN_VERIFICA', 'VALUTAZIONE_INL')");
    expect(text).toMatch(/OR i\.stato = 'VALUTAZIONE_INL'\)/);
    expect(text).toMatch(/ORDER BY COALESCE\(CASE WHEN i\.stato = 'CHIUSA' THEN NULL ELSE LEAST\(i\.limite, .*\) ASC, i\.id ASC/s);
  });

  it('filters by outcome and by riesame requested', () => {
    const { text, values } = queryElenco(q('esito=NON_CONFORME&riesame=1'), now, 25);
    expect(text).toMatch(/i\.stato = 'CHIUSA' AND i\.esito_verifica = \$1/);
    expect(text).toContain('i.riesame_il IS NOT NULL');
    expect(values[0]).toBe('NON_CONFORME');
  });

  it('refuses values outside the lists, malformed dates, reversed ranges and forged cursors', () => {
    expect(() => q('stato=APERTA')).toThrow(FiltroNonValido);
    expect(() => q("stato=CHIUSA' OR 1=1")).toThrow(/valore non ammesso per stato/);
    expect(() => q('categoria=Z')).toThrow(FiltroNonValido);
    expect(() => q('attesa=INPS')).toThrow(FiltroNonValido);
    expect(() => q('dal=2026-02-30')).toThrow(/data non valida/);
    expect(() => q('dal=01/02/2026')).toThrow(/data non valida/);
    expect(() => q('dal=2026-02-10&al=2026-02-01')).toThrow(/precede/);
    expect(() => q('dopo=ieri_1')).toThrow(/cursore/);
    expect(() => q('esito=FORSE')).toThrow(/valore non ammesso per esito/);
    expect(() => q('ordine=nome')).toThrow(FiltroNonValido);
    expect(() => q(`cerca=${'x'.repeat(201)}`)).toThrow(/troppo lungo/);
  });
});

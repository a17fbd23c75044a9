import type { ServerResponse } from 'node:http';
import { INTESTAZIONI_SICUREZZA } from './risposta';

/**
 * CSV exports (RFC 4180, UTF-8 with BOM so spreadsheets read accents), streamed: rows are written as they are read,
 * waiting for the browser when it reads slower than the database answers, so an export of any size holds one page
 * of rows in memory. A cell starting with = + - @ is prefixed with ' (no formula runs when the file is opened), and so
 * is any such character right after a , ; or tab inside a cell.
 */
export function csv(celle: ReadonlyArray<unknown>): string {
  return `${celle
    .map((v) => {
      let t = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
      if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`;
      // A spreadsheet set to another separator (Excel in Italian splits on ;) may cut the cell there: no piece of it
      // may start a formula either.
      t = t.replace(/([,;\t])(\s*)([=+\-@])/g, "$1$2'$3");
      return /[",\r\n;]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
    })
    .join(',')}\r\n`;
}

export async function inviaCsv(res: ServerResponse, nome: string, intestazione: string, righe: (scrivi: (riga: string) => Promise<void>) => Promise<void>): Promise<void> {
  res.writeHead(200, {
    ...INTESTAZIONI_SICUREZZA,
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${nome}"`,
    'Cache-Control': 'no-store',
  });
  // A browser that went away ends the export (and frees its connection) instead of waiting for it forever.
  const scrivi = (riga: string) =>
    res.write(riga)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          res.once('drain', resolve);
          res.once('close', () => reject(new Error('esportazione interrotta dal browser')));
        });
  await scrivi(`\ufeff${intestazione}`);
  await righe(scrivi);
  res.end();
}

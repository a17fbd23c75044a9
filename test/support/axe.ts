import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/**
 * The axe-core accessibility engine run inside the page (injected through the DevTools protocol, which the
 * console's CSP does not apply to), and the page's width check for phones.
 */
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface Violazione {
  id: string;
  impact: string | null;
  help: string;
  nodi: string[];
}

/** The serious and critical violations of the page as it is now (WCAG 2.1 A and AA rules, and best practices). */
export async function violazioniGravi(page: Page): Promise<Violazione[]> {
  await page.evaluate(AXE);
  const violazioni = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodi: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
  return violazioni.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** How far the page is wider than the window (0 when nothing scrolls sideways). */
export function eccedenzaOrizzontale(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

import { ApeError } from '../errors';
import type { XmlNode } from './tree';

/**
 * Reading a payload that has already been validated against its XSD: structure is known, so lookups are by
 * local name among an element's children (which the schema keeps in the payload's namespace), and a
 * missing required element is reported as SCHEMA_NON_VALIDO.
 */
export class XmlReader {
  constructor(readonly node: XmlNode) {}

  get name(): string {
    return this.node.local;
  }

  get namespace(): string {
    return this.node.ns;
  }

  optChild(local: string): XmlReader | undefined {
    const found = this.node.children.find((c) => c.local === local);
    return found ? new XmlReader(found) : undefined;
  }

  child(local: string): XmlReader {
    const c = this.optChild(local);
    if (!c) throw new ApeError('SCHEMA_NON_VALIDO', `manca l'elemento ${local} in ${this.node.local}`);
    return c;
  }

  children(local: string): XmlReader[] {
    return this.node.children.filter((c) => c.local === local).map((c) => new XmlReader(c));
  }

  value(): string {
    return this.node.text.trim();
  }

  text(local: string): string {
    return this.child(local).value();
  }

  optText(local: string): string | undefined {
    return this.optChild(local)?.value();
  }

  optBoolean(local: string): boolean | undefined {
    const t = this.optText(local);
    return t === undefined ? undefined : t === 'true' || t === '1';
  }

  integer(local: string): number {
    return Number.parseInt(this.text(local), 10);
  }

  /** xs:date as YYYY-MM-DD (a timezone suffix, allowed by XSD, carries no meaning for a calendar date). */
  date(local: string): string {
    return this.text(local).slice(0, 10);
  }

  optDate(local: string): string | undefined {
    return this.optChild(local) ? this.date(local) : undefined;
  }

  /** xs:dateTime; a value without offset is read as UTC. */
  dateTime(local: string): Date {
    const t = this.text(local);
    const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);
    if (Number.isNaN(d.getTime())) throw new ApeError('SCHEMA_NON_VALIDO', `${local}: "${t}" non è un istante valido`);
    return d;
  }

  optDateTime(local: string): Date | undefined {
    return this.optChild(local) ? this.dateTime(local) : undefined;
  }
}

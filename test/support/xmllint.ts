import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's libxml-compile-perl keeps the W3C schema for schemas (and xml.xsd, its import). */
export const W3C_XSD_DIR = '/usr/share/perl5/XML/Compile/xsd';

let catalog: string | null = null;

/** An XML catalog so xmllint resolves the schema for schemas' imports offline. */
function catalogFile(): string {
  if (catalog) return catalog;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xmllint-'));
  catalog = path.join(dir, 'catalog.xml');
  writeFileSync(
    catalog,
    `<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="http://www.w3.org/2001/xml.xsd" uri="file://${W3C_XSD_DIR}/1998-namespace.xsd"/>
  <system systemId="http://www.w3.org/2001/xml.xsd" uri="file://${W3C_XSD_DIR}/1998-namespace.xsd"/>
  <system systemId="XMLSchema.dtd" uri="file://${W3C_XSD_DIR}/2001-XMLSchema.dtd"/>
</catalog>`,
  );
  return catalog;
}

/** Runs xmllint --schema; resolves with its combined output, rejects (with the output) when invalid. */
export async function xmllintValidate(schema: string, file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('xmllint', ['--noout', '--nonet', '--schema', schema, file], { env: { ...process.env, XML_CATALOG_FILES: catalogFile() } });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`xmllint: ${file} does not validate against ${schema}:\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FederationConfigSchema } from '../../shared/config/schema';
import { CONFIG_SCHEMA_FILE as SCHEMA_FILE } from '../../shared/paths';

/**
 * npm run config:schema [-- --check]
 * Writes config/federation.schema.json, the configuration's schema for editors, from the one in code
 * (shared/config/schema.ts); --check only says whether the committed file is up to date (exit 1 if not).
 */
export function schemaJson(): string {
  return `${JSON.stringify(FederationConfigSchema, null, 2)}\n`;
}

function main(): void {
  const current = existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : '';
  if (current === schemaJson()) {
    console.log(`${path.relative(process.cwd(), SCHEMA_FILE)} is up to date`);
    return;
  }
  if (process.argv.includes('--check')) {
    console.error(`${path.relative(process.cwd(), SCHEMA_FILE)} differs from shared/config/schema.ts: run npm run config:schema`);
    process.exit(1);
  }
  writeFileSync(SCHEMA_FILE, schemaJson());
  console.log(`written ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}

if (require.main === module) main();

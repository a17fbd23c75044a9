import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root, found from this file whether it runs from sources (tests) or from dist/. */
function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'wsdl'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root above ${start}`);
    dir = parent;
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
export const WSDL_DIR = path.join(PROJECT_ROOT, 'wsdl');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'infra', 'migrations');
/** Each party's configuration, key and certificates, as `npm start` generates them (<parte>/config.json); never committed. */
export const PARTI_DIR = path.join(PROJECT_ROOT, 'var', 'parti');
/** The configuration's JSON Schema for editors, written from shared/config/schema.ts (npm run config:schema). */
export const CONFIG_SCHEMA_FILE = path.join(PROJECT_ROOT, 'config', 'federation.schema.json');

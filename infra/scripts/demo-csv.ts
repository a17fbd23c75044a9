import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../shared/paths';
import { fileArchivioDemo } from '../demo/csv';

/** npm run demo:csv — regenerates infra/demo/archivio/*.csv from infra/demo/dataset.ts. */
for (const f of fileArchivioDemo()) {
  const file = path.join(PROJECT_ROOT, 'infra', 'demo', 'archivio', f.nome);
  writeFileSync(file, f.testo);
  console.log(`written ${path.relative(PROJECT_ROOT, file)}`);
}

import { execFile } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../shared/paths';

/** Runs test/interop/zeep_client.py (Debian's python3 with python3-zeep) with a JSON command. */
export function zeep<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [path.join(PROJECT_ROOT, 'test', 'interop', 'zeep_client.py')], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`zeep failed: ${err.message}\n${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`zeep printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
    child.stdin!.end(JSON.stringify(command));
  });
}

import { execFile } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../shared/paths';

/** Runs one of test/interop's Python scripts (Debian's python3 with python3-zeep, python3-xmlsec) with a JSON command. */
function python<T>(script: string, command: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [path.join(PROJECT_ROOT, 'test', 'interop', script)], { timeout: 60_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`${script} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
    child.stdin!.end(JSON.stringify(command));
  });
}

/** zeep as a SOAP client (test/interop/zeep_client.py). */
export const zeep = <T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T> => python<T>('zeep_client.py', command);

/** zeep's and python-xmlsec's signing and verification (test/interop/wsse_zeep.py). */
export const wsseZeep = <T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T> => python<T>('wsse_zeep.py', command);

import { PassThrough } from 'node:stream';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ApeError } from '../../shared/errors';

/** Helpers for the SOAP intake's stage tests: the code a stage refuses with, and a fake request to read from. */

/** The ApeError code `fn` throws, or null when it returns; anything else is rethrown (a bug, not a refusal). */
export function refusal(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof ApeError) return err.code;
    throw err;
  }
}

/** Like refusal, for a stage that answers with a promise. */
export async function refusalOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (err instanceof ApeError) return err.code;
    throw err;
  }
}

/** A request body as a stream with headers, enough for the stages that read it (not a socket). */
export function fakeRequest(headers: IncomingHttpHeaders = {}): IncomingMessage & PassThrough {
  return Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;
}

/** A response that only records the headers set on it. */
export function fakeResponse(): { headers: Record<string, string>; setHeader(name: string, value: string): void } {
  const headers: Record<string, string> = {};
  return { headers, setHeader: (name, value) => void (headers[name.toLowerCase()] = value) };
}

import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Time comes from an injected Clock so that deadlines can be tested by moving time, never by waiting.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: Date | string): void {
    this.current = new Date(instant).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * The machine's clock plus an offset read from a JSON file ({"offsetMs": n}) at every reading, so that a test
 * or a demo moves every process of the federation forward together. A missing file means no offset.
 * Development and test only (configuration refuses it in production).
 */
export class FileOffsetClock implements Clock {
  constructor(private readonly file: string) {}

  now(): Date {
    let offset = 0;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { offsetMs?: unknown };
      if (typeof parsed.offsetMs === 'number' && Number.isFinite(parsed.offsetMs)) offset = parsed.offsetMs;
    } catch {
      // No file yet (or being rewritten): real time.
    }
    return new Date(Date.now() + offset);
  }
}

/** Moves a FileOffsetClock (tests, demos): writes the offset atomically. */
export function setClockOffset(file: string, offsetMs: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ offsetMs }));
  renameSync(tmp, file);
}

export function clockFrom(config: { source: 'system' } | { source: 'file'; file: string }): Clock {
  return config.source === 'file' ? new FileOffsetClock(config.file) : systemClock;
}

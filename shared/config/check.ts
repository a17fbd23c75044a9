import { ApeError } from '../errors';

/**
 * Small readers for untrusted JSON that name the exact field at fault ("services.hub.listen.port: ...").
 * Configuration errors stop the process, so every message must say what to fix.
 */
export class Fields {
  constructor(
    private readonly value: unknown,
    readonly path: string,
  ) {}

  private fail(problem: string): never {
    throw new ApeError('CONFIGURAZIONE_NON_VALIDA', `${this.path}: ${problem}`);
  }

  private raw(): Record<string, unknown> {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) {
      this.fail('expected an object');
    }
    return this.value as Record<string, unknown>;
  }

  has(key: string): boolean {
    return this.raw()[key] !== undefined;
  }

  keys(): string[] {
    return Object.keys(this.raw());
  }

  at(key: string): Fields {
    return new Fields(this.raw()[key], this.path ? `${this.path}.${key}` : key);
  }

  object(key: string): Fields {
    const child = this.at(key);
    child.raw();
    return child;
  }

  string(key: string, opts: { default?: string; pattern?: RegExp; oneOf?: readonly string[] } = {}): string {
    const f: Fields = this.at(key);
    const v = f.value ?? opts.default;
    if (typeof v !== 'string' || v.length === 0) f.fail(v === undefined ? 'is required' : 'expected a non-empty string');
    if (opts.pattern && !opts.pattern.test(v)) f.fail(`"${v}" does not match ${opts.pattern}`);
    if (opts.oneOf && !opts.oneOf.includes(v)) f.fail(`"${v}" is not one of ${opts.oneOf.join(', ')}`);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  integer(key: string, opts: { default?: number; min?: number; max?: number } = {}): number {
    const f: Fields = this.at(key);
    const v = f.value ?? opts.default;
    if (typeof v !== 'number' || !Number.isInteger(v)) f.fail(v === undefined ? 'is required' : `expected an integer, got ${JSON.stringify(v)}`);
    if (opts.min !== undefined && v < opts.min) f.fail(`${v} is below the minimum ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) f.fail(`${v} is above the maximum ${opts.max}`);
    return v;
  }

  boolean(key: string, opts: { default?: boolean } = {}): boolean {
    const f: Fields = this.at(key);
    const v = f.value ?? opts.default;
    if (typeof v !== 'boolean') f.fail(v === undefined ? 'is required' : 'expected true or false');
    return v;
  }

  stringArray(key: string, opts: { default?: string[]; nonEmpty?: boolean } = {}): string[] {
    const f: Fields = this.at(key);
    const v = f.value ?? opts.default;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.length === 0)) {
      f.fail(v === undefined ? 'is required' : 'expected an array of non-empty strings');
    }
    if (opts.nonEmpty && v.length === 0) f.fail('must not be empty');
    return v as string[];
  }

  integerArray(key: string, opts: { default?: number[]; min: number; max: number }): number[] {
    const f: Fields = this.at(key);
    const v = f.value ?? opts.default;
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < opts.min || x > opts.max)) {
      f.fail(`expected a non-empty array of integers between ${opts.min} and ${opts.max}`);
    }
    return [...(v as number[])];
  }

  url(key: string, protocols: readonly string[]): string {
    const v = this.string(key);
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      return this.at(key).fail(`"${v}" is not a URL`);
    }
    if (!protocols.includes(parsed.protocol)) this.at(key).fail(`"${v}" must use ${protocols.join(' or ')}`);
    return v;
  }
}

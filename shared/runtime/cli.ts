import { fileDellaParte, loadConfig } from '../config/load';
import type { Ente } from '../domain/types';
import type { FederationConfig } from '../config/schema';
import { clockFrom, type Clock } from '../clock';
import { toError } from '../errors';

/**
 * Small command-line tools (inspectors, supervisors, operators): arguments, the federation config and clock,
 * a readable error and exit code 1 on failure, 2 on bad usage.
 */
export class Args {
  constructor(private readonly argv: readonly string[]) {}

  get command(): string | undefined {
    return this.argv[0];
  }

  opt(name: string): string | undefined {
    const i = this.argv.indexOf(`--${name}`);
    return i >= 0 ? this.argv[i + 1] : undefined;
  }

  flag(name: string): boolean {
    return this.argv.includes(`--${name}`);
  }

  required(name: string, usage: string): string {
    const v = this.opt(name);
    if (v === undefined || v.startsWith('--')) usageError(`manca --${name}`, usage);
    return v;
  }
}

export function usageError(problem: string, usage: string): never {
  console.error(`${problem}\n${usage}`);
  process.exit(2);
}

/** `parte`: whose tool this run is (its file is read, fileDellaParte); absent, APE_CONFIG or config/federation.json. */
export function runCli(main: (args: Args, ctx: { config: FederationConfig; clock: Clock }) => Promise<void>, o: { parte?: (args: Args) => Ente | undefined } = {}): void {
  const args = new Args(process.argv.slice(2));
  Promise.resolve()
    .then(() => {
      const parte = o.parte?.(args);
      const config = loadConfig(parte ? fileDellaParte(parte) : undefined);
      return main(args, { config, clock: clockFrom(config.clock) });
    })
    .catch((err: unknown) => {
      const e = toError(err);
      console.error(`errore: ${'code' in e ? `${String((e as { code: unknown }).code)}: ` : ''}${e.message}`);
      process.exit(1);
    });
}

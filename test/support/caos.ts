import type { TestFederation } from './federation';

/**
 * The fault suite's chaos: kill -9 of the federation's processes at random moments, each restarted after a
 * short pause as a supervisor (systemd, Kubernetes) would, while the suite also restarts PostgreSQL and
 * RabbitMQ and takes a party offline. Kills start with one of every process kind, in random order, so every
 * kind is killed at least once; then random ones.
 */
export class Caos {
  readonly uccisioni = new Map<string, number>();
  readonly riavviiFalliti: string[] = [];
  private readonly esclusi = new Set<string>();
  private fermo = false;
  private ciclo: Promise<void> | null = null;

  constructor(
    private readonly fed: TestFederation,
    private readonly processi: readonly string[],
    private readonly o: { ogniMs: [number, number]; pausaMs: [number, number] },
  ) {}

  get totale(): number {
    return [...this.uccisioni.values()].reduce((a, b) => a + b, 0);
  }

  avvia(): void {
    this.ciclo = this.esegui();
  }

  /** Keeps a process out of the kills (it is offline on purpose). */
  escludi(nome: string): void {
    this.esclusi.add(nome);
  }

  includi(nome: string): void {
    this.esclusi.delete(nome);
  }

  private async esegui(): Promise<void> {
    const primo = [...this.processi].sort(() => Math.random() - 0.5);
    while (!this.fermo) {
      await pausa(this.o.ogniMs);
      if (this.fermo) break;
      const candidati = this.processi.filter((p) => !this.esclusi.has(p) && this.fed.procs.has(p));
      const nome = primo.find((p) => candidati.includes(p)) ?? candidati[Math.floor(Math.random() * candidati.length)];
      if (!nome) continue;
      primo.splice(primo.indexOf(nome), 1);
      await this.uccidi(nome);
      await pausa(this.o.pausaMs);
      await this.riavvia(nome);
    }
  }

  async uccidi(nome: string): Promise<void> {
    const p = this.fed.procs.get(nome);
    if (!p) return;
    this.fed.procs.delete(nome);
    p.child.kill('SIGKILL');
    await p.exited;
    this.uccisioni.set(nome.split('#')[0]!, (this.uccisioni.get(nome.split('#')[0]!) ?? 0) + 1);
  }

  /** Starts a process again, retrying while the infrastructure it needs is itself restarting. */
  async riavvia(nome: string): Promise<void> {
    for (let tentativo = 1; ; tentativo++) {
      try {
        await this.fed.startProcess(nome);
        return;
      } catch (err) {
        this.fed.procs.delete(nome);
        if (tentativo >= 30) {
          this.riavviiFalliti.push(`${nome}: ${(err as Error).message.split('\n')[0]}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Resolves once at least n kills happened. */
  async almeno(n: number): Promise<void> {
    while (this.totale < n && !this.fermo) await new Promise((r) => setTimeout(r, 500));
  }

  async ferma(): Promise<void> {
    this.fermo = true;
    await this.ciclo;
  }
}

function pausa([min, max]: [number, number]): Promise<void> {
  return new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
}

import type { ServiceProcess } from './processes';

/**
 * Keeps the processes of a party (or of the one-machine federation) running, as systemd's Restart=always does on
 * a real host (infra/systemd): a process that exits without being asked to is started again after a backoff that
 * doubles from `primaAttesaMs` up to `massimaAttesaMs`, and goes back to the first wait once the process has run
 * for `stabileDopoMs`. Every exit and restart is reported (`evento`), so a process that keeps crashing is visible.
 */
export interface LauncherOptions {
  primaAttesaMs?: number;
  massimaAttesaMs?: number;
  stabileDopoMs?: number;
  evento?: (e: EventoLauncher) => void;
}

export type EventoLauncher =
  | { tipo: 'uscito'; nome: string; codice: number | null; segnale: NodeJS.Signals | null; riavvioTraMs: number }
  | { tipo: 'riavviato'; nome: string; riavvii: number }
  | { tipo: 'avvio-fallito'; nome: string; errore: string };

interface Voce {
  nome: string;
  avvia: () => ServiceProcess;
  processo: ServiceProcess;
  riavvii: number;
  attesaMs: number;
  avviatoIl: number;
  timer: NodeJS.Timeout | null;
}

export class Launcher {
  private readonly voci = new Map<string, Voce>();
  private fermato = false;
  private readonly primaAttesaMs: number;
  private readonly massimaAttesaMs: number;
  private readonly stabileDopoMs: number;

  constructor(private readonly o: LauncherOptions = {}) {
    this.primaAttesaMs = o.primaAttesaMs ?? 1000;
    this.massimaAttesaMs = o.massimaAttesaMs ?? 30_000;
    this.stabileDopoMs = o.stabileDopoMs ?? 60_000;
  }

  /** Starts a process and keeps it running; resolves when it is first ready (rejects if it never is). */
  async avvia(nome: string, avvia: () => ServiceProcess): Promise<ServiceProcess> {
    const voce: Voce = { nome, avvia, processo: avvia(), riavvii: 0, attesaMs: this.primaAttesaMs, avviatoIl: Date.now(), timer: null };
    this.voci.set(nome, voce);
    this.sorveglia(voce);
    try {
      await voce.processo.ready;
    } catch (err) {
      // A process that never started is the caller's to handle (a wrong configuration, say), not one to keep restarting.
      this.voci.delete(nome);
      if (voce.timer) clearTimeout(voce.timer);
      await voce.processo.stop('SIGKILL');
      throw err;
    }
    return voce.processo;
  }

  /** The process running now under that name. */
  processo(nome: string): ServiceProcess | undefined {
    return this.voci.get(nome)?.processo;
  }

  riavvii(nome: string): number {
    return this.voci.get(nome)?.riavvii ?? 0;
  }

  /** Stops every process (SIGTERM, then SIGKILL after 10 s) and restarts none of them any more. */
  async ferma(): Promise<void> {
    this.fermato = true;
    for (const v of this.voci.values()) if (v.timer) clearTimeout(v.timer);
    await Promise.all([...this.voci.values()].map((v) => v.processo.stop()));
  }

  private sorveglia(voce: Voce): void {
    const processo = voce.processo;
    void processo.exited.then((codice) => {
      if (this.fermato || voce.processo !== processo || this.voci.get(voce.nome) !== voce) return;
      if (Date.now() - voce.avviatoIl >= this.stabileDopoMs) voce.attesaMs = this.primaAttesaMs;
      const attesa = voce.attesaMs;
      voce.attesaMs = Math.min(voce.attesaMs * 2, this.massimaAttesaMs);
      this.o.evento?.({ tipo: 'uscito', nome: voce.nome, codice, segnale: processo.child.signalCode, riavvioTraMs: attesa });
      voce.timer = setTimeout(() => this.riavvia(voce), attesa);
    });
  }

  private riavvia(voce: Voce): void {
    voce.timer = null;
    if (this.fermato) return;
    voce.processo = voce.avvia();
    voce.avviatoIl = Date.now();
    voce.riavvii++;
    this.sorveglia(voce);
    const processo = voce.processo;
    processo.ready.then(
      () => this.o.evento?.({ tipo: 'riavviato', nome: voce.nome, riavvii: voce.riavvii }),
      (err: unknown) => {
        this.o.evento?.({ tipo: 'avvio-fallito', nome: voce.nome, errore: err instanceof Error ? err.message : String(err) });
        // Not ready in time but still running (hung at start): killed, so that its exit brings the next attempt.
        void processo.stop('SIGKILL');
      },
    );
  }
}

import https from 'node:https';

/**
 * A plain HTTPS client of the console for load and security tests: its own connections from a chosen local address
 * (any of 127.0.0.0/8 reaches a console listening on 127.0.0.1, so one machine plays many sources), its own cookie
 * jar, the login form's token read from the page.
 */
export class ClientConsole {
  private readonly agent: https.Agent;
  readonly cookie = new Map<string, string>();

  constructor(
    private readonly base: string,
    locale = '127.0.0.1',
  ) {
    this.agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false, localAddress: locale, maxSockets: 2 });
  }

  richiesta(metodo: 'GET' | 'POST', percorso: string, form?: Record<string, string>): Promise<{ status: number; corpo: string; location: string | undefined }> {
    const corpo = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.base}${percorso}`,
        {
          method: metodo,
          agent: this.agent,
          headers: {
            Cookie: [...this.cookie].map(([k, v]) => `${k}=${v}`).join('; '),
            ...(corpo !== undefined && { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(corpo) }),
          },
        },
        (res) => {
          for (const c of res.headers['set-cookie'] ?? []) {
            const [coppia, ...attributi] = c.split(';');
            const i = coppia!.indexOf('=');
            const nome = coppia!.slice(0, i).trim();
            if (attributi.some((a) => a.trim() === 'Max-Age=0')) this.cookie.delete(nome);
            else this.cookie.set(nome, coppia!.slice(i + 1).trim());
          }
          const parti: Buffer[] = [];
          res.on('data', (b: Buffer) => parti.push(b));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, corpo: Buffer.concat(parti).toString('utf8'), location: res.headers.location }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(corpo);
    });
  }

  /** The login form's token (read once per browser, as a browser keeps its pre-session cookie). */
  private token: string | null = null;

  async login(utente: string, password: string): Promise<{ status: number; corpo: string; location: string | undefined }> {
    if (!this.token || !this.cookie.has('__Host-ape-login')) {
      const pagina = await this.richiesta('GET', '/login');
      this.token = /name="_csrf" value="([^"]+)"/.exec(pagina.corpo)?.[1] ?? '';
    }
    return this.richiesta('POST', '/login', { _csrf: this.token, utente, password });
  }

  chiudi(): void {
    this.agent.destroy();
  }
}

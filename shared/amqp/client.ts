import { connect, type Channel, type ChannelModel, type ConfirmChannel, type Options, type RecoveringChannelModel } from 'amqplib';
import { ApeError } from '../errors';
import type { Logger } from '../log';

/**
 * One AMQP connection per process with amqplib's recovery: after every (re)connect the registered setup
 * steps run again (topology, consumers), so a RabbitMQ restart is survived without a process restart.
 * Publishing always goes through a confirm channel with mandatory=true: a publish resolves only when the
 * broker confirmed it, and rejects if the broker nacked it, returned it as unroutable, or the channel died.
 */

export type SetupStep = (model: ChannelModel) => Promise<void>;

/** Longest wait for a node to complete the TCP and AMQP handshake. */
const CONNECT_TIMEOUT_MS = 5000;
/** Heartbeat proposed when the URL names none: a silent node is noticed within about two of these. */
const HEARTBEAT_SECONDS = 15;

/**
 * The nodes of a cluster as one set of connection options whose host and port are those of the current node:
 * amqplib's recovery reads them at each attempt, and `next` moves to the following node between attempts.
 */
class BrokerNodes {
  private readonly urls: URL[];
  private index = 0;
  readonly connectOptions: Options.Connect;

  constructor(urls: readonly string[]) {
    if (urls.length === 0) throw new Error('RabbitMQ: no broker URL');
    this.urls = urls.map((u) => new URL(u));
    const first = this.urls[0]!;
    for (const u of this.urls) {
      if (u.protocol !== first.protocol || u.username !== first.username || u.password !== first.password || u.pathname !== first.pathname) {
        throw new Error(`RabbitMQ: ${u.host} is not a node of the same cluster as ${first.host} (protocol, credentials and vhost must be the same)`);
      }
    }
    const node = () => this.urls[this.index]!;
    this.connectOptions = {
      protocol: first.protocol.replace(/:$/, ''),
      get hostname() {
        return node().hostname.replace(/^\[|\]$/g, '');
      },
      get port() {
        return Number(node().port) || undefined;
      },
      username: decodeURIComponent(first.username || 'guest'),
      password: decodeURIComponent(first.password || 'guest'),
      // Escaped, as in a URL: amqplib unescapes it.
      vhost: first.pathname.replace(/^\//, ''),
      heartbeat: HEARTBEAT_SECONDS,
      ...Object.fromEntries([...first.searchParams].filter(([k]) => k === 'heartbeat' || k === 'frameMax' || k === 'channelMax').map(([k, v]) => [k, Number(v)])),
    };
  }

  /** host:port of the node tried now. */
  get current(): string {
    return this.urls[this.index]!.host;
  }

  next(): void {
    this.index = (this.index + 1) % this.urls.length;
  }
}

export interface PublishOptions {
  messageId: string;
  headers?: Record<string, unknown>;
  correlationId?: string;
  /** Per-message TTL (the jittered wait of a retry in its delay tier). */
  expirationMs?: number;
}

export class AmqpClient {
  private model: RecoveringChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private readonly setups: SetupStep[] = [];
  private readonly returned = new Set<string>();
  private connected = false;
  /** A channel of its own for queue inspection: a failed check (missing queue) closes only it. */
  private controllo: Promise<Channel> | null = null;

  private readonly nodes: BrokerNodes;

  /** `urls`: the nodes of one RabbitMQ cluster (same vhost and credentials), the first tried first. */
  constructor(
    urls: string | readonly string[],
    private readonly log: Logger,
  ) {
    this.nodes = new BrokerNodes(typeof urls === 'string' ? [urls] : urls);
  }

  /** Registers a step to run after every (re)connect; call before start(). */
  onConnect(step: SetupStep): void {
    this.setups.push(step);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Why the client cannot publish right now, or null when it can (readiness). */
  nonPronto(): string | null {
    if (!this.model) return 'RabbitMQ: connessione non avviata';
    if (!this.connected) return 'RabbitMQ non connesso (riconnessione in corso)';
    if (!this.channel) return 'RabbitMQ: canale di pubblicazione chiuso';
    return null;
  }

  /**
   * Ready messages and consumers of a queue (passive declare), on the inspection channel. A check that does not
   * answer within timeoutMs gives up and drops the channel, so that the next one does not queue behind it.
   */
  async statoCoda(queue: string, timeoutMs: number): Promise<{ pronti: number; consumatori: number }> {
    const motivo = this.nonPronto();
    if (motivo) throw new ApeError('SERVIZIO_NON_DISPONIBILE', motivo);
    const model = this.model!;
    if (!this.controllo) {
      const aperto = model.createChannel().then((ch) => {
        // A passive declare of a missing queue closes the channel with an error that checkQueue rejects with; unhandled, the event would crash the process.
        ch.on('error', () => undefined);
        ch.on('close', () => {
          if (this.controllo === aperto) this.controllo = null;
        });
        return ch;
      });
      // Only forgets a channel that failed to open: statoCoda's caller gets the rejection through its own await.
      aperto.catch(() => {
        if (this.controllo === aperto) this.controllo = null;
      });
      this.controllo = aperto;
    }
    const canale = this.controllo;
    let timer: NodeJS.Timeout | undefined;
    try {
      const ch = await canale;
      const r = await Promise.race([
        ch.checkQueue(queue),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ApeError('SERVIZIO_NON_DISPONIBILE', `RabbitMQ: nessuna risposta su ${queue} entro ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { pronti: r.messageCount, consumatori: r.consumerCount };
    } catch (err) {
      if (this.controllo === canale) {
        this.controllo = null;
        // Swallowed: the channel is being dropped because it failed or hung; the caller gets that error below.
        void canale.then((ch) => ch.close()).catch(() => undefined);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async start(): Promise<void> {
    this.model = await connect(this.nodes.connectOptions, {
      // A node that does not answer (host down, link cut, a VM frozen after accepting TCP) is given up after this,
      // so that recovery moves on to the next node instead of waiting for the kernel's timeout, or for ever.
      timeout: CONNECT_TIMEOUT_MS,
      recovery: {
        // Resolved once listeners are on (below), so that the first attempts can move to another node too.
        waitForConnect: false,
        initialDelay: 200,
        maxDelay: 5000,
        maxRetries: Infinity,
        initialMaxRetries: 30,
        setup: async (model: ChannelModel) => {
          const ch = await model.createConfirmChannel();
          ch.on('return', (msg) => {
            const id = msg.properties.messageId as string | undefined;
            if (id) this.returned.add(id);
            this.log.error({ messageId: id, routingKey: msg.fields.routingKey, exchange: msg.fields.exchange }, 'message returned unroutable by RabbitMQ');
          });
          ch.on('error', (err) => this.log.warn({ err }, 'publish channel error'));
          ch.on('close', () => {
            if (this.channel === ch) this.channel = null;
          });
          this.channel = ch;
          for (const step of this.setups) await step(model);
          this.connected = true;
        },
      },
    });
    this.model.on('disconnect', (err: Error) => {
      this.connected = false;
      this.channel = null;
      this.log.warn({ err: err?.message }, 'RabbitMQ connection lost; reconnecting');
    });
    // Before every new attempt, the next node of the cluster: a node killed or cut off is not waited for.
    this.model.on('reconnect-scheduled', () => this.nodes.next());
    this.model.on('connect', () => this.log.info({ node: this.nodes.current }, 'RabbitMQ connected'));
    this.model.on('error', (err: Error) => this.log.warn({ err: err.message }, 'RabbitMQ connection error'));
    await this.model.waitForConnect();
  }

  private requireChannel(): ConfirmChannel {
    if (!this.channel) throw new ApeError('SERVIZIO_NON_DISPONIBILE', 'RabbitMQ non connesso');
    return this.channel;
  }

  /** Publishes one persistent message (a payload as JSON, or bytes as they are) and waits for the broker's confirm. */
  publish(exchange: string, routingKey: string, payload: unknown, opts: PublishOptions): Promise<void> {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
    const ch = this.requireChannel();
    const props: Options.Publish = {
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      messageId: opts.messageId,
      timestamp: Math.floor(Date.now() / 1000),
      headers: opts.headers ?? {},
      ...(opts.correlationId !== undefined && { correlationId: opts.correlationId }),
      ...(opts.expirationMs !== undefined && { expiration: String(Math.max(0, Math.round(opts.expirationMs))) }),
    };
    return new Promise<void>((resolve, reject) => {
      try {
        ch.publish(exchange, routingKey, body, props, (err) => {
          if (err) {
            reject(new ApeError('SERVIZIO_NON_DISPONIBILE', `RabbitMQ non ha confermato il messaggio ${opts.messageId}`, { cause: err }));
          } else if (this.returned.delete(opts.messageId)) {
            reject(new ApeError('SERVIZIO_NON_DISPONIBILE', `messaggio ${opts.messageId} non instradabile (${exchange} / ${routingKey})`, { retryable: true }));
          } else {
            resolve();
          }
        });
      } catch (err) {
        reject(new ApeError('SERVIZIO_NON_DISPONIBILE', 'pubblicazione su RabbitMQ fallita', { cause: err }));
      }
    });
  }

  async close(): Promise<void> {
    this.connected = false;
    const model = this.model;
    this.model = null;
    // Swallowed: closing on shutdown; a connection already lost has nothing to close.
    if (model) await model.close().catch(() => undefined);
  }
}

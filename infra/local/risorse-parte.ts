import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { Ente } from '../../shared/domain/types';
import { deleteVhost, ensureVhost } from './rabbitmq';

/**
 * What a party's operator creates before its first setup, done here for one machine's PostgreSQL and RabbitMQ (the
 * local administrators: postgres over trust, rabbitmqctl as root): the party's own database, owned by its own role
 * (migrations), an application role for its services, and its own RabbitMQ vhost with a user allowed on it only.
 *
 * The migrations grant the application's rights (no UPDATE or DELETE on the logs) to ape_servizio; the party's
 * service role is a member of it, so it has exactly those rights, and reaches only its own database: CONNECT on
 * each party's database is taken from PUBLIC and given to that party's two roles alone.
 */
const run = promisify(execFile);

export interface RisorseParte {
  /** Database, its owner role, the RabbitMQ vhost and user: ape_<parte> for npm start. */
  nome: string;
  /** The services' role: <nome>_servizio. */
  servizio: string;
  /** Password of both PostgreSQL roles (needed off loopback, where pg_hba asks for one); absent: none set. */
  passwordDb?: string;
  passwordMq: string;
}

export function risorsePerParte(parte: Ente, prefisso = 'ape', passwordDb?: string): RisorseParte {
  const nome = `${prefisso}_${parte.toLowerCase()}`;
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(nome)) throw new Error(`"${nome}" must be lower-case letters, digits and _`);
  return { nome, servizio: `${nome}_servizio`, passwordMq: randomBytes(12).toString('hex'), ...(passwordDb && { passwordDb }) };
}

/** The party's connection URLs on `host`, with the roles and user of `r`. */
export function urlDellaParte(r: RisorseParte, host: string, porte = { postgres: 5432, rabbitmq: 5672 }): { postgresUrl: string; postgresAdminUrl: string; rabbitmqUrl: string } {
  const pw = r.passwordDb ? `:${encodeURIComponent(r.passwordDb)}` : '';
  return {
    postgresUrl: `postgres://${r.servizio}${pw}@${host}:${porte.postgres}/${r.nome}`,
    postgresAdminUrl: `postgres://${r.nome}${pw}@${host}:${porte.postgres}/${r.nome}`,
    rabbitmqUrl: `amqp://${r.nome}:${encodeURIComponent(r.passwordMq)}@${host}:${porte.rabbitmq}/${r.nome}`,
  };
}

/** Creates (or brings up to date: passwords, grants) the party's roles, database, vhost and user. Idempotent. */
export async function creaRisorseParte(r: RisorseParte, superuserUrl = 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<void> {
  const c = new Client({ connectionString: superuserUrl });
  await c.connect();
  try {
    const ruolo = async (nome: string, extra = '') => {
      const esiste = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [nome]);
      if (!esiste.rowCount) await c.query(`CREATE ROLE ${nome} LOGIN ${extra}`);
      if (r.passwordDb) await c.query(`ALTER ROLE ${nome} PASSWORD '${r.passwordDb.replace(/'/g, "''")}'`);
    };
    // The role the migrations grant to (infra/migrations/audit/001_registri.sql creates it when missing, which the
    // party's owner, without CREATEROLE, could not do).
    if (!(await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'ape_servizio'")).rowCount) await c.query('CREATE ROLE ape_servizio LOGIN');
    await ruolo(r.nome);
    await ruolo(r.servizio);
    await c.query(`GRANT ape_servizio TO ${r.servizio}`);
    if (!(await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [r.nome])).rowCount) await c.query(`CREATE DATABASE ${r.nome} OWNER ${r.nome}`);
    await c.query(`REVOKE ALL ON DATABASE ${r.nome} FROM PUBLIC`);
    await c.query(`GRANT CONNECT ON DATABASE ${r.nome} TO ${r.servizio}`);
  } finally {
    await c.end();
  }
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_users']);
  const utenti = stdout.split('\n').map((l) => l.split(/\s+/)[0]);
  if (utenti.includes(r.nome)) await run('rabbitmqctl', ['-q', 'change_password', r.nome, r.passwordMq]);
  else await run('rabbitmqctl', ['-q', 'add_user', r.nome, r.passwordMq]);
  // Its vhost, with rights for its user only (the host is irrelevant to rabbitmqctl).
  await ensureVhost(urlDellaParte(r, '127.0.0.1').rabbitmqUrl);
}

/** Removes what creaRisorseParte made (tests); what is already gone is the outcome wanted. */
export async function rimuoviRisorseParte(r: RisorseParte, superuserUrl = 'postgres://postgres@127.0.0.1:5432/postgres'): Promise<void> {
  const c = new Client({ connectionString: superuserUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${r.nome} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${r.servizio}`);
    await c.query(`DROP ROLE IF EXISTS ${r.nome}`);
  } finally {
    await c.end();
  }
  await deleteVhost(urlDellaParte(r, '127.0.0.1').rabbitmqUrl);
  // Swallowed: cleaning up; a user already gone is the outcome wanted.
  await run('rabbitmqctl', ['-q', 'delete_user', r.nome]).catch(() => undefined);
}

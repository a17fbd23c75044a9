import { Client } from 'pg';

/**
 * Guards every test file runs with (jest.config.js setupFilesAfterEnv). A query sent on a pg client while another
 * one is running on it (a transaction's or a snapshot's one connection handed to Promise.all) is a bug: pg queues it
 * and warns, only from the third, and pg 9 refuses it; under one connection it never ran in parallel anyway. Every
 * such query of the file's tests is recorded with where it was sent from, and the file fails.
 */
interface Interni {
  _activeQuery: unknown;
  _queryQueue: unknown[];
}

const concorrenti: string[] = [];
const query = Client.prototype.query;

Client.prototype.query = function (this: Client & Interni, ...args: unknown[]) {
  if (this._activeQuery || this._queryQueue.length > 0) {
    concorrenti.push(new Error('query inviata mentre un\'altra è in corso sullo stesso client').stack ?? '');
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof Client.prototype.query;

afterAll(() => {
  Client.prototype.query = query;
  expect(concorrenti).toEqual([]);
});

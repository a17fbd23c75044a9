/**
 * Order of the serial suite (jest.faults.config.js): the tests whose bounds are latencies (floods, bombs) first, on
 * a quiet machine, then the fault tests, which restart PostgreSQL and RabbitMQ and leave a three-node cluster
 * stopping behind them; within each group by path, so every run has the same order.
 */
const TIMED = ['console-login-flood.test.ts', 'hostile-input.test.ts'];

class SequenzaSeriale {
  sort(tests) {
    const rank = (t) => (TIMED.some((name) => t.path.endsWith(name)) ? 0 : 1);
    return [...tests].sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  cacheResults() {}
}

module.exports = SequenzaSeriale;

/**
 * The fault suite alone: one file at a time, nothing else on the machine's PostgreSQL and RabbitMQ meanwhile (the faults
 * restart them), nor on its cores (the floods and bombs bound latencies).
 */
const base = require('./jest.config');
module.exports = {
  ...base,
  roots: ['<rootDir>/test/faults'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testSequencer: '<rootDir>/test/support/sequenza-seriale.js',
  testTimeout: 1800000,
};

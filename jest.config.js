/**
 * Tests run against real PostgreSQL and RabbitMQ; each file isolates itself (own database, own vhost).
 * The fault suite (test/faults/) restarts the machine's PostgreSQL and RabbitMQ, or bounds latencies under attack,
 * so it has its own configuration (jest.faults.config.js) and runs alone, after these; so does test:siti (jest.siti.config.js), which
 * needs root for its network namespaces.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/', '<rootDir>/test/siti/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFilesAfterEnv: ['<rootDir>/test/support/guardie.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};

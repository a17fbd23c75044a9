/** test:siti alone: the federation on five network namespaces (root, iproute2), after the other tests. */
const base = require('./jest.config');
module.exports = {
  ...base,
  roots: ['<rootDir>/test/siti'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 600000,
};

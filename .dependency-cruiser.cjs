/**
 * The boundaries between the project's parts (docs/ARCHITECTURE.md), checked by dependency-cruiser:
 * `npm run lint:confini`, run by infra/scripts/run-tests.sh before jest, so `npm test` and CI fail on a violation.
 *
 * Paths are relative to the folder depcruise runs in (the project root; test/unit/confini.test.ts runs the same
 * rules in test/fixtures/confini, laid out like the project, to prove that they catch what they should).
 */
const path = require('node:path');

/** What does I/O: sockets, files, processes, the database, the broker, SOAP, and the platform modules built on them. */
const IO = [
  '^(node:)?(fs|fs/promises|net|http|https|http2|tls|child_process)$',
  '(^|/)node_modules/(pg|pg-pool|amqplib|soap)/',
  '^shared/(db|amqp|soap|outbox|runtime|audit|config|metrics|pki)/',
];

module.exports = {
  forbidden: [
    {
      name: 'nessun-ciclo',
      comment: 'An import circle ties modules that should be understood and changed one at a time (type-only imports count).',
      severity: 'error',
      from: { path: '^(services|shared|infra)/' },
      to: { circular: true },
    },
    {
      name: 'shared-non-importa-services',
      comment: 'shared/ holds what more than one wing uses: it depends on no wing and on no deployment script.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(services|infra)/' },
    },
    {
      name: 'hub-ente-non-importano-inps',
      comment: "The hub and the parties talk to INPS only through the contracts (wsdl/, shared/messages), never through INPS's code.",
      severity: 'error',
      from: { path: '^services/(hub|ente)/' },
      to: { path: '^services/inps/' },
    },
    {
      name: 'inps-non-importa-hub-ente',
      comment: "INPS talks to the hub and the parties only through the contracts, never through their code.",
      severity: 'error',
      from: { path: '^services/inps/' },
      to: { path: '^services/(hub|ente)/' },
    },
    {
      name: 'dominio-senza-io',
      comment: 'The domain rules are pure functions over data: no sockets, files, processes, database, broker or SOAP, not even through another module.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { path: IO, reachable: true },
    },
    {
      name: 'codec-senza-io',
      comment: 'The contract codecs turn messages into data and back: no I/O, not even through another module.',
      severity: 'error',
      from: { path: '^shared/messages/' },
      to: { path: IO, reachable: true },
    },
    {
      name: 'import-risolvibile',
      comment: 'An import the cruiser cannot resolve would escape every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '(^|/)dist/' },
    // Type-only imports are dependencies too: a circle through a type is still a circle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    // Resolve packages the way Node resolves them for this CommonJS project.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

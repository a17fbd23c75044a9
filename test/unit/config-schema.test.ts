import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { loadConfig } from '../../shared/config/load';
import { CONFIG_SCHEMA_FILE, PROJECT_ROOT } from '../../shared/paths';
import { schemaJson } from '../../infra/scripts/config-schema';
import { localFederationConfig } from '../../infra/federation-config';

const COMMITTED_CONFIG = path.join(PROJECT_ROOT, 'config', 'federation.json');

describe('config/federation.schema.json, the schema editors use', () => {
  test('is the schema the loader validates with (npm run config:schema rewrites it)', () => {
    expect(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')).toBe(schemaJson());
  });

  test('config/federation.json names it and loads', () => {
    const json = JSON.parse(readFileSync(COMMITTED_CONFIG, 'utf8')) as Record<string, unknown>;
    expect(json.$schema).toBe('./federation.schema.json');
    expect(path.resolve(path.dirname(COMMITTED_CONFIG), json.$schema as string)).toBe(CONFIG_SCHEMA_FILE);
    expect(loadConfig(COMMITTED_CONFIG).services.hub.listen?.port).toBe(8444);
  });

  test('generated configurations name it by its absolute path', () => {
    const json = localFederationConfig({ postgresUrl: 'postgres://p@h/d', rabbitmqUrl: 'amqp://h', pkiDir: '/tmp/pki', basePort: 9000 });
    expect(json.$schema).toBe(CONFIG_SCHEMA_FILE);
  });

  // What an editor's plain validator makes of the file: no loader code, only the published JSON.
  test('a standard validator accepts the committed configuration and refuses a bad one by the same field', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as object);
    const json = JSON.parse(readFileSync(COMMITTED_CONFIG, 'utf8')) as any;
    expect(validate(json)).toBe(true);
    json.services.hub.listen.port = 70000;
    json.identities.INL.allowedIps = [];
    expect(validate(json)).toBe(false);
    expect(validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual(['/identities/INL/allowedIps minItems', '/services/hub/listen/port maximum']);
  });
});

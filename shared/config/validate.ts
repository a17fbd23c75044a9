import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ApeError } from '../errors';
import { FederationConfigSchema, type ValidatedConfig } from './schema';

/**
 * Checks a configuration object against FederationConfigSchema with ajv, filling in the defaults the schema
 * declares. The first error stops the process, so it is turned into a message that names the field to fix
 * ("services.hub.listen.port: 70000 is above the maximum 65535").
 */

/** What the schema says about one node, as far as the messages need it. */
interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  patternErrorMessage?: string;
  errorMessage?: string;
}

let compiled: ValidateFunction<ValidatedConfig> | undefined;

function validator(): ValidateFunction<ValidatedConfig> {
  if (!compiled) {
    // verbose: errors carry the value and the schema node, which the messages quote.
    const ajv = new Ajv({ useDefaults: true, verbose: true, allErrors: false });
    // Annotations only (the names editors know): what a pattern or a list of allowed names means.
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    // "A URL" means what the WHATWG parser accepts, the parser the services use on these values.
    ajv.addFormat('uri', { type: 'string', validate: (s: string) => URL.canParse(s) });
    compiled = ajv.compile<ValidatedConfig>(FederationConfigSchema);
  }
  return compiled;
}

/** The validated configuration with its defaults; the caller's object is left as it was. */
export function validateConfig(json: unknown): ValidatedConfig {
  const copy: unknown = structuredClone(json);
  dropNullOptionals(FederationConfigSchema as SchemaNode, copy);
  const check = validator();
  if (check(copy)) return copy;
  const first = check.errors?.[0];
  throw new ApeError('CONFIGURAZIONE_NON_VALIDA', first ? messageFor(first, copy) : 'the configuration does not match its schema');
}

/**
 * An optional value set to null counts as not given, as it always has in this file (the default applies). A null
 * section, list entry or required value is still refused.
 */
function dropNullOptionals(schema: SchemaNode, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) dropNullOptionals(schema.items, item);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const fields = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(fields)) {
    const sub = schema.properties?.[key] ?? Object.values(schema.patternProperties ?? {})[0];
    if (!sub) continue;
    if (field === null && schema.properties?.[key] && !schema.required?.includes(key) && sub.type !== 'object') delete fields[key];
    else dropNullOptionals(sub, field);
  }
}

/** "services.agencies.INAIL.listen.port", "rabbitmq.retryDelaysMs[2]": the JSON pointer walked over the data. */
function fieldName(pointer: string, root: unknown): string {
  let name = '';
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    name = Array.isArray(node) ? `${name}[${key}]` : name ? `${name}.${key}` : key;
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return name;
}

const child = (name: string, key: string) => (name ? `${name}.${key}` : key);

function expected(type: unknown, value: unknown): string {
  switch (type) {
    case 'object':
      return 'expected an object';
    case 'string':
      return 'expected a non-empty string';
    case 'boolean':
      return 'expected true or false';
    case 'integer':
      return `expected an integer, got ${JSON.stringify(value)}`;
    case 'array':
      return `expected an array, got ${JSON.stringify(value)}`;
    default:
      return `expected ${String(type)}, got ${JSON.stringify(value)}`;
  }
}

function messageFor(e: ErrorObject, root: unknown): string {
  const field = fieldName(e.instancePath, root);
  const node = (e.parentSchema ?? {}) as SchemaNode;
  const value: unknown = e.data;
  // A key of the wrong name (an identity code, an agency): the key is the field, the schema says why.
  if (e.propertyName !== undefined) {
    return `${child(field, e.propertyName)}: ${node.patternErrorMessage ?? node.errorMessage ?? `"${e.propertyName}" is not an allowed name`}`;
  }
  const at = field || 'configuration';
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      return `${child(field, missing)}: ${node.properties?.[missing]?.type === 'object' ? 'expected an object' : 'is required'}`;
    }
    case 'type':
      return `${at}: ${expected(e.params.type, value)}`;
    case 'minLength':
      return `${at}: expected a non-empty string`;
    case 'minItems':
      return `${at}: must not be empty`;
    case 'minimum':
      return `${at}: ${String(value)} is below the minimum ${String(e.params.limit)}`;
    case 'maximum':
      return `${at}: ${String(value)} is above the maximum ${String(e.params.limit)}`;
    case 'enum':
      return `${at}: ${JSON.stringify(value)} is not one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'pattern':
      return `${at}: ${JSON.stringify(value)} ${node.patternErrorMessage ?? `does not match /${String(e.params.pattern)}/`}`;
    case 'format':
      return `${at}: ${JSON.stringify(value)} ${e.params.format === 'uri' ? 'is not a URL' : `is not in the format ${String(e.params.format)}`}`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}

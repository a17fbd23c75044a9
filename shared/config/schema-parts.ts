import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** The building blocks of the configuration's schema (schema.ts), shared by its sections. */

/**
 * A field the file may leave out: ajv fills `value` in while validating. The published schema says "optional,
 * default value"; the derived type says the field is always there, which is what the loaded configuration holds
 * (hence the cast: TypeBox's type of an optional field would be `T | undefined`).
 */
export function withDefault<T extends TSchema>(schema: T, value: Static<T>): T {
  return Type.Optional({ ...schema, default: value }) as unknown as T;
}
/** A section the file may leave out: absent, it is {} and each of its fields takes its own default. */
export function optionalSection<T extends TSchema>(schema: T): T {
  return Type.Optional({ ...schema, default: {} }) as unknown as T;
}
export const text = (o: { description?: string; pattern?: string; patternErrorMessage?: string } = {}) => Type.String({ minLength: 1, ...o });
export const integer = (minimum: number, maximum: number, description?: string) => Type.Integer({ minimum, maximum, ...(description && { description }) });
export const choice = <T extends string>(values: readonly T[], description?: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description && { description }) });
/** A URL the WHATWG parser accepts (format "uri", checked with `new URL`), of one of these schemes. */
export const url = (protocols: readonly string[], description?: string) =>
  Type.String({ minLength: 1, format: 'uri', pattern: `^(${protocols.join('|')}):`, patternErrorMessage: `must use ${protocols.map((p) => `${p}:`).join(' or ')}`, ...(description && { description }) });
export const IDENTITY_CODE = '^[A-Z][A-Z0-9_]{1,31}$';

export const ListenSchema = Type.Object({
  host: withDefault(text(), '127.0.0.1'),
  port: integer(1, 65535),
});

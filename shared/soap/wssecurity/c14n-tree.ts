import type { XmlElement } from '../../xml/write';
import { canonicalOrder, escapeAttribute, escapeText, renderDeclarations, type Bindings } from './c14n';

/**
 * Exclusive XML Canonicalization 1.0 without comments (empty PrefixList) of an element we are about to send, computed
 * from the tree `el` wrote instead of from a parse of its text: the same bytes c14n.ts computes on the parsed
 * document, which is what the receiver digests (test/unit/c14n-tree.test.ts holds the two to each other).
 *
 * It declines (TreeNotCanonical) whatever a parser would not read back exactly as written, so that the caller signs
 * from the text instead, whose parse decides (and refuses what is not XML): a carriage return (read back as a line
 * feed), a tab or line feed in an attribute value or namespace URI (read back as a space), a character XML does not
 * allow, a name that is not a plain ASCII NCName (prefixed or not), a prefix no declaration in scope binds, an
 * `xml:` name.
 */

export class TreeNotCanonical extends Error {}

const NO_BINDINGS: Bindings = new Map();

/** Characters XML 1.0 does not allow, and lone surrogates. */
const NOT_XML = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
/** Those, and the carriage return (a parser turns it into a line feed). */
const UNSAFE_TEXT = new RegExp(`\\r|${NOT_XML}`);
/** In an attribute value a tab or line feed is also read back as a space (attribute-value normalization). */
const UNSAFE_ATTRIBUTE = new RegExp(`[\\t\\n\\r]|${NOT_XML}`);

/**
 * The canonical form of `el`, the apex of a signed part: `scope` holds the bindings its ancestors declare (the
 * envelope's, the Security header's), none of which is yet rendered.
 */
export function canonicalTree(el: XmlElement, scope: Bindings): string {
  const out: string[] = [];
  render(el, scope, NO_BINDINGS, out);
  return out.join('');
}

/** The bindings in scope inside `el`: `scope` with its own xmlns declarations. */
export function scopeOf(el: XmlElement, scope: Bindings): Bindings {
  let own: Map<string, string> | null = null;
  for (const [name, value] of el.attrs) {
    const prefix = declaredPrefix(name);
    if (prefix === null) continue;
    // XML 1.0 namespaces cannot undeclare a prefix; a default namespace set to '' is left to the parse, and so is a
    // URI a parser would not read back as written (attribute-value normalization applies to declarations too).
    if (value === '' || prefix === 'xml' || prefix === 'xmlns' || UNSAFE_ATTRIBUTE.test(value)) throw new TreeNotCanonical(`declaration ${name}`);
    if (prefix !== '') splitName(prefix);
    own ??= new Map(scope);
    own.set(prefix, value);
  }
  return own ?? scope;
}

/** The namespace of a prefix in scope ('' for an unprefixed name outside any default namespace). */
export function resolve(scope: Bindings, prefix: string): string {
  const uri = scope.get(prefix);
  if (uri !== undefined) return uri;
  if (prefix === '') return '';
  throw new TreeNotCanonical(`prefix ${prefix} not declared`);
}

/** The names our writers use: ASCII NCNames, optionally prefixed. Anything else is left to the parse. */
const QNAME = /^(?:[A-Za-z_][A-Za-z0-9._-]*:)?[A-Za-z_][A-Za-z0-9._-]*$/;

/** Prefix and local part of a qualified name. */
export function splitName(name: string): [string, string] {
  if (!QNAME.test(name)) throw new TreeNotCanonical(`name ${name.slice(0, 64)}`);
  const colon = name.indexOf(':');
  return colon < 0 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)];
}

function declaredPrefix(attribute: string): string | null {
  if (attribute === 'xmlns') return '';
  return attribute.startsWith('xmlns:') ? attribute.slice(6) : null;
}

interface CanonicalAttribute {
  ns: string;
  local: string;
  name: string;
  value: string;
}

function render(el: XmlElement, outer: Bindings, inEffect: Bindings, out: string[]): void {
  const scope = scopeOf(el, outer);
  const wanted = new Map<string, string>();
  const want = (prefix: string, uri: string) => {
    // An undeclared default namespace needs xmlns="" only where an output ancestor made one the default.
    if (!wanted.has(prefix) && (inEffect.get(prefix) ?? '') !== uri) wanted.set(prefix, uri);
  };
  const [prefix] = splitName(el.name);
  if (prefix === 'xml') throw new TreeNotCanonical(`element ${el.name}`);
  want(prefix, resolve(scope, prefix));

  const attributes: CanonicalAttribute[] = [];
  for (const [name, value] of el.attrs) {
    if (declaredPrefix(name) !== null) continue;
    if (UNSAFE_ATTRIBUTE.test(value)) throw new TreeNotCanonical(`attribute ${name}`);
    const [p, local] = splitName(name);
    if (p === 'xml') throw new TreeNotCanonical(`attribute ${name}`);
    const ns = p === '' ? '' : resolve(scope, p);
    if (p !== '') want(p, ns);
    attributes.push({ ns, local, name, value });
  }

  out.push('<', el.name);
  const effect = renderDeclarations(wanted, inEffect, out);
  attributes.sort((a, b) => canonicalOrder(a.ns, a.local, b.ns, b.local));
  for (const a of attributes) out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
  out.push('>');
  for (const c of el.children) {
    if (typeof c === 'string') {
      if (UNSAFE_TEXT.test(c)) throw new TreeNotCanonical('character data');
      out.push(escapeText(c));
    } else {
      render(c, scope, effect, out);
    }
  }
  out.push('</', el.name, '>');
}

import type { HostileCase } from './cases';
import { CaseKit } from './kit';
import * as dtd from './dtd';
import * as envelope from './envelope';
import * as parser from './parser';
import * as payload from './payload';
import * as transport from './transport';

/**
 * Generators of hostile requests for the INPS istruttoria endpoint, one per category, in the order of CATEGORIES;
 * each family of categories lives in its own file of this folder (transport, dtd, parser, payload, envelope).
 */

export { CATEGORIES, STATUS_OF, type Category, type HostileCase } from './cases';

export class CaseFactory extends CaseKit {
  xxe(): HostileCase {
    return dtd.xxe(this);
  }

  entityExpansion(): HostileCase {
    return dtd.entityExpansion(this);
  }

  oversize(): HostileCase {
    return transport.oversize(this);
  }

  deepNesting(): HostileCase {
    return parser.deepNesting(this);
  }

  complexity(): HostileCase {
    return parser.complexity(this);
  }

  malformed(): HostileCase {
    return parser.malformed(this);
  }

  contentType(): HostileCase {
    return transport.contentType(this);
  }

  schemaInvalid(): HostileCase {
    return payload.schemaInvalid(this);
  }

  codiceFiscale(): HostileCase {
    return payload.codiceFiscale(this);
  }

  incoherent(): HostileCase {
    return payload.incoherent(this);
  }

  extremeDates(): HostileCase {
    return payload.extremeDates(this);
  }

  unknownOperation(): HostileCase {
    return envelope.unknownOperation(this);
  }

  method(): HostileCase {
    return transport.method(this);
  }

  operatore(): HostileCase {
    return envelope.operatore(this);
  }
}

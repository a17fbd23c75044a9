import { parseXmlDocument } from '../../shared/xml/document';

/**
 * The one parse of a message reads line ends as XML 1.0 does (section 2.11): CR LF and a lone CR become LF, and
 * nothing else changes. @xmldom/xmldom's default also turned NEL (U+0085) and LINE SEPARATOR (U+2028) into LF, as
 * XML 1.1 does, so a counterpart's valid signature over a text holding one was refused (its digest is over the
 * character, ours was over a line feed).
 */

const text = (xml: string) => parseXmlDocument(xml).documentElement!.textContent;
const attribute = (xml: string) => parseXmlDocument(xml).documentElement!.getAttribute('a');

test('CR LF and a lone CR are read as LF', () => {
  expect(text('<x>a\r\nb\rc</x>')).toBe('a\nb\nc');
});

test('NEL and LINE SEPARATOR are read as written, in text and in attribute values', () => {
  expect(text('<x>a\u0085b\u2028c</x>')).toBe('a\u0085b\u2028c');
  expect(attribute('<x a="a\u0085b\u2028c"/>')).toBe('a\u0085b\u2028c');
});

test('a CR written as a character reference stays a CR', () => {
  expect(text('<x>a&#xD;b</x>')).toBe('a\rb');
});

import type { Palette } from './colors.js';
import { visible } from './escape.js';
import type { JsonEvent, JsonName } from './report.js';

/** A certificate name for people: its CN (`localhost`), else every field (`O=Example, C=DE`), else `(empty)`. */
export function commonName(name: JsonName): string {
  const join = (value: string | readonly string[]): string => (typeof value === 'string' ? value : value.join(', '));
  const cn = name['CN'];
  if (cn !== undefined) return join(cn);
  const fields = Object.entries(name).map(([key, value]) => `${key}=${join(value)}`);
  return fields.length === 0 ? '(empty)' : fields.join(', ');
}

/**
 * What a TLS connect agreed on, one field a line for a timeline's foot: protocol, ALPN, cipher, whether the
 * certificate verified, and the certificate's subject, issuer and expiry. Empty for a plain TCP connect.
 * Every field from the network goes through `visible`. Pure.
 */
export function tlsDetails(connected: JsonEvent & { readonly type: 'connected' }, p: Palette): { readonly label: string; readonly value: string }[] {
  const { tls, certificate } = connected;
  if (tls === undefined) return [];
  const rows = [
    { label: 'protocol', value: visible(tls.protocol ?? 'unknown') },
    { label: 'ALPN', value: tls.alpnProtocol === null ? p.dim('none') : visible(tls.alpnProtocol) },
    { label: 'cipher', value: visible(tls.cipher.name) },
    {
      label: 'verified',
      value: tls.authorized ? p.green('yes') : p.yellow(`no: ${visible(tls.authorizationError ?? 'not authorized')} (accepted: --insecure)`),
    },
  ];
  if (certificate === undefined || certificate === null) return [...rows, { label: 'certificate', value: p.dim('none sent') }];
  return [
    ...rows,
    { label: 'subject', value: visible(commonName(certificate.subject)) },
    { label: 'issuer', value: visible(commonName(certificate.issuer)) },
    { label: 'expires', value: visible(certificate.valid_to) },
  ];
}

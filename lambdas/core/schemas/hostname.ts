import * as z from 'zod';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** A dotted-quad IPv4 address, each part 0–255 without leading zeros (which some resolvers read as octal). */
export function isIPv4Address(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p) && Number(p) <= 255);
}

/**
 * An RFC 1123 host name: dot-separated labels of 1–63 letters, digits and hyphens, not
 * starting or ending with a hyphen, 253 characters at most. RFC 1123 §2.1 rules out the
 * dotted-decimal form, so a name made only of digits must be an IPv4 address: that
 * catches a mistyped address such as `10.0.0.256` instead of accepting it as a name.
 */
export function isHostName(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const labels = text.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  return !labels.every((l) => /^[0-9]+$/.test(l));
}

/** A node's `hostname`: an RFC 1123 host name or an IPv4 address, 1–253 characters. */
export const HostnameSchema = z
  .string()
  .refine(
    (h) => isHostName(h) || isIPv4Address(h),
    'must be a host name (dot-separated labels of letters, digits and "-", 1–63 each, at most 253 characters in all) or an IPv4 address such as 10.0.0.5',
  );
export type Hostname = z.infer<typeof HostnameSchema>;

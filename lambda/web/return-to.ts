/**
 * Control characters and whitespace (which browsers strip from a Location or read as part of a
 * host), backslashes (which browsers read as slashes), raw or percent-encoded.
 */
const UNSAFE = /[\s\p{Cc}\p{Cf}\\]|%(?:[01][0-9a-f]|20|5c|7f)/iu;

/**
 * Where to send a person after sign-in: `returnTo` resolved against the broker's own origin, as an
 * absolute URL, when it is a plain path that stays on that origin; otherwise the home page.
 */
export function returnLocation(returnTo: string, brokerOrigin: string): string {
  const home = new URL('/', brokerOrigin);
  if (!returnTo.startsWith('/') || UNSAFE.test(returnTo)) return home.href;
  let resolved: URL;
  try {
    resolved = new URL(returnTo, home);
  } catch {
    return home.href;
  }
  return resolved.origin === home.origin ? resolved.href : home.href;
}

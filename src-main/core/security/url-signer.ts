// Links RxRelay hands to BestRx that open without credentials (a signature image, later the
// label images): the path carries an HMAC of itself, so a link can be used as given but not
// guessed or altered. The key is random per installation and kept with the other secrets.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '../settings/settings-store';

export class UrlSigner {
  constructor(private readonly key: Buffer) {}

  /** `path` with a `sig` query parameter added. */
  sign(path: string): string {
    return `${path}?sig=${this.signatureOf(path)}`;
  }

  verify(path: string, signature: string | undefined): boolean {
    if (!signature) return false;
    const expected = Buffer.from(this.signatureOf(path));
    const presented = Buffer.from(signature);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  private signatureOf(path: string): string {
    return createHmac('sha256', this.key).update(path).digest('base64url');
  }
}

const URL_SIGNING_KEY = 'url-signing-key';

/** This installation's URL-signing key, made on first use. A secret: for a UrlSigner (here or on the listener's thread) only. */
export function urlSigningKey(secrets: SecretStore): Buffer {
  let key = secrets.get(URL_SIGNING_KEY);
  if (!key) {
    key = randomBytes(32).toString('base64url');
    secrets.set(URL_SIGNING_KEY, key);
  }
  return Buffer.from(key, 'base64url');
}

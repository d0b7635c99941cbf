// The Basic credentials BestRx must present. Set by the operator (RXRELAY_BESTRX_USER and
// RXRELAY_BESTRX_PASSWORD), or generated once at first run and kept in the secret store so
// they survive restarts and can be shown in Settings and entered into BestRx.
import { randomBytes } from 'node:crypto';
import type { Credentials, RxRelayConfig } from '../config/config';
import { SecretNames, type SecretStore } from './settings-store';

/** The operator set the credentials in the environment: the app cannot replace them. */
export class CredentialsFromEnvironmentError extends Error {
  constructor() {
    super('The BestRx credentials come from RXRELAY_BESTRX_USER and RXRELAY_BESTRX_PASSWORD: change them there, then restart RxRelay.');
    this.name = 'CredentialsFromEnvironmentError';
  }
}

export interface ResolvedCredentials extends Credentials {
  source: 'environment' | 'generated';
}

export function resolveBestRxCredentials(config: Pick<RxRelayConfig, 'bestrxCredentials'>, secrets: SecretStore): ResolvedCredentials {
  if (config.bestrxCredentials) return { ...config.bestrxCredentials, source: 'environment' };
  const username = secrets.get(SecretNames.bestrxUsername);
  const password = secrets.get(SecretNames.bestrxPassword);
  if (!username || !password) return regenerateBestRxCredentials(secrets);
  return { username, password, source: 'generated' };
}

/** New generated credentials (the old password stops working at once); kept in the secret store. */
export function regenerateBestRxCredentials(secrets: SecretStore): ResolvedCredentials {
  const username = 'bestrx';
  // 144 random bits, URL- and header-safe.
  const password = randomBytes(18).toString('base64url');
  secrets.set(SecretNames.bestrxUsername, username);
  secrets.set(SecretNames.bestrxPassword, password);
  return { username, password, source: 'generated' };
}

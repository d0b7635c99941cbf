// The core services, wired once. Both composition roots (src-main/headless.ts under plain
// Node, src-main/index.ts under Electron) call startRxRelayCore with what only they can
// provide (the database handle, settings and secret stores, a clock, a logger) and get back
// the running BestRx endpoint and the app API.
import { userInfo } from 'node:os';
import type { AppInfo } from '../../src-shared/app-api-contract';
import { createOfflineAddressValidator, type AddressValidator } from './address/address-validator';
import { loadZipDirectory } from './address/zip-directory';
import { AppApi } from './app-api/app-api';
import { AppEventBus } from './app-events';
import { startBestRxProviderServer, type RunningServer } from './bestrx/provider-server';
import type { Clock } from './clock';
import { ConfigError, type RxRelayConfig } from './config/config';
import { buildCodeTables, type CodeTables } from './domain/code-tables';
import { createOrderIdGenerator } from './domain/order-ids';
import type { Logger } from './logger';
import { OrderService } from './orders/order-service';
import { resolveBestRxCredentials } from './settings/bestrx-credentials';
import { SettingKeys, type SecretStore, type SettingsStore } from './settings/settings-store';
import type { SqliteDatabase } from './storage/database';
import { ensureDeviceId } from './storage/meta-repository';
import { WriteQueue } from './storage/write-queue';

export interface CoreDependencies {
  config: RxRelayConfig;
  db: SqliteDatabase;
  settings: SettingsStore;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
  mode: AppInfo['mode'];
  version: string;
  /** Tests may inject a validator; by default the offline ZIP dataset is loaded. */
  addressValidator?: AddressValidator;
}

export interface RxRelayCore {
  orders: OrderService;
  appApi: AppApi;
  events: AppEventBus;
  bestrx: RunningServer;
  info: AppInfo;
  stop(): Promise<void>;
}

/** The name recorded as the actor of app API changes until staff accounts exist. */
export function localActor(): string {
  try {
    return userInfo().username || 'local user';
  } catch {
    return 'local user';
  }
}

export async function startRxRelayCore(deps: CoreDependencies): Promise<RxRelayCore> {
  const { config, db, settings, secrets, clock, logger } = deps;
  let codeTables: CodeTables;
  try {
    codeTables = buildCodeTables(settings.get(SettingKeys.codeTables));
  } catch (error) {
    throw new ConfigError([`the code tables in Settings are not valid: ${(error as Error).message}`]);
  }
  const credentials = resolveBestRxCredentials(config, secrets);
  const events = new AppEventBus();
  const deviceId = ensureDeviceId(db);
  const orders = new OrderService({
    db,
    writes: new WriteQueue(db),
    clock,
    ids: createOrderIdGenerator(undefined, () => clock.now().getTime()),
    codeTables: () => codeTables,
    deviceId,
    events,
  });
  const addressValidator = deps.addressValidator ?? createOfflineAddressValidator(await loadZipDirectory());
  const bestrx = await startBestRxProviderServer({
    host: config.bestrxHost,
    port: config.bestrxPort,
    credentials: () => credentials,
    orders,
    addressValidator,
    codeTables: () => codeTables,
    logger,
  });
  const info: AppInfo = {
    version: deps.version,
    mode: deps.mode,
    sandbox: config.sandbox,
    device_id: deviceId,
    bestrx_endpoint_url: bestrx.url,
  };
  const appApi = new AppApi(
    {
      'app.info': () => info,
      'settings.bestrxConnection': () => ({
        endpoint_url: bestrx.url,
        username: credentials.username,
        password: credentials.password,
        source: credentials.source,
      }),
      'orders.list': (input) => orders.list(input),
      'orders.get': (input) => orders.get(input.id),
      'orders.transition': (input, context) => orders.transition(input, context.actor),
    },
    logger,
  );
  logger.info('core.started', { bestrx_url: bestrx.url, sandbox: config.sandbox, device_id: deviceId });
  return {
    orders,
    appApi,
    events,
    bestrx,
    info,
    async stop() {
      await bestrx.close();
    },
  };
}

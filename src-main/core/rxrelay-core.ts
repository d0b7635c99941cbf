// The core services, wired once. Both composition roots (src-main/headless.ts under plain
// Node, src-main/index.ts under Electron) call startRxRelayCore with what only they can
// provide (the database handle, settings and secret stores, a clock, a logger) and get back
// the running BestRx endpoint, the status-push worker and the app API.
import { userInfo } from 'node:os';
import { PARTNER_DISPLAY_NAMES, type AppInfo } from '../../src-shared/app-api-contract';
import { createOfflineAddressValidator, type AddressValidator } from './address/address-validator';
import { loadZipDirectory } from './address/zip-directory';
import { AppApi, type AppApiContext } from './app-api/app-api';
import { AppEventBus } from './app-events';
import { localProviderBackend, signedTrackingPath } from './bestrx/provider-backend';
import { startBestRxProviderServer, type RunningServer } from './bestrx/provider-server';
import { startThreadedBestRxProviderServer } from './bestrx/threaded-provider-server';
import type { Clock } from './clock';
import { ConfigError, type RxRelayConfig } from './config/config';
import { buildCodeTables, parseCodeTableOverrides, type CodeTables } from './domain/code-tables';
import { createOrderIdGenerator } from './domain/order-ids';
import type { Logger } from './logger';
import { CourierRunService } from './orders/courier-run-service';
import { OrderService } from './orders/order-service';
import { createBestRxStatusClient, type StatusPushTransport } from './outbox/bestrx-status-client';
import { StatusPushOutbox } from './outbox/status-push-outbox';
import { createThreadedStatusClient } from './outbox/threaded-status-client';
import { StatusPushWorker } from './outbox/status-push-worker';
import { ForegroundActivity } from './foreground-activity';
import { DocumentService, toRenderedDocument, type DocumentPrinter } from './labels/document-service';
import { AppSettingsService } from './settings/app-settings';
import { NotInSandboxError, startBestRxSandbox, type BestRxSandbox } from './sandbox/bestrx/bestrx-sandbox';
import { faultRuleSchema } from './sandbox/bestrx/fault-injector';
import { UrlSigner, urlSigningKey } from './security/url-signer';
import { CredentialsFromEnvironmentError, regenerateBestRxCredentials, resolveBestRxCredentials } from './settings/bestrx-credentials';
import { SettingKeys, type SecretStore, type SettingsStore } from './settings/settings-store';
import { threadDatabaseOf, type SqliteDatabase } from './storage/database';
import { startBackgroundCheckpoints } from './storage/background-checkpoints';
import { ensureDeviceId } from './storage/meta-repository';
import { WriteQueue } from './storage/write-queue';
import { PartnerConnections } from './partners/partner-connections';
import { PartnerNotConnectedError, PartnerSyncEngine } from './partners/partner-sync-engine';
import { latestDispatchOfOrder } from './storage/partners-repository';
import { getOrderState, loadOrderContent } from './storage/orders-repository';
import { OrderNotFoundError } from './orders/order-service';
import { AuditLog } from './audit/audit-log';
import { StaffService } from './staff/staff-service';
import { staffGuard } from './staff/app-api-guard';
import { join } from 'node:path';
import { BACKUP_DIR_NAME, BackupService, backupsOverview, threadCopier, toBackupView, type BackupTimers } from './storage/backups';
import { buildDiagnostics, diagnosticsDocument } from './diagnostics';
import { LOG_DIR_NAME, readLogTail } from './log-file';

/**
 * The pace at which a backlog of status pushes is caught up while BestRx is quiet. BestRx
 * publishes no rate limit; a pharmacy makes a few hundred pushes a day, so this only matters
 * after an outage, when a day of pushes must not crowd out the CreateOrders arriving meanwhile.
 * For that the worker gives way to BestRx's requests (10 pushes/s while they are answered and
 * for 50 ms after, see status-push-worker.ts) and runs at this pace in between: a backlog of
 * 10,000 beside 500 CreateOrders/s drained at 635-670/s with CreateOrder's p99 unchanged
 * (-2% to +7%), where a fixed 720/s drained at 525-630/s and raised that p99 by 36-350%
 * (npm run bench measures both).
 */
export const STATUS_PUSHES_PER_SECOND = 1500;

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
  /** Where status pushes go when not RXRELAY_STATUS_URL (the sandbox's BestRx simulator). */
  statusTransport?: StatusPushTransport;
  /** Tests that drive the outbox by hand turn the worker's own timer off. */
  statusWorkerSchedule?: boolean;
  /**
   * Make status pushes' HTTP requests on a worker thread (the composition roots pass the built
   * thread script); without it they are made on this thread (tests).
   */
  statusSenderThreadScript?: string;
  /** The SQLite driver's native module when it is not the default one (Electron's ABI); the
   * sender thread opens its own read-only connection with it. */
  sqliteNativeBinding?: string;
  /** Prints labels and slips (the Electron shell's printing); headless mode has none. */
  printer?: DocumentPrinter;
  /** Tests that drive the partner engine by hand turn its timers off. */
  partnerSchedule?: boolean;
  /** Tests: a crash (a throw) at a point of a partner hand-over. */
  partnerCrashPoint?: (point: string) => void;
  /** Tests that make backups by hand turn the backup schedule off (`backups.run` still works). */
  backupSchedule?: boolean;
  /** Tests: the backup schedule's timers. */
  backupTimers?: BackupTimers;
  /**
   * Make backups on a worker thread (the composition roots pass the built thread script), so the
   * event loop keeps serving; without it they are made on this thread (tests).
   */
  backupThreadScript?: string;
  /**
   * Make the WAL checkpoints on a worker thread (the composition roots pass the built thread
   * script); without it the writing connection makes them, as SQLite does by default (tests).
   */
  checkpointThreadScript?: string;
  /**
   * Serve BestRx's endpoint from a worker thread (the composition roots pass the built
   * bestrx-listener.js), beside the database work instead of on the same event loop; the thread
   * checks addresses with the offline validator. Without it the listener runs here (tests).
   */
  bestrxListenerThreadScript?: string;
  /** The last lines of the log, for diagnostics; by default read from `<data-dir>/logs`. */
  logTail?: (lines: number) => string[];
}

export interface RxRelayCore {
  orders: OrderService;
  outbox: StatusPushOutbox;
  /** Undefined when no UpdateOrderStatus target is configured: pushes wait in the outbox. */
  statusWorker: StatusPushWorker | undefined;
  appApi: AppApi;
  events: AppEventBus;
  bestrx: RunningServer;
  /** Sandbox mode's BestRx (simulator and demo orders), when it stands in for the real one. */
  sandbox: BestRxSandbox | undefined;
  /** The partner sync engine and the partners' connections (live, or their sandbox simulators). */
  partnerEngine: PartnerSyncEngine;
  partners: PartnerConnections;
  staff: StaffService;
  audit: AuditLog;
  info: AppInfo;
  /** Automatic backups of the database (`<data-dir>/backups`). */
  backups: BackupService;
  stop(): Promise<void>;
}

/** The desk a call comes from (one signed-in person per screen). */
function deskOf(context: AppApiContext): string {
  return context.desk ?? 'local';
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
  let credentials = resolveBestRxCredentials(config, secrets);
  const signingKey = urlSigningKey(secrets);
  const urlSigner = new UrlSigner(signingKey);
  const events = new AppEventBus();
  const deviceId = ensureDeviceId(db);
  const writes = new WriteQueue(db);
  const threadDatabase = threadDatabaseOf(db, deps.sqliteNativeBinding);
  const backups = new BackupService({
    db,
    dir: join(config.dataDir, BACKUP_DIR_NAME),
    clock,
    logger,
    intervalHours: config.backupIntervalHours,
    keep: config.backupKeep,
    timers: deps.backupTimers,
    copier:
      deps.backupThreadScript && threadDatabase ? threadCopier({ script: deps.backupThreadScript, database: threadDatabase }) : undefined,
    onChange: ({ ok }) => events.publish({ type: 'backups.changed', ok }),
  });

  // Sandbox mode: a BestRx simulator receives the status pushes unless a real UpdateOrderStatus
  // URL was given (every connection not configured explicitly goes to a simulator).
  const sandbox: BestRxSandbox | undefined =
    config.sandbox && !config.statusUrl && !deps.statusTransport ? await startBestRxSandbox({ logger, clock }) : undefined;
  const statusUrl = config.statusUrl ?? sandbox?.statusUrl;
  const transportOptions = statusUrl
    ? { url: statusUrl, credentials: config.statusCredentials ?? sandbox?.statusCredentials, errorMessageType: codeTables.messageType.error }
    : undefined;
  const transport =
    deps.statusTransport ??
    (transportOptions
      ? deps.statusSenderThreadScript
        ? createThreadedStatusClient({
            script: deps.statusSenderThreadScript,
            data: {
              transport: transportOptions,
              // The thread's own read-only connection; an encrypted database's key goes with it.
              database: threadDatabase,
            },
            logger,
          })
        : createBestRxStatusClient(transportOptions)
      : undefined);
  // The listener's address is known only once it listens (port 0 picks one): links built
  // before then would be wrong, and none are needed before then.
  let listenerUrl = '';
  let worker: StatusPushWorker | undefined;
  const outbox = new StatusPushOutbox({
    db,
    writes,
    clock,
    codeTables: () => codeTables,
    signatureUrl: (eventId) => listenerUrl + urlSigner.sign(`/signatures/${eventId}.png`),
    events,
    onWork: () => worker?.wake(),
    targetUrl: () => transportOptions?.url,
  });
  const audit = new AuditLog({ db, writes, clock });
  const staff = new StaffService({
    db,
    writes,
    clock,
    audit,
    idleLockMinutes: {
      get: () => settings.get(SettingKeys.staffIdleLockMinutes) as number | undefined,
      set: (minutes) => settings.set(SettingKeys.staffIdleLockMinutes, minutes),
    },
  });
  const orders = new OrderService({
    audit,
    db,
    writes,
    clock,
    ids: createOrderIdGenerator(undefined, () => clock.now().getTime()),
    codeTables: () => codeTables,
    deviceId,
    events,
    outbox,
  });
  const runs = new CourierRunService({ db, writes, clock, orders, events });
  const appSettings = new AppSettingsService(settings);
  const documents = new DocumentService({
    orders,
    trackingUrl: (trackingId) => listenerUrl + signedTrackingPath(urlSigner, trackingId),
    clock,
    printer: deps.printer,
  });
  // Partners: the engine follows hand-overs; the connections decide live or sandbox per partner.
  // Both read the listener's URL lazily (sandbox webhooks come back to it); the engine asks the
  // connections (built next, before it runs) how often to poll and where webhooks arrive.
  const partnerEngine: PartnerSyncEngine = new PartnerSyncEngine({
    db,
    writes,
    clock,
    orders,
    events,
    logger,
    pollIntervalMs: (partner): number => partnerConnections.pollIntervalMs(partner),
    webhookUrl: (partner) => partnerConnections.webhookUrl(partner),
    schedule: deps.partnerSchedule,
    crashPoint: deps.partnerCrashPoint,
  });
  const partnerConnections: PartnerConnections = new PartnerConnections({
    engine: partnerEngine,
    settings,
    secrets,
    clock,
    logger,
    sandbox: config.sandbox,
    unitedSandboxPort: config.unitedSandboxPort,
    caryrxSandboxPort: config.caryrxSandboxPort,
    honeybeeSandboxPort: config.honeybeeSandboxPort,
    sandboxStepMs: config.sandboxStepMs,
    listenerUrl: () => listenerUrl,
  });
  const catalogOf = (partner: Parameters<PartnerSyncEngine['connector']>[0]) => {
    const catalog = partnerEngine.connector(partner)?.catalog;
    if (!catalog) throw new PartnerNotConnectedError(partner, `${PARTNER_DISPLAY_NAMES[partner]} has no catalog to browse here.`);
    return catalog;
  };
  // BestRx's requests in progress: the status-push worker gives way to them.
  const foreground = new ForegroundActivity();
  const providerBackend = localProviderBackend({
    orders,
    documents,
    urlSigner,
    foreground,
    partnerWebhook: (partner, rawBody, headers, query) => partnerEngine.receiveWebhook(partner, rawBody, headers, query),
  });
  const bestrx = deps.bestrxListenerThreadScript
    ? await startThreadedBestRxProviderServer({
        script: deps.bestrxListenerThreadScript,
        host: config.bestrxHost,
        port: config.bestrxPort,
        configuration: () => ({ credentials, codeTables, settings: appSettings.get() }),
        urlSigningKey: signingKey,
        backend: providerBackend,
        logger,
      })
    : await startBestRxProviderServer({
        host: config.bestrxHost,
        port: config.bestrxPort,
        credentials: () => credentials,
        backend: providerBackend,
        addressValidator: deps.addressValidator ?? createOfflineAddressValidator(await loadZipDirectory()),
        codeTables: () => codeTables,
        urlSigner,
        settings: () => appSettings.get(),
        logger,
      });
  listenerUrl = bestrx.url;
  await partnerConnections.start();
  if (sandbox && config.sandboxDemoIntervalMs > 0) {
    sandbox.startDemoOrders({ providerUrl: bestrx.url, credentials, intervalMs: config.sandboxDemoIntervalMs });
  }
  if (transport) {
    worker = new StatusPushWorker({
      db,
      writes,
      clock,
      transport,
      events,
      logger,
      schedule: deps.statusWorkerSchedule,
      maxPushesPerSecond: STATUS_PUSHES_PER_SECOND,
      foreground,
    });
    worker.start();
  } else {
    logger.warn('outbox.no_target', { reason: 'RXRELAY_STATUS_URL is not set; status pushes wait in the outbox' });
  }

  const info: AppInfo = {
    version: deps.version,
    mode: deps.mode,
    sandbox: config.sandbox,
    device_id: deviceId,
    bestrx_endpoint_url: bestrx.url,
    status_target: sandbox ? 'sandbox' : transportOptions || deps.statusTransport ? 'live' : 'none',
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
      'outbox.list': (input) => outbox.list({ state: input.state, orderId: input.order_id, limit: input.limit, offset: input.offset }),
      'outbox.retry': (input) => outbox.retry(input.id),
      'outbox.skip': (input, context) => outbox.skip(input.id, context.actor),
      'documents.render': async (input) => toRenderedDocument(await documents.render(input)),
      'documents.print': (input, context) => documents.print(input, context.actor),
      'documents.runSheet': async (input) => toRenderedDocument(await documents.runSheet(input)),
      'printers.list': () => documents.printers(),
      'runs.create': (input, context) => runs.create(input, context.actor),
      'runs.list': (input) => runs.list(input.limit),
      'runs.advance': (input, context) => runs.advance(input, context.actor),
      'sandbox.bestrxFault': (input) => {
        if (!sandbox) throw new NotInSandboxError();
        const { kind, times, order_id: forOrder, retry_after_seconds: retryAfterSeconds } = input;
        sandbox.simulator.faults.next(
          faultRuleSchema.parse({ kind, times, ...(forOrder ? { forOrder } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
        );
        return { queued: sandbox.simulator.faults.list().length };
      },
      'sandbox.bestrxReceived': (input) => {
        if (!sandbox) throw new NotInSandboxError();
        return {
          pushes: sandbox.simulator
            .received()
            .filter((push) => input.order_id === undefined || push.payload.provider_order_id === input.order_id)
            .map((push) => ({ received_at: push.receivedAt, payload: push.payload })),
        };
      },
      'settings.get': () => appSettings.get(),
      'settings.regenerateBestrxCredentials': () => {
        if (credentials.source === 'environment') throw new CredentialsFromEnvironmentError();
        // The listener reads the credentials on every request: the old password stops working now.
        credentials = regenerateBestRxCredentials(secrets);
        bestrx.configurationChanged();
        logger.warn('settings.bestrx_credentials_regenerated', {});
        return { endpoint_url: bestrx.url, username: credentials.username, password: credentials.password, source: credentials.source };
      },
      'settings.codeTables': () => codeTables as unknown as Record<string, Record<string, unknown>>,
      'settings.update': (input) => {
        const updated = appSettings.update(input);
        bestrx.configurationChanged();
        return updated;
      },
      'settings.updateCodeTables': (input) => {
        // Checked whole before anything is kept: a clash or an unknown name changes nothing.
        const next = parseCodeTableOverrides(input.overrides);
        settings.set(SettingKeys.codeTables, input.overrides);
        codeTables = next;
        bestrx.configurationChanged();
        logger.info('settings.code_tables_updated', { tables: Object.keys(input.overrides).join(',') });
        return codeTables as unknown as Record<string, Record<string, unknown>>;
      },
      'orders.dispatch': (input, context) => partnerEngine.dispatch(input, context.actor),
      'partners.status': () => ({ partners: partnerConnections.status() }),
      'partners.syncNow': async (input) => {
        await partnerEngine.syncNow(input.partner);
        return partnerConnections.statusOf(input.partner);
      },
      // The catalog is looked up before the call: a partner without one is not a partner failure.
      'partners.pharmacies': async (input) => {
        const catalog = catalogOf(input.partner);
        return { pharmacies: await partnerEngine.callThrough(input.partner, () => catalog.pharmacies()) };
      },
      'partners.medications': (input) => {
        const catalog = catalogOf(input.partner);
        return partnerEngine.callThrough(input.partner, () => catalog.medications(input.pharmacy_id, input.page));
      },
      'partners.configure': (input) => partnerConnections.configure(input),
      'partners.rotateCredentials': (input) => partnerEngine.callThrough(input.partner, () => partnerConnections.rotateCredentials(input.partner)),
      'partners.patientPrescriptions': (input) => partnerEngine.patientPrescriptions(input),
      'partners.incomingPrescriptions': (input) => partnerEngine.incomingPrescriptions(input),
      'partners.matchPrescription': (input, context) => partnerEngine.matchPrescription(input, context.actor),
      'partners.dismissPrescription': (input, context) => partnerEngine.dismissPrescription(input, context.actor),
      'partners.changeShippingAddress': (input, context) => partnerEngine.changeShippingAddress(input, context.actor),
      'partners.reorder': (input, context) => partnerEngine.reorder(input, context.actor),
      'sandbox.partnerPrescription': (input) => {
        const content = input.order_id === undefined ? undefined : loadOrderContent(db, input.order_id);
        if (input.order_id !== undefined && !content) throw new OrderNotFoundError(input.order_id);
        const outcome = partnerConnections.sandboxPrescription(input, content?.recipient);
        partnerEngine.wake(input.partner);
        return outcome;
      },
      'auth.status': (_input, context) => staff.status(deskOf(context)),
      'auth.login': (input, context) => staff.signIn(deskOf(context), input.username, input.secret),
      'auth.unlock': (input, context) => staff.unlock(deskOf(context), input.secret),
      'auth.logout': (_input, context) => staff.signOut(deskOf(context)),
      'auth.lock': (_input, context) => staff.lock(deskOf(context)),
      'staff.list': () => staff.list(),
      'staff.create': (input, context) => staff.create(input, context.actor),
      'staff.update': (input, context) => staff.update(input, context.actor),
      'staff.setIdleLock': (input, context) => staff.setIdleLock(input.minutes, context.actor, deskOf(context)),
      'audit.list': (input) => audit.list(input),
      'audit.verify': () => audit.verify(),
      'audit.export': () => audit.exportCsv(),
      'sandbox.partnerOrder': (input) => {
        if (!getOrderState(db, input.id)) throw new OrderNotFoundError(input.id);
        const dispatch = latestDispatchOfOrder(db, input.id);
        const outcome = partnerConnections.sandboxOrder(input, dispatch?.partner === input.partner ? (dispatch.partner_order_ref ?? undefined) : undefined);
        partnerEngine.wake(input.partner);
        return outcome;
      },
      'backups.list': () => backupsOverview(backups),
      'backups.run': async () => toBackupView(await backups.runNow()),
      'diagnostics.export': () =>
        diagnosticsDocument(
          buildDiagnostics({
            db,
            config,
            info,
            clock,
            settings: () => appSettings.get(),
            partners: () => partnerConnections.status(),
            backups: () => ({ backups: backups.list(), intervalHours: backups.intervalHours, keep: backups.keep, nextAt: backups.nextAt, lastFailure: backups.lastFailure }),
            logTail: deps.logTail ?? ((lines) => readLogTail(join(config.dataDir, LOG_DIR_NAME), lines)),
          }),
          clock.now(),
        ),
    },
    logger,
    staffGuard(staff, audit),
  );
  if (deps.backupSchedule !== false) backups.start();
  // Started last, once nothing above can fail, so a failed start leaves no thread behind.
  const checkpoints =
    deps.checkpointThreadScript && threadDatabase
      ? startBackgroundCheckpoints({ db, database: threadDatabase, script: deps.checkpointThreadScript, logger })
      : undefined;
  logger.info('core.started', {
    bestrx_url: bestrx.url,
    sandbox: config.sandbox,
    device_id: deviceId,
    status_target: sandbox ? 'bestrx simulator' : transportOptions ? 'configured' : 'none',
    status_requests: deps.statusSenderThreadScript && transportOptions && !deps.statusTransport ? 'worker thread' : 'this thread',
    bestrx_listener: deps.bestrxListenerThreadScript ? 'worker thread' : 'this thread',
  });
  return {
    orders,
    outbox,
    statusWorker: worker,
    appApi,
    events,
    bestrx,
    sandbox,
    partnerEngine,
    partners: partnerConnections,
    staff,
    audit,
    info,
    backups,
    async stop() {
      await backups.stop();
      await bestrx.close();
      await partnerConnections.stop();
      await worker?.stop();
      await transport?.close();
      await sandbox?.stop();
      // Last: everything above may still write, and the app closes the database after this.
      await checkpoints?.stop();
    },
  };
}

// A partner sync engine over a test order service, with United's connector and client pointed at
// a simulator: what a restarted process would build (only the database and the auth state shared).
import { silentLogger } from '../../src-main/core/logger';
import { PartnerSyncEngine, type PartnerSyncEngineDependencies } from '../../src-main/core/partners/partner-sync-engine';
import { UnitedClient, type UnitedAuthState, type UnitedClientOptions } from '../../src-main/core/partners/united/united-client';
import { UnitedConnector } from '../../src-main/core/partners/united/united-connector';
import type { UnitedSimulator } from '../../src-main/core/sandbox/united/united-simulator';
import type { createTestOrderService } from './order-service';

export interface AuthHolder {
  state: UnitedAuthState | undefined;
}

export function unitedTestClient(
  sim: UnitedSimulator,
  service: ReturnType<typeof createTestOrderService>,
  auth: AuthHolder,
  options: Partial<UnitedClientOptions> = {},
): UnitedClient {
  return new UnitedClient({
    baseUrl: sim.baseUrl,
    auth: { load: () => auth.state, save: (state) => void (auth.state = state) },
    clock: service.clock,
    logger: silentLogger,
    ...options,
  });
}

export async function startTestPartnerEngine(
  service: ReturnType<typeof createTestOrderService>,
  client: UnitedClient,
  options: Partial<PartnerSyncEngineDependencies> = {},
): Promise<PartnerSyncEngine> {
  const engine = new PartnerSyncEngine({
    db: service.db,
    writes: service.writes,
    clock: service.clock,
    orders: service.orders,
    events: service.events,
    logger: silentLogger,
    pollIntervalMs: () => 60_000,
    webhookUrl: () => undefined,
    schedule: false,
    ...options,
  });
  await engine.setConnector(new UnitedConnector(client, 'sandbox'));
  return engine;
}

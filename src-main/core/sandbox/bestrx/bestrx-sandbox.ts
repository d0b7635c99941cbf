// BestRx in sandbox mode (`npm run serve -- --sandbox`): the simulator that receives RxRelay's
// status pushes, started before the core so the status outbox can be pointed at it, then the
// demo order stream, started once RxRelay's provider endpoint is listening.
//
//   const bestrx = await startBestRxSandbox({ logger });
//   // start the core with statusUrl = bestrx.statusUrl, status credentials = bestrx.statusCredentials
//   bestrx.startDemoOrders({ providerUrl: core.bestrx.url, credentials: <what BestRx must send RxRelay> });
//   ...
//   await bestrx.stop();
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { RandomSource } from '../seeded-random';
import { BestRxClient } from './bestrx-client';
import { createBestRxSimulator, type BestRxSimulator, type SimulatorCredentials } from './bestrx-simulator';
import { DEFAULT_DEMO_ORDER_INTERVAL_MS, startDemoOrderStream, type DemoOrderEvent, type DemoOrderStream } from './demo-order-stream';

/** A sandbox-only request while status pushes go to a real BestRx. */
export class NotInSandboxError extends Error {
  constructor() {
    super('Status pushes go to a real BestRx (RXRELAY_STATUS_URL), not the sandbox simulator: there is nothing to show here.');
    this.name = 'NotInSandboxError';
  }
}

export interface BestRxSandboxOptions {
  logger: Logger;
  clock?: Clock;
  /** The simulator's port; 0 (default) picks a free one. */
  port?: number;
  /** What RxRelay must send with status pushes; generated for this session when absent. */
  statusCredentials?: SimulatorCredentials;
  /** Keep accepted pushes as JSON lines in this file too. */
  recordFile?: string;
}

export interface DemoOrdersOptions {
  /** RxRelay's provider endpoint (the core's `bestrx.url`). */
  providerUrl: string;
  /** The Basic credentials RxRelay expects from BestRx. */
  credentials: { username: string; password: string };
  /** Default DEFAULT_DEMO_ORDER_INTERVAL_MS (45 s). */
  intervalMs?: number;
  /** Default Math.random: a demo need not repeat itself. */
  random?: RandomSource;
  onOrder?: (event: DemoOrderEvent) => void;
}

export interface BestRxSandbox {
  simulator: BestRxSimulator;
  /** Where RxRelay's status outbox should push (RXRELAY_STATUS_URL). */
  statusUrl: string;
  statusCredentials: SimulatorCredentials;
  /** Starts the demo stream (once; a second call returns the running one). */
  startDemoOrders(options: DemoOrdersOptions): DemoOrderStream;
  /** Stops the demo stream, then the simulator. */
  stop(): Promise<void>;
}

export async function startBestRxSandbox(options: BestRxSandboxOptions): Promise<BestRxSandbox> {
  const statusCredentials = options.statusCredentials ?? {
    username: 'rxrelay-sandbox',
    password: randomBytes(18).toString('base64url'),
  };
  const simulator = await createBestRxSimulator({
    credentials: statusCredentials,
    port: options.port ?? 0,
    clock: options.clock,
    logger: options.logger,
    recordFile: options.recordFile,
  });
  let stream: DemoOrderStream | undefined;
  return {
    simulator,
    statusUrl: simulator.statusUrl,
    statusCredentials,
    startDemoOrders(demo) {
      stream ??= startDemoOrderStream({
        client: new BestRxClient({ baseUrl: demo.providerUrl, credentials: demo.credentials }),
        intervalMs: demo.intervalMs ?? DEFAULT_DEMO_ORDER_INTERVAL_MS,
        random: demo.random ?? Math.random,
        logger: options.logger,
        onOrder: demo.onOrder,
      });
      return stream;
    },
    async stop() {
      await stream?.stop();
      await simulator.close();
    },
  };
}

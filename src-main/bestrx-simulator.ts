// Composition root for BestRx's side as a process of its own (`npm run simulator`): the
// simulator that receives UpdateOrderStatus, for a pharmacy's test bench, the benchmark and
// out-of-process tests. (In sandbox mode RxRelay runs the same simulator inside itself.)
//
//   node out/main/bestrx-simulator.js [--port 8412] [--control-routes]
//   credentials RxRelay must send: RXRELAY_STATUS_USER / RXRELAY_STATUS_PASSWORD
import { createJsonLogger } from './core/logger';
import { createBestRxSimulator } from './core/sandbox/bestrx/bestrx-simulator';

const USAGE = `Usage: node out/main/bestrx-simulator.js [--port <port>] [--control-routes]
Credentials RxRelay must send: RXRELAY_STATUS_USER and RXRELAY_STATUS_PASSWORD (both required).`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portIndex = args.indexOf('--port');
  const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 0;
  const unknown = args.filter((arg, i) => arg !== '--control-routes' && arg !== '--port' && i !== portIndex + 1);
  const username = process.env.RXRELAY_STATUS_USER;
  const password = process.env.RXRELAY_STATUS_PASSWORD;
  if (unknown.length > 0 || !Number.isInteger(port) || port < 0 || port > 65535 || !username || !password) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const simulator = await createBestRxSimulator({
    port,
    credentials: { username, password },
    controlRoutes: args.includes('--control-routes'),
    logger: createJsonLogger(),
  });
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`BestRx simulator ready: ${simulator.statusUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`The BestRx simulator could not start: ${(error as Error).message}\n`);
  process.exit(1);
});

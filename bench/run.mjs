// `npm run bench`: how much of a bare Node HTTP server's throughput RxRelay's CreateOrder path
// keeps, and its latency at a fixed moderate rate; then how fast queued status pushes drain
// (bench/status-push-drain.mjs). The targets come from the issues; the run exits 1 when one
// fails, so the benchmark doubles as a check. Exit 2 means the harness itself could not run
// (build missing, a server did not start, ...).
//
// Both servers run as child processes, each with its own event loop; autocannon runs here. On
// a 2-core machine the three compete for CPU, so every round also records how much CPU each
// process (and everything else on the machine) used: without that, a slow round cannot be told
// apart from a busy neighbour.
import { closeSync, existsSync, openSync, rmSync, statfsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import {
  HEADLESS,
  SERVE_NODE_FLAGS,
  BARE,
  RESULTS_DIR,
  SETTINGS,
  TARGETS,
  CREDENTIALS,
  children,
  startChild,
  stopChild,
  peakRss,
  round,
  median,
  mean,
  load,
  sleep,
  failures,
  table,
  runColumns,
  directoryBytes,
  countOutcomes,
  prepareDataDir,
} from './lib.mjs';
import { runLabelRenderBenchOnFreshServer } from './label-render.mjs';
import { runStatusPushDrain } from './status-push-drain.mjs';

let tmpDir = null;

// --- main -------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(HEADLESS)) throw new Error(`${HEADLESS} is missing: run \`npx electron-vite build\` first (npm run bench does).`);
  const startedAt = new Date();
  const loadStart = os.loadavg();
  const tmp = (tmpDir = await mkdtemp(join(os.tmpdir(), 'rxrelay-bench-')));
  const serverLog = join(tmp, 'server.log');
  const logFd = openSync(serverLog, 'w');
  let real;
  let bare;
  try {
    // The real server gets only the credentials from our environment: an RXRELAY_* variable
    // left in the shell (a status URL, a sandbox switch) would change what is measured.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('RXRELAY_')));
    // The server's per-request log lines go to a file: a pipe read by this process would bill
    // the logging to the load generator's CPU.
    [real, bare] = await Promise.all([
      startChild('RxRelay', [...SERVE_NODE_FLAGS, HEADLESS, '--data-dir', prepareDataDir(join(tmp, 'data')), '--bestrx-port', '0', '--ui-port', '0'], {
        // No automatic backup (a copy of the whole database) in the middle of a measurement.
        env: { ...env, RXRELAY_BESTRX_USER: CREDENTIALS.user, RXRELAY_BESTRX_PASSWORD: CREDENTIALS.password, RXRELAY_BACKUP_INTERVAL_HOURS: '0' },
        stderr: logFd,
        readyPattern: /RxRelay ready: BestRx endpoint http:\/\/127\.0\.0\.1:(\d+)/,
      }),
      startChild('bare server', [BARE, '0'], { env, stderr: 'inherit', readyPattern: /^ready (\d+)$/m }),
    ]);
    const targets = { bare: { name: 'bare', port: bare.port }, real: { name: 'real', port: real.port } };
    const pids = { real: real.child.pid, bare: bare.child.pid };
    let fsType = null;
    try {
      fsType = statfsSync(tmp).type;
    } catch {
      // Older Node or no statfs: only informational.
    }
    if (fsType === 0x01021994) console.warn('warning: the temp dir is on tmpfs, so synchronous=FULL costs no disk flush here');

    console.log(`RxRelay on :${real.port}, bare node:http on :${bare.port}; ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
    const base = { connections: SETTINGS.connections, pids };

    // Warm-up: JIT, connection pools, SQLite's page cache and the first WAL checkpoint happen
    // here, not in the first measured round.
    const warmup = [];
    for (const name of ['bare', 'real']) {
      warmup.push({ label: 'warm-up', ...(await load(targets[name], { ...base, seconds: SETTINGS.warmupSeconds })) });
      await sleep(SETTINGS.settleMs);
    }

    // Interleaved A/B rounds: on a shared machine, load from elsewhere drifts over the run; by
    // alternating targets (and which goes first) the drift lands on both sides about equally
    // instead of on whichever ran second.
    const rounds = [];
    for (let i = 0; i < SETTINGS.rounds; i++) {
      const order = i % 2 === 0 ? ['bare', 'real'] : ['real', 'bare'];
      for (const name of order) {
        rounds.push({ label: `round ${i + 1}`, round: i + 1, ...(await load(targets[name], { ...base, seconds: SETTINGS.roundSeconds })) });
        await sleep(SETTINGS.settleMs);
      }
    }

    const fixed = {
      label: 'fixed rate',
      ...(await load(targets.real, { seconds: SETTINGS.fixedRateSeconds, connections: SETTINGS.fixedRateConnections, overallRate: SETTINGS.fixedRate, pids })),
    };
    fixed.achieved_rate = round(fixed.completed / fixed.seconds, 1);

    const memory = { real: peakRss(pids.real), bare: peakRss(pids.bare) };
    await Promise.all([stopChild(real.child), stopChild(bare.child)]);
    const outcomes = countOutcomes(serverLog);
    const databaseBytes = directoryBytes(join(tmp, 'data'));

    // Per target: mean of the rounds' req/s (throughput adds up), median of the rounds'
    // p50/p99 (one disturbed round should not move a percentile summary).
    const summarize = (name) => {
      const mine = rounds.filter((r) => r.target === name);
      return {
        rounds: mine.length,
        requests_per_second_mean: round(mean(mine.map((r) => r.requests_per_second)), 1),
        requests_per_second_min: Math.min(...mine.map((r) => r.requests_per_second)),
        requests_per_second_max: Math.max(...mine.map((r) => r.requests_per_second)),
        latency_p50_ms_median: round(median(mine.map((r) => r.latency_ms.p50)), 2),
        latency_p99_ms_median: round(median(mine.map((r) => r.latency_ms.p99)), 2),
        errors: mine.reduce((sum, r) => sum + r.errors, 0),
        timeouts: mine.reduce((sum, r) => sum + r.timeouts, 0),
        non_2xx: mine.reduce((sum, r) => sum + r.non_2xx, 0),
        server_cpu_us_per_request_median: round(median(mine.map((r) => r.server_cpu_us_per_request ?? NaN)), 0),
      };
    };
    const summary = { bare: summarize('bare'), real: summarize('real') };
    const ratio = round(summary.real.requests_per_second_mean / summary.bare.requests_per_second_mean, 3);
    // Each round's own ratio, real over bare of the same round: drift within a round pair
    // cancels, so their spread shows how much to trust the headline ratio.
    const roundRatios = [];
    for (let i = 1; i <= SETTINGS.rounds; i++) {
      const pair = rounds.filter((r) => r.round === i);
      const rate = (name) => pair.find((r) => r.target === name).requests_per_second;
      roundRatios.push(round(rate('real') / rate('bare'), 3));
    }

    // Zero errors means zero for every request sent to the real path in this run.
    const realRuns = [...warmup, ...rounds, fixed].filter((r) => r.target === 'real');
    const realFailures = {
      errors: realRuns.reduce((sum, r) => sum + r.errors, 0),
      timeouts: realRuns.reduce((sum, r) => sum + r.timeouts, 0),
      non_2xx: realRuns.reduce((sum, r) => sum + r.non_2xx, 0),
    };
    const realFailureCount = realFailures.errors + realFailures.timeouts + realFailures.non_2xx;
    const fixedRateReached = fixed.achieved_rate >= TARGETS.fixedRateAchievedShare * SETTINGS.fixedRate;

    // margin: measured over required (inverted for the latency), so >= 1 means met.
    const targetResults = [
      {
        name: `CreateOrder >= ${TARGETS.realRequestsPerSecond} req/s with zero errors`,
        pass: summary.real.requests_per_second_mean >= TARGETS.realRequestsPerSecond && realFailureCount === 0,
        value: `${summary.real.requests_per_second_mean} req/s (mean of ${SETTINGS.rounds} rounds), ${realFailureCount} errors+timeouts+non-2xx`,
        margin: round(summary.real.requests_per_second_mean / TARGETS.realRequestsPerSecond, 3),
      },
      {
        name: `ratio to bare >= ${TARGETS.ratioToBare} (synchronous=FULL)`,
        pass: ratio >= TARGETS.ratioToBare,
        value: `${ratio} (rounds: ${roundRatios.join(', ')})`,
        margin: round(ratio / TARGETS.ratioToBare, 3),
      },
      {
        name: `p99 <= ${TARGETS.fixedRateP99Ms} ms at a fixed ${SETTINGS.fixedRate} req/s`,
        pass: fixedRateReached && failures(fixed) === 0 && fixed.latency_ms.p99 <= TARGETS.fixedRateP99Ms,
        value: `p99 ${fixed.latency_ms.p99} ms at ${fixed.achieved_rate} req/s achieved${fixedRateReached ? '' : ' (rate NOT reached)'}`,
        margin: round(TARGETS.fixedRateP99Ms / fixed.latency_ms.p99, 3),
      },
    ];

    const labels = await runLabelRenderBenchOnFreshServer({ tmp, env, logFd });
    targetResults.push(...labels.targetResults);
    const drain = await runStatusPushDrain({ tmp, env, logFd });
    targetResults.push(...drain.targetResults);

    console.log('\n' + table([...warmup, ...rounds, fixed], runColumns));
    console.log('\n(latency: percentiles of every response time; cpu: cores used during the run, 1 = one full core; "other" is everything else on the machine, kernel I/O threads included)');
    console.log('(per target below: req/s is the mean of the rounds, p50/p99 the median of the round percentiles)');
    console.log(
      '\n' +
        table(
          ['bare', 'real'].map((name) => ({ name, ...summary[name] })),
          [
            ['target', (s) => s.name],
            ['req/s mean', (s) => s.requests_per_second_mean],
            ['min', (s) => s.requests_per_second_min],
            ['max', (s) => s.requests_per_second_max],
            ['p50 ms median', (s) => s.latency_p50_ms_median],
            ['p99 ms median', (s) => s.latency_p99_ms_median],
            ['srv µs/req median', (s) => s.server_cpu_us_per_request_median],
          ],
        ),
    );
    console.log(`\nratio real/bare: ${ratio} (per round: ${roundRatios.join(', ')})`);
    console.log(
      `fixed rate: ${fixed.achieved_rate} req/s achieved of ${SETTINGS.fixedRate} (${SETTINGS.fixedRateConnections} connections), ` +
        `p50 ${fixed.latency_ms.p50} ms, p99 ${fixed.latency_ms.p99} ms, p99.9 ${fixed.latency_ms.p99_9} ms, max ${fixed.latency_ms.max} ms, ` +
        `errors ${fixed.errors}, timeouts ${fixed.timeouts}, non-2xx ${fixed.non_2xx}`,
    );
    if (memory.real) console.log(`RxRelay peak RSS: ${memory.real.peak_rss_mib} MiB (bare server: ${memory.bare?.peak_rss_mib ?? '?'} MiB)`);
    if (outcomes) {
      const repeats = Object.entries(outcomes).filter(([kind]) => kind !== 'created');
      console.log(`orders: ${outcomes.created ?? 0} created${repeats.length ? `, UNEXPECTED ${repeats.map(([k, n]) => `${n} ${k}`).join(', ')}` : ''}`);
      if (databaseBytes && outcomes.created) console.log(`data dir: ${round(databaseBytes / 2 ** 20, 1)} MiB, ${round(databaseBytes / outcomes.created, 0)} bytes per order`);
    }
    console.log('');
    for (const t of targetResults) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value}`);

    const finishedAt = new Date();
    const report = {
      timestamp: startedAt.toISOString(),
      duration_seconds: round((finishedAt - startedAt) / 1000, 1),
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? null,
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        total_memory_mib: Math.round(os.totalmem() / 2 ** 20),
        load_average_start_end: [loadStart, os.loadavg()],
        temp_fs_type: fsType === null ? null : `0x${fsType.toString(16)}`,
      },
      settings: SETTINGS,
      targets: TARGETS,
      aggregation: 'req/s: mean of rounds; p50/p99: median of the round percentiles; latency percentiles per run are nearest-rank over every response time (ms)',
      results: targetResults,
      pass: targetResults.every((t) => t.pass),
      summary: { ...summary, ratio, round_ratios: roundRatios, real_failures: realFailures },
      fixed_rate: fixed,
      warmup,
      rounds,
      memory,
      create_order_outcomes: outcomes,
      label_render: labels.report,
      status_push_drain: drain.report,
      data_dir_bytes: databaseBytes,
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const json = JSON.stringify(report, null, 2) + '\n';
    await writeFile(join(RESULTS_DIR, `create-order-${stamp}.json`), json);
    await writeFile(join(RESULTS_DIR, 'latest.json'), json);
    console.log(`\nwrote bench/results/create-order-${stamp}.json and bench/results/latest.json`);
    return report.pass ? 0 : 1;
  } catch (error) {
    const tail = await readFile(serverLog, 'utf8').catch(() => '');
    if (tail) console.error(`last RxRelay log lines:\n${tail.trim().split('\n').slice(-10).join('\n')}`);
    throw error;
  } finally {
    await Promise.all([...children].map(stopChild));
    closeSync(logFd);
    await rm(tmp, { recursive: true, force: true });
    tmpDir = null;
  }
}

// Ctrl-C: stop the servers and remove the data dir before leaving.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    Promise.all([...children].map(stopChild)).finally(() => {
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench failed: ${error.stack ?? error}`);
    process.exit(2);
  },
);

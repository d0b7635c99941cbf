// Headless RxRelay as a child process (the built out/main/headless.js), for tests that must kill
// it for real or restart it on the same data folder: started on free ports, ready when it prints
// its `ready` line, which names the two URLs.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningHeadless {
  child: ChildProcess;
  bestrxUrl: string;
  uiUrl: string;
}

const READY = /ready: BestRx endpoint (\S+) \| UI (\S+)/;
const START_TIMEOUT_MS = 30_000;

export function startHeadlessProcess(options: { script: string; dataDir: string; cwd: string; env: NodeJS.ProcessEnv; args?: string[] }): Promise<RunningHeadless> {
  const child = spawn(process.execPath, [options.script, '--data-dir', options.dataDir, '--bestrx-port', '0', '--ui-port', '0', ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`RxRelay did not start: ${output}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = READY.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, bestrxUrl: ready[1]!, uiUrl: ready[2]! });
      }
    });
    // Read, so a chatty log never fills the pipe and stalls the child; kept for the error message.
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`RxRelay exited (${code}) before it was ready: ${output}`)));
  });
}

/** SIGKILL, resolved once the process is gone. */
export function killHeadless(running: RunningHeadless): Promise<void> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null || running.child.signalCode !== null) return resolve();
    running.child.once('exit', () => resolve());
    running.child.kill('SIGKILL');
  });
}

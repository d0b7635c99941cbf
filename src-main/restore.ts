// Entry of `npm run restore -- --data-dir <dir> --from <backup file>` (out/main/restore.js):
// puts a database backup back while RxRelay is stopped. See core/storage/restore.ts.
import { runRestoreCommand } from './core/storage/restore';

// The restored database holds patient data: readable by this user only, like everything RxRelay writes.
process.umask(0o077);
process.exitCode = runRestoreCommand(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
});

// Settings → Backups and diagnostics: the automatic backups (when, how many kept, whether the
// last one failed), "Back up now", and the support bundle — versions, counts and redacted logs,
// never a patient's data — saved as one file.
import { useCallback, useEffect, useState, type JSX } from 'react';
import type { AppApiError, BackupsOverview } from '../../../src-shared/app-api-contract';
import type { AppApiClient } from '../api/app-api-client';
import { saveDocument } from '../save-document';

const when = (iso: string) => new Date(iso).toLocaleString();
const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

export function BackupsAndDiagnostics({ api }: { api: AppApiClient }): JSX.Element {
  const [overview, setOverview] = useState<BackupsOverview | undefined>();
  const [busy, setBusy] = useState<'backup' | 'diagnostics' | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [problem, setProblem] = useState<AppApiError | undefined>();

  const load = useCallback(async () => {
    const reply = await api.call('backups.list', {});
    if (reply.ok) setOverview(reply.value);
    else setProblem(reply.error);
  }, [api]);

  useEffect(() => {
    let current = true;
    const refresh = () =>
      void api.call('backups.list', {}).then((reply) => {
        if (!current) return;
        if (reply.ok) setOverview(reply.value);
        else setProblem(reply.error);
      });
    refresh();
    const unsubscribe = api.subscribe((event) => {
      if (event.type === 'backups.changed') refresh();
    });
    return () => {
      current = false;
      unsubscribe();
    };
  }, [api]);

  const backUpNow = async () => {
    setBusy('backup');
    setProblem(undefined);
    const reply = await api.call('backups.run', {});
    setBusy(undefined);
    if (!reply.ok) return setProblem(reply.error);
    setMessage(`Backed up and checked: ${reply.value.file_name} (${megabytes(reply.value.size_bytes)}).`);
    void load();
  };

  const exportDiagnostics = async () => {
    setBusy('diagnostics');
    setProblem(undefined);
    const reply = await api.call('diagnostics.export', {});
    setBusy(undefined);
    if (!reply.ok) return setProblem(reply.error);
    saveDocument(reply.value);
    setMessage(`Saved ${reply.value.filename}: send it to support. It holds no patient data.`);
  };

  return (
    <div className="backups">
      {overview && (
        <p>
          {overview.interval_hours > 0
            ? `Every ${overview.interval_hours} hours, the newest ${overview.keep} kept, in ${overview.directory}.`
            : `Automatic backups are off (RXRELAY_BACKUP_INTERVAL_HOURS=0); ${overview.directory} keeps the ones made by hand.`}
          {overview.next_at ? ` Next: ${when(overview.next_at)}.` : ''}
        </p>
      )}
      {overview?.last_failure && (
        <p role="alert" className="inline-problem">
          The last backup failed ({when(overview.last_failure.at)}): {overview.last_failure.message} RxRelay tries again within the hour.
        </p>
      )}
      {overview && overview.backups.length > 0 ? (
        <table className="backup-list">
          <caption className="visually-hidden">Backups, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Checked</th>
            </tr>
          </thead>
          <tbody>
            {overview.backups.map((backup) => (
              <tr key={backup.file_name}>
                <td>{when(backup.created_at)}</td>
                <td>
                  <code>{backup.file_name}</code>
                </td>
                <td>{megabytes(backup.size_bytes)}</td>
                <td>{backup.verified ? 'Yes' : 'Not by RxRelay'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        overview && <p className="hint">No backup yet.</p>
      )}
      <p className="hint">To restore one, stop RxRelay and run npm run restore -- --data-dir &lt;folder&gt; --from &lt;file&gt;.</p>
      <div className="actions">
        <button type="button" className="primary" disabled={busy !== undefined || overview?.running} onClick={() => void backUpNow()}>
          {busy === 'backup' || overview?.running ? 'Backing up…' : 'Back up now'}
        </button>
        <button type="button" disabled={busy !== undefined} onClick={() => void exportDiagnostics()}>
          {busy === 'diagnostics' ? 'Preparing…' : 'Export diagnostics for support'}
        </button>
      </div>
      {message && <p role="status">{message}</p>}
      {problem && <p role="alert">{problem.message}</p>}
    </div>
  );
}

// The audit log (administrators; issue 9): every sign-in, read of an order, change, print and
// export, newest first, by order or by user; older rows on demand; the hash chain checked on
// demand ("Verify the chain"), and the whole log as CSV for a copy kept elsewhere.
import { useEffect, useState, type FormEvent, type JSX } from 'react';
import type { AppApiError, AuditEntryView, AuditVerification, StaffUserView } from '../../../src-shared/app-api-contract';
import type { AppApiClient } from '../api/app-api-client';
import { auditActionWords, auditDetailsWords, auditSubjectWords, CATEGORY_NAMES, isRecordSubject } from '../audit-words';
import { saveDocument } from '../save-document';

const PAGE_SIZE = 100;

interface Filter {
  subject: string;
  actor: string;
}

const NO_FILTER: Filter = { subject: '', actor: '' };

const filterInput = (filter: Filter) => ({
  ...(filter.subject.trim() ? { subject: filter.subject.trim() } : {}),
  ...(filter.actor.trim() ? { actor: filter.actor.trim() } : {}),
  limit: PAGE_SIZE,
});

export function AuditLog({ api }: { api: AppApiClient }): JSX.Element {
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [draft, setDraft] = useState<Filter>(NO_FILTER);
  const [entries, setEntries] = useState<AuditEntryView[] | undefined>();
  const [total, setTotal] = useState(0);
  const [more, setMore] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [version, setVersion] = useState(0);
  const [staff, setStaff] = useState<StaffUserView[]>([]);
  const [verification, setVerification] = useState<AuditVerification | undefined>();
  const [verifying, setVerifying] = useState(false);
  const [problem, setProblem] = useState<AppApiError | undefined>();

  useEffect(() => {
    void api.call('staff.list', {}).then((reply) => reply.ok && setStaff(reply.value.users));
  }, [api]);

  useEffect(() => {
    let current = true;
    void api.call('audit.list', filterInput(filter)).then((reply) => {
      if (!current) return;
      if (!reply.ok) return setProblem(reply.error);
      setProblem(undefined);
      setEntries(reply.value.entries);
      setTotal(reply.value.total);
      setMore(reply.value.entries.length === PAGE_SIZE);
    });
    return () => {
      current = false;
    };
  }, [api, filter, version]);

  const staffNames = new Map(staff.map((user) => [user.id, `${user.display_name} (${user.username})`]));
  const displayNames = new Map(staff.map((user) => [user.username, user.display_name]));

  const show = (next: Filter) => {
    setEntries(undefined);
    setDraft(next);
    setFilter(next);
    if (next === filter) setVersion((v) => v + 1);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    show({ ...draft });
  };

  const loadOlder = async () => {
    const oldest = entries?.at(-1);
    if (!oldest) return;
    setLoadingOlder(true);
    const reply = await api.call('audit.list', { ...filterInput(filter), before_seq: oldest.seq });
    setLoadingOlder(false);
    if (!reply.ok) return setProblem(reply.error);
    setEntries((shown) => [...(shown ?? []), ...reply.value.entries]);
    setMore(reply.value.entries.length === PAGE_SIZE);
  };

  const verify = async () => {
    setVerifying(true);
    setVerification(undefined);
    const reply = await api.call('audit.verify', {});
    setVerifying(false);
    if (!reply.ok) return setProblem(reply.error);
    setVerification(reply.value);
  };

  const exportCsv = async () => {
    const reply = await api.call('audit.export', {});
    if (!reply.ok) return setProblem(reply.error);
    saveDocument(reply.value);
  };

  const filtered = filter.subject.trim() !== '' || filter.actor.trim() !== '';
  return (
    <section className="audit-log" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <p className="hint">
        Every sign-in, look at an order, change, print and export, with who and when; never a patient’s details. Each row is chained to the one before by a
        hash: “Verify the chain” checks that none was changed or removed since it was written. Reading this log is recorded too.
      </p>

      <div className="audit-tools">
        <form className="audit-filter" aria-label="Filter the audit log" onSubmit={submit}>
          <label>
            Order id
            <input value={draft.subject} spellCheck={false} onChange={(e) => setDraft({ ...draft, subject: e.target.value })} />
          </label>
          <label>
            User
            <input list="audit-users" value={draft.actor} spellCheck={false} autoCapitalize="none" onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
            <datalist id="audit-users">
              {staff.map((user) => (
                <option key={user.id} value={user.username}>
                  {user.display_name}
                </option>
              ))}
            </datalist>
          </label>
          <button type="submit">Show</button>
          {filtered && (
            <button type="button" onClick={() => show(NO_FILTER)}>
              Show all
            </button>
          )}
        </form>
        <div className="audit-actions">
          <button type="button" className="primary" disabled={verifying} onClick={() => void verify()}>
            {verifying ? 'Verifying…' : 'Verify the chain'}
          </button>
          <button type="button" onClick={() => void exportCsv()}>
            Export CSV
          </button>
        </div>
      </div>

      {verification &&
        (verification.ok ? (
          <p role="status" className="verify-ok">
            The chain is intact: all {verification.rows} rows checked, none changed or removed.
          </p>
        ) : (
          <div role="alert" className="error verify-bad">
            <p>
              <strong>
                The chain is broken: {verification.rows} rows checked
                {verification.first_bad_seq !== null ? `, the first problem at row ${verification.first_bad_seq}` : ''}.
              </strong>{' '}
              Someone changed the log outside RxRelay. Keep the exported copies and backups; tell whoever looks after this computer.
            </p>
            <ul>
              {verification.problems.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
        ))}
      {problem && (
        <p role="alert" className="error">
          {problem.message}
        </p>
      )}

      {entries === undefined ? (
        !problem && <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <p className="list-count">
            {filtered
              ? `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}${filter.subject.trim() ? ` for ${filter.subject.trim()}` : ''}${filter.actor.trim() ? ` by ${filter.actor.trim()}` : ''}, newest first (the whole log has ${total}).`
              : `The newest ${entries.length} of ${total} ${total === 1 ? 'entry' : 'entries'}.`}
          </p>
          {entries.length === 0 ? (
            <p className="empty">Nothing recorded{filtered ? ' for this filter' : ''}.</p>
          ) : (
            <table className="audit-table">
              <caption className="visually-hidden">Audit log entries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">About</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.seq}>
                    <td className="seq">{entry.seq}</td>
                    <td>
                      <time dateTime={entry.at}>{new Date(entry.at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' })}</time>
                    </td>
                    <td>
                      <button type="button" className="link-button" aria-label={`Show only ${entry.actor}`} title="Show only this user" onClick={() => show({ subject: '', actor: entry.actor })}>
                        {entry.actor}
                      </button>
                      {displayNames.get(entry.actor) && <span className="audit-name">{displayNames.get(entry.actor)}</span>}
                    </td>
                    <td>
                      <span className={`badge audit-${entry.category}`}>{CATEGORY_NAMES[entry.category]}</span> {auditActionWords(entry.action)}
                      <code className="audit-action">{entry.action}</code>
                    </td>
                    <td>
                      {isRecordSubject(entry.subject) ? (
                        <button
                          type="button"
                          className="link-button"
                          aria-label={`Show only ${auditSubjectWords(entry.subject, staffNames)}`}
                          title="Show only this"
                          onClick={() => show({ subject: entry.subject ?? '', actor: '' })}
                        >
                          {auditSubjectWords(entry.subject, staffNames)}
                        </button>
                      ) : (
                        auditSubjectWords(entry.subject, staffNames)
                      )}
                    </td>
                    <td className="audit-details">{auditDetailsWords(entry.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {more && (
            <button type="button" className="load-older" disabled={loadingOlder} onClick={() => void loadOlder()}>
              {loadingOlder ? 'Loading…' : 'Load older'}
            </button>
          )}
        </>
      )}
    </section>
  );
}

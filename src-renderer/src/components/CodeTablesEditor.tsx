// BestRx's code tables: shown as in use, and editable once BestRx confirms its numbering. Saved
// whole: the core refuses a table in which two values share a code, and nothing changes then.
import { useState, type JSX } from 'react';
import type { AppApiError } from '../../../src-shared/app-api-contract';
import type { AppApiClient } from '../api/app-api-client';

export type CodeTableView = Record<string, Record<string, unknown>>;

const TABLE_NAMES: Record<string, string> = {
  status: 'Order status',
  relation: 'Signer relation',
  idType: 'ID type',
  messageType: 'Message type',
  labelFileType: 'Label file type',
};

interface CodedValue {
  code: string;
  description: string;
}

const isCoded = (value: unknown): value is CodedValue => typeof value === 'object' && value !== null && 'code' in value;

export function CodeTablesEditor({ api, tables, onSaved }: { api: AppApiClient; tables: CodeTableView; onSaved: (tables: CodeTableView) => void }): JSX.Element {
  const [draft, setDraft] = useState<CodeTableView | undefined>();
  const [problem, setProblem] = useState<AppApiError | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const shown = draft ?? tables;

  const change = (table: string, name: string, value: unknown) => {
    setDraft((current) => {
      const base = current ?? tables;
      return { ...base, [table]: { ...base[table], [name]: value } };
    });
  };

  const save = async (overrides: CodeTableView, done: string) => {
    setProblem(undefined);
    const reply = await api.call('settings.updateCodeTables', { overrides });
    if (!reply.ok) return setProblem(reply.error);
    setDraft(undefined);
    setSaved(done);
    onSaved(reply.value);
  };

  return (
    <>
      <p className="hint">
        BestRx’s numbers for each value. BestRx publishes none: confirm them with BestRx before going live. Changes apply to every answer and status update
        from now on.
      </p>
      {saved && (
        <p role="status">{saved}</p>
      )}
      {problem && (
        <div className="error" role="alert">
          <p>The code tables were not saved: {problem.details && problem.details.length > 0 ? '' : problem.message}</p>
          {problem.details && problem.details.length > 0 && (
            <ul>
              {problem.details.map((detail) => (
                <li key={detail}>{detail}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="code-tables">
        {Object.entries(shown).map(([table, values]) => (
          <table key={table}>
            <caption>{TABLE_NAMES[table] ?? table}</caption>
            <thead>
              <tr>
                <th scope="col">Value</th>
                <th scope="col">Code</th>
                {Object.values(values).some(isCoded) && <th scope="col">Description</th>}
              </tr>
            </thead>
            <tbody>
              {Object.entries(values).map(([name, value]) => {
                const label = name.replaceAll('_', ' ');
                return (
                  <tr key={name}>
                    <td>{label}</td>
                    {isCoded(value) ? (
                      <>
                        <td>
                          <input
                            className="code-input"
                            aria-label={`${TABLE_NAMES[table] ?? table}: code for ${label}`}
                            inputMode="numeric"
                            value={value.code}
                            onChange={(e) => change(table, name, { ...value, code: e.target.value })}
                          />
                        </td>
                        <td>
                          <input
                            aria-label={`${TABLE_NAMES[table] ?? table}: description for ${label}`}
                            value={value.description}
                            onChange={(e) => change(table, name, { ...value, description: e.target.value })}
                          />
                        </td>
                      </>
                    ) : (
                      <td>
                        <input
                          className="code-input"
                          aria-label={`${TABLE_NAMES[table] ?? table}: code for ${label}`}
                          inputMode="numeric"
                          value={String(value)}
                          onChange={(e) => change(table, name, e.target.value === '' || Number.isNaN(Number(e.target.value)) ? e.target.value : Number(e.target.value))}
                        />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
      </div>
      <div className="actions">
        <button type="button" disabled={!draft} onClick={() => draft && void save(draft, 'Code tables saved.')}>
          Save code tables
        </button>
        <button type="button" className="secondary" disabled={!draft} onClick={() => setDraft(undefined)}>
          Discard changes
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => window.confirm('Go back to RxRelay’s default codes for every table?') && void save({}, 'Default code tables restored.')}
        >
          Restore defaults
        </button>
      </div>
    </>
  );
}

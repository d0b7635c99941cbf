// The app API's one implementation. Every transport (Electron IPC, headless HTTP) hands the
// method name and the untrusted input here; the input is validated against the shared zod
// contract before any handler sees it, and every outcome is a reply, never a thrown error.
import { ZodError } from 'zod';
import {
  appApiInputSchemas,
  isAppApiMethod,
  type AppApiError,
  type AppApiMethod,
  type AppApiOutput,
  type AppApiParsedInput,
  type AppApiReply,
} from '../../../src-shared/app-api-contract';
import type { Logger } from '../logger';
import { CourierRunNotFoundError } from '../orders/courier-run-service';
import { InvalidProofError, OrderNotFoundError, TransitionRefusedError } from '../orders/order-service';
import { StatusPushFinishedError, StatusPushNotFoundError } from '../outbox/status-push-outbox';
import { NotInSandboxError } from '../sandbox/bestrx/bestrx-sandbox';
import { CredentialsFromEnvironmentError } from '../settings/bestrx-credentials';
import { PartnerRequestError } from '../partners/partner-connector';
import { StaffAuthError, StaffInputError } from '../staff/staff-service';
import { BackupFailedError } from '../storage/backups';
import { InvalidCodeTablesError } from '../domain/code-tables';
import { PartnerConfigurationError } from '../partners/partner-connections';
import { DispatchDetailsError, PartnerNotConnectedError, PartnerPausedError, PrescriptionNotFoundError } from '../partners/partner-sync-engine';

/** Who is calling: recorded as the actor on every change the call makes. */
export interface AppApiContext {
  actor: string;
  /** The screen the call comes from ('electron', 'headless-ui'): who is signed in there acts. */
  desk?: string | undefined;
}

/**
 * Access control and the audit trail around every call (staff/staff-service.ts,
 * audit/audit-log.ts): who may call, as whom, and what the audit log records of it.
 */
export interface AppApiGuard {
  /** The context the call runs in (the signed-in user as actor); throws StaffAuthError when refused. */
  authorize(method: AppApiMethod, context: AppApiContext): AppApiContext;
  /** After a call succeeded: its audit row, if the method's policy asks for one. */
  record(method: AppApiMethod, input: unknown, context: AppApiContext): Promise<void>;
}

export type AppApiHandlers = {
  [M in AppApiMethod]: (input: AppApiParsedInput<M>, context: AppApiContext) => AppApiOutput<M> | Promise<AppApiOutput<M>>;
};

/** `proof.signer.first_name`, `proof.consents[0].response` */
function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

export class AppApi {
  constructor(
    private readonly handlers: AppApiHandlers,
    private readonly logger: Logger,
    private readonly guard?: AppApiGuard,
  ) {}

  async call(method: unknown, input: unknown, context: AppApiContext): Promise<AppApiReply<unknown>> {
    if (!isAppApiMethod(method)) {
      return { ok: false, error: { code: 'unknown_method', message: `There is no app API method "${String(method)}".` } };
    }
    try {
      return { ok: true, value: await this.dispatch(method, input ?? {}, context) };
    } catch (error) {
      return { ok: false, error: this.toApiError(method, error) };
    }
  }

  private async dispatch<M extends AppApiMethod>(method: M, input: unknown, context: AppApiContext): Promise<AppApiOutput<M>> {
    // Who may call comes before what they sent: a locked desk learns nothing from validation errors.
    const acting = this.guard ? this.guard.authorize(method, context) : context;
    const parsed = appApiInputSchemas[method].parse(input) as AppApiParsedInput<M>;
    const handler = this.handlers[method] as (input: AppApiParsedInput<M>, context: AppApiContext) => AppApiOutput<M> | Promise<AppApiOutput<M>>;
    const output = await handler(parsed, acting);
    await this.guard?.record(method, parsed, acting);
    return output;
  }

  private toApiError(method: AppApiMethod, error: unknown): AppApiError {
    if (error instanceof StaffAuthError) return { code: error.code, message: error.message };
    if (error instanceof StaffInputError) return { code: 'invalid_input', message: error.message, details: error.problems };
    if (error instanceof ZodError) {
      const details = error.issues.map((issue) => `${issuePath(issue.path) || '(input)'}: ${issue.message}`);
      return { code: 'invalid_input', message: `Invalid input for ${method}: ${details.join('; ')}`, details };
    }
    if (error instanceof OrderNotFoundError || error instanceof StatusPushNotFoundError || error instanceof CourierRunNotFoundError || error instanceof PrescriptionNotFoundError) {
      return { code: 'not_found', message: error.message };
    }
    if (error instanceof StatusPushFinishedError || error instanceof CredentialsFromEnvironmentError) return { code: 'conflict', message: error.message };
    if (error instanceof NotInSandboxError) return { code: 'not_found', message: error.message };
    if (error instanceof TransitionRefusedError) return { code: 'transition_refused', message: error.message, details: error.reasons };
    if (error instanceof InvalidProofError) return { code: 'invalid_input', message: error.message, details: error.problems };
    if (error instanceof DispatchDetailsError || error instanceof PartnerConfigurationError || error instanceof InvalidCodeTablesError) {
      return { code: 'invalid_input', message: error.message, details: error.problems };
    }
    if (error instanceof PartnerNotConnectedError || error instanceof PartnerPausedError) return { code: 'partner_unavailable', message: error.message };
    if (error instanceof PartnerRequestError) {
      if (error.kind === 'rejected' || error.kind === 'invalid_request') return { code: 'invalid_input', message: error.message, details: error.details };
      if (error.kind === 'not_found') return { code: 'not_found', message: error.message };
      return { code: 'partner_unavailable', message: error.message };
    }
    // Logged where it happened, and said in plain words (disk full, …).
    if (error instanceof BackupFailedError) return { code: 'internal', message: error.message };
    this.logger.error('app_api.internal_error', { method, error: (error as Error).name });
    return { code: 'internal', message: 'RxRelay hit an unexpected problem. Please check the order and try again.' };
  }
}

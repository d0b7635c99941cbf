// A status push's state and last failure, said the way the person at the counter needs it:
// what went wrong and whether RxRelay is still trying.
import type { StatusPushView } from '../../src-shared/app-api-contract';

/** What a failure means, for the person at the counter. */
export function plainWords(push: Pick<StatusPushView, 'state' | 'last_error' | 'last_http_status' | 'held_back_by' | 'attempts'>): string {
  if (push.state === 'delivered') return 'BestRx has it.';
  if (push.state === 'skipped') return 'Skipped by staff: BestRx was not told.';
  if (push.held_back_by !== null) return `Waits for an earlier status of this order (#${push.held_back_by}) to reach BestRx first.`;
  const status = push.last_http_status;
  const reason =
    status === 401 || status === 403
      ? 'BestRx refused RxRelay’s credentials: check the UpdateOrderStatus user and password.'
      : status === 404
        ? 'BestRx’s address for status updates is wrong (not found).'
        : status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429
          ? 'BestRx refused this update as invalid.'
          : status === 429
            ? 'BestRx asked RxRelay to slow down.'
            : status !== null && status >= 500
              ? 'BestRx had a problem on its side.'
              : push.last_error
                ? 'BestRx could not be reached (network or BestRx down).'
                : '';
  if (push.state === 'dead') return `${reason || 'It kept failing.'} RxRelay stopped trying: send it again, or skip it.`;
  return push.attempts === 0 ? 'Not sent yet.' : `${reason} RxRelay keeps trying.`;
}


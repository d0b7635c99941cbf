// Faults the BestRx simulator plays on demand, so RxRelay's status outbox can be tested against
// every way BestRx (or the network in between) can fail: server errors, throttling with
// Retry-After, slow answers, dropped connections, and 200s that still say "not updated".
//
// Two kinds of rule: `next` faults are played for the next `times` matching pushes and then
// forgotten (first queued, first played); `always` faults are played on every matching push
// until cleared. A `next` fault wins over an `always` one. `forOrder` limits a rule to the
// pushes of one provider_order_id.
import { z } from 'zod';

const retryAfterSeconds = z.number().int().min(0).max(86_400);

const ruleScope = {
  /** How many matching pushes a `next` rule answers (default 1). Ignored by `always`. */
  times: z.number().int().min(1).max(10_000).optional(),
  /** Only pushes whose provider_order_id is this one. */
  forOrder: z.string().min(1).max(64).optional(),
};

/** Every kind of fault; the same JSON is accepted over the simulator's control route. */
export const faultRuleSchema = z.discriminatedUnion('kind', [
  /** 500 with a BestRx-style JSON error body. */
  z.strictObject({ kind: z.literal('http-500'), ...ruleScope }),
  /** 503 with an HTML body, as a gateway or IIS answers; Retry-After when given. */
  z.strictObject({ kind: z.literal('http-503'), retryAfterSeconds: retryAfterSeconds.optional(), ...ruleScope }),
  /** 429 with Retry-After. */
  z.strictObject({ kind: z.literal('http-429'), retryAfterSeconds, ...ruleScope }),
  /** 400: a permanent refusal that no retry will change. */
  z.strictObject({ kind: z.literal('http-400'), ...ruleScope }),
  /** Answers correctly, but only after `delayMs`. */
  z.strictObject({ kind: z.literal('slow'), delayMs: z.number().int().min(0).max(600_000), ...ruleScope }),
  /**
   * Destroys the socket without answering. With `afterRecording`, BestRx applied the update
   * first (the push is recorded) and only the answer was lost: the case at-least-once delivery
   * exists for, where the retry arrives as a duplicate.
   */
  z.strictObject({ kind: z.literal('drop'), afterRecording: z.boolean().optional(), ...ruleScope }),
  /** 200, but `status_updated: "false"` with an Error message. */
  z.strictObject({ kind: z.literal('not-updated'), ...ruleScope }),
  /** 200 and `status_updated: "true"`, yet an Error-type message in `messages`. */
  z.strictObject({ kind: z.literal('error-message'), ...ruleScope }),
]);

/** A fault and where it applies, as `faults.next()` / `faults.always()` and the control route take it. */
export type FaultRule = z.infer<typeof faultRuleSchema>;

export interface FaultScope {
  times?: number;
  forOrder?: string;
}

/** The fault alone, without its scope. */
export type Fault = WithoutScope<FaultRule>;
type WithoutScope<Rule> = Rule extends unknown ? Omit<Rule, keyof FaultScope> : never;

export type FaultKind = Fault['kind'];
export const FAULT_KINDS = faultRuleSchema.options.map((option) => option.shape.kind.value) as FaultKind[];

/** A rule as the injector holds it, for the control route and for tests to inspect. */
export type ActiveFault = Fault & { mode: 'next' | 'always'; remaining: number | null; forOrder: string | null };

export class InvalidFaultError extends Error {
  constructor(readonly problems: string[]) {
    super(`Not a fault the BestRx simulator knows: ${problems.join('; ')}`);
    this.name = 'InvalidFaultError';
  }
}

/** Reads a fault rule (from code or from JSON), refusing unknown kinds and bad numbers. */
export function parseFaultRule(input: unknown): FaultRule {
  const result = faultRuleSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidFaultError(result.error.issues.map((issue) => `${issue.path.join('.') || 'kind'}: ${issue.message}`));
  }
  return result.data;
}

interface HeldRule {
  fault: Fault;
  forOrder: string | null;
  remaining: number | null;
}

function faultOf(rule: FaultRule): Fault {
  const { times: _times, forOrder: _forOrder, ...fault } = rule;
  return fault as Fault;
}

export class FaultInjector {
  private queued: HeldRule[] = [];
  private standing: HeldRule[] = [];

  /** Plays `rule` on the next `times` (default 1) matching pushes. */
  next(rule: FaultRule): void {
    const parsed = parseFaultRule(rule);
    this.queued.push({ fault: faultOf(parsed), forOrder: parsed.forOrder ?? null, remaining: parsed.times ?? 1 });
  }

  /** Plays `rule` on every matching push until `clear()`. */
  always(rule: FaultRule): void {
    const parsed = parseFaultRule(rule);
    this.standing.push({ fault: faultOf(parsed), forOrder: parsed.forOrder ?? null, remaining: null });
  }

  clear(): void {
    this.queued = [];
    this.standing = [];
  }

  /**
   * The fault to play on a push of `providerOrderId` (null when the body named none), using up
   * one time of a `next` rule; undefined when the push is to be answered normally.
   */
  take(providerOrderId: string | null): Fault | undefined {
    const matches = (rule: HeldRule) => rule.forOrder === null || rule.forOrder === providerOrderId;
    const index = this.queued.findIndex(matches);
    const queued = this.queued[index];
    if (queued) {
      queued.remaining = (queued.remaining ?? 1) - 1;
      if (queued.remaining <= 0) this.queued.splice(index, 1);
      return queued.fault;
    }
    return this.standing.find(matches)?.fault;
  }

  /** The rules still in force, `next` ones first in the order they will be played. */
  list(): ActiveFault[] {
    const view = (mode: ActiveFault['mode']) => (rule: HeldRule): ActiveFault => ({ ...rule.fault, mode, remaining: rule.remaining, forOrder: rule.forOrder });
    return [...this.queued.map(view('next')), ...this.standing.map(view('always'))];
  }
}

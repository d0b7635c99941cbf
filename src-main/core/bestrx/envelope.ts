// BestRx's answer envelope, on every response including errors:
// { data, request_is_valid, messages: [{ message_code, message, message_type }] }.
// request_is_valid is true only on a 200. message_type numbers come from the code table.
import type { CodeTables, MessageType } from '../domain/code-tables';

export interface BestRxMessage {
  message_code: string;
  message: string;
  message_type: number;
}

export interface BestRxEnvelope<D = Record<string, unknown>> {
  data: D;
  request_is_valid: boolean;
  messages: BestRxMessage[];
}

/** RxRelay's message codes (BestRx publishes no table of its own: vendor-facts.md §2.10). */
export const MessageCode = {
  missingField: 'MISSING_FIELD',
  invalidField: 'INVALID_FIELD',
  invalidJson: 'INVALID_JSON',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  bodyTooLarge: 'BODY_TOO_LARGE',
  unauthorized: 'UNAUTHORIZED',
  forbiddenOrigin: 'ORIGIN_NOT_ALLOWED',
  forbiddenHost: 'HOST_NOT_ALLOWED',
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  orderNotFound: 'ORDER_NOT_FOUND',
  orderLocked: 'ORDER_LOCKED',
  orderDelivered: 'ORDER_DELIVERED',
  orderExists: 'ORDER_ALREADY_RECEIVED',
  orderUpdated: 'ORDER_UPDATED',
  orderCancelled: 'ORDER_CANCELLED',
  returnRequested: 'RETURN_REQUESTED',
  idMismatch: 'ID_MISMATCH',
  totalMismatch: 'TOTAL_MISMATCH',
  addressCheck: 'ADDRESS_CHECK',
  labelNotReady: 'LABEL_NOT_AVAILABLE',
  internal: 'INTERNAL_ERROR',
} as const;

export type MessageCodeValue = (typeof MessageCode)[keyof typeof MessageCode];

export interface EnvelopeMessage {
  type: MessageType;
  code: string;
  text: string;
}

export function envelope<D>(tables: CodeTables, data: D, valid: boolean, messages: readonly EnvelopeMessage[] = []): BestRxEnvelope<D> {
  return {
    data,
    request_is_valid: valid,
    messages: messages.map((m) => ({ message_code: m.code, message: m.text, message_type: tables.messageType[m.type] })),
  };
}

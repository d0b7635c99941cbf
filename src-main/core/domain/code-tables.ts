// BestRx's code tables, in one place.
//
// BestRx publishes no authoritative numbering for any of these (vendor-facts.md §2.9). The
// defaults follow the order in which BestRx's own document lists each value, which matches the
// ASAP prescription-monitoring lists for relation and ID type. Every table can be overridden in
// Settings once BestRx confirms its numbering, without touching code or stored data: orders and
// events store names (`spouse`, `delivered`), and codes are looked up only at the wire.
import { z } from 'zod';
import { ORDER_STATUSES, type OrderStatus } from '../../../src-shared/order-status';
import { ID_TYPES, SIGNER_RELATIONS, type IdType, type SignerRelation } from '../../../src-shared/signer-codes';

export interface CodedValue {
  code: string;
  description: string;
}

export const MESSAGE_TYPES = ['information', 'warning', 'error', 'success', 'unknown'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const LABEL_FILE_TYPES = ['png', 'jpeg', 'gif'] as const;
export type LabelFileType = (typeof LABEL_FILE_TYPES)[number];

export interface CodeTables {
  status: Record<OrderStatus, CodedValue>;
  relation: Record<SignerRelation, CodedValue>;
  idType: Record<IdType, CodedValue>;
  messageType: Record<MessageType, number>;
  labelFileType: Record<LabelFileType, number>;
}

export const DEFAULT_CODE_TABLES: CodeTables = {
  status: {
    created: { code: '1', description: 'Order Created' },
    acknowledged: { code: '2', description: 'Order Acknowledged' },
    cancelled: { code: '3', description: 'Delivery/Shipment Cancelled' },
    picked_up: { code: '4', description: 'Picked Up by Courier/Carrier' },
    in_transit: { code: '5', description: 'Delivery/Shipment In Transit' },
    out_for_delivery: { code: '6', description: 'Out For Delivery' },
    delivered: { code: '7', description: 'Delivery/Shipment Delivered' },
    attempted: { code: '8', description: 'Delivery Attempted' },
    unable_to_deliver: { code: '9', description: 'Unable To Deliver' },
    returned: { code: '10', description: 'Returned To Pharmacy/Store' },
  },
  relation: {
    patient: { code: '1', description: 'Patient/Customer' },
    parent_or_guardian: { code: '2', description: 'Parent or Legal Guardian' },
    spouse: { code: '3', description: 'Spouse' },
    caregiver: { code: '4', description: 'Caregiver' },
    other: { code: '99', description: 'Other' },
  },
  idType: {
    military_id: { code: '1', description: 'Military ID' },
    state_id: { code: '2', description: 'State Issued ID' },
    unique_system_id: { code: '3', description: 'Unique System ID' },
    permanent_resident_card: { code: '4', description: 'Permanent Resident Card' },
    passport: { code: '5', description: 'Passport' },
    drivers_license: { code: '6', description: "Driver's License ID" },
    social_security_number: { code: '7', description: 'Social Security Number' },
    tribal_id: { code: '8', description: 'Tribal ID' },
    other: { code: '99', description: 'Other' },
  },
  messageType: { information: 0, warning: 1, error: 2, success: 3, unknown: 4 },
  labelFileType: { png: 1, jpeg: 2, gif: 3 },
};

const codedValue = z.object({
  code: z.union([z.string().trim().regex(/^\d{1,4}$/), z.number().int().min(0).max(9999)]).transform(String),
  description: z.string().trim().min(1).max(100),
});

function partialTable<const K extends readonly string[]>(keys: K) {
  return z
    .object(Object.fromEntries(keys.map((key) => [key, codedValue.optional()])) as Record<K[number], z.ZodOptional<typeof codedValue>>)
    .strict()
    .optional();
}

/** What Settings may override. Anything left out keeps its default. */
export const codeTableOverridesSchema = z
  .object({
    status: partialTable(ORDER_STATUSES),
    relation: partialTable(SIGNER_RELATIONS),
    idType: partialTable(ID_TYPES),
    messageType: z.object(Object.fromEntries(MESSAGE_TYPES.map((key) => [key, z.number().int().min(0).max(99).optional()]))).strict().optional(),
    labelFileType: z.object(Object.fromEntries(LABEL_FILE_TYPES.map((key) => [key, z.number().int().min(0).max(99).optional()]))).strict().optional(),
  })
  .strict();

export type CodeTableOverrides = z.input<typeof codeTableOverridesSchema>;

/**
 * Merges Settings overrides onto the defaults and refuses a table in which two names share a
 * code: BestRx could not tell them apart, and a code read back from BestRx would be ambiguous.
 */
export function buildCodeTables(overrides: unknown = {}): CodeTables {
  const parsed = codeTableOverridesSchema.parse(overrides ?? {});
  const merge = <T extends object>(base: T, extra: object | undefined): T => {
    const merged = { ...base } as Record<string, unknown>;
    for (const [key, value] of Object.entries(extra ?? {})) if (value !== undefined) merged[key] = value;
    return merged as T;
  };
  const tables: CodeTables = {
    status: merge(DEFAULT_CODE_TABLES.status, parsed.status),
    relation: merge(DEFAULT_CODE_TABLES.relation, parsed.relation),
    idType: merge(DEFAULT_CODE_TABLES.idType, parsed.idType),
    messageType: merge(DEFAULT_CODE_TABLES.messageType, parsed.messageType),
    labelFileType: merge(DEFAULT_CODE_TABLES.labelFileType, parsed.labelFileType),
  };
  for (const [tableName, table] of [
    ['status', tables.status],
    ['relation', tables.relation],
    ['idType', tables.idType],
    ['messageType', tables.messageType],
    ['labelFileType', tables.labelFileType],
  ] as const) {
    const seen = new Map<string, string>();
    for (const [name, value] of Object.entries(table) as Array<[string, CodedValue | number]>) {
      const code = typeof value === 'number' ? String(value) : value.code;
      const clash = seen.get(code);
      if (clash) throw new Error(`Code table ${tableName}: ${clash} and ${name} both use code ${code}`);
      seen.set(code, name);
    }
  }
  return tables;
}

/** Code tables from staff's edits, or every reason they cannot be used. */
export class InvalidCodeTablesError extends Error {
  constructor(readonly problems: string[]) {
    super(`The code tables are not valid: ${problems.join('; ')}`);
    this.name = 'InvalidCodeTablesError';
  }
}

export function parseCodeTableOverrides(overrides: unknown): CodeTables {
  try {
    return buildCodeTables(overrides);
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new InvalidCodeTablesError(error.issues.map((issue) => `${issue.path.join('.') || '(tables)'}: ${issue.message}`));
    }
    throw new InvalidCodeTablesError([(error as Error).message]);
  }
}

/** Resolves a name (`spouse`) or a code (`3`, 3) against a table; undefined when neither matches. */
export function resolveCodedName<N extends string>(table: Record<N, CodedValue>, nameOrCode: string | number): N | undefined {
  const text = String(nameOrCode).trim();
  const lower = text.toLowerCase();
  for (const [name, value] of Object.entries(table) as Array<[N, CodedValue]>) {
    if (name === lower || value.code === text) return name;
  }
  return undefined;
}

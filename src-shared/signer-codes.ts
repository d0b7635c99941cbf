// Names for the people and documents recorded at the door. BestRx wants numeric codes for
// these (see the code tables in src-main/core/domain/code-tables.ts); the app speaks in names
// so that a changed code table never changes what staff see or what is stored.

export const SIGNER_RELATIONS = ['patient', 'parent_or_guardian', 'spouse', 'caregiver', 'other'] as const;
export type SignerRelation = (typeof SIGNER_RELATIONS)[number];

export const ID_TYPES = [
  'military_id',
  'state_id',
  'unique_system_id',
  'permanent_resident_card',
  'passport',
  'drivers_license',
  'social_security_number',
  'tribal_id',
  'other',
] as const;
export type IdType = (typeof ID_TYPES)[number];

export const COLLECTION_METHODS = ['cash', 'check', 'card', 'other'] as const;
export type CollectionMethod = (typeof COLLECTION_METHODS)[number];

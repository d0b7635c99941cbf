import { describe, expect, it } from 'vitest';
import { auditActionWords, auditDetailsWords, auditSubjectWords, isRecordSubject } from '../../../src-renderer/src/audit-words';

describe('the audit log in words', () => {
  it('says what was done, an order’s own events too, and the method when it knows no better', () => {
    expect(auditActionWords('auth.signed_in')).toBe('Signed in');
    expect(auditActionWords('orders.get')).toBe('Opened an order');
    expect(auditActionWords('order.label_printed')).toBe('Order: label printed');
    // The core records a staff change twice: the call, and the change it made.
    expect(auditActionWords('staff.create')).toBe('Asked to create a staff account');
    expect(auditActionWords('staff.created')).toBe('Created a staff account');
    expect(auditActionWords('something.new')).toBe('something.new');
  });

  it('names staff accounts, keeps order ids as they are, and marks which can be filtered by', () => {
    const names = new Map([['0b6f3c2e-1111-4222-8333-944445555666', 'Maria Counter (maria)']]);
    expect(auditSubjectWords('staff:0b6f3c2e-1111-4222-8333-944445555666', names)).toBe('Staff: Maria Counter (maria)');
    expect(auditSubjectWords('staff:ffffffff-0000-4000-8000-000000000000', names)).toBe('Staff account ffffffff');
    expect(auditSubjectWords('RXR-ABC123', names)).toBe('RXR-ABC123');
    expect(auditSubjectWords(null, names)).toBe('—');
    expect(auditSubjectWords('honeybee', names)).toBe('Honeybee Health');
    expect(isRecordSubject('RXR-ABC123')).toBe(true);
    expect(isRecordSubject('staff:0b6f')).toBe(false);
    expect(isRecordSubject(null)).toBe(false);
  });

  it('puts the details on one line', () => {
    expect(auditDetailsWords({ desk: 'headless-ui' })).toBe('desk: headless-ui');
    expect(auditDetailsWords({ fields: ['id', 'limit'], secret_changed: false })).toBe('fields: id, limit · secret changed: false');
    expect(auditDetailsWords({ fields: [] })).toBe('');
    expect(auditDetailsWords(null)).toBe('');
  });
});

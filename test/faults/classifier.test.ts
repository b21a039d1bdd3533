// The fault classifier on errors as the layers raise them, the shapes the fault suite met included.
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { describe, expect, it } from 'vitest';
import { dependencyFault } from '../../src/db/faults.js';

describe('dependencyFault', () => {
  it('reads a DriverAdapterError thrown raw from a transaction (its cause is the kind itself)', () => {
    // Met under connection cuts: COMMIT on a closed connection, thrown by Prisma's transaction manager.
    expect(dependencyFault(new DriverAdapterError({ kind: 'ConnectionClosed' }))).toBe('unavailable');
    expect(
      dependencyFault(
        new DriverAdapterError({
          kind: 'postgres',
          code: '57P01',
          severity: 'FATAL',
          message: 'x',
          detail: undefined,
          column: undefined,
          hint: undefined,
        }),
      ),
    ).toBe('unavailable');
    expect(
      dependencyFault(
        new DriverAdapterError({
          kind: 'postgres',
          code: '57014',
          severity: 'ERROR',
          message: 'x',
          detail: undefined,
          column: undefined,
          hint: undefined,
        }),
      ),
    ).toBe('timeout');
  });

  it('leaves other errors alone', () => {
    expect(
      dependencyFault(new DriverAdapterError({ kind: 'UniqueConstraintViolation', constraint: { fields: ['email'] } })),
    ).toBeUndefined();
    expect(dependencyFault(new Error('boom'))).toBeUndefined();
  });
});

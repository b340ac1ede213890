import { z } from 'zod';

/** A flag column read back: SQLite stores it as 0/1, PostgreSQL as a boolean. */
export const storedFlag = z.union([z.boolean(), z.number()]).transform((v) => v === true || v === 1);

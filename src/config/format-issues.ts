import type { z } from 'zod';
import { formatPath } from './config-path.ts';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function listValues(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(', ');
}

/**
 * Zod's stock wording ("Invalid input: expected number, received string") is written for
 * developers. This map rewrites the generic issues in the words of the config reference; fields
 * with a sharper message of their own (points, names, numeric ranges) set it in the schema,
 * which takes precedence over this map.
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue: RawIssue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected one of ${listValues(issue.values)}`;
    case 'unrecognized_keys':
      return issue.keys.map((k) => `unknown key "${k}"`).join(', ');
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `expected at least ${String(issue.minimum)} items`;
      return `expected a number ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${String(issue.maximum)} items`;
      return `expected a number ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'invalid_format':
      return `expected a valid ${issue.format}`;
    default:
      return undefined;
  }
};

/**
 * One `path: message` line per problem. An object with several unknown keys yields one line per
 * key, so every line names exactly one thing to fix.
 */
export function formatIssues(issues: readonly Issue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${where}: unknown key "${key}"`);
    } else {
      lines.push(`${where}: ${issue.message}`);
    }
  }
  return lines;
}

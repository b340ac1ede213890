/** A location in the config tree: map keys and list indexes, outermost first. */
export type ConfigPath = readonly PropertyKey[];

/**
 * `cameras.back.zones.door.points[2]`: the spelling users see in every config message, so
 * they can find the field in their YAML. Keys are printed as written (even with spaces), since
 * quoting them would no longer match what the user typed.
 */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(top level)' : out;
}

/**
 * Replace the password of any `scheme://user:password@host` URL inside `text` with `***`.
 * The password runs to the last `@` before the path, because cameras accept (and ffmpeg
 * echoes) passwords with a raw `@` in them.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^\s/]*@/gi, '$1***@');
}

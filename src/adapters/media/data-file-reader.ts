import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Reads a file under the data directory, refusing anything that resolves outside it (also
 * through symlinks). A file that is missing or outside answers undefined: the caller decides.
 */
export function dataFileReader(dataDir: string) {
  return async (path: string): Promise<Uint8Array | undefined> => {
    let root: string;
    let file: string;
    try {
      root = await realpath(dataDir);
      file = await realpath(resolve(root, path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const rel = relative(root, file);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined;
    return new Uint8Array(await readFile(file));
  };
}

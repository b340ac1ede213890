import type { Storage } from '../../ports/storage.ts';

/** A part built on first use, then the same one every time. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

type StoreKey = Exclude<keyof Storage, 'location' | 'open' | 'close' | 'broadcast' | 'leadership'>;

/**
 * A Storage whose stores are built by `builders` on first read (each builder should be `once`d:
 * stores are asked for again and again), with the backend's own location, open and close.
 */
export function lazyStorage<E extends object = Record<never, never>>(
  builders: { readonly [K in StoreKey]: () => Storage[K] },
  rest: Pick<Storage, 'location' | 'open' | 'close' | 'broadcast' | 'leadership'> & E,
): Storage & E {
  // Descriptors, not a spread: a spread would call `rest`'s getters (opening the database) now.
  const storage = Object.defineProperties({}, Object.getOwnPropertyDescriptors(rest));
  for (const [name, build] of Object.entries(builders) as Array<[StoreKey, () => unknown]>) {
    Object.defineProperty(storage, name, { get: build, enumerable: true });
  }
  return storage as Storage & E;
}

/**
 * A small key → JSON value store on disk whose entries are sealed: each is filed under a hash of
 * its key and carries an HMAC-SHA256 (RFC 2104) over kind, key and value, made with a secret the
 * caller keeps elsewhere (sync keeps it in its state directory, beside the state it already trusts).
 * So a cache directory that others can write — a shared ~/.cache, a CI cache restored from another
 * branch — can make py2distro do more work, never different work: an entry that is missing, not
 * JSON, filed under another key or not sealed with our secret reads as absent.
 *
 * Callers still key entries by content (a sha256 of every input), so a stale entry is never asked for.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

export interface SealedStore {
  get<T>(kind: string, key: string): Promise<T | undefined>;
  put(kind: string, key: string, value: unknown): Promise<void>;
}

const SCHEMA = 'py2distro-sealed/1';

/** Reads the secret at `file`, creating 32 random bytes (mode 0600) the first time. */
export async function loadOrCreateSecret(file: string): Promise<Buffer> {
  try {
    const s = await readFile(file);
    if (s.length >= 32) return s;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const secret = randomBytes(32);
  await writeFileAtomic(file, secret);
  await chmod(file, 0o600);
  return secret;
}

export function createSealedStore(dir: string, secret: Buffer): SealedStore {
  const fileOf = (kind: string, key: string) => {
    const h = createHash('sha256').update(`${kind}\0${key}`).digest('hex');
    return path.join(dir, kind.replace(/[^a-z0-9-]/gi, '_'), h.slice(0, 2), `${h}.json`);
  };
  const mac = (kind: string, key: string, value: string) =>
    createHmac('sha256', secret).update(`${SCHEMA}\0${kind}\0${key}\0${value}`).digest();
  return {
    async get<T>(kind: string, key: string): Promise<T | undefined> {
      let entry: { schema?: unknown; kind?: unknown; key?: unknown; value?: unknown; mac?: unknown };
      try {
        entry = JSON.parse(await readFile(fileOf(kind, key), 'utf8'));
      } catch {
        return undefined;
      }
      if (entry?.schema !== SCHEMA || entry.kind !== kind || entry.key !== key || typeof entry.value !== 'string' || typeof entry.mac !== 'string') return undefined;
      const want = mac(kind, key, entry.value);
      const got = Buffer.from(entry.mac, 'hex');
      if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
      try {
        return JSON.parse(entry.value) as T;
      } catch {
        return undefined;
      }
    },
    async put(kind, key, value) {
      const file = fileOf(kind, key);
      await mkdir(path.dirname(file), { recursive: true });
      const text = JSON.stringify(value);
      // No fsync: a lost entry is a miss, a torn one fails its seal.
      await writeFileAtomic(file, JSON.stringify({ schema: SCHEMA, kind, key, value: text, mac: mac(kind, key, text).toString('hex') }), { fsync: false });
    },
  };
}

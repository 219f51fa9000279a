/**
 * A small key → JSON value store on disk whose entries are sealed: each is filed under a hash of
 * its key and carries an HMAC-SHA256 (RFC 2104) over kind, key and value, made with a secret the
 * caller keeps elsewhere (sync keeps it in its state directory, beside the state it already trusts).
 * So a cache directory that others can write — a shared ~/.cache, a CI cache restored from another
 * branch — can make py2distro do more work, never different work: an entry that is missing, not
 * JSON, filed under another key or not sealed with our secret reads as absent.
 *
 * Callers still key entries by content (a sha256 of every input), so a stale entry is never asked for.
 *
 * A run that asks for the same hundreds of entries every time (a sync where nothing changed) can
 * name a `pack`: `flush()` writes the entries the run used as one file, sealed as a whole, which
 * the next store with that pack name reads at once instead of one file per entry.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

export interface SealedStore {
  get<T>(kind: string, key: string): Promise<T | undefined>;
  put(kind: string, key: string, value: unknown): Promise<void>;
  /** With `pack`: writes the entries read or written since the store was made, when they changed. */
  flush(): Promise<void>;
}

const SCHEMA = 'py2distro-sealed/1';
const PACK_SCHEMA = 'py2distro-sealed-pack/1';

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

/**
 * `memo`: every entry is read from disk at most once by this store (a run's store): later reads of
 * a key, and reads after a put, are answered from memory. Entries are content-keyed, so an entry
 * does not change under its key during a run. `pack` (implies `memo`): see the header.
 */
export function createSealedStore(dir: string, secret: Buffer, opts: { memo?: boolean; pack?: string } = {}): SealedStore {
  const fileOf = (kind: string, key: string) => {
    const h = createHash('sha256').update(`${kind}\0${key}`).digest('hex');
    return path.join(dir, kind.replace(/[^a-z0-9-]/gi, '_'), h.slice(0, 2), `${h}.json`);
  };
  const mac = (kind: string, key: string, value: string) =>
    createHmac('sha256', secret).update(`${SCHEMA}\0${kind}\0${key}\0${value}`).digest();
  /** The sealed value's text, or undefined when missing, malformed or not sealed with our secret. */
  const readValue = async (kind: string, key: string): Promise<string | undefined> => {
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
    return entry.value;
  };
  const memo = opts.memo || opts.pack ? new Map<string, Promise<string | undefined>>() : undefined;
  // The pack's file name is ours too (keyed by the secret): stores of other secrets keep their own.
  const packFile = opts.pack && path.join(dir, 'packs', `${opts.pack.replace(/[^a-z0-9-]/gi, '_')}-${createHmac('sha256', secret).update(`${PACK_SCHEMA}\0${opts.pack}`).digest('hex').slice(0, 16)}.json`);
  const packMac = (body: string) => createHmac('sha256', secret).update(`${PACK_SCHEMA}\0${opts.pack}\0${body}`).digest();
  const packed = new Set<string>(); // ids the pack held when read
  const used = new Set<string>(); // ids read (and found) or written since
  let changed = false;
  const loading = packFile ? loadPack() : undefined;

  async function loadPack(): Promise<void> {
    let outer: { schema?: unknown; body?: unknown; mac?: unknown };
    try {
      outer = JSON.parse(await readFile(packFile!, 'utf8'));
    } catch {
      return;
    }
    if (outer?.schema !== PACK_SCHEMA || typeof outer.body !== 'string' || typeof outer.mac !== 'string') return;
    const got = Buffer.from(outer.mac, 'hex');
    const want = packMac(outer.body);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return;
    let entries: unknown;
    try {
      entries = JSON.parse(outer.body);
    } catch {
      return;
    }
    if (!Array.isArray(entries)) return;
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') continue;
      memo!.set(e[0], Promise.resolve(e[1]));
      packed.add(e[0]);
    }
  }

  return {
    async get<T>(kind: string, key: string): Promise<T | undefined> {
      await loading;
      const id = `${kind}\0${key}`;
      let text = memo?.get(id);
      if (!text) {
        text = readValue(kind, key);
        memo?.set(id, text);
      }
      const value = await text;
      if (value !== undefined && packFile && !used.has(id)) {
        used.add(id);
        if (!packed.has(id)) changed = true;
      }
      if (value === undefined) return undefined;
      try {
        // Parsed per read: callers get their own copy.
        return JSON.parse(value) as T;
      } catch {
        return undefined;
      }
    },
    async put(kind, key, value) {
      const file = fileOf(kind, key);
      await mkdir(path.dirname(file), { recursive: true });
      const text = JSON.stringify(value);
      await loading;
      const id = `${kind}\0${key}`;
      if (packFile && (await memo!.get(id)) !== text) changed = true;
      memo?.set(id, Promise.resolve(text));
      used.add(id);
      // No fsync: a lost entry is a miss, a torn one fails its seal.
      await writeFileAtomic(file, JSON.stringify({ schema: SCHEMA, kind, key, value: text, mac: mac(kind, key, text).toString('hex') }), { fsync: false });
    },
    async flush() {
      await loading;
      // Unchanged: the same entries as the pack read, none new, none dropped.
      if (!packFile || (!changed && used.size === packed.size)) return;
      const entries: [string, string][] = [];
      for (const id of [...used].sort()) {
        const text = await memo!.get(id);
        if (text !== undefined) entries.push([id, text]);
      }
      const body = JSON.stringify(entries);
      await mkdir(path.dirname(packFile), { recursive: true });
      // No fsync: a lost or torn pack fails its seal and the entries' own files are read instead.
      await writeFileAtomic(packFile, JSON.stringify({ schema: PACK_SCHEMA, body, mac: packMac(body).toString('hex') }), { fsync: false });
    },
  };
}

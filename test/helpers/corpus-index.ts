/**
 * The class corpus as the corpus tests use it: every entry's sdist generated in a fresh directory,
 * and the build requirements the corpus needs from an index served on 127.0.0.1.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { classCorpus, type CorpusEntry } from './corpus.ts';
import { startIndexServer, type IndexServer } from './index-server.ts';
import { makeSdist } from './sdist.ts';

export interface ServedCorpus {
  dir: string;
  index: IndexServer;
  corpus: CorpusEntry[];
  /** The generated sdist of each corpus entry, in corpus order. */
  sdists: string[];
}

export async function serveCorpus(prefix: string): Promise<ServedCorpus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const index = await startIndexServer({ mode: 'json' });
  const corpus = classCorpus();
  const sdists: string[] = [];
  const served = new Set<string>();
  for (const entry of corpus) {
    sdists.push(await makeSdist(entry.spec, path.join(dir, 'sdists')));
    for (const dep of entry.index ?? []) {
      if (served.has(dep.name)) continue;
      served.add(dep.name);
      const file = await makeSdist(dep, path.join(dir, 'index'));
      index.addFile(dep.name, { filename: path.basename(file), content: await readFile(file) });
    }
  }
  return { dir, index, corpus, sdists };
}

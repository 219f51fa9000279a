/**
 * A worker thread of read-debs.ts: reads its share of the inputs one after the other and posts
 * every result back at once (DebInfo and file identity; never the bytes).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readDebForWorker, type WorkerResult } from './read-debs.js';

const { files } = workerData as { files: string[] };
const results: WorkerResult[] = [];
for (const file of files) results.push(await readDebForWorker(file));
parentPort!.postMessage(results);

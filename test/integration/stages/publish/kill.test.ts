/**
 * Kill py2distro (SIGKILL, whole process group) at random points while it publishes, and after
 * every kill ask the real clients: apt-get update must succeed with no hash-sum mismatch and still
 * list every package that was visible before; dnf (repo_gpgcheck=1) must still read the yum repo.
 * The next publish must take over the dead publisher's lock.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { BIN, runCli } from '../../../helpers/cli.ts';
import { makeDeb, makeOrgKey, makeRpm, privateApt } from '../../../helpers/packages.ts';

const ROUNDS = Number(process.env.PUBLISH_KILL_ROUNDS ?? 15);
const TARGET = 'rpmtest-bookworm';
let dir: string;
let repo: string;
let keyFile: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-publish-kill-'));
  await chmod(dir, 0o755);
  repo = path.join(dir, 'repo');
  keyFile = (await makeOrgKey(path.join(dir, 'keys'), 'ed25519')).file;
});

after(() => rm(dir, { recursive: true, force: true }));

async function aptVisible(apt: Awaited<ReturnType<typeof privateApt>>): Promise<Set<string>> {
  const update = await apt.aptGet(['update']);
  const out = String(update.all);
  assert.equal(update.exitCode, 0, out);
  assert.doesNotMatch(out, /Hash Sum mismatch|^E:|^W:/m, out);
  // madison lists every version apt knows (dumpavail would show only the candidates).
  const names = ['python3-kill', 'python3-kill0', 'python3-kill1', 'python3-kill2', 'python3-final'];
  const madison = await execa('apt-cache', ['madison', ...names], { env: apt.env, reject: false });
  const seen = new Set<string>();
  for (const m of madison.stdout.matchAll(/^\s*(\S+) \|\s*(\S+) \|/gm)) seen.add(`${m[1]} ${m[2]}`);
  return seen;
}

async function dnfList(): Promise<string> {
  const root = await mkdtemp(path.join(dir, 'dnf-'));
  await mkdir(path.join(root, 'repos.d'));
  const keyPath = path.join(root, 'RPM-GPG-KEY-org');
  const cc = await runCli(['repo', 'client-config', repo, '--url', `file://${repo}`, '--key-path', keyPath, '--json']);
  assert.equal(cc.exitCode, 0, cc.stderr);
  await writeFile(keyPath, JSON.parse(cc.stdout).key);
  await writeFile(path.join(root, 'repos.d', 'org.repo'), JSON.parse(cc.stdout).repo);
  const r = await execa('dnf', ['-y', '--noplugins', `--installroot=${root}`, `--setopt=reposdir=${root}/repos.d`, `--setopt=cachedir=${root}/cache`,
    '--setopt=skip_if_unavailable=False', '--releasever=1', 'list', 'available', '--showduplicates'], { reject: false, all: true });
  await rm(root, { recursive: true, force: true });
  assert.equal(r.exitCode, 0, String(r.all));
  return String(r.all);
}

test(`SIGKILL at ${ROUNDS} random points during publish never breaks apt or dnf and never loses a package`, async (t) => {
  const first = [await makeDeb(path.join(dir, 'r0'), { name: 'python3-kill', version: '0.1-1' }), await makeRpm(dir, { name: 'python3-kill', version: '0.1' })];
  let started = Date.now();
  const init = await runCli(['repo', 'publish', repo, ...first, '--codename', 'bookworm', '--rpm-target', TARGET, '--sign-key', keyFile]);
  assert.equal(init.exitCode, 0, init.stderr);
  let typicalMs = Date.now() - started; // how long a whole publish takes here (CLI start included)
  const cc = JSON.parse((await runCli(['repo', 'client-config', repo, '--url', `file://${repo}`, '--json'])).stdout);
  const apt = await privateApt(path.join(dir, 'apt'), cc.sources);
  let mustSee = await aptVisible(apt);
  assert.ok(mustSee.has('python3-kill 0.1-1'));

  let killed = 0;
  let rpmVersions = ['0.1-1'];
  for (let round = 1; round <= ROUNDS; round++) {
    const files = [];
    for (let k = 0; k < 3; k++) files.push(await makeDeb(path.join(dir, `r${round}`), { name: `python3-kill${k}`, version: `${round}.0-1` }));
    files.push(await makeRpm(dir, { name: 'python3-kill', version: `${round}.0` }));
    started = Date.now();
    const child = execa('node', [BIN, 'repo', 'publish', repo, ...files, '--codename', 'bookworm', '--rpm-target', TARGET, '--sign-key', keyFile],
      { reject: false, detached: true, env: { CI: 'true' } });
    // Spread the kills over the whole run: from Node's start-up to just past a typical finish.
    const delay = Math.floor(typicalMs * (0.2 + Math.random()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch { /* already finished */ }
    }, delay);
    const r = await child;
    clearTimeout(timer);
    if (r.signal === 'SIGKILL') killed++;
    else {
      assert.equal(r.exitCode, 0, String(r.stderr));
      typicalMs = Date.now() - started;
    }

    const seen = await aptVisible(apt);
    for (const p of mustSee) assert.ok(seen.has(p), `round ${round} (killed after ${delay} ms): lost ${p}`);
    mustSee = seen;
    const listed = await dnfList();
    for (const v of rpmVersions) assert.match(listed, new RegExp(`python3-kill\\.noarch\\s+${v.replace('.', '\\.')}`), `round ${round}: dnf lost ${v}`);
    rpmVersions = [...listed.matchAll(/python3-kill\.noarch\s+(\S+)/g)].map((m) => m[1]!);
  }
  // Everything converges: a final publish (after whatever kill came last) completes and is complete.
  const final = await runCli(['repo', 'publish', repo, await makeDeb(path.join(dir, 'final'), { name: 'python3-final', version: '1.0-1' }), '--codename', 'bookworm', '--sign-key', keyFile]);
  assert.equal(final.exitCode, 0, final.stderr);
  assert.ok((await aptVisible(apt)).has('python3-final 1.0-1'));
  t.diagnostic(`killed ${killed} of ${ROUNDS} publishes mid-way`);
  assert.ok(killed > 0, 'at least one publish was actually killed');
});

/**
 * Kubernetes manifests for a plan: one Indexed Job per wave (`completionMode: Indexed`,
 * completions = the wave's size; each pod's JOB_COMPLETION_INDEX picks its job with `build --plan
 * --wave W --index $JOB_COMPLETION_INDEX`), and a plain Job that collects and publishes — the only
 * pod that mounts the signing-key Secret. Pods reach a container engine through --engine-host
 * (a podman/docker service the cluster already runs), so the builder pods need no privileges and
 * nothing is bind-mounted into the build containers. The plan comes from a ConfigMap, outputs go
 * to a shared PersistentVolumeClaim. Waves run in order: apply wave W+1 after wave W completed
 * (contrib/k8s/run-plan.sh waits with `kubectl wait --for=condition=complete`).
 * API: https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode
 */
import type { Plan } from '../plan-file.js';
import type { ExportOptions } from './types.js';

const WORK = '/work';

function pod(o: ExportOptions, args: string[], extra: { volumes?: unknown[]; mounts?: unknown[]; env?: unknown[] } = {}) {
  return {
    spec: {
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'py2distro',
        image: o.image,
        command: ['py2distro'],
        args,
        env: [{ name: 'XDG_CACHE_HOME', value: `${WORK}/cache` }, ...(extra.env ?? [])],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: [
          { name: 'plan', mountPath: '/plan', readOnly: true },
          { name: 'work', mountPath: WORK },
          { name: 'tmp', mountPath: '/tmp' },
          ...(extra.mounts ?? []),
        ],
      }],
      volumes: [
        { name: 'plan', configMap: { name: `${o.name}-plan` } },
        { name: 'work', persistentVolumeClaim: { claimName: `${o.name}-work` } },
        { name: 'tmp', emptyDir: {} },
        ...(extra.volumes ?? []),
      ],
    },
  };
}

export function k8sManifests(plan: Plan, o: ExportOptions): Record<string, unknown>[] {
  const labels = { 'app.kubernetes.io/name': 'py2distro', 'app.kubernetes.io/instance': o.name };
  const host = o.engineHost ? ['--engine-host', o.engineHost] : [];
  const docs: Record<string, unknown>[] = plan.waves.map((ids, w) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${o.name}-wave-${w}`, labels: { ...labels, 'py2distro.dev/wave': String(w) } },
    spec: {
      completionMode: 'Indexed',
      completions: ids.length,
      parallelism: Math.min(ids.length, o.parallelism),
      backoffLimitPerIndex: 1,
      maxFailedIndexes: ids.length,
      template: {
        metadata: { labels },
        spec: pod(o, [
          'build', '--plan', '/plan/plan.json', '--wave', String(w), '--index', '$(JOB_COMPLETION_INDEX)', ...host,
          '--out', `${WORK}/out`, ...(w > 0 ? ['--local-repo', `${WORK}/out`] : []),
        ]).spec,
      },
    },
  }));
  docs.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${o.name}-publish`, labels: { ...labels, 'py2distro.dev/wave': 'publish' } },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: pod(o, ['sync', '--collect', `${WORK}/out`, '--plan', '/plan/plan.json', '--repo', `${WORK}/${o.repo}`, '--sign-key', '/keys/org-key.asc'], {
          volumes: [{ name: 'org-key', secret: { secretName: `${o.name}-org-key`, defaultMode: 0o400 } }],
          mounts: [{ name: 'org-key', mountPath: '/keys', readOnly: true }],
          env: [{ name: 'PY2DISTRO_SIGN_PASSPHRASE', valueFrom: { secretKeyRef: { name: `${o.name}-org-key`, key: 'passphrase', optional: true } } }],
        }).spec,
      },
    },
  });
  return docs;
}

/** What every exporter needs besides the plan (kept apart so the exporters do not import their index). */
export interface ExportOptions {
  /** The plan's path as the jobs see it (repository-relative in CI). */
  planPath: string;
  /** Shell command that installs py2distro on a CI runner. */
  install: string;
  /** Container image with py2distro (GitLab default image, Kubernetes pods). */
  image: string;
  runsOn: string;
  repo: string;
  /** Kubernetes: resource name prefix, engine service URL, pods per wave at once. */
  name: string;
  engineHost?: string;
  parallelism: number;
}

// Shared by Node and the page: does a run match a WASI suite case's spec?
/** Compares a run with the spec; "" when it passes. */
export function verdict(spec, { exitCode, stdout, stderr }) {
  const problems = [];
  if (exitCode !== (spec.exit_code ?? 0)) problems.push(`exit code ${exitCode}, expected ${spec.exit_code ?? 0}`);
  if ('stdout' in spec && stdout !== spec.stdout) problems.push(`stdout ${JSON.stringify(stdout)}, expected ${JSON.stringify(spec.stdout)}`);
  if ('stderr' in spec && stderr !== spec.stderr) problems.push(`stderr ${JSON.stringify(stderr)}`);
  if (problems.length && stderr) problems.push('stderr: ' + stderr.slice(0, 400));
  return problems.join('; ');
}

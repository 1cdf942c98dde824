// Shared by the floor experiments (a module, not an experiment): their
// command-line numbers and their interleaved best-of-R timing.

/** The number after `--name` on the command line, or `dflt`. */
export function numberOption(name, dflt) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i === -1 ? dflt : Number(argv[i + 1]);
}

/**
 * Runs every `[name, fn]` variant once to warm up, then `reps` rounds of all
 * of them in turn (round robin, `gc()` before each run when exposed), and
 * keeps each variant's least CPU time (ms, all threads of the process).
 * @returns a Map from variant name to its best CPU time.
 */
export async function bestCpuInterleaved(variants, reps) {
  const best = new Map(variants.map(([name]) => [name, Number.POSITIVE_INFINITY]));
  for (const [, fn] of variants) await fn();
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, fn] of variants) {
      globalThis.gc?.();
      const c0 = process.cpuUsage();
      await fn();
      const c = process.cpuUsage(c0);
      best.set(name, Math.min(best.get(name), (c.user + c.system) / 1000));
    }
  }
  return best;
}

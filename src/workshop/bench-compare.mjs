// Several commands timed side by side, round by round: medians and ratios to the first.
// Machinery, for measuring one change at a time on a noisy machine (docs/performance.md):
// copy each variant's bundle folder (node_modules/.cache/mydocker/<stage>/) into the
// repository's tmp/ (packages still resolve from its node_modules), then compare them in
// one interleaved run.
//
//   node src/workshop/bench-compare.mjs --rounds 40 \
//     'runc=runc --root /tmp/r run -b /path/to/oci bench-@N' \
//     'before=node /tmp/before/main.cjs run true' 'after=node /tmp/after/main.cjs run true'
//
// Each argument is NAME=COMMAND; a command is split at spaces (no shell), ` && ` runs
// several in turn within one timing, and @N becomes a number unique to each run (for
// runc's container id). NODE_EXTRA_CA_CERTS is removed from every command's environment.
// A command that exits with a status other than 0 stops the comparison. Plain JavaScript,
// run without tsx: the process that spawns is forked for every command, and a bigger one
// costs every command more (bench-driver.mjs).

import { median, timeRounds } from './bench-driver.mjs';

function main(argv) {
  const r = argv.indexOf('--rounds');
  const rounds = r >= 0 ? Number(argv[r + 1]) : 30;
  const specs = argv.filter((a, i) => a.includes('=') && !(r >= 0 && i === r + 1));
  if (!specs.length || !(rounds > 0)) {
    console.error('usage: bench-compare.mjs [--rounds N] NAME=COMMAND ...');
    return 125;
  }
  const rows = specs.map((s) => ({
    name: s.slice(0, s.indexOf('=')),
    steps: s
      .slice(s.indexOf('=') + 1)
      .split(' && ')
      .map((step) => {
        const [file, ...args] = step.split(' ');
        return { file, args, env: { NODE_EXTRA_CA_CERTS: null } };
      }),
  }));
  let times;
  try {
    timeRounds(rows, 1); // warm up caches once
    times = timeRounds(rows, rounds);
  } catch (err) {
    console.error(err.message);
    return 1;
  }
  const base = median(times[rows[0].name]);
  console.log(`\n${rounds} rounds, interleaved\n\n| command | median ms | vs ${rows[0].name} |\n|---|---:|---:|`);
  for (const { name } of rows)
    console.log(`| ${name} | ${median(times[name]).toFixed(1)} | ${(median(times[name]) / base).toFixed(2)}× |`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

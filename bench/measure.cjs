// Preloaded (`node --require bench/measure.cjs ...`) into every process the benchmark times: at
// exit it writes the process's CPU time and peak resident memory to $BENCH_MEASURE_FILE. The wall
// time is the parent's, from spawn to exit, so a process is timed from its very start.
"use strict";
const fs = require("fs");

process.on("exit", () => {
    const usage = process.resourceUsage();
    const file = process.env.BENCH_MEASURE_FILE;
    if (file === undefined) return;
    fs.writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, peakMiB: usage.maxRSS / 1024 }));
});

import { newApp } from "../../app";
import { registerCreateBenchmark } from "./create-benchmark";
import { registerListBenchmarks } from "./list-benchmarks";
import { registerStartRun } from "./start-run";

export const benchmarksApp = newApp();
registerListBenchmarks(benchmarksApp);
registerCreateBenchmark(benchmarksApp);
registerStartRun(benchmarksApp);

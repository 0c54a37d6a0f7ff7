import { newApp } from "../../app";
import { registerCancelJob } from "./cancel-job";
import { registerCreateJob } from "./create-job";
import { registerReadJobs } from "./read-jobs";
import { registerRunnerCallbacks } from "./runner-callbacks";

export const trainingApp = newApp();
registerCreateJob(trainingApp);
registerReadJobs(trainingApp);
registerCancelJob(trainingApp);
registerRunnerCallbacks(trainingApp);

import { newApp } from "../../app";
import { registerScoreBatch } from "./score-batch";
import { registerScoreTrajectory } from "./score-trajectory";

export const score = newApp();
registerScoreTrajectory(score);
registerScoreBatch(score);

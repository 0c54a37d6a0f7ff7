import { newApp } from "../../app";
import { registerCreateTask } from "./create-task";
import { registerGetTask } from "./get-task";
import { registerListTasks } from "./list-tasks";

export const tasksApp = newApp();
registerCreateTask(tasksApp);
registerListTasks(tasksApp);
registerGetTask(tasksApp);

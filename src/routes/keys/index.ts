import { newApp } from "../../app";
import { registerCreateKey } from "./create-key";
import { registerManageKeys } from "./manage-keys";

export const keys = newApp();
registerCreateKey(keys);
registerManageKeys(keys);

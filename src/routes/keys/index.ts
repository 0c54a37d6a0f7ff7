import { newApp } from "../../app";
import { registerCreateKey } from "./create-key";

export const keys = newApp();
registerCreateKey(keys);

export * from "./vaguenize/index";

#!/usr/bin/env node
// Entry point of the `kinema` CLI: loads the TypeScript CLI (Node >= 24 strips types natively).
import "../src/cli/main.ts";

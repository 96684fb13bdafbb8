import { loadParsers } from "../../policies/lib/parsers";

/** A root hook plugin (.mocharc.cjs `require`): the pack's parsers load before any spec judges a script. */
export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await loadParsers();
  },
};

// What a portal's own code looks like: a bare package import, bundled by Vite.
import { Kyso, KysoError } from "kyso-sdk";

window.kysoBundled = { Kyso, KysoError };

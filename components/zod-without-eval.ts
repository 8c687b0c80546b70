import { z } from "zod";

// The console's CSP allows no eval. zod compiles its object parsers with `new Function` when it
// can, and its probe for that is reported as a CSP violation even though zod catches the
// refusal; in the browser it parses without compiling instead.
if (typeof window !== "undefined") z.config({ jitless: true });

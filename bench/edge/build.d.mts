// Types of build.mjs for the TypeScript tests that build the edge bundle.
export function buildEdgeBundle(
  root: string,
  objects: Record<string, { className: string }>,
  outDir: string,
  name: string,
): Promise<string>;
export function checkoutRef(ref: string): { dir: string; remove(): void };

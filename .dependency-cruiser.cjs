/**
 * Keeps the layering of STYLE.md honest:
 *   domain <- ports <- services <- (http | cli) ; adapters implement ports ; only app.ts wires adapters.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds pure logic: no Node built-ins, no packages, no other layer.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'contract-imports-only-zod',
      comment: 'src/contract/ is the wire contract shared with the browser bundle and the tests: zod and itself, nothing else.',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { pathNot: '^src/contract/|(^|/)node_modules/zod/' },
    },
    {
      name: 'ports-only-know-domain',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'services-never-import-adapters',
      comment: 'services depend on ports; concrete adapters are chosen in app.ts only.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/(adapters|http|cli|config)/|^src/app\\.ts$' },
    },
    {
      name: 'services-no-io-builtins',
      comment: 'services reach I/O through ports, not through node:fs / child_process / net.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|child_process|net|http|https|worker_threads)$' },
    },
    {
      name: 'adapters-do-not-call-up',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(services|http|cli)/|^src/app\\.ts$' },
    },
    {
      name: 'config-only-translates',
      comment: 'config/ reads and validates the file, and translates it into the settings types of domain, ports and services; it builds nothing.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/(adapters|http|cli)/|^src/app\\.ts$' },
    },
    {
      name: 'entrypoints-use-app-not-adapters',
      comment: 'cli/ and http/ get their adapters from the composition root (app.ts).',
      severity: 'error',
      from: { path: '^src/(cli|http)/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

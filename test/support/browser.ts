import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The Chromium the browser tests drive (through playwright-core), in this order:
 * 1. `VIGIL_CHROMIUM`: a path to a Chromium, or `bundled` for 3;
 * 2. Debian's `/usr/bin/chromium` (`apt-get install chromium`), where it is installed;
 * 3. the one inside the npm package @sparticuz/chromium (a devDependency): a brotli-compressed
 *    headless Chromium, unpacked once per version into the temporary folder. So a fresh
 *    `npm install` is enough; it carries no CJK fonts, which the tests do not need (they read
 *    the DOM's text, not pixels).
 */
export interface ChromiumChoice {
  executablePath: string;
  source: string;
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The package unpacks into `os.tmpdir()/chromium`, whatever version was there before and
 * possibly at the same time as another test run. It unpacks here into a private folder that then
 * becomes `vigil-chromium-<version>` in one rename, so every run sees a complete binary of its version.
 */
async function bundledChromium(): Promise<ChromiumChoice> {
  let version: string;
  try {
    // Its exports do not include package.json: find it from the entry point.
    let root = dirname(require.resolve('@sparticuz/chromium'));
    while (!existsSync(join(root, 'package.json')) || !existsSync(join(root, 'bin'))) root = dirname(root);
    const manifest: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    version = String((manifest as { version?: unknown }).version);
  } catch (error) {
    throw new Error(`no Chromium: ${DEBIAN_CHROMIUM} is not installed and @sparticuz/chromium is missing (run \`npm install\`)`, { cause: error });
  }
  const home = join(tmpdir(), `vigil-chromium-${version}`);
  const binary = join(home, 'chromium');
  if (!isExecutable(binary)) {
    mkdirSync(dirname(home), { recursive: true });
    const staging = mkdtempSync(`${home}.tmp-`);
    const savedTmpdir = process.env['TMPDIR'];
    try {
      process.env['TMPDIR'] = staging;
      const { default: chromium } = await import('@sparticuz/chromium');
      await chromium.executablePath();
    } finally {
      if (savedTmpdir === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = savedTmpdir;
    }
    try {
      renameSync(staging, home);
    } catch (error) {
      // Another run finished first: use its copy.
      rmSync(staging, { recursive: true, force: true });
      if (!isExecutable(binary)) throw error;
    }
  }
  return { executablePath: binary, source: `@sparticuz/chromium ${version} (npm)` };
}

export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumChoice> {
  const chosen = env['VIGIL_CHROMIUM'];
  if (chosen === 'bundled') return bundledChromium();
  if (chosen) {
    if (!existsSync(chosen) || !isExecutable(chosen)) throw new Error(`VIGIL_CHROMIUM=${chosen} is not an executable file`);
    return { executablePath: chosen, source: 'VIGIL_CHROMIUM' };
  }
  if (isExecutable(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, source: 'Debian' };
  return bundledChromium();
}

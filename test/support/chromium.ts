import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';

/* The HTML report in a real browser: headless Chromium (Debian's `chromium`,
 * installed by .ci/run) for screenshots, print to PDF and an accessibility
 * check with axe-core; poppler's pdftoppm and pdftotext to look at a printed
 * page. Each call gets a profile of its own and waits at most a minute. */

function which(names: string[]): string | undefined {
	return names.find(name => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0);
}

export const chromium = which(['chromium', 'chromium-browser', 'google-chrome']);
export const poppler = which(['pdftoppm']) && which(['pdftotext']) ? 'pdftoppm' : undefined;

/** Why a browser test cannot run here, or false. */
export const chromiumSkip: string | false = chromium ? false : 'no chromium binary (apt-get install -y chromium)';
export const printSkip: string | false = chromiumSkip || (poppler ? false : 'no pdftoppm/pdftotext (apt-get install -y poppler-utils)');

function run(args: string[], work: (profile: string) => string[]): string {
	const profile = mkdtempSync(path.join(os.tmpdir(), 'pg500-chromium-'));
	try {
		return execFileSync(
			chromium!,
			['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...work(profile), ...args],
			{encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024},
		);
	} finally {
		rmSync(profile, {recursive: true, force: true});
	}
}

/** The page as Chromium built it. */
export function dumpDom(file: string): string {
	return run([file], () => ['--dump-dom']);
}

/** A screenshot `width` px wide (the height is the window's). */
export function screenshot(file: string, png: string, width: number, height: number): void {
	run([file], () => [`--screenshot=${png}`, `--window-size=${width},${height}`, '--hide-scrollbars']);
}

/** Printed as the browser prints it (A4/Letter per locale), without the browser's own header and footer. */
export function printToPdf(file: string, pdf: string): void {
	run([file], () => [`--print-to-pdf=${pdf}`, '--no-pdf-header-footer']);
}

/** The text of one printed page. */
export function pdfPageText(pdf: string, page: number): string {
	return execFileSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdf, '-'], {encoding: 'utf8'});
}

export function pdfPages(pdf: string): number {
	const info = execFileSync('pdfinfo', [pdf], {encoding: 'utf8'});
	return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? 0);
}

/** One printed page as a PNG (`prefix-N.png`), to look at. */
export function pdfPagePng(pdf: string, page: number, prefix: string): string {
	execFileSync('pdftoppm', ['-png', '-r', '80', '-f', String(page), '-l', String(page), '-singlefile', pdf, prefix]);
	return `${prefix}.png`;
}

/** Width and height of a PNG, from its IHDR chunk; throws when it is no PNG. */
export function pngSize(png: string): {width: number; height: number} {
	const bytes = readFileSync(png);
	if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error(`${png} is not a PNG`);
	return {width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20)};
}

export interface AxeViolation {
	id: string;
	impact: string | null;
	nodes: string[];
}

/**
 * axe-core's WCAG 2.1 A/AA and best-practice rules on a copy of the page,
 * every <details> opened so that what it folds is checked too. The report
 * itself runs no script (its CSP forbids it); the copy drops that one meta
 * element and adds axe and a runner that writes its verdict into the page.
 */
export function axeViolations(html: string): AxeViolation[] {
	const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
	const runner = `document.querySelectorAll('details').forEach(d => { d.open = true; });
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}).then(r => {
	const out = document.createElement('pre');
	out.id = 'axe-result';
	out.textContent = JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || ''))})));
	document.body.appendChild(out);
});`;
	const checked = html
		.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
		.replace('</body>', `<script>${axe.replaceAll('</script', '<\\/script')}</script><script>${runner}</script></body>`);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'pg500-axe-'));
	try {
		const file = path.join(dir, 'report.html');
		writeFileSync(file, checked);
		// Virtual time lets axe's timers run before the DOM is dumped.
		const dom = run([file], () => ['--virtual-time-budget=30000', '--dump-dom']);
		const result = /<pre id="axe-result">([\s\S]*?)<\/pre>/.exec(dom);
		if (!result) throw new Error('axe did not report (the page did not finish its check)');
		const text = result[1]!.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&');
		return JSON.parse(text) as AxeViolation[];
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

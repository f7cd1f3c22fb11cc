/* Passwords never reach a screen, a report or a journal. Connection URLs are
 * taken apart here, in one place, by their structure: a password can hold
 * any character (' " @ / : % ? #, raw or percent-encoded), so no pattern over
 * the characters a password "usually" has can find where it ends.
 *
 * The rule: the credentials of `scheme://user:password@rest` run from `://`
 * to the LAST `@` of the URL. A raw `@`, `/` or `?` in a password then stays
 * inside the password; the only cost is that an `@` after the host (in the
 * database name or a parameter) must be written %40 — as libpq asks anyway.
 * A wrong guess can only hide more, never show part of a password. */

export const redacted = '***';

export interface UrlCredentials {
	/** `postgres:` and the like, as written. */
	scheme: string;
	/** Decoded. */
	user: string;
	/** Decoded; undefined when the URL has none (`user@host`). */
	password: string | undefined;
	/** Everything after the credentials: `host:port/database?parameters`, as written. */
	rest: string;
}

/** `%41` → `A`; text that is not valid percent-encoding (a raw `%` in a password) is taken as it is. */
function decode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** Splits `scheme://[user[:password]@]rest`; undefined when `url` does not start with `scheme://`. */
export function splitUrl(url: string): UrlCredentials | undefined {
	const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
	if (!scheme) return undefined;
	const afterScheme = url.slice(scheme.length);
	const at = afterScheme.lastIndexOf('@');
	if (at < 0) return {scheme: scheme.slice(0, -2), user: '', password: undefined, rest: afterScheme};
	const userinfo = afterScheme.slice(0, at);
	const colon = userinfo.indexOf(':');
	return {
		scheme: scheme.slice(0, -2),
		user: decode(colon < 0 ? userinfo : userinfo.slice(0, colon)),
		password: colon < 0 ? undefined : decode(userinfo.slice(colon + 1)),
		rest: afterScheme.slice(at + 1),
	};
}

/** The URL rebuilt from its parts, user and password encoded (so any URL parser reads them back whole). */
export function joinUrl(parts: UrlCredentials): string {
	const user = parts.user === '' && parts.password === undefined ? '' : encodeURIComponent(parts.user);
	const password = parts.password === undefined ? '' : `:${encodeURIComponent(parts.password)}`;
	const userinfo = user || password ? `${user}${password}@` : '';
	return `${parts.scheme}//${userinfo}${parts.rest}`;
}

/**
 * The URL with its password dropped (`postgres://app@db/kv`): what a journal
 * keeps, so a resumed session asks for the password again (or finds it in
 * ~/.pgpass) rather than trying `***`. Text that is not a URL is returned unchanged.
 */
export function urlWithoutPassword(url: string): string {
	const parts = splitUrl(url);
	return parts ? joinUrl({...parts, password: undefined}) : url;
}

/** One URL as shown in a report: the password, if any, replaced with `***`. */
function urlRedacted(url: string): string {
	const parts = splitUrl(url);
	if (!parts || parts.password === undefined) return url;
	return `${parts.scheme}//${encodeURIComponent(parts.user)}:${redacted}@${parts.rest}`;
}

/**
 * Every URL in free text (a log line, query text, an error) with its password
 * replaced. A URL starts at `scheme://` and, since a password may hold quotes
 * and punctuation, runs to the next white space.
 */
function redactUrls(text: string): string {
	let out = '';
	let from = 0;
	const scheme = /[a-z][a-z0-9+.-]*:\/\//gi;
	const toSpace = /\S*/y;
	for (let m = scheme.exec(text); m; m = scheme.exec(text)) {
		toSpace.lastIndex = m.index;
		const stop = m.index + toSpace.exec(text)![0].length;
		out += text.slice(from, m.index) + urlRedacted(text.slice(m.index, stop));
		from = stop;
		scheme.lastIndex = stop;
	}
	return out + text.slice(from);
}

// password=secret, PGPASSWORD='a b', passwd = "x" (key=value connection strings, environment dumps)
const keyValuePassword = /\b(\w*(?:password|passwd)\s*=\s*)('[^']*'?|"[^"]*"?|[^\s&;,'"]+)/gi;
// ALTER ROLE app PASSWORD 'secret' (query text seen in pg_stat_activity)
const sqlPassword = /\b(password\s+E?)'(?:[^']|'')*'?/gi;

/** Removes passwords from any text: connection URLs, key=value pairs, SQL `PASSWORD '…'`. */
export function redactSecrets(text: string): string {
	// Most strings carry neither: skip the scans for them.
	if (!/pass|:\/\//i.test(text)) return text;
	return redactUrls(text).replace(keyValuePassword, `$1${redacted}`).replace(sqlPassword, `$1'${redacted}'`);
}

/**
 * The first `length` characters of `text`, passwords removed. Text is cut
 * only after its passwords are gone: a URL cut before the `@` that ends its
 * credentials no longer shows where the password stops. So the piece runs on
 * to the end of a URL in progress (its next white space, within reason).
 */
export function redactedPrefix(text: string, length: number): string {
	if (text.length <= length) return redactSecrets(text);
	const space = text.slice(length, length + 65536).search(/\s/);
	return redactSecrets(text.slice(0, space < 0 ? length + 65536 : length + space));
}

const secretKey = /^(?:pg)?(?:password|passwd)$/i;

/**
 * A deep copy of any JSON-like value with every string passed through
 * redactSecrets and values under a password-like key replaced with `***`;
 * `transform` then changes each string further (given its key).
 */
export function redactValue<T>(value: T, transform?: (text: string, key: string | undefined) => string, key?: string): T {
	if (typeof value === 'string') {
		if (key !== undefined && secretKey.test(key)) return redacted as T;
		const safe = redactSecrets(value);
		return (transform ? transform(safe, key) : safe) as T;
	}
	if (Array.isArray(value)) return value.map(item => redactValue(item, transform, key)) as T;
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, transform, k);
		return out as T;
	}
	return value;
}

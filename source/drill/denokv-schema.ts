/* The tables the denokv server creates at start-up (`initialize_schema`),
 * as read from its source. `data_version` exists in newer versions only. */

export const denokvSchemaSql = `
CREATE TABLE IF NOT EXISTS kv_store (
	key bytea PRIMARY KEY,
	value bytea NOT NULL,
	value_encoding integer NOT NULL,
	versionstamp bytea NOT NULL,
	created_at timestamptz DEFAULT now(),
	updated_at timestamptz DEFAULT now(),
	expires_at bigint
);
CREATE INDEX IF NOT EXISTS idx_kv_versionstamp ON kv_store (versionstamp);
CREATE INDEX IF NOT EXISTS idx_kv_expires_at ON kv_store (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_kv_updated_at ON kv_store (updated_at);
CREATE TABLE IF NOT EXISTS queue_messages (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	payload bytea NOT NULL,
	deadline bigint NOT NULL,
	keys_if_undelivered bytea[] NOT NULL,
	backoff_schedule integer[],
	created_at timestamptz DEFAULT now(),
	retry_count integer DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_queue_deadline ON queue_messages (deadline);
CREATE TABLE IF NOT EXISTS queue_running (
	message_id uuid PRIMARY KEY REFERENCES queue_messages(id),
	deadline bigint NOT NULL,
	started_at timestamptz DEFAULT now(),
	updated_at timestamptz DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_queue_running_deadline ON queue_running (deadline);
`;

export const dataVersionSql = `
CREATE TABLE IF NOT EXISTS data_version (
	k integer PRIMARY KEY DEFAULT 0,
	version bigint NOT NULL DEFAULT 0
);
INSERT INTO data_version (k, version) VALUES (0, 0) ON CONFLICT (k) DO NOTHING;
`;

/** A few keys and queue messages, so sizes and counts are not all zero. */
export const seedSql = `
INSERT INTO kv_store (key, value, value_encoding, versionstamp)
SELECT convert_to('key-' || g, 'UTF8'), convert_to('value-' || g, 'UTF8'), 1, int8send(g)
FROM generate_series(1, 200) AS g
ON CONFLICT (key) DO NOTHING;
INSERT INTO queue_messages (payload, deadline, keys_if_undelivered)
SELECT convert_to('job-' || g, 'UTF8'), (extract(epoch FROM now()) * 1000)::bigint + g * 1000, ARRAY[]::bytea[]
FROM generate_series(1, 20) AS g;
`;

/** The whole schema of the newer server version (with `data_version`), seeded. */
export const fullDenokvSql = denokvSchemaSql + dataVersionSql + seedSql;

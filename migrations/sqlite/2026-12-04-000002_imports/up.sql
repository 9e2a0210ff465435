CREATE TABLE uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    upload_key TEXT NOT NULL UNIQUE,
    storage_key TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    declared_size BIGINT NOT NULL,
    size BIGINT,
    sha256 TEXT,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    uploaded_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX uploads_user ON uploads (user_id, created_at);

-- Every row error of an import, written in the same transaction as the
-- chunk it belongs to, so that a resumed import neither loses nor repeats one.
CREATE TABLE import_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    row_number BIGINT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX import_errors_job ON import_errors (job_id, id);

-- The original values of each failed row, for the failed-rows file.
CREATE TABLE import_failed_rows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    row_number BIGINT NOT NULL,
    message TEXT NOT NULL,
    values_json TEXT NOT NULL
);
CREATE INDEX import_failed_rows_job ON import_failed_rows (job_id, id);

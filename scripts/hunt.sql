-- The hunt, as an analyst would type it into the duckdb shell (make hunt runs exactly this).
-- Before it: LOAD the extension and SET VARIABLE logs = [<files>], since and until (TIMESTAMPTZ
-- or NULL for no bound); scripts/hunt.py does all of it (remote globs listed by DuckDB's glob()).
-- The playbook macros are called as cloudfront.<macro>: LOAD keeps them in its own in-memory
-- catalog `cloudfront` and writes nothing into a database file such as analysis.db.

-- 1. Ingest: every log line, typed, with the fused UTC timestamp. Streams into the database
--    file (DuckDB spills to disk when the logs exceed memory). since/until open only the files
--    whose names say they can hold requests of the window, and keep only those requests.
CREATE OR REPLACE TABLE events AS
SELECT * FROM read_cloudfront(getvariable('logs'), filename := true,
                              since := getvariable('since'), until := getvariable('until'));

-- 2. The overview.
CREATE OR REPLACE TABLE summary AS
SELECT * FROM cloudfront.cf_summary('events');

-- 3. Every hunt of the playbook, one triage list, most severe first.
CREATE OR REPLACE TABLE findings AS
SELECT * FROM cloudfront.cf_hunt('events');

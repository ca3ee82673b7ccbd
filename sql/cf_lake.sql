-- cf_lake: the enriched Parquet lake written by `make lake` (DuckDB or Spark), read back with read_cloudfront's types.
-- Question: What are the rows of the enriched CloudFront lake under dir, typed as read_cloudfront(..., enrich := true) returns them?
-- Parameters:
--   dir   the lake's root (VARCHAR): a local directory or an s3:// prefix (httpfs loaded, a secret
--         configured), as given to make lake LAKE=...
-- Layout read: dir/year=YYYY/month=MM/day=DD/hour=HH/*.parquet (Hive-style partitions of the UTC
-- request time; _manifest/ and other directories beside them are ignored).
-- Output: read_cloudfront's standard columns (timestamp, then the 35 fields of the standard log;
--   `time` is stored as text in the lake, since Spark and Athena have no TIME type, and comes
--   back as TIME), filename (the source log), the enriched columns (cloudfront_enriched_columns()),
--   then the partition columns year, month, day, hour (VARCHAR, zero-padded: filter on them to read
--   only some partitions, e.g. WHERE year = '2026' AND month = '11').
-- Example: CREATE VIEW events AS FROM cf_lake('lake'); FROM cf_hunt('events');
CREATE OR REPLACE MACRO cf_lake(dir) AS TABLE
SELECT * EXCLUDE (year, month, day, hour) REPLACE (CAST(time AS TIME) AS time), year, month, day, hour
FROM read_parquet(rtrim(dir, '/') || '/year=*/month=*/day=*/hour=*/*.parquet',
                  hive_partitioning := true, union_by_name := true,
                  hive_types := {'year': VARCHAR, 'month': VARCHAR, 'day': VARCHAR, 'hour': VARCHAR});

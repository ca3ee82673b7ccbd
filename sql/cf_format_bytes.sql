-- cf_format_bytes: a byte count as text with binary units, as DuckDB's format_bytes() writes it.
-- Question: How does a byte count read with binary units ('117.7 MiB', '1000 bytes')?
-- Parameters:
--   x   a byte count (BIGINT); NULL gives NULL
-- Output: VARCHAR. The same text as DuckDB's format_bytes(x) for x >= 0 (the largest unit with
-- a non-zero whole part, one truncated decimal; 'bytes' below 1 KiB, '1 byte' for 1), written in
-- plain SQL so that the hunts quoting it (cf_summary, cf_suspicious_egress, cf_hunt) render for
-- Spark and Trino too (scripts/cflake/playbook_sql.py).
CREATE OR REPLACE MACRO cf_format_bytes(x) AS
CASE WHEN x IS NULL THEN NULL
     WHEN x < 1024 THEN CAST(x AS VARCHAR) || CASE WHEN x = 1 THEN ' byte' ELSE ' bytes' END
     ELSE CAST(CAST(floor(x / CASE WHEN x >= 1125899906842624 THEN 1125899906842624 WHEN x >= 1099511627776 THEN 1099511627776
                                   WHEN x >= 1073741824 THEN 1073741824 WHEN x >= 1048576 THEN 1048576 ELSE 1024 END) AS BIGINT) AS VARCHAR)
          || '.'
          || CAST(CAST(floor((CAST(floor(x / CASE WHEN x >= 1125899906842624 THEN 1099511627776 WHEN x >= 1099511627776 THEN 1073741824
                                                  WHEN x >= 1073741824 THEN 1048576 WHEN x >= 1048576 THEN 1024 ELSE 1 END) AS BIGINT) % 1024) * 10 / 1024) AS BIGINT) AS VARCHAR)
          || CASE WHEN x >= 1125899906842624 THEN ' PiB' WHEN x >= 1099511627776 THEN ' TiB' WHEN x >= 1073741824 THEN ' GiB'
                  WHEN x >= 1048576 THEN ' MiB' ELSE ' KiB' END
END;

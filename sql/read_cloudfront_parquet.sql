-- read_cloudfront_parquet: CloudFront standard logging v2 Parquet output as read_cloudfront() rows.
-- Question: How do I hunt in CloudFront standard logging (v2) Parquet files with the same columns and types as read_cloudfront()?
-- Parameters:
--   path   a Parquet file, glob or list of them (anything read_parquet accepts, s3:// included
--          once httpfs is loaded), read with union_by_name := true so that files with different
--          field selections combine.
-- Assumptions (docs/format-facts.md section 3; no real v2 Parquet file was available, so these
-- are UNVERIFIED against AWS output and kept deliberately lenient):
--   * Columns are named like the CloudFront fields, either with underscores as in AWS's Athena
--     DDL for v2 Parquet (x_edge_location, cs_user_agent, cs_referer; Athena's older cs_referrer
--     too) or with the raw W3C names (x-edge-location, cs(User-Agent), cs(Referer)). Names match
--     case-insensitively; when both spellings are present the underscore one wins.
--   * Values may be strings (the Athena DDL types every column string) or typed; '-', empty and
--     blank strings are NULL, and numbers that do not parse are NULL (try_cast), never an error.
--   * Fields a delivery did not select are simply absent and come out NULL: the files are
--     UNION ALL BY NAME'd with an empty row set that has every expected column, so a missing
--     column is never a binder error (and no COLUMNS() regex has to match).
--   * timestamp is the UTC instant of date + time; without them, timestamp(ms) (epoch
--     milliseconds, a v2 field) or a numeric timestamp (epoch seconds, seen in a third-party
--     sample). date and time are then derived from it (UTC).
--   * cs_user_agent and cs_referer are URL-decoded up to two levels, as read_cloudfront() does by
--     default; cs_uri_stem, cs_uri_query and the other fields stay exactly as logged.
--   * Extra v2 fields (asn, c_country, origin_fbl, ...) are not returned; use read_parquet for them.
-- Output: the 36 canonical columns of read_cloudfront(), same names, order and types:
--   timestamp TIMESTAMPTZ, date DATE, time TIME, x_edge_location, sc_bytes BIGINT, c_ip,
--   cs_method, cs_host, cs_uri_stem, sc_status INTEGER, cs_referer, cs_user_agent, cs_uri_query,
--   cs_cookie, x_edge_result_type, x_edge_request_id, x_host_header, cs_protocol,
--   cs_bytes BIGINT, time_taken DOUBLE, x_forwarded_for, ssl_protocol, ssl_cipher,
--   x_edge_response_result_type, cs_protocol_version, fle_status, fle_encrypted_fields,
--   c_port INTEGER, time_to_first_byte DOUBLE, x_edge_detailed_result_type, sc_content_type,
--   sc_content_len BIGINT, sc_range_start BIGINT, sc_range_end BIGINT, distribution_tenant_id,
--   connection_id (VARCHAR where no type is given)
CREATE OR REPLACE MACRO read_cloudfront_parquet(path) AS TABLE
WITH _cf_raw AS (
    SELECT * FROM read_parquet(path, union_by_name := true)
    UNION ALL BY NAME
    SELECT
           NULL::VARCHAR AS "date", NULL::VARCHAR AS "time",
           NULL::VARCHAR AS "x_edge_location", NULL::VARCHAR AS "x-edge-location",
           NULL::VARCHAR AS "sc_bytes", NULL::VARCHAR AS "sc-bytes",
           NULL::VARCHAR AS "c_ip", NULL::VARCHAR AS "c-ip",
           NULL::VARCHAR AS "cs_method", NULL::VARCHAR AS "cs-method",
           NULL::VARCHAR AS "cs_host", NULL::VARCHAR AS "cs(Host)",
           NULL::VARCHAR AS "cs_uri_stem", NULL::VARCHAR AS "cs-uri-stem",
           NULL::VARCHAR AS "sc_status", NULL::VARCHAR AS "sc-status",
           NULL::VARCHAR AS "cs_referer", NULL::VARCHAR AS "cs(Referer)",
           NULL::VARCHAR AS "cs_user_agent", NULL::VARCHAR AS "cs(User-Agent)",
           NULL::VARCHAR AS "cs_uri_query", NULL::VARCHAR AS "cs-uri-query",
           NULL::VARCHAR AS "cs_cookie", NULL::VARCHAR AS "cs(Cookie)",
           NULL::VARCHAR AS "x_edge_result_type", NULL::VARCHAR AS "x-edge-result-type",
           NULL::VARCHAR AS "x_edge_request_id", NULL::VARCHAR AS "x-edge-request-id",
           NULL::VARCHAR AS "x_host_header", NULL::VARCHAR AS "x-host-header",
           NULL::VARCHAR AS "cs_protocol", NULL::VARCHAR AS "cs-protocol",
           NULL::VARCHAR AS "cs_bytes", NULL::VARCHAR AS "cs-bytes",
           NULL::VARCHAR AS "time_taken", NULL::VARCHAR AS "time-taken",
           NULL::VARCHAR AS "x_forwarded_for", NULL::VARCHAR AS "x-forwarded-for",
           NULL::VARCHAR AS "ssl_protocol", NULL::VARCHAR AS "ssl-protocol",
           NULL::VARCHAR AS "ssl_cipher", NULL::VARCHAR AS "ssl-cipher",
           NULL::VARCHAR AS "x_edge_response_result_type", NULL::VARCHAR AS "x-edge-response-result-type",
           NULL::VARCHAR AS "cs_protocol_version", NULL::VARCHAR AS "cs-protocol-version",
           NULL::VARCHAR AS "fle_status", NULL::VARCHAR AS "fle-status",
           NULL::VARCHAR AS "fle_encrypted_fields", NULL::VARCHAR AS "fle-encrypted-fields",
           NULL::VARCHAR AS "c_port", NULL::VARCHAR AS "c-port",
           NULL::VARCHAR AS "time_to_first_byte", NULL::VARCHAR AS "time-to-first-byte",
           NULL::VARCHAR AS "x_edge_detailed_result_type", NULL::VARCHAR AS "x-edge-detailed-result-type",
           NULL::VARCHAR AS "sc_content_type", NULL::VARCHAR AS "sc-content-type",
           NULL::VARCHAR AS "sc_content_len", NULL::VARCHAR AS "sc-content-len",
           NULL::VARCHAR AS "sc_range_start", NULL::VARCHAR AS "sc-range-start",
           NULL::VARCHAR AS "sc_range_end", NULL::VARCHAR AS "sc-range-end",
           NULL::VARCHAR AS "distribution_tenant_id", NULL::VARCHAR AS "distribution-tenant-id",
           NULL::VARCHAR AS "connection_id", NULL::VARCHAR AS "connection-id",
           NULL::VARCHAR AS "cs_referrer", NULL::VARCHAR AS "timestamp(ms)",
           NULL::VARCHAR AS "timestamp_ms", NULL::VARCHAR AS "timestamp"
    WHERE false
),
_cf_ts AS (
    SELECT *,
           coalesce(
               try_cast(nullif(trim("date"), '') || 'T' || nullif(trim("time"), '') || 'Z' AS TIMESTAMPTZ),
               to_timestamp(try_cast(nullif(trim(coalesce("timestamp(ms)", "timestamp_ms")), '') AS DOUBLE) / 1000.0),
               to_timestamp(try_cast(nullif(trim("timestamp"), '') AS DOUBLE))
           ) AS _cf_ts
    FROM _cf_raw raw
)
SELECT _cf_ts AS timestamp,
       coalesce(try_cast(nullif(trim("date"), '') AS DATE), CAST(timezone('UTC', _cf_ts) AS DATE)) AS date,
       coalesce(try_cast(nullif(trim("time"), '') AS TIME), CAST(timezone('UTC', _cf_ts) AS TIME)) AS time,
       nullif(nullif(trim(coalesce("x_edge_location", "x-edge-location")), '-'), '') AS x_edge_location,
       try_cast(nullif(nullif(trim(coalesce("sc_bytes", "sc-bytes")), '-'), '') AS BIGINT) AS sc_bytes,
       nullif(nullif(trim(coalesce("c_ip", "c-ip")), '-'), '') AS c_ip,
       nullif(nullif(trim(coalesce("cs_method", "cs-method")), '-'), '') AS cs_method,
       nullif(nullif(trim(coalesce("cs_host", "cs(Host)")), '-'), '') AS cs_host,
       nullif(nullif(trim(coalesce("cs_uri_stem", "cs-uri-stem")), '-'), '') AS cs_uri_stem,
       try_cast(nullif(nullif(trim(coalesce("sc_status", "sc-status")), '-'), '') AS INTEGER) AS sc_status,
       url_decode_cf(nullif(nullif(trim(coalesce("cs_referer", "cs(Referer)", "cs_referrer")), '-'), ''), 2) AS cs_referer,
       url_decode_cf(nullif(nullif(trim(coalesce("cs_user_agent", "cs(User-Agent)")), '-'), ''), 2) AS cs_user_agent,
       nullif(nullif(trim(coalesce("cs_uri_query", "cs-uri-query")), '-'), '') AS cs_uri_query,
       nullif(nullif(trim(coalesce("cs_cookie", "cs(Cookie)")), '-'), '') AS cs_cookie,
       nullif(nullif(trim(coalesce("x_edge_result_type", "x-edge-result-type")), '-'), '') AS x_edge_result_type,
       nullif(nullif(trim(coalesce("x_edge_request_id", "x-edge-request-id")), '-'), '') AS x_edge_request_id,
       nullif(nullif(trim(coalesce("x_host_header", "x-host-header")), '-'), '') AS x_host_header,
       nullif(nullif(trim(coalesce("cs_protocol", "cs-protocol")), '-'), '') AS cs_protocol,
       try_cast(nullif(nullif(trim(coalesce("cs_bytes", "cs-bytes")), '-'), '') AS BIGINT) AS cs_bytes,
       try_cast(nullif(nullif(trim(coalesce("time_taken", "time-taken")), '-'), '') AS DOUBLE) AS time_taken,
       nullif(nullif(trim(coalesce("x_forwarded_for", "x-forwarded-for")), '-'), '') AS x_forwarded_for,
       nullif(nullif(trim(coalesce("ssl_protocol", "ssl-protocol")), '-'), '') AS ssl_protocol,
       nullif(nullif(trim(coalesce("ssl_cipher", "ssl-cipher")), '-'), '') AS ssl_cipher,
       nullif(nullif(trim(coalesce("x_edge_response_result_type", "x-edge-response-result-type")), '-'), '') AS x_edge_response_result_type,
       nullif(nullif(trim(coalesce("cs_protocol_version", "cs-protocol-version")), '-'), '') AS cs_protocol_version,
       nullif(nullif(trim(coalesce("fle_status", "fle-status")), '-'), '') AS fle_status,
       nullif(nullif(trim(coalesce("fle_encrypted_fields", "fle-encrypted-fields")), '-'), '') AS fle_encrypted_fields,
       try_cast(nullif(nullif(trim(coalesce("c_port", "c-port")), '-'), '') AS INTEGER) AS c_port,
       try_cast(nullif(nullif(trim(coalesce("time_to_first_byte", "time-to-first-byte")), '-'), '') AS DOUBLE) AS time_to_first_byte,
       nullif(nullif(trim(coalesce("x_edge_detailed_result_type", "x-edge-detailed-result-type")), '-'), '') AS x_edge_detailed_result_type,
       nullif(nullif(trim(coalesce("sc_content_type", "sc-content-type")), '-'), '') AS sc_content_type,
       try_cast(nullif(nullif(trim(coalesce("sc_content_len", "sc-content-len")), '-'), '') AS BIGINT) AS sc_content_len,
       try_cast(nullif(nullif(trim(coalesce("sc_range_start", "sc-range-start")), '-'), '') AS BIGINT) AS sc_range_start,
       try_cast(nullif(nullif(trim(coalesce("sc_range_end", "sc-range-end")), '-'), '') AS BIGINT) AS sc_range_end,
       nullif(nullif(trim(coalesce("distribution_tenant_id", "distribution-tenant-id")), '-'), '') AS distribution_tenant_id,
       nullif(nullif(trim(coalesce("connection_id", "connection-id")), '-'), '') AS connection_id
FROM _cf_ts ts;

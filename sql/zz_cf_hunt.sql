-- cf_hunt: every detection hunt of the playbook in one triage list.
-- Question: What should an analyst look at first in this CloudFront traffic, across every hunt of the playbook?
-- Parameters:
--   tbl   name of a table or view of read_cloudfront() rows (VARCHAR). Every hunt runs with its
--         documented defaults (see each cf_*.sql header); call a hunt directly to tune it.
-- Hunts run: cf_scrapers, cf_cache_busting, cf_waf_blocks, cf_waf_bypass, cf_error_spikes,
-- cf_ddos, cf_geo_spikes, cf_suspicious_egress, cf_protocol_anomalies, cf_scanners,
-- cf_credential_stuffing (cf_summary and cf_top_talkers describe, they do not detect).
-- File name: zz_ on purpose. The extension runs sql/*.sql in file-name order at LOAD, and DuckDB
-- binds the table macros a table macro calls when it is created, so this file must come after
-- every hunt it calls.
-- Findings are grouped per entity so one incident is one row: per client IP for client hunts,
-- per stem for path hunts, per edge location for geo spikes, and consecutive flagged buckets of
-- a time-window hunt are merged into one window.
-- Output (one row per finding, most severe first, then most requests, then hunt and entity):
--   hunt VARCHAR          the macro that found it (drill down with FROM <hunt>('tbl'))
--   severity VARCHAR      'high' | 'medium' | 'low', as the hunt rates it (the worst of the rows merged)
--   entity_type VARCHAR   'ip' | 'path' | 'window' | 'edge_location'
--   entity VARCHAR        the IP, the URI stem, the window as ISO 8601 'start/end' (UTC, with
--                         the error kind for cf_error_spikes), or the airport code
--   first_seen, last_seen TIMESTAMPTZ
--   requests BIGINT       the requests that are the evidence (blocked, busting, failed, ...)
--   evidence VARCHAR      a short sentence with the numbers
CREATE OR REPLACE MACRO cf_hunt(tbl) AS TABLE
WITH
_cf_scr AS (
    SELECT 'cf_scrapers' AS hunt, severity, 'ip' AS entity_type, c_ip AS entity, first_seen, last_seen,
           requests::BIGINT AS requests,
           printf('%d requests to %d distinct pages over %.0f min (%.1f/min, active %.0f%% of minutes), %.0f%% page assets; UA %s "%s"; %d flagged client(s) in %s',
                  requests, distinct_uris, (epoch(last_seen) - epoch(first_seen)) / 60.0, rate_per_min,
                  100 * active_ratio, 100 * asset_ratio, coalesce(ua_category, '?'), coalesce(left(user_agent, 60), '-'),
                  subnet_clients, coalesce(subnet, '?')) AS evidence
    FROM cf_scrapers(tbl)
),
_cf_cb AS (
    SELECT 'cf_cache_busting', severity, 'path', cs_uri_stem, first_seen, last_seen, busting_requests::BIGINT,
           printf('%d requests with random query values (params %s, avg entropy %.2f bits) from %d client(s), %d distinct queries, %.0f%% cache misses; %s',
                  busting_requests, coalesce(params, '?'), avg_query_entropy, busting_clients, distinct_queries,
                  100 * busting_miss_ratio, coalesce(clients, ''))
    FROM cf_cache_busting(tbl)
),
_cf_wb AS (
    SELECT 'cf_waf_blocks', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'ip', c_ip,
           min(window_start), max(window_end), sum(blocked)::BIGINT,
           printf('%d requests refused (%s) in %d five-minute window(s), peak %d; %.0f%% of its requests there; paths e.g. %s, query e.g. %s',
                  sum(blocked)::BIGINT, string_agg(DISTINCT detailed_types, ',' ORDER BY detailed_types), count(*)::BIGINT, max(blocked)::BIGINT,
                  100 * sum(blocked) / sum(requests), min(top_path), coalesce(left(min(sample_query), 60), '-'))
    FROM cf_waf_blocks(tbl)
    GROUP BY c_ip
),
_cf_wbp AS (
    SELECT 'cf_waf_bypass',
           CASE WHEN bool_or(severity = 'high') THEN 'high' WHEN bool_or(severity = 'medium') THEN 'medium' ELSE 'low' END,
           'ip', c_ip, min(first_seen), max(last_seen), sum(evidence_requests)::BIGINT,
           concat_ws('; ',
               CASE WHEN bool_or(blocked_then_allowed) THEN
                   printf('blocked %d times, then allowed %d times on the same path (%s)',
                          sum(blocked) FILTER (WHERE blocked_then_allowed)::BIGINT,
                          sum(allowed_after) FILTER (WHERE blocked_then_allowed)::BIGINT,
                          string_agg(cs_uri_stem, ',' ORDER BY cs_uri_stem) FILTER (WHERE blocked_then_allowed)) END,
               CASE WHEN bool_or(encoded_not_blocked) THEN
                   printf('%d request(s) with payloads percent-encoded %d levels deep got through on %s, e.g. %s',
                          sum(encoded_allowed)::BIGINT, max(max_encoding_depth)::BIGINT,
                          string_agg(cs_uri_stem, ',' ORDER BY cs_uri_stem) FILTER (WHERE encoded_not_blocked),
                          coalesce(left(min(sample_query) FILTER (WHERE encoded_not_blocked), 70), '-')) END)
    FROM cf_waf_bypass(tbl)
    GROUP BY c_ip
),
-- Flagged buckets at most 15 buckets apart belong to one episode (islands via a running sum of
-- "gap before me" flags), so an attack that lifts the error rate on and off (credential stuffing
-- at a few attempts a minute) is one finding, not a dozen.
_cf_es_gaps AS (
    SELECT *, coalesce(bucket_start - lag(bucket_end) OVER (PARTITION BY kind ORDER BY bucket_start)
                       > 15 * (bucket_end - bucket_start), true) AS new_island
    FROM cf_error_spikes(tbl)
),
_cf_es_rows AS (
    SELECT *, sum(new_island::INTEGER) OVER (PARTITION BY kind ORDER BY bucket_start ROWS UNBOUNDED PRECEDING) AS island
    FROM _cf_es_gaps es_gaps
),
_cf_es AS (
    SELECT 'cf_error_spikes', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'window',
           strftime(timezone('UTC', min(bucket_start)), '%Y-%m-%dT%H:%M:%SZ') || '/' ||
               strftime(timezone('UTC', max(bucket_end)), '%Y-%m-%dT%H:%M:%SZ') || ' ' || kind,
           min(bucket_start), max(bucket_end), sum(errors)::BIGINT,
           printf('%s errors: %d of %d requests (%.1f%%) in %d flagged bucket(s) over %d min, baseline %.1f%%; mostly %d %s on %s',
                  CASE kind WHEN 'origin' THEN 'origin' WHEN 'server' THEN 'other 5xx' ELSE '4xx client' END,
                  sum(errors)::BIGINT, sum(requests)::BIGINT, 100 * sum(errors) / sum(requests), count(*)::BIGINT,
                  ((epoch(max(bucket_end)) - epoch(min(bucket_start))) / 60)::BIGINT, 100 * min(baseline_rate),
                  mode(top_status ORDER BY top_status), coalesce(mode(top_detail ORDER BY top_detail), '-'), coalesce(mode(top_path ORDER BY top_path), '-'))
    FROM _cf_es_rows es_rows
    GROUP BY kind, island
),
_cf_dd_all AS (
    FROM cf_ddos(tbl)
),
_cf_dd_gaps AS (
    SELECT *, coalesce(window_start - lag(window_end) OVER (ORDER BY window_start)
                       > 5 * (window_end - window_start), true) AS new_island
    FROM _cf_dd_all dd_all
    WHERE kind = 'rate_spike'
),
_cf_dd_rows AS (
    SELECT *, sum(new_island::INTEGER) OVER (ORDER BY window_start ROWS UNBOUNDED PRECEDING) AS island
    FROM _cf_dd_gaps dd_gaps
),
_cf_dd AS (
    SELECT 'cf_ddos', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'window',
           strftime(timezone('UTC', min(window_start)), '%Y-%m-%dT%H:%M:%SZ') || '/' ||
               strftime(timezone('UTC', max(window_end)), '%Y-%m-%dT%H:%M:%SZ'),
           min(window_start), max(window_end), sum(requests)::BIGINT,
           printf('request rate up to %.1fx its baseline (%d requests in %d min vs ~%.0f per bucket), up to %d sources per bucket; top target %s, top edge %s',
                  max(ratio), sum(requests)::BIGINT, ((epoch(max(window_end)) - epoch(min(window_start))) / 60)::BIGINT,
                  median(baseline), max(distinct_sources)::BIGINT, coalesce(mode(top_target ORDER BY top_target), '-'),
                  coalesce(mode(top_edge_location ORDER BY top_edge_location), '-'))
    FROM _cf_dd_rows dd_rows
    GROUP BY island
    UNION ALL
    SELECT 'cf_ddos', severity, 'ip', entity, window_start, window_end, requests::BIGINT,
           printf('%d requests within %d min (%.1fx the per-IP limit of %d), %.0f%% to %s via %s; %d requests in total',
                  requests, ((epoch(window_end) - epoch(window_start)) / 60)::BIGINT, ratio, baseline::BIGINT,
                  100 * top_target_share, coalesce(top_target, '-'), coalesce(top_edge_location, '-'), total_requests)
    FROM _cf_dd_all dd_all
    WHERE kind = 'client_flood'
),
_cf_geo_gaps AS (
    SELECT *, coalesce(bucket_start - lag(bucket_end) OVER (PARTITION BY edge_location ORDER BY bucket_start)
                       > 2 * (bucket_end - bucket_start), true) AS new_island
    FROM cf_geo_spikes(tbl)
),
_cf_geo_rows AS (
    SELECT *, sum(new_island::INTEGER) OVER (PARTITION BY edge_location ORDER BY bucket_start ROWS UNBOUNDED PRECEDING) AS island
    FROM _cf_geo_gaps geo_gaps
),
_cf_geo AS (
    SELECT 'cf_geo_spikes', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'edge_location',
           edge_location, min(bucket_start), max(bucket_end), sum(requests)::BIGINT,
           printf('%s (%s, %s; %s): %d requests, up to %d distinct clients per bucket vs a baseline of %.0f, for %d min%s',
                  edge_location, coalesce(min(city), 'unknown city'), coalesce(min(country), 'unknown country'), min(pops),
                  sum(requests)::BIGINT, max(clients)::BIGINT, max(baseline_clients),
                  ((epoch(max(bucket_end)) - epoch(min(bucket_start))) / 60)::BIGINT,
                  CASE WHEN bool_or(new_location) THEN '; never seen before ' || strftime(timezone('UTC', min(location_first_seen)), '%H:%M UTC') ELSE '' END)
    FROM _cf_geo_rows geo_rows
    GROUP BY edge_location, island
),
_cf_eg AS (
    SELECT 'cf_suspicious_egress', severity, 'ip', c_ip, first_seen, last_seen, requests::BIGINT,
           printf('%s out in %d requests (%.0fx the p99 client%s), %d object(s) >= 100 MB, largest %s; e.g. %s; UA "%s"',
                  bytes_out_human, requests, times_p99,
                  CASE WHEN robust_z IS NULL THEN '' ELSE printf(', robust z %.1f', robust_z) END,
                  large_objects, format_bytes(largest_object), coalesce(top_path, '-'), coalesce(left(user_agent, 40), '-'))
    FROM cf_suspicious_egress(tbl)
),
_cf_pa AS (
    SELECT 'cf_protocol_anomalies', severity, 'ip', c_ip, first_seen, last_seen, anomalous_requests::BIGINT,
           printf('%d of %d requests anomalous (%d kind(s)): ', anomalous_requests, requests, kinds) ||
           concat_ws(', ',
               CASE WHEN legacy_tls > 0 THEN printf('%s x%d', tls_versions, legacy_tls) END,
               CASE WHEN old_http > 0 THEN printf('%s x%d', http_versions, old_http) END,
               CASE WHEN unusual_method > 0 THEN printf('method %s x%d', methods, unusual_method) END,
               CASE WHEN missing_ua > 0 THEN printf('no user agent x%d', missing_ua) END,
               CASE WHEN odd_port > 0 THEN printf('source port %s x%d', ports, odd_port) END)
    FROM cf_protocol_anomalies(tbl)
),
_cf_sc AS (
    SELECT 'cf_scanners', severity, 'ip', c_ip, first_seen, last_seen, requests::BIGINT,
           concat_ws('; ',
               CASE WHEN scanner_ua_requests > 0 THEN printf('scanner user agent on %d request(s)', scanner_ua_requests) END,
               CASE WHEN distinct_probe_paths > 0 THEN printf('%d request(s) to %d probe path(s), e.g. %s', probe_requests,
                                                              distinct_probe_paths, sample_probe) END,
               CASE WHEN contains(reasons, 'error_burst') THEN printf('%d 4xx over %d URIs within 5 min', peak_errors,
                                                                      peak_distinct_uris) END,
               printf('%d requests in all, %.0f%% 4xx; UA "%s"', requests, 100 * error_rate, coalesce(left(tool, 60), '-')))
    FROM cf_scanners(tbl)
),
_cf_cs AS (
    SELECT 'cf_credential_stuffing', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'path',
           cs_uri_stem, min(first_seen), max(last_seen), sum(posts)::BIGINT,
           printf('%d of %d POSTs failed (%.0f%%, %d x 401, %d x 403) from up to %d distinct clients per hour over %d hour(s)',
                  sum(failures)::BIGINT, sum(posts)::BIGINT, 100 * sum(failures) / sum(posts), sum(status_401)::BIGINT,
                  sum(status_403)::BIGINT, max(failing_clients)::BIGINT, count(*)::BIGINT)
    FROM cf_credential_stuffing(tbl)
    GROUP BY cs_uri_stem
),
_cf_findings AS (
    SELECT * FROM _cf_scr scr
    UNION ALL SELECT * FROM _cf_cb cb
    UNION ALL SELECT * FROM _cf_wb wb
    UNION ALL SELECT * FROM _cf_wbp wbp
    UNION ALL SELECT * FROM _cf_es es
    UNION ALL SELECT * FROM _cf_dd dd
    UNION ALL SELECT * FROM _cf_geo geo
    UNION ALL SELECT * FROM _cf_eg eg
    UNION ALL SELECT * FROM _cf_pa pa
    UNION ALL SELECT * FROM _cf_sc sc
    UNION ALL SELECT * FROM _cf_cs cs
)
SELECT hunt::VARCHAR AS hunt, severity::VARCHAR AS severity, entity_type::VARCHAR AS entity_type,
       entity::VARCHAR AS entity, first_seen::TIMESTAMPTZ AS first_seen, last_seen::TIMESTAMPTZ AS last_seen,
       requests::BIGINT AS requests, evidence::VARCHAR AS evidence
FROM _cf_findings findings
ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, requests DESC, hunt, entity;

-- cf_waf_bypass: attack payloads that got past the WAF, and clients allowed on a path after being refused there.
-- Question: Which attack payloads were answered 2xx/3xx instead of being refused (a WAF bypass), which of them were refused first or encoded by the client to slip through, and which clients were blocked on a path and later allowed on it?
-- Parameters:
--   tbl                name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_blocked := 3   refused requests (is_waf_block) a client needs on a stem before later
--                      successes there count as "blocked then allowed". One or two 403s happen to
--                      people (a stale form, a rule false positive); three is a client retrying.
--   min_depth := 2     client-side encoding depth at or above which a payload counts as encoded
--                      to evade: the depth of the value the client sent, i.e. encoding_depth()
--                      after undoing CloudFront's own escaping once (CloudFront logs a client's %
--                      as %25, docs/format-facts.md). So a space the client sent as %20, logged
--                      %2520, is depth 1 (ordinary), and a %2527 from the client (its ' encoded
--                      twice, logged %252527) is depth 2: the classic double-encoding evasion.
--   min_through := 2   payload requests answered 2xx/3xx (not refused) a client needs on a stem
--                      to be reported for that reason. As cf_attacks' min_requests: attack tools
--                      send several payloads, while a benign request that happens to match a rule
--                      is a one-off (attack_types' false-positive target is 0.5% of normal
--                      requests; a verified Googlebot following a link to a "sensitive" URL once
--                      is one on the real blog log).
-- A payload is a request with attack_types(cs_uri_stem, cs_uri_query, cs_referer,
-- cs_user_agent) not empty; it got through when it was not refused and its status is 200-399
-- (200-299 when its only families are the path-only ones webshell, sensitive_file and
-- known_exploit: a redirect of a probed path is not a hit, as in cf_attacks).
-- Output: one row per (client, stem) with at least one reason, most severe first:
--   c_ip, cs_uri_stem, families VARCHAR[] (attack families of the payloads that got through),
--   blocked (refused requests on the stem), first_blocked, last_blocked,
--   allowed_after (status 1xx-3xx, not refused, after the first block), first_allowed_after,
--   payload_through (payload requests answered 2xx/3xx), evidence_requests (blocked,
--   allowed-after-block and payload-through requests, each counted once),
--   max_encoding_depth (client-side depth of the payloads that got through),
--   sample_query (one payload that got through, as logged; else one blocked query),
--   sample_payload (that request decoded: stem?query, first 120 characters),
--   blocked_then_allowed BOOLEAN, payload_not_blocked BOOLEAN,
--   first_seen, last_seen (of the requests that are evidence), user_agent (most frequent),
--   severity: 'high' when payloads got through after being refused on the stem, or encoded
--   min_depth deep by the client; 'medium' for payloads that got through otherwise; 'low' for
--   blocked-then-allowed without payloads in what was allowed (a client that stops attacking and
--   browses normally also produces it)
CREATE OR REPLACE MACRO cf_waf_bypass(tbl, min_blocked := 3, min_depth := 2, min_through := 2) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(min_blocked::VARCHAR AS BIGINT) AS min_blocked,
        TRY_CAST(min_depth::VARCHAR AS BIGINT) AS min_depth,
        TRY_CAST(min_through::VARCHAR AS BIGINT) AS min_through
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, cs_uri_query, cs_referer, sc_status, cs_user_agent,
           coalesce(waf_block, false) AS blocked, attack_types AS families, encoding_depth, request_decoded
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN min_blocked IS NULL THEN error('cf_waf_bypass: min_blocked must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_blocked::VARCHAR AS DOUBLE) = TRY_CAST(min_blocked::VARCHAR AS BIGINT), false) THEN error('cf_waf_bypass: min_blocked must be a whole number, got ' || min_blocked::VARCHAR)
        WHEN TRY_CAST(min_blocked::VARCHAR AS BIGINT) < 1 THEN error('cf_waf_bypass: min_blocked must be >= 1, got ' || min_blocked::VARCHAR)
        WHEN min_depth IS NULL THEN error('cf_waf_bypass: min_depth must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_depth::VARCHAR AS DOUBLE) = TRY_CAST(min_depth::VARCHAR AS BIGINT), false) THEN error('cf_waf_bypass: min_depth must be a whole number, got ' || min_depth::VARCHAR)
        WHEN TRY_CAST(min_depth::VARCHAR AS BIGINT) NOT BETWEEN 1 AND 8 THEN error('cf_waf_bypass: min_depth must be between 1 and 8 (encoding_depth''s cap), got ' || min_depth::VARCHAR)
        WHEN min_through IS NULL THEN error('cf_waf_bypass: min_through must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_through::VARCHAR AS DOUBLE) = TRY_CAST(min_through::VARCHAR AS BIGINT), false) THEN error('cf_waf_bypass: min_through must be a whole number, got ' || min_through::VARCHAR)
        WHEN TRY_CAST(min_through::VARCHAR AS BIGINT) < 1 THEN error('cf_waf_bypass: min_through must be >= 1, got ' || min_through::VARCHAR)
        ELSE tbl END)
),
_cf_first_blocks AS (
    SELECT c_ip, cs_uri_stem, min(timestamp) AS first_block FROM _cf_t t WHERE blocked GROUP BY c_ip, cs_uri_stem
),
_cf_e AS (
    SELECT t.*, fb.first_block,
           array_length(t.families) > 0 AND NOT t.blocked
               AND (t.sc_status BETWEEN 200 AND 299
                    OR (t.sc_status BETWEEN 300 AND 399
                        AND NOT list_has_all(['webshell', 'sensitive_file', 'known_exploit'], t.families))) AS through
    FROM _cf_t t
    LEFT JOIN _cf_first_blocks fb ON fb.c_ip = t.c_ip AND fb.cs_uri_stem = t.cs_uri_stem
    WHERE fb.first_block IS NOT NULL OR array_length(t.families) > 0
),
-- Client-side depth (the enriched encoding_depth: CloudFront's own layer undone once), only for
-- payloads that got through; the sort keys pick the sample payload (deepest first, then the
-- greatest text; a missing query sorts last, as NULL does).
_cf_d AS (
    SELECT e.*,
           CASE WHEN through THEN encoding_depth END AS depth,
           lpad(CAST(encoding_depth AS VARCHAR), 2, '0')
               || CASE WHEN cs_uri_query IS NULL THEN '1' ELSE '0' || cs_uri_query END AS query_key,
           lpad(CAST(encoding_depth AS VARCHAR), 2, '0') || cs_uri_stem || coalesce('?' || cs_uri_query, '') AS raw_key,
           cs_uri_stem || coalesce('?' || cs_uri_query, '') AS raw
    FROM _cf_e e
),
_cf_per AS (
    SELECT c_ip, cs_uri_stem,
           coalesce(list_sort(list_distinct(flatten(list(families) FILTER (WHERE through)))), []::VARCHAR[]) AS families,
           count(*) FILTER (WHERE blocked) AS blocked,
           min(timestamp) FILTER (WHERE blocked) AS first_blocked,
           max(timestamp) FILTER (WHERE blocked) AS last_blocked,
           count(*) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND timestamp > first_block) AS allowed_after,
           count(*) FILTER (WHERE through AND timestamp > first_block) AS through_after_block,
           min(timestamp) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND timestamp > first_block) AS first_allowed_after,
           max(timestamp) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND timestamp > first_block) AS last_allowed_after,
           count(*) FILTER (WHERE through) AS payload_through,
           min(timestamp) FILTER (WHERE through) AS first_through,
           max(timestamp) FILTER (WHERE through) AS last_through,
           count(*) FILTER (WHERE blocked
                              OR (sc_status BETWEEN 100 AND 399 AND timestamp > first_block)
                              OR through) AS evidence_requests,
           coalesce(max(depth), 0) AS max_encoding_depth,
           -- The deepest-encoded payload that got through (ties: the greatest text), else a blocked one.
           -- (the argument of arg_max is never NULL, so every engine picks the same row)
           coalesce(nullif(arg_max(coalesce(cs_uri_query, ''), query_key) FILTER (WHERE through), ''),
                    min(cs_uri_query) FILTER (WHERE blocked)) AS sample_query,
           coalesce(nullif(arg_max(coalesce(request_decoded, ''), raw_key) FILTER (WHERE through), ''),
                    nullif(arg_min(coalesce(request_decoded, ''), raw) FILTER (WHERE blocked), '')) AS sample_decoded,
           mode(cs_user_agent ORDER BY cs_user_agent) AS user_agent
    FROM _cf_d d
    GROUP BY c_ip, cs_uri_stem
),
_cf_flagged AS (
    SELECT per.*,
           per.blocked >= a.min_blocked AND per.allowed_after >= 1 AS blocked_then_allowed,
           per.payload_through >= a.min_through AS payload_not_blocked,
           a.min_depth AS depth_needed
    FROM _cf_per per CROSS JOIN _cf_args a
    WHERE (per.blocked >= a.min_blocked AND per.allowed_after >= 1) OR per.payload_through >= a.min_through
),
_cf_rated AS (
    SELECT *,
           CASE WHEN payload_not_blocked AND ((blocked_then_allowed AND through_after_block > 0) OR max_encoding_depth >= depth_needed) THEN 'high'
                WHEN payload_not_blocked THEN 'medium'
                ELSE 'low' END AS severity
    FROM _cf_flagged flagged
)
SELECT c_ip, cs_uri_stem, families, blocked, first_blocked, last_blocked, allowed_after, first_allowed_after,
       payload_through, evidence_requests, max_encoding_depth, sample_query,
       left(sample_decoded, 120) AS sample_payload,
       blocked_then_allowed, payload_not_blocked,
       least(CASE WHEN blocked_then_allowed THEN first_blocked END, CASE WHEN payload_not_blocked THEN first_through END) AS first_seen,
       greatest(CASE WHEN blocked_then_allowed THEN last_allowed_after END, CASE WHEN payload_not_blocked THEN last_through END) AS last_seen,
       user_agent, severity
FROM _cf_rated rated
ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
         payload_through + allowed_after DESC, c_ip, cs_uri_stem;

-- cf_attacks: clients sending attack payloads, by family, and whether the payloads got through.
-- Question: Which clients send attack payloads (SQL injection, XSS, path traversal, remote file inclusion, command injection, Log4Shell, SSRF, template injection, web shells, secret files, known exploits), how many were refused, and how many were answered 2xx/3xx?
-- Parameters:
--   tbl                   name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_requests := 2     payload requests of one family a client needs to be rated medium or
--                         high; fewer are listed as 'low'. Attack tools send several payloads
--                         (sqlmap dozens, a worm its one to three probes from each address), while
--                         a benign request that happens to match a rule is a one-off (attack_types'
--                         false-positive target is 0.5% of normal requests): two keeps the one-offs
--                         out of the medium-or-high list. A single-shot exploit from many addresses
--                         is a campaign (cf_campaigns), not a client finding.
--   max_examples := 3     distinct example payloads listed per row (a screenful)
--   example_chars := 120  characters of each example (decoded) kept
-- Classification: attack_types(cs_uri_stem, cs_uri_query, cs_referer, cs_user_agent) on every
-- request (families: sqli, xss, path_traversal, rfi, cmd_injection, jndi, ssrf, ssti, webshell,
-- sensitive_file, known_exploit). A request is refused when is_waf_block() is true, and answered
-- when it was not refused and its status is 200-399. These are the enriched columns attack_types,
-- waf_block (and attack_types_url, attack_types_agent, request_decoded for the examples), read
-- through cf_events(tbl): taken from an enriched table (the lake), computed otherwise.
-- Output: one row per (client, family), most severe first, then most payload requests:
--   c_ip, family, requests (payload requests of the family), refused, refused_share, answered
--   (2xx/3xx), answered_share, not_found (404/405/410), server_errors (5xx), distinct_paths,
--   top_path, examples VARCHAR[] (decoded request lines, e.g. 'GET /products?id=1' UNION SELECT',
--   or 'User-Agent: ${jndi:...}' when the payload is only in a header), user_agent (most
--   frequent, decoded), first_seen, last_seen,
--   severity: 'high' when at least one payload was answered 2xx/3xx (for the path-only families
--   webshell, sensitive_file and known_exploit: 2xx, since a redirect of a probed path is not a
--   hit) and requests >= min_requests; 'medium' when requests >= min_requests and payloads were
--   refused or made the origin fail (5xx); 'low' otherwise (probes answered 404, one-offs).
CREATE OR REPLACE MACRO cf_attacks(tbl, min_requests := 2, max_examples := 3, example_chars := 120) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(min_requests::VARCHAR AS BIGINT) AS min_requests,
        TRY_CAST(max_examples::VARCHAR AS BIGINT) AS max_examples,
        TRY_CAST(example_chars::VARCHAR AS BIGINT) AS example_chars
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_method, cs_uri_stem, cs_uri_query, cs_referer, cs_user_agent, sc_status,
           coalesce(waf_block, false) AS refused, attack_types AS families, attack_types_url, attack_types_agent,
           request_decoded
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN min_requests IS NULL THEN error('cf_attacks: min_requests must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_requests::VARCHAR AS DOUBLE) = TRY_CAST(min_requests::VARCHAR AS BIGINT), false) THEN error('cf_attacks: min_requests must be a whole number, got ' || min_requests::VARCHAR)
        WHEN TRY_CAST(min_requests::VARCHAR AS BIGINT) < 1 THEN error('cf_attacks: min_requests must be >= 1, got ' || min_requests::VARCHAR)
        WHEN max_examples IS NULL THEN error('cf_attacks: max_examples must not be NULL')
        WHEN NOT coalesce(TRY_CAST(max_examples::VARCHAR AS DOUBLE) = TRY_CAST(max_examples::VARCHAR AS BIGINT), false) OR TRY_CAST(max_examples::VARCHAR AS BIGINT) < 1 THEN error('cf_attacks: max_examples must be a whole number >= 1, got ' || max_examples::VARCHAR)
        WHEN example_chars IS NULL THEN error('cf_attacks: example_chars must not be NULL')
        WHEN NOT coalesce(TRY_CAST(example_chars::VARCHAR AS DOUBLE) = TRY_CAST(example_chars::VARCHAR AS BIGINT), false) OR TRY_CAST(example_chars::VARCHAR AS BIGINT) < 10 THEN error('cf_attacks: example_chars must be a whole number >= 10, got ' || example_chars::VARCHAR)
        ELSE tbl END)
),
_cf_hits AS (
    SELECT c_ip, timestamp, cs_method, cs_uri_stem, cs_uri_query, cs_referer, cs_user_agent, sc_status, refused,
           attack_types_url, attack_types_agent, request_decoded, unnest(families) AS family
    FROM _cf_t t
    WHERE array_length(families) > 0
),
-- Examples: the decoded request line when the payload is in the URL, else the header carrying it.
_cf_ex AS (
    SELECT h.*,
           left(CASE WHEN list_contains(attack_types_url, family)
                     THEN coalesce(cs_method, '?') || ' ' || request_decoded
                     WHEN list_contains(attack_types_agent, family)
                     THEN 'User-Agent: ' || cs_user_agent
                     ELSE 'Referer: ' || coalesce(cs_referer, '-') END,
                a.example_chars) AS example
    FROM _cf_hits h CROSS JOIN _cf_args a
),
_cf_per AS (
    SELECT c_ip, family, count(*) AS requests,
           count(*) FILTER (WHERE refused) AS refused,
           count(*) FILTER (WHERE NOT refused AND sc_status BETWEEN 200 AND 399) AS answered,
           count(*) FILTER (WHERE NOT refused AND sc_status BETWEEN 200 AND 299) AS answered_2xx,
           count(*) FILTER (WHERE sc_status IN (404, 405, 410)) AS not_found,
           count(*) FILTER (WHERE sc_status BETWEEN 500 AND 599) AS server_errors,
           count(DISTINCT cs_uri_stem) AS distinct_paths,
           mode(cs_uri_stem ORDER BY cs_uri_stem) AS top_path,
           list_sort(list(DISTINCT example)) AS all_examples,
           mode(cs_user_agent ORDER BY cs_user_agent) AS user_agent,
           min(timestamp) AS first_seen, max(timestamp) AS last_seen
    FROM _cf_ex ex
    GROUP BY c_ip, family
),
_cf_rated AS (
    SELECT p.*, a.max_examples AS n_examples,
           CASE WHEN p.requests >= a.min_requests
                     AND (CASE WHEN p.family IN ('webshell', 'sensitive_file', 'known_exploit') THEN p.answered_2xx ELSE p.answered END) > 0
                THEN 'high'
                WHEN p.requests >= a.min_requests AND (p.refused > 0 OR p.server_errors > 0) THEN 'medium'
                ELSE 'low' END AS severity
    FROM _cf_per p CROSS JOIN _cf_args a
)
SELECT c_ip, family, requests, refused, refused / requests AS refused_share, answered, answered / requests AS answered_share,
       not_found, server_errors, distinct_paths, top_path, list_slice(all_examples, 1, n_examples) AS examples, user_agent,
       first_seen, last_seen, severity
FROM _cf_rated rated
ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, requests DESC, c_ip, family;

-- cf_campaign_members: every client of every campaign found by cf_campaigns, one row each.
-- Question: Which clients belong to a campaign (many addresses sharing one signature: a login or form endpoint they post to like bots, an attack family on one path, a set of probed paths, a user agent), and what did each of them send?
-- Parameters (the same as cf_campaigns, which aggregates this macro):
--   tbl                        name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_members := 3           distinct clients a signature needs to be a campaign. Two clients can
--                              share a signature by coincidence (one person on a phone and a
--                              laptop); three automated clients doing the same thing is
--                              coordination or a shared tool. The real logs hold campaigns of 4
--                              (an admin-login attack), 15 (a proxy pool spamming a contact form)
--                              and 400 addresses (registration spam).
--   min_suspect_share := 0.25  share of a client's requests that must be suspect (below) for it to
--                              count as automated. People browse around anything odd they do: in
--                              cfgen's benign traffic a mistyped login is about 1 request of a
--                              30-request session (3%); the bots of the real logs spend 33-100% of
--                              their requests on the attack (the spam and registration bots load
--                              the form page and one other page per POST). 0.25 sits between.
--   max_fill_seconds := 2      a POST at most this many seconds after the same client loaded the
--                              same stem with GET is a form filled by a program (people need longer
--                              to type; cfgen's people post a login 6-40 s after loading it; the
--                              real logs' bots 0-1 s). CloudFront times have 1-second resolution.
-- Verified search-engine crawlers (crawler_verdict() 'verified' for the client's most frequent user
-- agent) are never members: a crawler fetching a linked secret file or form is not a campaign.
-- Suspect requests: an attack payload (attack_types not empty); a probe path (is_scanner_path);
-- a failed POST (401, 403 or refused by is_waf_block); a blind POST (to a stem other clients load
-- with GET, without this client having loaded it first); a fast POST and the GET just before it
-- (max_fill_seconds).
-- Signatures of a suspect client, from its suspect requests, by priority:
--   login            'POST <stem>'          failed, blind or fast POSTs to the stem
--   probe_sequence   '<stem>, <stem>, ...'   the set of probe or payload stems it requested (a
--                                           single stem too when it carried no payload: three
--                                           addresses probing only /wp-login.php)
--   attack           '<families> <stem>'    attack payloads on one stem, by the families a request
--                                           carries (one payload matching two families, such as a
--                                           worm's command-injecting exploit path, is one signature)
--   user_agent       the user agent         (decoded) of its suspect requests
-- A client is listed in every campaign of its highest-priority kind that has min_members clients
-- (a login botnet is one login campaign, not also a user-agent one; a registration bot that also
-- guesses passwords is in both the join-form and the login-form campaign).
-- Output: one row per (campaign, client), campaigns by size, clients by suspect requests:
--   campaign VARCHAR (kind || ': ' || signature), kind, signature, c_ip, requests (all of the
--   client's requests), suspect_requests, signature_requests (its suspect requests matching the
--   signature), answered (of those, not refused and 2xx/3xx), answered_2xx, refused, first_seen,
--   last_seen (of its signature requests), user_agent (most frequent of its suspect requests),
--   user_agents VARCHAR[] (distinct user agents of its signature requests), families VARCHAR[]
--   (attack families among its signature requests), members BIGINT (clients of the campaign)
CREATE OR REPLACE MACRO cf_campaign_members(tbl, min_members := 3, min_suspect_share := 0.25, max_fill_seconds := 2) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(min_members::VARCHAR AS BIGINT) AS min_members,
        TRY_CAST(min_suspect_share::VARCHAR AS DOUBLE) AS min_suspect_share,
        TRY_CAST(max_fill_seconds::VARCHAR AS DOUBLE) AS max_fill_seconds
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, upper(cs_method) AS method, cs_uri_stem, cs_uri_query, cs_referer, sc_status, cs_user_agent,
           coalesce(waf_block, false) AS refused, attack_types AS families, coalesce(scanner_path, false) AS probe,
           crawler_verdict
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN min_members IS NULL THEN error('cf_campaign_members: min_members must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_members::VARCHAR AS DOUBLE) = TRY_CAST(min_members::VARCHAR AS BIGINT), false) THEN error('cf_campaign_members: min_members must be a whole number, got ' || min_members::VARCHAR)
        WHEN TRY_CAST(min_members::VARCHAR AS BIGINT) < 2 THEN error('cf_campaign_members: min_members must be >= 2 (a campaign has several clients), got ' || min_members::VARCHAR)
        WHEN min_suspect_share IS NULL THEN error('cf_campaign_members: min_suspect_share must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(min_suspect_share::VARCHAR AS DOUBLE)), false) THEN error('cf_campaign_members: min_suspect_share must be a number, got ' || min_suspect_share::VARCHAR)
        WHEN NOT (TRY_CAST(min_suspect_share::VARCHAR AS DOUBLE) > 0 AND TRY_CAST(min_suspect_share::VARCHAR AS DOUBLE) <= 1) THEN error('cf_campaign_members: min_suspect_share must be in (0, 1], got ' || min_suspect_share::VARCHAR)
        WHEN max_fill_seconds IS NULL THEN error('cf_campaign_members: max_fill_seconds must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(max_fill_seconds::VARCHAR AS DOUBLE)), false) THEN error('cf_campaign_members: max_fill_seconds must be a number, got ' || max_fill_seconds::VARCHAR)
        WHEN TRY_CAST(max_fill_seconds::VARCHAR AS DOUBLE) < 0 THEN error('cf_campaign_members: max_fill_seconds must be >= 0, got ' || max_fill_seconds::VARCHAR)
        ELSE tbl END)
    WHERE c_ip IS NOT NULL
),
-- Stems people load as pages: answered GETs from at least one client.
_cf_pages AS (
    SELECT DISTINCT cs_uri_stem AS page FROM _cf_t t WHERE method = 'GET' AND sc_status BETWEEN 200 AND 399
),
-- Request order per client and stem matters only on stems that receive POSTs (forms, logins):
-- the window functions run on those rows alone.
_cf_post_stems AS (
    SELECT DISTINCT cs_uri_stem AS stem FROM _cf_t t WHERE method = 'POST'
),
_cf_form_rows AS (
    SELECT t.*,
           lag(t.method) OVER w AS prev_method, epoch(t.timestamp) - epoch(lag(t.timestamp) OVER w) AS since_prev,
           lead(t.method) OVER w AS next_method, epoch(lead(t.timestamp) OVER w) - epoch(t.timestamp) AS until_next,
           coalesce(sum(CASE WHEN t.method = 'GET' THEN 1 ELSE 0 END)
                        OVER (PARTITION BY t.c_ip, t.cs_uri_stem ORDER BY t.timestamp
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS gets_before
    FROM _cf_t t
    WHERE t.cs_uri_stem IN (SELECT stem FROM _cf_post_stems)
    WINDOW w AS (PARTITION BY t.c_ip, t.cs_uri_stem ORDER BY t.timestamp)
),
-- Every request, as _cf_t: not materialised (the few form rows' window results are).
_cf_other_rows AS NOT MATERIALIZED (
    SELECT t.*, NULL::VARCHAR AS prev_method, NULL::DOUBLE AS since_prev, NULL::VARCHAR AS next_method,
           NULL::DOUBLE AS until_next, NULL::BIGINT AS gets_before
    FROM _cf_t t
    WHERE t.cs_uri_stem IS NULL OR t.cs_uri_stem NOT IN (SELECT stem FROM _cf_post_stems)
),
_cf_seq AS NOT MATERIALIZED (
    SELECT r.*, pg.page IS NOT NULL AS is_page
    FROM (SELECT * FROM _cf_form_rows UNION ALL SELECT * FROM _cf_other_rows) r
    LEFT JOIN _cf_pages pg ON pg.page = r.cs_uri_stem
),
_cf_flags AS NOT MATERIALIZED (
    SELECT s.*,
           array_length(families) > 0 AS payload,
           method = 'POST' AND (sc_status IN (401, 403) OR refused) AS failed_post,
           method = 'POST' AND is_page AND gets_before = 0 AS blind_post,
           (method = 'POST' AND prev_method = 'GET' AND since_prev <= a.max_fill_seconds)
               OR (method = 'GET' AND next_method = 'POST' AND until_next <= a.max_fill_seconds) AS fast_form
    FROM _cf_seq s CROSS JOIN _cf_args a
),
_cf_s AS NOT MATERIALIZED (
    SELECT *, payload OR probe OR failed_post OR blind_post OR fast_form AS suspect,
           method = 'POST' AND (failed_post OR blind_post OR fast_form) AS login_post
    FROM _cf_flags f
),
-- The verdict on each client's most frequent user agent (ties: the smallest, as mode() picks).
_cf_agent_ranks AS (
    SELECT c_ip, cs_user_agent, max(crawler_verdict) AS verdict,
           row_number() OVER (PARTITION BY c_ip ORDER BY count(*) DESC, cs_user_agent) AS rk
    FROM _cf_s s WHERE cs_user_agent IS NOT NULL
    GROUP BY c_ip, cs_user_agent
),
_cf_clients AS (
    SELECT s.c_ip, count(*) AS requests, count(*) FILTER (WHERE suspect) AS suspect_requests,
           mode(cs_user_agent ORDER BY cs_user_agent) FILTER (WHERE suspect) AS user_agent
    FROM _cf_s s
    GROUP BY s.c_ip
    HAVING count(*) FILTER (WHERE suspect) >= 1
       AND count(*) FILTER (WHERE suspect) >= (SELECT args.min_suspect_share FROM _cf_args args) * count(*)
       AND s.c_ip NOT IN (SELECT ar.c_ip FROM _cf_agent_ranks ar WHERE ar.rk = 1 AND ar.verdict = 'verified')
),
_cf_sus AS (
    SELECT s.* FROM _cf_s s WHERE s.suspect AND s.c_ip IN (SELECT c_ip FROM _cf_clients clients)
),
_cf_probe_sets AS (
    SELECT c_ip, string_agg(DISTINCT cs_uri_stem, ', ' ORDER BY cs_uri_stem) AS sig,
           count(DISTINCT cs_uri_stem) AS stems, bool_or(payload) AS any_payload
    FROM _cf_sus sus WHERE probe OR payload
    GROUP BY c_ip
),
-- (kind, priority, signature, client) for every signature each suspect client shows.
_cf_sigs AS (
    SELECT 'login' AS kind, 1 AS prio, 'POST ' || cs_uri_stem AS signature, c_ip, cs_uri_stem AS stem, NULL::VARCHAR AS family
    FROM _cf_sus sus WHERE login_post
    UNION
    SELECT 'probe_sequence', 2, sig, c_ip, NULL, NULL FROM _cf_probe_sets ps WHERE stems >= 2 OR NOT any_payload
    UNION
    SELECT 'attack', 3, array_to_string(families, ',') || ' ' || cs_uri_stem, c_ip, cs_uri_stem, array_to_string(families, ',')
    FROM _cf_sus sus WHERE payload
    UNION
    SELECT 'user_agent', 4, coalesce(user_agent, '-'), c_ip, NULL, NULL FROM _cf_clients clients
),
_cf_sizes AS (
    SELECT kind, signature FROM _cf_sigs s GROUP BY kind, signature
    HAVING count(DISTINCT c_ip) >= (SELECT args.min_members FROM _cf_args args)
),
_cf_cand AS (
    SELECT s.* FROM _cf_sigs s JOIN _cf_sizes z ON z.kind = s.kind AND z.signature = s.signature
),
_cf_best AS (
    SELECT c_ip, min(prio) AS prio FROM _cf_cand cand GROUP BY c_ip
),
_cf_kept AS (
    SELECT c.* FROM _cf_cand c JOIN _cf_best b ON b.c_ip = c.c_ip AND b.prio = c.prio
),
_cf_final AS (
    SELECT k.*, count(*) OVER (PARTITION BY k.kind, k.signature) AS members
    FROM _cf_kept k
    QUALIFY count(*) OVER (PARTITION BY k.kind, k.signature) >= (SELECT args.min_members FROM _cf_args args)
),
-- Each member's requests that match its campaign's signature.
_cf_match AS (
    SELECT f.kind, f.signature, f.members, s.*
    FROM _cf_final f
    JOIN _cf_sus s ON s.c_ip = f.c_ip
    WHERE (f.kind = 'login' AND s.login_post AND s.cs_uri_stem = f.stem)
       OR (f.kind = 'probe_sequence' AND (s.probe OR s.payload))
       OR (f.kind = 'attack' AND s.payload AND s.cs_uri_stem = f.stem AND array_to_string(s.families, ',') = f.family)
       OR f.kind = 'user_agent'
)
SELECT m.kind || ': ' || m.signature AS campaign, m.kind, m.signature, m.c_ip, any_value(c.requests) AS requests,
       any_value(c.suspect_requests) AS suspect_requests, count(*) AS signature_requests,
       count(*) FILTER (WHERE NOT m.refused AND m.sc_status BETWEEN 200 AND 399) AS answered,
       count(*) FILTER (WHERE NOT m.refused AND m.sc_status BETWEEN 200 AND 299) AS answered_2xx,
       count(*) FILTER (WHERE m.refused) AS refused,
       min(m.timestamp) AS first_seen, max(m.timestamp) AS last_seen,
       any_value(c.user_agent) AS user_agent,
       list_sort(list_distinct(list(m.cs_user_agent))) AS user_agents,
       list_sort(list_distinct(flatten(list(m.families)))) AS families,
       any_value(m.members) AS members
FROM _cf_match m JOIN _cf_clients c ON c.c_ip = m.c_ip
GROUP BY m.kind, m.signature, m.c_ip
ORDER BY any_value(m.members) DESC, campaign, count(*) DESC, m.c_ip;

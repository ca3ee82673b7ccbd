-- cf_hunt: every detection hunt of the playbook in one triage list.
-- Question: What should an analyst look at first in this CloudFront traffic, across every hunt of the playbook?
-- Parameters:
--   tbl   name of a table or view of read_cloudfront() rows (VARCHAR). Every hunt runs with its
--         documented defaults (see each cf_*.sql header); call a hunt directly to tune it.
-- Hunts run: cf_attacks, cf_waf_bypass, cf_waf_blocks, cf_campaigns, cf_fake_crawlers,
-- cf_scanners, cf_scrapers, cf_cache_busting, cf_error_spikes, cf_ddos, cf_geo_spikes,
-- cf_suspicious_egress, cf_protocol_anomalies, cf_credential_stuffing (cf_summary and
-- cf_top_talkers describe, they do not detect).
-- File name: zz_ on purpose. The extension runs sql/*.sql in file-name order at LOAD, and DuckDB
-- binds the table macros a table macro calls when it is created, so this file must come after
-- every hunt it calls.
-- What belongs together is one row:
--   * one client across hunts: every finding about an address is one 'ip' row (hunts lists them,
--     the worst severity wins, the evidence of each hunt is kept);
--   * a campaign and its members: a member's own row is folded into the campaign row when it is not
--     more severe than the campaign; for an attack or probe campaign, the rows of its core members
--     (most of whose suspect requests are the campaign's) that are only about their payloads
--     (cf_attacks, cf_waf_bypass, cf_scanners, cf_protocol_anomalies) are folded whatever their
--     severity, since the campaign row already says whether payloads got through (worm noise is
--     one row, not one per infected address; a scanner that also hit the worm's path keeps its row);
--   * a burst and its source: a request-rate or error spike with one client sending >= 80% of it
--     is folded into that client's row when the client has one;
--   * scrapers in one network with one user agent: one 'campaign' row ('scraper: <subnet>');
--   * edge locations spiking during a request flood: the flood's window row (its sources arrive
--     through edges that rarely see that many clients);
--   * a credential-stuffing path and the login campaign on the same path: the campaign row;
--   * adjacent windows of one burst: flagged buckets close together are one window (15 buckets
--     for error spikes, 5 for request floods, 2 for geo spikes).
-- Benign clients stay below medium: a client's findings are capped at 'low' when it is
--   * a verified crawler: crawler_verdict() 'verified' for its most frequent user agent (whatever
--     it fetched: a crawler following a link to an odd URL is not its operator attacking);
--   * a link preview: every request of the client has the user agent of a chat or social app
--     fetching a link someone posted (Slackbot-LinkExpanding, Slackbot, Slack-ImgProxy: api.slack.com/robots;
--     facebookexternalhit and Facebot: Meta's crawler documentation; Twitterbot, Discordbot,
--     TelegramBot, WhatsApp, LinkedInBot, SkypeUriPreview (Skype and Teams), Mastodon, redditbot,
--     Embedly, Iframely), is GET or HEAD and carries no payload beyond the path itself (attack
--     families at most sensitive_file, webshell, known_exploit). Such a client is also left out of
--     the members of a campaign row (and so of cf_blocklist): when a site serves a sensitive file
--     and someone posts its link in a chat, the app fetches it once per poster. The real blog's
--     public access log was fetched by 19 Slack addresses. These operators publish no address
--     ranges (Slack says so), so the claim cannot be checked: what keeps a forged preview user agent
--     from hiding an attack is that any payload in a query, or any POST, voids it, and that the
--     campaign row itself keeps its severity (cf_campaign_members still lists the fetchers);
-- or, when none of the attack hunts (cf_attacks at medium or above, cf_waf_bypass, cf_waf_blocks,
-- cf_scanners, cf_fake_crawlers, a campaign) names it,
--   * a poller (feed reader, uptime check, health check): a known monitor or feed-reader user agent
--     sending only GET/HEAD at <= 6 requests a minute, or >= 20 requests over >= 30 minutes at <= 6 a minute (polling at an interval of 10 s or more:
--     uptime services poll every 30 s to 5 min, feed readers every 15 min or more), >= 90% of them
--     to at most two stems, only GET/HEAD, >= 90% answered 2xx/3xx;
--   * a reader: a browser user agent (ua_category 'browser') with >= 50% of its requests for page
--     assets and < 25% of them 4xx (a person loading pages; the real blog's heavy readers load
--     90% assets, scrapers and floods none).
-- Output (one row per finding, most severe first, then most requests, then hunt and entity):
--   hunt VARCHAR          the hunt of the worst finding merged into the row (drill down with
--                         FROM <hunt>('tbl'))
--   severity VARCHAR      'high' | 'medium' | 'low'
--   entity_type VARCHAR   'ip' | 'campaign' | 'path' | 'window' | 'edge_location'
--   entity VARCHAR        the IP; the campaign ('kind: signature', the key of
--                         cf_campaign_members); the URI stem; the window as ISO 8601 'start/end'
--                         (UTC, with the error kind for cf_error_spikes); or the airport code
--   first_seen, last_seen TIMESTAMPTZ
--   requests BIGINT       the requests that are the evidence (payloads, blocked, busting, failed, ...)
--   evidence VARCHAR      short sentences with the numbers, one per hunt merged ('; ' separated)
--   members VARCHAR[]     the client addresses behind the finding: the IP of an 'ip' row, every
--                         member of a campaign but link previews, the busting clients of a cache-busting path;
--                         empty for windows and edge locations (cf_blocklist uses this)
--   member_count BIGINT   len(members)
--   hunts VARCHAR[]       every hunt merged into the row
--   benign VARCHAR        why a client was capped at 'low' ('verified crawler', 'link preview',
--                         'poller', 'reader'); NULL otherwise
CREATE OR REPLACE MACRO cf_hunt(tbl) AS TABLE
WITH
_cf_scr_all AS (
    SELECT *, count(*) OVER (PARTITION BY subnet, user_agent) AS same_subnet_agent
    FROM cf_scrapers(tbl)
),
-- Scrapers sharing a network and a user agent are one operation: one row.
_cf_scr_groups AS (
    SELECT 'cf_scrapers' AS hunt, CASE WHEN bool_or(severity = 'high') THEN 'high' WHEN bool_or(severity = 'medium') THEN 'medium' ELSE 'low' END AS severity,
           'campaign' AS entity_type, 'scraper: ' || subnet AS entity, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
           sum(requests)::BIGINT AS requests,
           printf('%d clients in %s with one user agent (%s "%s") walking %d to %d distinct pages each (%d requests, up to %.1f/min per client, %.0f%% page assets)',
                  count(*)::BIGINT, subnet, coalesce(any_value(ua_category), '?'), coalesce(left(any_value(user_agent), 60), '-'),
                  min(distinct_uris)::BIGINT, max(distinct_uris)::BIGINT, sum(requests)::BIGINT, max(rate_per_min), 100 * max(asset_ratio)) AS evidence,
           list(c_ip ORDER BY requests DESC, c_ip) AS members, NULL::VARCHAR AS dominant
    FROM _cf_scr_all WHERE same_subnet_agent >= 2 AND crawler_verdict IS DISTINCT FROM 'verified'
    GROUP BY subnet
),
_cf_scr AS (
    SELECT 'cf_scrapers' AS hunt, severity, 'ip' AS entity_type, c_ip AS entity, first_seen, last_seen,
           requests::BIGINT AS requests,
           printf('%d requests to %d distinct pages over %.0f min (%.1f/min, active %.0f%% of minutes), %.0f%% page assets; UA %s "%s"%s; %d flagged client(s) in %s',
                  requests, distinct_uris, (epoch(last_seen) - epoch(first_seen)) / 60.0, rate_per_min,
                  100 * active_ratio, 100 * asset_ratio, coalesce(ua_category, '?'), coalesce(left(user_agent, 60), '-'),
                  CASE crawler_verdict WHEN 'spoofed' THEN ' (claimed crawler, outside its operator''s ranges)'
                                       WHEN 'verified' THEN ' (verified crawler)' ELSE '' END,
                  subnet_clients, coalesce(subnet, '?')) AS evidence,
           [c_ip] AS members, NULL::VARCHAR AS dominant
    FROM _cf_scr_all
    WHERE NOT (same_subnet_agent >= 2 AND crawler_verdict IS DISTINCT FROM 'verified')
),
_cf_cb AS (
    SELECT 'cf_cache_busting', severity, 'path', cs_uri_stem, first_seen, last_seen, busting_requests::BIGINT,
           printf('%d requests with random query values (params %s, avg entropy %.2f bits) from %d client(s), %d distinct queries, %.0f%% cache misses; %s',
                  busting_requests, coalesce(params, '?'), avg_query_entropy, busting_clients, distinct_queries,
                  100 * busting_miss_ratio, coalesce(clients, '')),
           client_list, NULL
    FROM cf_cache_busting(tbl)
),
_cf_at AS (
    SELECT 'cf_attacks', CASE WHEN bool_or(severity = 'high') THEN 'high' WHEN bool_or(severity = 'medium') THEN 'medium' ELSE 'low' END,
           'ip', c_ip, min(first_seen), max(last_seen), sum(requests)::BIGINT,
           'attack payloads: ' || string_agg(printf('%s x%d (%d refused, %d answered 2xx/3xx%s) e.g. %s', family, requests, refused, answered,
                                                   CASE WHEN not_found > 0 THEN printf(', %d not found', not_found) ELSE '' END,
                                                   coalesce(examples[1], '-')),
                                            '; ' ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, requests DESC, family),
           [c_ip], NULL
    FROM cf_attacks(tbl)
    GROUP BY c_ip
),
_cf_wb AS (
    SELECT 'cf_waf_blocks', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'ip', c_ip,
           min(window_start), max(window_end), sum(blocked)::BIGINT,
           printf('%d requests refused (%s) in %d five-minute window(s), peak %d; %.0f%% of its requests there; paths e.g. %s, query e.g. %s',
                  sum(blocked)::BIGINT, string_agg(DISTINCT detailed_types, ',' ORDER BY detailed_types), count(*)::BIGINT, max(blocked)::BIGINT,
                  100 * sum(blocked) / sum(requests), min(top_path), coalesce(left(min(sample_query), 60), '-')),
           [c_ip], NULL
    FROM cf_waf_blocks(tbl)
    GROUP BY c_ip
),
_cf_wbp AS (
    SELECT 'cf_waf_bypass',
           CASE WHEN bool_or(severity = 'high') THEN 'high' WHEN bool_or(severity = 'medium') THEN 'medium' ELSE 'low' END,
           'ip', c_ip, min(first_seen), max(last_seen), sum(evidence_requests)::BIGINT,
           concat_ws('; ',
               CASE WHEN bool_or(payload_not_blocked) THEN
                   printf('%d attack payload(s) (%s) answered 2xx/3xx on %s%s, e.g. %s',
                          sum(payload_through)::BIGINT,
                          array_to_string(list_sort(list_distinct(flatten(list(families)))), ','),
                          string_agg(cs_uri_stem, ',' ORDER BY cs_uri_stem) FILTER (WHERE payload_not_blocked),
                          CASE WHEN max(max_encoding_depth) >= 2 THEN printf(', encoded %d levels deep by the client', max(max_encoding_depth)) ELSE '' END,
                          coalesce(min(sample_payload) FILTER (WHERE payload_not_blocked), '-')) END,
               CASE WHEN bool_or(blocked_then_allowed) THEN
                   printf('blocked %d times, then allowed %d times on the same path (%s)',
                          sum(blocked) FILTER (WHERE blocked_then_allowed)::BIGINT,
                          sum(allowed_after) FILTER (WHERE blocked_then_allowed)::BIGINT,
                          string_agg(cs_uri_stem, ',' ORDER BY cs_uri_stem) FILTER (WHERE blocked_then_allowed)) END),
           [c_ip], NULL
    FROM cf_waf_bypass(tbl)
    GROUP BY c_ip
),
_cf_fc AS (
    SELECT 'cf_fake_crawlers', severity, 'ip', c_ip, first_seen, last_seen, spoofed_requests::BIGINT,
           printf('claims to be a crawler ("%s") from outside its operator''s published ranges: %d request(s) to %d path(s), %.0f%% errors',
                  left(claimed_user_agent, 70), spoofed_requests, distinct_paths, 100 * error_rate),
           [c_ip], NULL
    FROM cf_fake_crawlers(tbl)
),
_cf_cp AS (
    SELECT 'cf_campaigns', severity, 'campaign', campaign, first_seen, last_seen, requests::BIGINT,
           printf('%s campaign: %d clients; %d matching requests (%d answered 2xx/3xx, %d refused)%s; %d user agent(s), mostly "%s"; top members %s',
                  CASE kind WHEN 'login' THEN 'login/form' WHEN 'probe_sequence' THEN 'probe-sequence' WHEN 'attack' THEN 'attack' ELSE 'user-agent' END,
                  members, requests, answered, refused,
                  CASE WHEN array_length(families) > 0 THEN ', families ' || array_to_string(families, ',') ELSE '' END,
                  user_agents, coalesce(left(top_user_agent, 50), '-'), coalesce(top_members, '-')),
           member_list, NULL,
           core_members
    FROM cf_campaigns(tbl)
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
-- The client behind most errors of an episode, and its share of them.
_cf_es_dom AS (
    SELECT kind, island, top_client, share FROM (
        SELECT kind, island, top_client,
               sum(errors * top_client_share) / any_value(island_errors) AS share
        FROM (SELECT *, sum(errors) OVER (PARTITION BY kind, island) AS island_errors FROM _cf_es_rows)
        GROUP BY kind, island, top_client)
    QUALIFY row_number() OVER (PARTITION BY kind, island ORDER BY share DESC, top_client) = 1
),
_cf_es AS (
    SELECT 'cf_error_spikes', CASE WHEN bool_or(severity = 'high') THEN 'high' WHEN bool_or(severity = 'medium') THEN 'medium' ELSE 'low' END,
           'window',
           strftime(timezone('UTC', min(bucket_start)), '%Y-%m-%dT%H:%M:%SZ') || '/' ||
               strftime(timezone('UTC', max(bucket_end)), '%Y-%m-%dT%H:%M:%SZ') || ' ' || es_rows.kind,
           min(bucket_start), max(bucket_end), sum(errors)::BIGINT,
           printf('%s errors: %d of %d requests (%.1f%%) in %d flagged bucket(s) over %d min, baseline %.1f%%, from up to %d client(s) per bucket; mostly %d %s on %s',
                  CASE es_rows.kind WHEN 'origin' THEN 'origin' WHEN 'server' THEN 'other 5xx' ELSE '4xx client' END,
                  sum(errors)::BIGINT, sum(requests)::BIGINT, 100 * sum(errors) / sum(requests), count(*)::BIGINT,
                  ((epoch(max(bucket_end)) - epoch(min(bucket_start))) / 60)::BIGINT, 100 * min(baseline_rate), max(clients)::BIGINT,
                  mode(top_status ORDER BY top_status), coalesce(mode(top_detail ORDER BY top_detail), '-'), coalesce(mode(top_path ORDER BY top_path), '-')),
           []::VARCHAR[],
           -- One client behind >= 80% of the episode's errors: that client's burst (one _cf_es_dom
           -- row per episode, joined rather than a correlated subquery, which Spark refuses here).
           any_value(d.top_client)
    FROM _cf_es_rows es_rows
    LEFT JOIN _cf_es_dom d ON d.kind = es_rows.kind AND d.island = es_rows.island AND d.share >= 0.8
    GROUP BY es_rows.kind, es_rows.island
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
_cf_dd_dom AS (
    SELECT island, top_client, share FROM (
        SELECT island, top_client, sum(requests * top_client_share) / any_value(island_requests) AS share
        FROM (SELECT *, sum(requests) OVER (PARTITION BY island) AS island_requests FROM _cf_dd_rows)
        GROUP BY island, top_client)
    QUALIFY row_number() OVER (PARTITION BY island ORDER BY share DESC, top_client) = 1
),
_cf_dd AS (
    SELECT 'cf_ddos', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'window',
           strftime(timezone('UTC', min(window_start)), '%Y-%m-%dT%H:%M:%SZ') || '/' ||
               strftime(timezone('UTC', max(window_end)), '%Y-%m-%dT%H:%M:%SZ'),
           min(window_start), max(window_end), sum(requests)::BIGINT,
           printf('request rate up to %.1fx its baseline (%d requests in %d min vs ~%.0f per bucket), up to %d sources per bucket; top target %s, top edge %s',
                  max(ratio), sum(requests)::BIGINT, ((epoch(max(window_end)) - epoch(min(window_start))) / 60)::BIGINT,
                  median(baseline), max(distinct_sources)::BIGINT, coalesce(mode(top_target ORDER BY top_target), '-'),
                  coalesce(mode(top_edge_location ORDER BY top_edge_location), '-')),
           []::VARCHAR[],
           any_value(d.top_client)
    FROM _cf_dd_rows dd_rows
    LEFT JOIN _cf_dd_dom d ON d.island = dd_rows.island AND d.share >= 0.8
    GROUP BY dd_rows.island
    UNION ALL
    SELECT 'cf_ddos', severity, 'ip', entity, window_start, window_end, requests::BIGINT,
           printf('%d requests within %d min (%.1fx the per-IP limit of %d), %.0f%% to %s via %s; %d requests in total',
                  requests, ((epoch(window_end) - epoch(window_start)) / 60)::BIGINT, ratio, baseline::BIGINT,
                  100 * top_target_share, coalesce(top_target, '-'), coalesce(top_edge_location, '-'), total_requests),
           [entity], NULL
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
                  CASE WHEN bool_or(new_location) THEN '; never seen before ' || strftime(timezone('UTC', min(location_first_seen)), '%H:%M UTC') ELSE '' END),
           []::VARCHAR[], NULL
    FROM _cf_geo_rows geo_rows
    GROUP BY edge_location, island
),
_cf_eg AS (
    SELECT 'cf_suspicious_egress', severity, 'ip', c_ip, first_seen, last_seen, requests::BIGINT,
           printf('%s out in %d requests (%.0fx the p99 client%s), %d object(s) >= 100 MB, largest %s; e.g. %s; UA "%s"',
                  bytes_out_human, requests, times_p99,
                  CASE WHEN robust_z IS NULL THEN '' ELSE printf(', robust z %.1f', robust_z) END,
                  large_objects, cf_format_bytes(largest_object), coalesce(top_path, '-'), coalesce(left(user_agent, 40), '-')),
           [c_ip], NULL
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
               CASE WHEN odd_port > 0 THEN printf('source port %s x%d', ports, odd_port) END),
           [c_ip], NULL
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
               printf('%d requests in all, %.0f%% 4xx; UA "%s"', requests, 100 * error_rate, coalesce(left(tool, 60), '-'))),
           [c_ip], NULL
    FROM cf_scanners(tbl)
),
_cf_cs AS (
    SELECT 'cf_credential_stuffing', CASE WHEN bool_or(severity = 'high') THEN 'high' ELSE 'medium' END, 'path',
           cs_uri_stem, min(first_seen), max(last_seen), sum(posts)::BIGINT,
           printf('%d of %d POSTs failed (%.0f%%, %d x 401, %d x 403) from up to %d distinct clients per hour over %d hour(s)',
                  sum(failures)::BIGINT, sum(posts)::BIGINT, 100 * sum(failures) / sum(posts), sum(status_401)::BIGINT,
                  sum(status_403)::BIGINT, max(failing_clients)::BIGINT, count(*)::BIGINT),
           []::VARCHAR[], NULL
    FROM cf_credential_stuffing(tbl)
    GROUP BY cs_uri_stem
),
_cf_raw AS (
    SELECT *, NULL::VARCHAR[] AS core FROM _cf_scr scr
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_scr_groups scr_groups
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_cb cb
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_at atk
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_wb wb
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_wbp wbp
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_fc fc
    UNION ALL SELECT * FROM _cf_cp cp
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_es es
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_dd dd
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_geo geo
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_eg eg
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_pa pa
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_sc sc
    UNION ALL SELECT *, NULL::VARCHAR[] FROM _cf_cs cs
),
_cf_f AS (
    SELECT *, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END AS rank FROM _cf_raw raw
),
-- Clients some attack hunt names (these are never capped as benign).
_cf_attackers AS (
    SELECT DISTINCT entity AS c_ip FROM _cf_f f
    WHERE entity_type = 'ip' AND (hunt IN ('cf_waf_bypass', 'cf_waf_blocks', 'cf_scanners', 'cf_fake_crawlers')
                                  OR (hunt = 'cf_attacks' AND rank <= 1))
    UNION
    SELECT DISTINCT unnest(members) FROM _cf_f f WHERE entity_type = 'campaign'
),
-- Benign profile of every client with an 'ip' finding.
_cf_profiled AS (
    SELECT DISTINCT entity AS c_ip FROM _cf_f f WHERE entity_type = 'ip'
    UNION
    SELECT DISTINCT unnest(members) FROM _cf_f f WHERE entity_type = 'campaign'
),
_cf_prof_t AS (
    SELECT t.c_ip, t.timestamp, t.cs_uri_stem, upper(t.cs_method) AS method, t.sc_status, t.cs_user_agent,
           t.crawler_verdict, t.ua_category,
           regexp_matches(lower(t.cs_uri_stem), '\.(css|js|mjs|map|png|jpe?g|gif|webp|avif|svg|ico|bmp|woff2?|ttf|otf|eot)$') AS is_asset,
           -- A link preview's request (see the header); attack_types only for the few that claim one.
           CASE WHEN NOT regexp_matches(coalesce(t.cs_user_agent, ''),
                         '(?i)(slackbot|slack-imgproxy|facebookexternalhit|facebot|twitterbot|discordbot|telegrambot|whatsapp/|linkedinbot|skypeuripreview|mastodon/|redditbot|embedly|iframely)')
                     OR upper(t.cs_method) NOT IN ('GET', 'HEAD') THEN false
                ELSE list_has_all(['sensitive_file', 'webshell', 'known_exploit'], coalesce(t.attack_types_url, []::VARCHAR[]))
           END AS is_preview
    FROM cf_events(tbl) t
    WHERE t.c_ip IN (SELECT c_ip FROM _cf_profiled)
),
_cf_prof_stems AS (
    SELECT c_ip, cs_uri_stem, count(*) AS n,
           row_number() OVER (PARTITION BY c_ip ORDER BY count(*) DESC, cs_uri_stem) AS rk
    FROM _cf_prof_t pt GROUP BY c_ip, cs_uri_stem
),
_cf_prof AS (
    SELECT pt.c_ip, count(*) AS requests,
           count(*) FILTER (WHERE is_asset) / count(*) AS asset_share,
           count(*) FILTER (WHERE sc_status BETWEEN 400 AND 499) / count(*) AS client_error_share,
           count(*) FILTER (WHERE sc_status BETWEEN 200 AND 399) / count(*) AS ok_share,
           bool_and(method IN ('GET', 'HEAD')) AS read_only,
           (epoch(max(timestamp)) - epoch(min(timestamp))) / 60.0 AS span_minutes,
           mode(cs_user_agent ORDER BY cs_user_agent) AS user_agent,
           bool_and(is_preview) AS previewer
    FROM _cf_prof_t pt GROUP BY pt.c_ip
),
-- The crawler verdict and category of each client's most frequent user agent (ties: the smallest,
-- as mode() picks).
_cf_prof_agents AS (
    SELECT c_ip, cs_user_agent, max(crawler_verdict) AS verdict, max(ua_category) AS category,
           row_number() OVER (PARTITION BY c_ip ORDER BY count(*) DESC, cs_user_agent) AS rk
    FROM _cf_prof_t pt WHERE cs_user_agent IS NOT NULL
    GROUP BY c_ip, cs_user_agent
),
_cf_benign AS (
    SELECT p.c_ip,
           CASE WHEN pa.verdict = 'verified' THEN 'verified crawler'
                WHEN p.previewer THEN 'link preview'
                WHEN regexp_matches(coalesce(p.user_agent, ''),
                         '(?i)(uptimerobot|pingdom|statuscake|site24x7|uptime-kuma|better ?uptime|route53-health-check|health-?check|datadog|newrelic|nagios|zabbix|feedly|newsblur|feedfetcher|feed fetcher|feedbin|inoreader|tiny tiny rss|theoldreader)')
                     AND p.read_only AND p.requests <= 6 * greatest(p.span_minutes, 1) THEN 'poller'
                WHEN p.requests >= 20 AND p.read_only AND p.ok_share >= 0.9 AND p.span_minutes >= 30
                     AND p.requests <= 6 * p.span_minutes
                     AND (SELECT sum(s.n) FROM _cf_prof_stems s WHERE s.c_ip = p.c_ip AND s.rk <= 2) >= 0.9 * p.requests THEN 'poller'
                WHEN pa.category = 'browser' AND p.asset_share >= 0.5 AND p.client_error_share < 0.25 THEN 'reader'
           END AS benign
    FROM _cf_prof p LEFT JOIN _cf_prof_agents pa ON pa.c_ip = p.c_ip AND pa.rk = 1
),
-- A verified crawler is capped whatever it fetched (a crawler following a link to an odd URL is
-- not the crawler's operator attacking), a link preview too (what it may fetch is already narrow);
-- pollers and readers only when no attack hunt names them.
_cf_capping AS (
    SELECT c_ip, benign FROM _cf_benign
    WHERE benign IN ('verified crawler', 'link preview')
       OR (benign IS NOT NULL AND c_ip NOT IN (SELECT c_ip FROM _cf_attackers))
),
-- Campaign members without the link previews (kept in their order: most signature requests first).
_cf_camp_pos AS (
    SELECT campaign, member, array_position(members, member) AS pos
    FROM (SELECT c.entity AS campaign, c.members, unnest(c.members) AS member FROM _cf_f c WHERE c.entity_type = 'campaign')
),
_cf_camp_kept AS (
    SELECT cp.campaign,
           coalesce(list(cp.member ORDER BY cp.pos) FILTER (WHERE b.c_ip IS NULL), []::VARCHAR[]) AS kept,
           count(*) FILTER (WHERE b.c_ip IS NOT NULL) AS previews
    FROM _cf_camp_pos cp LEFT JOIN _cf_capping b ON b.c_ip = cp.member AND b.benign = 'link preview'
    GROUP BY cp.campaign
),
-- Cap benign clients' findings at 'low'.
_cf_capped AS (
    SELECT f.* EXCLUDE (severity, rank),
           CASE WHEN b.benign IS NOT NULL THEN 'low' ELSE f.severity END AS severity,
           CASE WHEN b.benign IS NOT NULL THEN 2 ELSE f.rank END AS rank,
           b.benign
    FROM _cf_f f LEFT JOIN _cf_capping b ON f.entity_type = 'ip' AND b.c_ip = f.entity
),
-- Bursts that are one client's: folded into that client's row.
_cf_folded_windows AS (
    SELECT w.* FROM _cf_capped w
    WHERE w.entity_type = 'window' AND w.dominant IS NOT NULL
      AND w.dominant IN (SELECT entity FROM _cf_capped c WHERE c.entity_type = 'ip')
),
-- One row per client: every hunt's finding about it, plus the bursts it caused.
_cf_ip_parts AS (
    SELECT entity, hunt, severity, rank, first_seen, last_seen, requests, evidence, benign FROM _cf_capped WHERE entity_type = 'ip'
    UNION ALL
    -- A burst of a client kept low is low too.
    SELECT w.dominant, w.hunt, CASE WHEN cp.benign IS NOT NULL THEN 'low' ELSE w.severity END,
           CASE WHEN cp.benign IS NOT NULL THEN 2 ELSE w.rank END, w.first_seen, w.last_seen, w.requests,
           w.evidence || ' (this client''s burst)', cp.benign
    FROM _cf_folded_windows w LEFT JOIN _cf_capping cp ON cp.c_ip = w.dominant
),
_cf_ip AS (
    SELECT 'ip' AS entity_type, entity,
           -- the hunt of the most severe, then largest finding (ties: the first hunt by name): a sort
           -- key of rank, requests (as 10^15 - requests, zero-padded) and hunt, whose minimum is that row
           substr(min(CAST(rank AS VARCHAR) || lpad(CAST(999999999999999 - requests AS VARCHAR), 15, '0') || hunt), 17) AS hunt,
           CASE min(rank) WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END AS severity, min(rank) AS rank,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(requests) AS requests,
           CASE WHEN count(DISTINCT hunt) > 1 THEN string_agg(hunt || ': ' || evidence, '; ' ORDER BY rank, requests DESC, hunt, evidence)
                ELSE string_agg(evidence, '; ' ORDER BY rank, requests DESC, evidence) END AS evidence,
           [entity] AS members, list_sort(list_distinct(list(hunt))) AS hunts,
           max(benign) AS benign
    FROM _cf_ip_parts GROUP BY entity
),
-- Campaign members' rows folded into their campaign.
_cf_camp AS (
    SELECT c.entity AS campaign, c.rank AS camp_rank, split_part(c.entity, ':', 1) AS kind, unnest(c.members) AS member,
           coalesce(c.core, []::VARCHAR[]) AS core
    FROM _cf_capped c WHERE c.entity_type = 'campaign'
),
_cf_ip_folded AS (
    SELECT i.entity, cm.campaign, i.hunts
    FROM _cf_ip i JOIN _cf_camp cm ON cm.member = i.entity
    WHERE i.rank >= cm.camp_rank
       OR (cm.kind IN ('attack', 'probe_sequence') AND list_contains(cm.core, i.entity)
           AND list_has_all(['cf_attacks', 'cf_waf_bypass', 'cf_scanners', 'cf_protocol_anomalies'], i.hunts))
),
_cf_fold_notes AS (
    SELECT campaign, count(DISTINCT entity) AS folded,
           list_sort(list_distinct(flatten(list(hunts)))) AS folded_hunts
    FROM _cf_ip_folded GROUP BY campaign
),
-- A credential-stuffing path and the login campaign on it are one finding.
_cf_stuffed AS (
    SELECT c.entity AS campaign, p.entity AS stem, p.rank, p.evidence
    FROM _cf_capped c JOIN _cf_capped p ON p.entity_type = 'path' AND p.hunt = 'cf_credential_stuffing'
                                        AND c.entity = 'login: POST ' || p.entity
    WHERE c.entity_type = 'campaign'
),
_cf_campaigns AS (
    SELECT 'campaign' AS entity_type, c.entity, c.hunt,
           CASE least(c.rank, coalesce(st.rank, 2)) WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END AS severity,
           least(c.rank, coalesce(st.rank, 2)) AS rank, c.first_seen, c.last_seen, c.requests,
           c.evidence || coalesce('; cf_credential_stuffing: ' || st.evidence, '')
               || CASE WHEN n.folded IS NOT NULL AND n.folded_hunts IS NOT NULL
                       THEN printf('; %d member(s) also flagged by %s', n.folded, array_to_string(n.folded_hunts, ','))
                       ELSE '' END
               || CASE WHEN k.previews > 0
                       THEN printf('; %d of the clients are link previews (a chat or social app fetching a posted link), not listed as members', k.previews)
                       ELSE '' END AS evidence,
           coalesce(k.kept, c.members) AS members,
           list_sort(list_distinct([c.hunt] || coalesce(n.folded_hunts, []::VARCHAR[])
                                   || CASE WHEN st.stem IS NOT NULL THEN ['cf_credential_stuffing'] ELSE []::VARCHAR[] END)) AS hunts,
           NULL::VARCHAR AS benign
    FROM _cf_capped c LEFT JOIN _cf_fold_notes n ON n.campaign = c.entity
    LEFT JOIN _cf_stuffed st ON st.campaign = c.entity
    LEFT JOIN _cf_camp_kept k ON k.campaign = c.entity
    WHERE c.entity_type = 'campaign'
),
-- Edge locations spiking during a request flood are the flood's sources arriving: part of it.
_cf_flood_windows AS (
    SELECT c.entity, c.first_seen, c.last_seen FROM _cf_capped c
    WHERE c.entity_type = 'window' AND c.hunt = 'cf_ddos'
      AND NOT (c.dominant IS NOT NULL AND c.dominant IN (SELECT entity FROM _cf_capped x WHERE x.entity_type = 'ip'))
),
_cf_geo_in_flood AS (
    SELECT g.entity AS edge, g.first_seen AS geo_first, w.entity AS flood
    FROM _cf_capped g JOIN _cf_flood_windows w ON g.first_seen <= w.last_seen AND g.last_seen >= w.first_seen
    WHERE g.entity_type = 'edge_location'
),
_cf_flood_geo AS (
    SELECT flood, string_agg(DISTINCT edge, ',' ORDER BY edge) AS edges FROM _cf_geo_in_flood GROUP BY flood
),
_cf_others AS (
    SELECT c.entity_type, c.entity, c.hunt, c.severity, c.rank, c.first_seen, c.last_seen, c.requests,
           c.evidence || coalesce('; cf_geo_spikes: the flood arrived through edge locations ' || fg.edges
                                  || ' far above their usual number of clients', '') AS evidence,
           c.members, CASE WHEN fg.edges IS NOT NULL THEN ['cf_ddos', 'cf_geo_spikes'] ELSE [c.hunt] END AS hunts, c.benign
    FROM _cf_capped c LEFT JOIN _cf_flood_geo fg ON c.entity_type = 'window' AND fg.flood = c.entity
    WHERE c.entity_type NOT IN ('ip', 'campaign')
      AND NOT (c.entity_type = 'window' AND c.dominant IS NOT NULL
               AND c.dominant IN (SELECT entity FROM _cf_capped x WHERE x.entity_type = 'ip'))
      AND NOT (c.entity_type = 'path' AND c.hunt = 'cf_credential_stuffing'
               AND c.entity IN (SELECT stem FROM _cf_stuffed))
      AND NOT (c.entity_type = 'edge_location'
               AND EXISTS (SELECT 1 FROM _cf_geo_in_flood g WHERE g.edge = c.entity AND g.geo_first = c.first_seen))
),
_cf_all AS (
    SELECT entity_type, entity, hunt, severity, rank, first_seen, last_seen, requests, evidence, members, hunts, benign
    FROM _cf_ip WHERE entity NOT IN (SELECT entity FROM _cf_ip_folded)
    UNION ALL
    SELECT entity_type, entity, hunt, severity, rank, first_seen, last_seen, requests, evidence, members, hunts, benign FROM _cf_campaigns
    UNION ALL
    SELECT entity_type, entity, hunt, severity, rank, first_seen, last_seen, requests, evidence, members, hunts, benign FROM _cf_others
)
SELECT hunt::VARCHAR AS hunt, severity::VARCHAR AS severity, entity_type::VARCHAR AS entity_type,
       entity::VARCHAR AS entity, first_seen::TIMESTAMPTZ AS first_seen, last_seen::TIMESTAMPTZ AS last_seen,
       requests::BIGINT AS requests,
       (evidence || CASE WHEN benign IS NOT NULL THEN ' [rated low: ' || benign || ']' ELSE '' END)::VARCHAR AS evidence,
       coalesce(members, []::VARCHAR[])::VARCHAR[] AS members, array_length(coalesce(members, []::VARCHAR[]))::BIGINT AS member_count,
       hunts::VARCHAR[] AS hunts, benign::VARCHAR AS benign
FROM _cf_all a
ORDER BY rank, requests DESC, hunt, entity;

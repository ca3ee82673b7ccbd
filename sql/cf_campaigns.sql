-- cf_campaigns: many clients sharing one signature, reported as one finding each.
-- Question: Which campaigns run against the site: many addresses posting to one login or form endpoint like bots, sending one attack family to one path, probing the same set of paths, or sharing a user agent while doing suspect things, even when each address stays under every per-client threshold?
-- Parameters: the same as cf_campaign_members (see its header for the definitions and the source
-- of each default), plus
--   list_members := 10         members named in top_members (all of them are in member_list)
--   min_members := 3, min_suspect_share := 0.25, max_fill_seconds := 2
-- List every member of one campaign with
--   FROM cf_campaign_members('tbl') WHERE campaign = '<campaign>'
-- or unnest(member_list).
-- Output: one row per campaign, most severe first, then most members:
--   campaign VARCHAR (kind || ': ' || signature, the key of cf_campaign_members), kind VARCHAR
--   ('login' | 'probe_sequence' | 'attack' | 'user_agent'), signature VARCHAR, members BIGINT,
--   member_list VARCHAR[] (every member, most signature requests first), top_members VARCHAR
--   ('address (requests), ...'), core_members VARCHAR[] (the members for which the campaign is
--   most of what they did: at least half of their suspect requests match the signature; a scanner
--   that also hit a worm's path once is a member, not a core member), requests (members' requests matching the signature), answered
--   (of those, 2xx/3xx and not refused), refused, families VARCHAR[] (attack families involved),
--   user_agents BIGINT (distinct user agents in the members' signature requests), top_user_agent
--   (the most common of the members' own most frequent user agents),
--   first_seen, last_seen, severity:
--     login           'high' with >= 10 x min_members members (a distributed attack on logins or
--                     forms: the real logs' registration botnet had 417), else 'medium'
--     attack, probe   'high' when payloads were answered (2xx/3xx; 2xx for the path-only families
--                     webshell, sensitive_file, known_exploit), 'medium' when the WAF refused some,
--                     'low' when every probe missed (worm noise: 404s from hundreds of addresses)
--     user_agent      'medium' with >= 10 x min_members members, else 'low'
CREATE OR REPLACE MACRO cf_campaigns(tbl, min_members := 3, min_suspect_share := 0.25, max_fill_seconds := 2,
                                     list_members := 10) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(list_members::VARCHAR AS BIGINT) AS n_listed,
        -- min_members is validated by cf_campaign_members; a number is all that is needed here.
        TRY_CAST(min_members::VARCHAR AS BIGINT) AS min_members
),
_cf_m AS (
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_campaign_members(CASE
        WHEN list_members IS NULL THEN error('cf_campaigns: list_members must not be NULL')
        WHEN NOT coalesce(TRY_CAST(list_members::VARCHAR AS DOUBLE) = TRY_CAST(list_members::VARCHAR AS BIGINT), false) THEN error('cf_campaigns: list_members must be a whole number, got ' || list_members::VARCHAR)
        WHEN TRY_CAST(list_members::VARCHAR AS BIGINT) < 1 THEN error('cf_campaigns: list_members must be >= 1, got ' || list_members::VARCHAR)
        ELSE tbl END, min_members := min_members, min_suspect_share := min_suspect_share,
                             max_fill_seconds := max_fill_seconds)
),
_cf_ranked AS (
    SELECT m.*, row_number() OVER (PARTITION BY campaign ORDER BY signature_requests DESC, c_ip) AS rk
    FROM _cf_m m
),
_cf_agg AS (
    SELECT campaign, any_value(kind) AS kind, any_value(signature) AS signature, count(*) AS members,
           list(c_ip ORDER BY rk) AS member_list,
           coalesce(list(c_ip ORDER BY rk) FILTER (WHERE 2 * signature_requests >= suspect_requests), []::VARCHAR[]) AS core_members,
           string_agg(c_ip || ' (' || signature_requests || ')', ', ' ORDER BY rk)
               FILTER (WHERE rk <= (SELECT args.n_listed FROM _cf_args args)) AS top_members,
           sum(signature_requests)::BIGINT AS requests, sum(answered)::BIGINT AS answered,
           sum(answered_2xx)::BIGINT AS answered_2xx, sum(refused)::BIGINT AS refused,
           list_sort(list_distinct(flatten(list(families)))) AS families,
           array_length(list_distinct(flatten(list(user_agents)))) AS user_agents,
           mode(user_agent ORDER BY user_agent) AS top_user_agent,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM _cf_ranked r
    GROUP BY campaign
),
_cf_rated AS (
    SELECT g.*,
           CASE g.kind
               WHEN 'login' THEN CASE WHEN g.members >= 10 * a.min_members THEN 'high' ELSE 'medium' END
               WHEN 'user_agent' THEN CASE WHEN g.members >= 10 * a.min_members THEN 'medium' ELSE 'low' END
               ELSE CASE WHEN (CASE WHEN list_has_all(['webshell', 'sensitive_file', 'known_exploit'], g.families) OR array_length(g.families) = 0
                                    THEN g.answered_2xx ELSE g.answered END) > 0 THEN 'high'
                         WHEN g.refused > 0 THEN 'medium'
                         ELSE 'low' END
           END AS severity
    FROM _cf_agg g CROSS JOIN _cf_args a
)
SELECT campaign, kind, signature, members, member_list, top_members, core_members, requests, answered, refused, families,
       user_agents, top_user_agent, first_seen, last_seen, severity
FROM _cf_rated rated
ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, members DESC, campaign;

-- What a caseworker reads out on the phone about one application (issue 19; outputs-and-cli.md
-- `allocations explain`): one row per application with its sentences, one a line, each citing
-- its rule id: band, needs, register status, restrictions, band history, bids and discretionary
-- requests. `allocations explain REF` prints this view's row, so the wording lives here only.
-- A view over the published tables, like shortlist_explanations and for its reasons: nothing is
-- stored, and it is read one application at a time. The sentences are gathered as rows from
-- each table and aggregated last, per application_ref, so a filter on application_ref reaches
-- every table's scan (through the aggregate and the union) before any sentence is worded.
--
-- No enforced contract, for the reason written in shortlist_explanations.sql: the catalog-free
-- names below do not resolve on the build connection that checks a contract.
{{ config(materialized='view', contract={'enforced': false}) }}

with bands as (
    select
        *,
        case when band = 'transfer' then 'the transfer band' else replace(band, '_', ' ') end as band_words,
        -- Each need code the reason names, in the order it names them, with its rule.
        list_transform(
            list_sort(list_transform(
                list_filter(map_keys({{ rule_citations() }}), lambda k: contains(reason, k || ' (')),
                lambda k: {'at': instr(reason, k || ' ('), 'code': k})),
            lambda n: n.code || ' ' || {{ rule_citations() }}[n.code]) as need_rules
    from {{ ref('applicant_bands').include(database=False) }}
),

lines as (
    select application_ref, 1 as section, 1 as line, null::timestamp as sort_at, '' as sort_key,
        application_ref || ' is in ' || band_words || ', category '
        || case when band = 'transfer' then transfer_category_priority || ' ' else '' end
        || replace(category, '_', ' ') || ', band date ' || band_date
        || ', bedroom need ' || bedroom_need || ' (category: ' || {{ rule_citations() }}[category] || '; bedroom need: W17, W20).'
        as sentence
    from bands

    union all

    select application_ref, 1, 2, null, '', 'Why: ' || reason || '.'
    from bands

    union all

    select application_ref, 1, 3, null, '',
        case when len(need_rules) = 1 then 'Its need and rule: ' else 'Its needs and rules: ' end
        || array_to_string(need_rules, '; ') || '.'
    from bands
    where len(need_rules) > 0

    union all

    select application_ref, 1, 4, null, '',
        'Band date ' || band_date || ': '
        || case
            when multiple_need then 'the second earliest of the dates its distinct needs were assessed (W10; Banding step 7)'
            when band = 'transfer' or category in ('no_housing_need', 'financial_resources')
                then 'the registration date, as for every transfer band or band four application (Banding step 7)'
            when band_date = registration_date
                then 'the registration date ' || registration_date
                    || ', as its need dates from then or earlier (Banding step 7)'
            else 'the date its ' || replace(category, '_', ' ') || ' need was first assessed (Banding step 7)'
        end || '.'
    from bands

    union all

    select application_ref, 1, 5, null, '',
        case
            when not on_register then 'It is not on the register (W4, W12): see its restrictions.'
            when not can_bid then 'It is on the register but cannot bid (W7, W11): see its restrictions.'
            else 'It is on the register and can bid.'
        end
    from bands

    union all

    select application_ref, 2, 0, starts_on::timestamp, restriction,
        'Restriction ' || restriction || ' (' || {{ rule_citations() }}[restriction] || '), '
        || case when active then 'active' else 'not active' end
        || ', from ' || starts_on || coalesce(' to ' || ends_on, ' until its condition clears')
        || ': ' || reason || '.'
    from {{ ref('bidding_restrictions').include(database=False) }}

    union all

    -- The band history, oldest spell first (marts.applicant_timeline).
    select application_ref, 3, 0, valid_from::timestamp, '',
        'From ' || valid_from || coalesce(' to ' || valid_to, ' to the as-of date') || ': '
        || case when band = 'transfer' then 'transfer band' else replace(band, '_', ' ') end
        || ', ' || replace(category, '_', ' ') || ', band date ' || band_date || ', '
        || case
            when not on_register then 'not on the register'
            when not can_bid then 'on the register, could not bid'
            else 'could bid'
        end
        || '; because ' || changed_because || ' ('
        || coalesce({{ rule_citations() }}[category], 'W1')
        || case when changed_because like '%policy of%' then '; W13' else '' end || ').'
    from {{ ref('applicant_timeline').include(database=False) }}

    union all

    select application_ref, 4, 0, placed_at, bid_id,
        'Bid ' || bid_id || ' on advert ' || advert_id || ', as at ' || assessed_on || ': '
        || explanation || ' ('
        || case when eligible then 'W3, W10, W1' else {{ cite_codes('ineligible_reasons') }} end || ').'
    from {{ ref('shortlist_explanations').include(database=False) }}

    union all

    select application_ref, 5, 0, coalesce(approved_on, initiated_on)::timestamp, request_id,
        'Discretionary request ' || request_id || ' ('
        || case when compliant then 'D1-D9: no findings' else {{ cite_codes('findings') }} end || '): '
        || explanation
    from {{ ref('discretionary_audit').include(database=False) }}
)

select
    application_ref,
    concat_ws(chr(10),
        case when not bool_or(section = 1) then
            application_ref || ' is not an active application on the as-of date, so it has no band, '
            || 'restrictions or register status (Banding: active applications only).'
        end,
        string_agg(sentence, chr(10) order by section, line, sort_at, sort_key) filter (where section < 4),
        coalesce(string_agg(sentence, chr(10) order by sort_at, sort_key) filter (where section = 4), 'No bids.'),
        string_agg(sentence, chr(10) order by sort_at, sort_key) filter (where section = 5)
    ) as explanation
from lines
group by application_ref

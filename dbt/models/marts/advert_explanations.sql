-- A whole shortlist read out (issue 19; outputs-and-cli.md `allocations explain --advert`): one
-- row per advert with a heading, then every eligible bid in position order, then the ineligible
-- ones with their reasons, one a line, each citing its rule id; the bids' sentences are
-- shortlist_explanations'. A view over the published tables, aggregated last per advert_id so a
-- filter on advert_id reaches the scans (applicant_explanations.sql says why a view).
--
-- No enforced contract, for the reason written in shortlist_explanations.sql.
{{ config(materialized='view', contract={'enforced': false}) }}

with bids as (
    select
        advert_id,
        eligible,
        position,
        placed_at,
        bid_id,
        assessed_on,
        advertised_band,
        case
            when eligible then position || '. ' || application_ref || ', bid ' || bid_id || ': ' || explanation
                || ' (W3, W10, W1).'
            else 'Not eligible: ' || application_ref || ', bid ' || bid_id || ': '
                || replace(explanation, 'not eligible: ', '') || ' (' || {{ cite_codes('ineligible_reasons') }} || ').'
        end as sentence
    from {{ ref('shortlist_explanations').include(database=False) }}
)

select
    advert_id,
    'Advert ' || advert_id || ', '
    || case
        when any_value(advertised_band) is null then 'age-designated (shortlisted as band one)'
        when any_value(advertised_band) = 'transfer' then 'advertised for the transfer band'
        else 'advertised for ' || replace(any_value(advertised_band), '_', ' ')
    end
    || ', shortlisted as at ' || any_value(assessed_on) || ': '
    || count(*) filter (where eligible) || ' eligible of ' || count(*)
    || case when count(*) = 1 then ' bid' else ' bids' end || ', ranked by priority group (W3), multiple need '
    || '(W10), transfer category (W1), band date, registration date, then time of bid.' || chr(10)
    || string_agg(sentence, chr(10) order by eligible desc, position, placed_at, bid_id) as explanation
from bids
group by advert_id

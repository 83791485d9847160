-- The sentence a caseworker can read out for each shortlist row (issue 5), worded on read from
-- marts.shortlists and, for the applicant's band and dates, marts.shortlist_applicants. A view:
-- a sentence for every bid of the register would cost more to write and publish than the
-- ranking itself, and one advert's shortlist is read at a time. Published as a
-- view beside the tables it reads.
--
-- No enforced contract (the other marts have one): dbt-duckdb checks a contract by describing
-- the model's query on the build connection, whose default catalog is the build database, and
-- there the catalog-free names this view must use (below) do not resolve. Its columns are
-- those of the two contracted tables it reads plus a varchar; tests/test_examples.py checks the
-- published view's types.
{{ config(materialized='view', contract={'enforced': false}) }}

select
    s.advert_id,
    s.application_ref,
    s.bid_id,
    s.eligible,
    s.position,
    case
        when s.eligible then
            'position ' || s.position || ' of ' || s.eligible_bids || ': '
            || case when a.band = 'transfer' then 'transfer band' else replace(a.band, '_', ' ') end
            || ', ' || replace(a.category, '_', ' ')
            || case when a.band = 'transfer' then ' (transfer category ' || a.transfer_category_priority || ')' else '' end
            || ', band date ' || a.band_date
            || ', registered ' || a.registration_date
            || ', bid placed ' || left(cast(s.placed_at as varchar), 16)
            || '; priority group ' || s.priority_group || ' on '
            || case
                when s.advertised_band is null then 'an age-designated advert (shortlisted as band one)'
                when s.advertised_band = 'transfer' then 'an advert for the transfer band'
                else 'an advert for ' || replace(s.advertised_band, '_', ' ')
            end
            || '; ' || s.in_higher_groups
            || case when s.in_higher_groups = 1 then ' applicant' else ' applicants' end
            || ' in higher priority groups, '
            || (s.position - 1 - s.in_higher_groups) || ' ahead in the same group'
        else 'not eligible: ' || s.ineligibility_detail
    end as explanation,
    -- What applicant_explanations and advert_explanations order and cite by.
    s.placed_at,
    s.assessed_on,
    s.advertised_band,
    s.ineligible_reasons
-- Not qualified by catalog: the view is copied into the published file, where it must read
-- that file's tables, not the build database's.
from {{ ref('shortlists').include(database=False) }} as s
-- The application's facts as at the advert's close: its latest row on or before it (rows are
-- kept per change of its facts, docs/rules-as-of-a-date.md). A join on application_ref and a
-- window, not an ASOF join: read for one advert, DuckDB runs an ASOF join with few rows on one
-- side as a nested loop over every row of shortlist_applicants, and `allocations explain` reads
-- one advert or application at a time. The window is partitioned by every column a reader
-- filters by, so the filter reaches the scan of marts.shortlists through it.
left join {{ ref('shortlist_applicants').include(database=False) }} as a
    on a.application_ref = s.application_ref and a.assessed_on <= s.assessed_on
qualify row_number() over (
    partition by s.advert_id, s.application_ref, s.bid_id order by a.assessed_on desc nulls last
) = 1

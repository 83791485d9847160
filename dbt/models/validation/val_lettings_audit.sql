-- Profile of marts.lettings_audit against marts.shortlists for the lettings_audit suite: the
-- winner's position as audited beside the winner's own row of the shortlist, one row per
-- distinct combination with how many lettings it stands for and a few of them.
-- The audit's own row-level rules (one row per accepted offer, findings) are dbt data tests
-- (expectations/README.md).
with lettings as (
    select advert_id, application_ref, offer_id, winner_position
    from {{ ref('lettings_audit') }}
),

-- The winners' shortlist rows only: the small side drives the join with the large shortlist.
winner_bids as (
    select s.advert_id, s.application_ref, s.position, s.eligible
    from {{ ref('shortlists') }} as s
    inner join (select distinct advert_id, application_ref from lettings) as w
        on w.advert_id = s.advert_id and w.application_ref = s.application_ref
),

per_letting as (
    select
        l.advert_id || ' to ' || l.application_ref || coalesce(' (position ' || l.winner_position || ')', '') as example,
        b.eligible as winner_eligible,
        -- NULL exactly when the winner was not eligible (or did not bid): the shortlist's position.
        l.winner_position is not distinct from b.position as position_matches_shortlist
    from lettings as l
    left join winner_bids as b on b.advert_id = l.advert_id and b.application_ref = l.application_ref
)

select
    winner_eligible,
    position_matches_shortlist,
    count(*) as lettings,
    array_to_string(min(example, 3), '; ') as examples
from per_letting
group by all

-- Profile of marts.lettings_audit for the lettings_audit suite: coverage of the accepted offers
-- on adverts (discretionary offers excluded) and the winner's position against the shortlist.
with lettings as (
    select *, count(*) over (partition by advert_id, application_ref) as copies
    from {{ ref('lettings_audit') }}
),

-- Accepted offers per (advert, applicant): normally one; the mart has one row per offer.
accepted as (
    select advert_id, application_ref, count(*) as accepted_offers
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted' and advert_id is not null and discretionary_request_id is null
    group by advert_id, application_ref
),

lettings_and_offers as (
    select
        coalesce(l.advert_id, a.advert_id) as advert_id,
        coalesce(l.application_ref, a.application_ref) as application_ref,
        a.advert_id is not null as is_accepted_offer,
        l.advert_id is not null as in_mart,
        coalesce(l.copies, 0) as copies,
        coalesce(a.accepted_offers, 0) as accepted_offers,
        l.winner_position,
        l.unexplained_passovers
    from lettings as l
    full join accepted as a on a.advert_id = l.advert_id and a.application_ref = l.application_ref
),

-- The winners' shortlist rows only: the small side drives the join with the large shortlist.
winner_bids as (
    select s.advert_id, s.application_ref, s.position, s.eligible
    from {{ ref('shortlists') }} as s
    inner join (select distinct advert_id, application_ref from lettings_and_offers) as w
        on w.advert_id = s.advert_id and w.application_ref = s.application_ref
),

per_letting as (
    select
        x.advert_id || ' to ' || x.application_ref || coalesce(' (position ' || x.winner_position || ')', '') as example,
        x.is_accepted_offer,
        x.in_mart,
        x.copies,
        x.accepted_offers,
        b.eligible as winner_eligible,
        -- NULL exactly when the winner was not eligible (or did not bid): the shortlist's position.
        x.winner_position is not distinct from b.position as position_matches_shortlist,
        x.unexplained_passovers is null as passovers_missing,
        coalesce(x.unexplained_passovers < 0, false) as passovers_negative
    from lettings_and_offers as x
    left join winner_bids as b on b.advert_id = x.advert_id and b.application_ref = x.application_ref
)

select
    is_accepted_offer,
    in_mart,
    copies,
    accepted_offers,
    winner_eligible,
    position_matches_shortlist,
    passovers_missing,
    passovers_negative,
    count(*) as lettings,
    array_to_string(min(example, 3), '; ') as examples
from per_letting
group by all

-- One row per accepted offer on an advert (policy-rules.md Lettings audit; W3): did the let go to
-- the top eligible bidder, or is every eligible bidder placed higher explained? Judged on the
-- shortlist as at the advert's close (marts.shortlists), however long after it the audit runs.
with lets as (
    -- Offers made out of turn are audited as discretionary allocations (D1-D10), not against the
    -- shortlist: excluded when advert_id is empty, and also when a discretionary request is named.
    select offer_id, advert_id, application_ref, offered_on
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted'
        and advert_id is not null
        and discretionary_request_id is null
),

-- What explains passing a bidder over, with its date: an offer on the advert that was refused or
-- withdrawn, dated by when it was made (offered_on: at a group viewing several bidders are offered
-- the home at once and a refusal may be recorded after the winner's offer; what matters is that
-- the bidder was offered it first or at the same time), or a recorded bypass (recorded_on). The
-- earliest of each, per advert and applicant.
explanations as (
    select
        advert_id,
        application_ref,
        min(offered_on) as offer_declined_on,
        cast(null as date) as bypassed_on
    from {{ ref('stg_register__offers') }}
    where outcome in ('refused', 'withdrawn') and advert_id is not null
    group by advert_id, application_ref
    union all
    select advert_id, application_ref, null, min(recorded_on)
    from {{ ref('stg_register__shortlist_bypasses') }}
    group by advert_id, application_ref
),

explained as (
    select
        advert_id,
        application_ref,
        min(offer_declined_on) as offer_declined_on,
        min(bypassed_on) as bypassed_on
    from explanations
    group by advert_id, application_ref
),

winners as (
    select
        l.*,
        coalesce(s.eligible, false) as winner_eligible,
        s.position as winner_position,
        s.bid_id is not null as winner_bid,
        s.ineligibility_detail as winner_ineligibility
    from lets as l
    left join {{ ref('shortlists') }} as s
        on s.advert_id = l.advert_id and s.application_ref = l.application_ref
),

passed as (
    select
        w.offer_id,
        count(distinct s.application_ref) as placed_higher,
        count(distinct s.application_ref) filter (where e.offer_declined_on <= w.offered_on) as declined,
        count(distinct s.application_ref) filter (
            where not coalesce(e.offer_declined_on <= w.offered_on, false)
                and e.bypassed_on <= w.offered_on
        ) as bypassed,
        count(distinct s.application_ref) filter (
            where not coalesce(e.offer_declined_on <= w.offered_on or e.bypassed_on <= w.offered_on, false)
        ) as unexplained
    from winners as w
    -- every eligible bidder when the winner was not eligible
    inner join {{ ref('shortlists') }} as s
        on s.advert_id = w.advert_id
        and s.eligible
        and (w.winner_position is null or s.position < w.winner_position)
    left join explained as e
        on e.advert_id = s.advert_id and e.application_ref = s.application_ref
    group by w.offer_id
),

audited as (
    select
        w.*,
        coalesce(p.placed_higher, 0) as placed_higher,
        coalesce(p.declined, 0) as declined,
        coalesce(p.bypassed, 0) as bypassed,
        cast(coalesce(p.unexplained, 0) as integer) as unexplained_passovers
    from winners as w
    left join passed as p on p.offer_id = w.offer_id
)

select
    advert_id,
    application_ref,
    cast(winner_position as integer) as winner_position,
    unexplained_passovers,
    offer_id,
    winner_eligible,
    not winner_eligible or unexplained_passovers > 0 as finding,
    case
        when winner_eligible then 'let to the bidder at position ' || winner_position
        when winner_bid then 'let to a bidder who was not eligible: ' || winner_ineligibility
        else 'let to an applicant who did not bid on this advert (not on its shortlist)'
    end
    || ' (offer ' || offer_id || ' made ' || offered_on || '); '
    || case
        when placed_higher = 0 and winner_eligible then 'no eligible bidder was placed higher'
        else placed_higher
            || case when placed_higher = 1 then ' eligible bidder' else ' eligible bidders' end
            || case when winner_eligible then ' placed higher: ' else ' passed over: ' end
            || declined || ' refused or had withdrawn an offer on this advert, '
            || bypassed || ' bypassed with a recorded reason, '
            || unexplained_passovers || ' passed over without a recorded reason'
    end as explanation
from audited

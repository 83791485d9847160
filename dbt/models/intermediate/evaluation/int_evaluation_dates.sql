-- The (application, date) pairs the rules answer for (docs/rules-as-of-a-date.md): every
-- application on D (the nightly slice behind applicant_bands and bidding_restrictions), and each
-- bidder on the close C of every advert it bid on (C = closes_on, or D for an advert still open on
-- D; policy-rules.md Shortlisting), each C taken back to the latest change date on or before it
-- (int_change_dates): nothing a rule reads changes in between, so the state there is the state on
-- C, and an application bidding on ten adverts is evaluated once per stretch between its changes,
-- not once per bid. A bid finds its row as the latest evaluated_on on or before its C (an ASOF
-- join in int_shortlist_bids). Applications with a repayment arrangement, whose kept-week streak
-- moves every week (W7), are evaluated on each C itself; a C before an application's first change
-- date is taken to its earliest C.
-- The timeline (marts.applicant_timeline) adds each application's registration date and every
-- change date after it: for_shortlists tells the pairs the shortlists need from those only the
-- timeline needs, so the shortlists' per-pair work and marts.shortlist_applicants stay as they were.
-- status is the application's status on that date: a `housed` application whose accepted offer
-- (the latest; dated by outcome_on, or offered_on where that is empty) is dated after the date
-- was still `active` then. Other statuses are undated facts, taken as extracted.
with closes as (
    select distinct
        b.application_ref,
        least(coalesce(adv.closes_on, {{ as_of_date() }}), {{ as_of_date() }}) as closes_on,
        true as for_shortlists
    from {{ ref('stg_register__bids') }} as b
    left join {{ ref('stg_register__adverts') }} as adv on adv.advert_id = b.advert_id
    union
    -- Not a close: the LAHS reference day (marts.lahs_waiting_list), the register as it stood
    -- then, for each application registered by that day; taken to a change date as a close is,
    -- and not read by the shortlists (for_shortlists).
    select a.application_ref, p.lahs_as_at, false
    from {{ ref('stg_register__applications') }} as a
    cross join {{ ref('int_publication_parameters') }} as p
    where a.registration_date <= p.lahs_as_at
),

with_arrangement as (
    select distinct application_ref from {{ ref('stg_register__arrangement_payments') }}
),

first_changes as (
    select application_ref, min(changes_on) as first_changes_on
    from {{ ref('int_change_dates') }}
    group by application_ref
),

change_points as (
    select distinct application_ref, changes_on from {{ ref('int_change_dates') }}
    union
    -- closes before the first change date (or with none) all share the state of the earliest
    select c.application_ref, min(c.closes_on)
    from closes as c
    left join first_changes as f on f.application_ref = c.application_ref
    group by c.application_ref, f.first_changes_on
    having f.first_changes_on is null or min(c.closes_on) < f.first_changes_on
    union
    select c.application_ref, c.closes_on
    from closes as c
    semi join with_arrangement as w on w.application_ref = c.application_ref
),

snapped as (
    select c.application_ref, p.changes_on as evaluated_on, c.for_shortlists
    from closes as c
    asof inner join change_points as p
        on p.application_ref = c.application_ref and c.closes_on >= p.changes_on
),

pairs as (
    select application_ref, evaluated_on, bool_or(for_shortlists) as for_shortlists
    from (
        select application_ref, {{ as_of_date() }} as evaluated_on, true as for_shortlists
        from {{ ref('stg_register__applications') }}
        union all
        select application_ref, evaluated_on, for_shortlists
        from snapped
        -- the timeline's days (registration, and each change point after it up to D): the same rule
        -- models answer for them, the shortlists do not read them (for_shortlists)
        union all
        select application_ref, changes_on, false
        from {{ ref('int_timeline_change_points') }}
    ) as needed
    group by application_ref, evaluated_on
),

housed as (
    select
        application_ref,
        max(coalesce(outcome_on, offered_on)) as housed_on
    from {{ ref('stg_register__offers') }}
    where outcome = 'accepted'
    group by application_ref
)

select
    p.application_ref,
    p.evaluated_on,
    case
        when a.status = 'housed' and h.housed_on > p.evaluated_on then 'active'
        else a.status
    end as status,
    h.housed_on,
    p.for_shortlists
from pairs as p
-- a bid from an application not in the extract on D gets no evaluation: nothing is known of it
inner join {{ ref('stg_register__applications') }} as a on a.application_ref = p.application_ref
left join housed as h on h.application_ref = p.application_ref

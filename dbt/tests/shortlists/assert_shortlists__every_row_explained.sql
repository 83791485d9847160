-- Every shortlist row can be explained (shortlist_explanations never words a NULL): an eligible
-- bid has each fact its sentence names, an ineligible one its detail; and the application of an
-- eligible bid is in marts.shortlist_applicants with the band and dates the sentence names.
-- Checked on the stored facts because wording every bid's sentence to test it costs far more;
-- the wording itself is unit-tested on the view. The application check is an anti join on the
-- key alone, cheaper than a join carrying the facts.
select bid_id, eligible
from {{ ref('shortlists') }}
where case
    when eligible then position is null or eligible_bids is null or in_higher_groups is null
        or priority_group is null or placed_at is null
    else ineligibility_detail is null
end

union all

select s.bid_id, s.eligible
from {{ ref('shortlists') }} as s
anti join (
    select application_ref
    from {{ ref('shortlist_applicants') }}
    where band is not null and category is not null and band_date is not null and registration_date is not null
        and (band <> 'transfer' or transfer_category_priority is not null)
) as a on a.application_ref = s.application_ref
where s.eligible

-- Every shortlist row can be explained (shortlist_explanations never words a NULL): an eligible
-- bid has each fact its sentence names, on the bid and on its application in
-- marts.shortlist_applicants (which must have the application), an ineligible one its detail.
-- Checked on the stored facts, in one pass, because wording 13 million sentences to test them
-- costs seconds; the wording itself is unit-tested on the view.
select s.bid_id, s.eligible
from {{ ref('shortlists') }} as s
left join {{ ref('shortlist_applicants') }} as a on a.application_ref = s.application_ref
where case
    when s.eligible then s.position is null or s.eligible_bids is null or s.in_higher_groups is null
        or s.priority_group is null or s.placed_at is null
        or a.application_ref is null or a.band is null or a.category is null or a.band_date is null
        or a.registration_date is null or (a.band = 'transfer' and a.transfer_category_priority is null)
    else s.ineligibility_detail is null
end

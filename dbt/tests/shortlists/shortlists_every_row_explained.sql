-- Every shortlist row can be explained (shortlist_explanations never words a NULL): an eligible
-- bid has each fact its sentence names, an ineligible one its detail. Checked on the stored
-- facts, in one scan, because wording 13 million sentences to test them costs seconds; the
-- wording itself is unit-tested on the view.
select bid_id, eligible
from {{ ref('shortlists') }}
where case
    when eligible then position is null or eligible_bids is null or in_higher_groups is null
        or priority_group is null or band is null or category is null or band_date is null
        or registration_date is null or placed_at is null
        or (band = 'transfer' and transfer_category_priority is null)
    else ineligibility_detail is null
end

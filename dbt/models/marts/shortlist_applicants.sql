-- One row per application of any status: the facts its bids are ranked on and explained with
-- (policy-rules.md Shortlisting; W1, W10), kept once per application rather than on each of its
-- bids in marts.shortlists. An application places about ten bids, so writing these seven
-- columns with every bid would write each of them about ten times over. They
-- do not depend on the advert: the winner assessed as the bidder it was keeps its band and dates
-- (only on_register and can_bid change, and they stay on the bid). Join to marts.shortlists on
-- application_ref, as the view shortlist_explanations does.
select
    application_ref,
    band,
    category,
    coalesce(multiple_need, false) as multiple_need,
    transfer_category,
    transfer_category_priority,
    band_date,
    registration_date
from {{ ref('int_shortlist_bidders') }}

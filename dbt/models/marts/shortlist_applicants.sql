-- One row per application of any status: the facts its bids are ranked on and explained with
-- (policy-rules.md Shortlisting; W1, W10), kept once per application rather than on each of its
-- bids in marts.shortlists. An application places about ten bids, and at England scale writing
-- these seven columns with every one of 13 million bids took about 5 s of the nightly run. They
-- do not depend on the advert: the winner assessed as the bidder it was keeps its band and dates
-- (only on_register and can_bid change, and they stay on the bid). Join to marts.shortlists on
-- application_ref, as the view shortlist_explanations does. application_ref is stored
-- uncompressed, as in marts.shortlists: every value is different (macros/create_table_as.sql).
{{ config(meta={'uncompressed_columns': ['application_ref']}) }}
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

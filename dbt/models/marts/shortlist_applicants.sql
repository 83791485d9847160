-- One row per application of any status and date it was assessed on (D, and the close C of each
-- advert it bid on): the facts its bids are ranked on and explained with as they stood on that date
-- (policy-rules.md Shortlisting; W1, W10), kept once per application and date rather than on each
-- of its bids in marts.shortlists (an application places about ten bids). They do not depend on
-- the advert, only on its close. Join to marts.shortlists on application_ref and assessed_on, as
-- the view shortlist_explanations does.
select
    application_ref,
    band,
    category,
    coalesce(multiple_need, false) as multiple_need,
    transfer_category,
    transfer_category_priority,
    band_date,
    registration_date,
    evaluated_on as assessed_on
from {{ ref('int_shortlist_bidders') }}

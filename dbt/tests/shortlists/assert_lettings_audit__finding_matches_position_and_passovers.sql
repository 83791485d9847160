-- Each let's figures agree with one another (Lettings audit; W3): winner_position exactly when
-- the winner was eligible, unexplained_passovers a count (never negative), and a finding exactly
-- when the winner was not eligible or someone was passed over without a recorded reason.
select offer_id, 'winner_position does not match winner_eligible' as problem
from {{ ref('lettings_audit') }}
where (winner_position is not null) <> winner_eligible
union all
select offer_id, 'unexplained_passovers negative'
from {{ ref('lettings_audit') }}
where unexplained_passovers < 0
union all
select offer_id, 'finding does not match'
from {{ ref('lettings_audit') }}
where finding <> (not winner_eligible or unexplained_passovers > 0)

-- The rule ids the explanation views cite for a need code (macro rule_citations) are those its
-- need catalogue label cites, in every policy version: a code whose label ends with rule ids
-- "(W17, W20)" must be cited with exactly those. Returns the codes that disagree.
select
    c.effective_from,
    c.need_code,
    c.label,
    {{ rule_citations() }}[c.need_code] as cited
from {{ ref('need_catalogue') }} as c
where regexp_matches(c.label, '\(W[0-9]+(, W[0-9]+)*\)$')
    and {{ rule_citations() }}[c.need_code] is distinct from regexp_extract(c.label, '\((W[0-9]+(, W[0-9]+)*)\)$', 1)

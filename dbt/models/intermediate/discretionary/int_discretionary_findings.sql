-- The audit of each discretionary request (Derby D1-D9): finding codes in the spec's order,
-- each once, with a parallel list of sentences naming the people's roles and the dates.
-- Who may do each step is policy data (int_policy__discretionary_roles), never a literal.
-- Readings where the spec is silent (see int_discretionary_findings.yml):
--  * D3: Legal Services support must be dated on or before the approval (the exception is
--    made "on the advice of" Legal Services, so the advice comes first).
--  * D4: the agreement counts only when recorded by a related_party_agreement role (Head of
--    Housing Management) and the notice only when recorded by a related_party_informed role
--    (Managing Director): an event logged by someone else is not that person's agreement/notice.
--  * D5: more than one offer not withdrawn is a finding whether or not the request was approved.
with roles as (
    select
        coalesce(list(code order by code) filter (where step = 'initiator_team'), []) as initiator_teams,
        coalesce(list(code order by code) filter (where step = 'approver'), []) as approver_roles,
        coalesce(list(code order by code) filter (where step = 'exceptional_approver'), []) as exceptional_roles,
        coalesce(list(code order by code) filter (where step = 'related_party_agreement'), []) as agreement_roles,
        coalesce(list(code order by code) filter (where step = 'related_party_informed'), []) as informed_roles
    from {{ ref('int_policy__discretionary_roles') }}
),

staff as (
    select staff_id, role, team from {{ ref('stg_register__staff') }}
),

-- Every person named in a sentence reads "S2 (homelessness_manager)".
events as (
    select
        e.request_id,
        e.event_id,
        e.event_type,
        e.event_on,
        s.role,
        case
            when nullif(trim(e.staff_id), '') is null then 'no staff_id recorded'
            when s.staff_id is null then trim(e.staff_id) || ' (not in the staff list)'
            else s.staff_id || ' (' || s.role || ')'
        end as person
    from {{ ref('stg_register__discretionary_events') }} as e
    left join staff as s on s.staff_id = nullif(trim(e.staff_id), '')
    where e.event_type in ('legal_services_supported', 'head_of_housing_management_agreed', 'managing_director_informed')
),

requests as (
    select
        r.*,
        coalesce(r.related_party, 'none') <> 'none' as is_related_party,
        i.team as initiator_team,
        case
            when r.initiated_by is null then 'no staff_id recorded'
            when i.staff_id is null then r.initiated_by || ' (not in the staff list)'
            else i.staff_id || ' (' || i.role || ', ' || i.team || ' team)'
        end as initiator,
        a.role as approver_role,
        case
            when r.approved_by is null then 'no staff_id recorded'
            when a.staff_id is null then r.approved_by || ' (not in the staff list)'
            else a.staff_id || ' (' || a.role || ')'
        end as approver
    from {{ ref('int_discretionary_requests') }} as r
    left join staff as i on i.staff_id = r.initiated_by
    left join staff as a on a.staff_id = r.approved_by
),

-- Supporting events per request: the one that satisfies the rule, and the earliest of any
-- kind so a sentence can say what was recorded instead.
support as (
    select
        r.request_id,
        min(e.event_on) filter (
            where e.event_type = 'legal_services_supported' and e.event_on <= r.approved_on
        ) as legal_supported_on,
        arg_min(e.event_on || ' by ' || e.person, e.event_on) filter (
            where e.event_type = 'legal_services_supported'
        ) as first_legal_support,
        min(e.event_on) filter (
            where e.event_type = 'head_of_housing_management_agreed'
              and e.event_on <= r.first_offer_on
              and list_contains(ro.agreement_roles, e.role)
        ) as agreed_on,
        arg_min(e.event_on || ' by ' || e.person, e.event_on) filter (
            where e.event_type = 'head_of_housing_management_agreed'
        ) as first_agreement,
        min(e.event_on) filter (
            where e.event_type = 'managing_director_informed'
              and e.event_on >= r.approved_on
              and e.event_on <= r.first_offer_on
              and list_contains(ro.informed_roles, e.role)
        ) as informed_on,
        arg_min(e.event_on || ' by ' || e.person, e.event_on) filter (
            where e.event_type = 'managing_director_informed'
        ) as first_notice
    from requests as r
    cross join roles as ro
    inner join events as e on e.request_id = r.request_id
    group by r.request_id
),

appeals as (
    select
        request_id,
        bool_or(review_overdue) as any_review_overdue,
        string_agg(
            'Appeal received on ' || appeal_received_on || ' against the ' || decision_type
            || ' decision of ' || decision_on || ' by ' || coalesce(decided_by || ' (' || decided_by_role || ')', decided_by, 'no staff_id recorded')
            || case
                when reviewed_on is not null then ' was reviewed on ' || reviewed_on || ' by '
                    || coalesce(reviewed_by || ' (' || reviewed_by_role || ')', reviewed_by, 'no staff_id recorded')
                    || ', ' || days_since_decision || ' days after the decision'
                else ' was not reviewed by ' || {{ as_of_date() }} || ', ' || days_since_decision || ' days after the decision'
            end
            || ' (review due within ' || appeal_review_days || ' days, by ' || review_due_by || ') (D9).',
            ' ' order by appeal_received_on, appeal_event_id
        ) filter (where review_overdue) as overdue_sentence
    from {{ ref('int_discretionary_appeals') }}
    group by request_id
),

checks as (
    select
        r.*,
        ro.initiator_teams,
        ro.approver_roles,
        ro.agreement_roles,
        ro.informed_roles,
        s.legal_supported_on,
        s.first_legal_support,
        s.agreed_on,
        s.first_agreement,
        s.informed_on,
        s.first_notice,
        d.waiting_request_id,
        d.waiting_request_approved_on,
        ap.overdue_sentence,
        r.approved_on is not null as is_approved,
        coalesce(list_contains(ro.approver_roles, r.approver_role), false) as by_approver,
        coalesce(list_contains(ro.exceptional_roles, r.approver_role), false) as by_exceptional_approver,
        not coalesce(list_contains(ro.initiator_teams, r.initiator_team), false) as d1,
        coalesce(ap.any_review_overdue, false) as d9,
        d.request_id is not null as d7
    from requests as r
    cross join roles as ro
    left join support as s on s.request_id = r.request_id
    left join {{ ref('int_discretionary_date_order') }} as d on d.request_id = r.request_id
    left join appeals as ap on ap.request_id = r.request_id
),

flags as (
    select
        *,
        is_approved and not by_approver and not by_exceptional_approver as d2,
        is_approved and not by_approver and by_exceptional_approver
            and not (exceptional_circumstances and legal_supported_on is not null) as d3,
        is_related_party and first_offer_on is not null and agreed_on is null as d4_agreement,
        is_related_party and first_offer_on is not null and informed_on is null as d4_informed,
        offers_not_withdrawn > 1 as d5,
        first_offer_on is not null and (not is_approved or first_offer_on < approved_on) as d6,
        coalesce(last_offer_on >= approval_rescinded_on, false) as d6_rescinded,
        coalesce(is_approved and approved_by = initiated_by, false) as d8
    from checks
),

listed as (
    select
        *,
        list_filter([
            case when d1 then 'initiator_not_housing_staff' end,
            case when d2 then 'unauthorised_approver' end,
            case when d3 then 'exception_without_authority' end,
            case when d4_agreement then 'missing_head_of_housing_management_agreement' end,
            case when d4_informed then 'managing_director_not_informed' end,
            case when d5 then 'more_than_one_offer' end,
            case when d6 then 'offer_before_approval' end,
            case when d6_rescinded then 'offer_after_approval_rescinded' end,
            case when d7 then 'out_of_date_order' end,
            case when d8 then 'self_approved' end,
            case when d9 then 'appeal_review_overdue' end
        ], lambda x: x is not null) as findings,
        list_filter([
            case when d1 then 'Initiated on ' || initiated_on || ' by ' || initiator
                || ', who is not in a team that may initiate (' || array_to_string(initiator_teams, ', ') || ') (D1).' end,
            case when d2 then 'Approved on ' || approved_on || ' by ' || approver
                || ', who may not approve (approvers: ' || array_to_string(approver_roles, ', ') || ') (D2).' end,
            case when d3 then 'Approved on ' || approved_on || ' by ' || approver
                || ' under the exceptions route, but '
                || case
                    when not exceptional_circumstances and legal_supported_on is null
                        then 'the request is not marked as exceptional circumstances and no Legal Services support is dated on or before the approval'
                    when not exceptional_circumstances then 'the request is not marked as exceptional circumstances'
                    else 'no Legal Services support is dated on or before the approval'
                end
                || case when legal_supported_on is null
                    then coalesce(' (first support recorded: ' || first_legal_support || ')', '') else '' end
                || ' (D3).' end,
            case when d4_agreement then 'Related party (' || related_party || '): no agreement by the '
                || array_to_string(agreement_roles, ' or ')
                || ' is dated on or before the first offer on ' || first_offer_on
                || coalesce(' (earliest agreement recorded: ' || first_agreement || ')', '') || ' (D4).' end,
            case when d4_informed then 'Related party (' || related_party || '): the '
                || array_to_string(informed_roles, ' or ')
                || case
                    when is_approved then ' was not informed between the approval on ' || approved_on
                        || ' and the first offer on ' || first_offer_on
                    else ' could not be informed after an approval: the request was never approved before the first offer on ' || first_offer_on
                end
                || coalesce(' (earliest notice recorded: ' || first_notice || ')', '') || ' (D4).' end,
            case when d5 then offers_not_withdrawn || ' offers not withdrawn were made (first on ' || first_offer_on
                || '); only one offer may be made (D5).' end,
            case when d6 then 'First offer made on ' || first_offer_on
                || case
                    when is_approved then ', before the approval on ' || approved_on
                    when last_rejected_on is not null then ', but the request was never approved (rejected on ' || last_rejected_on || ')'
                    else ', but the request was never approved'
                end || ' (D6).' end,
            case when d6_rescinded then 'Offer made on ' || last_offer_on || ', on or after '
                || approval_rescinded_on || ' when the approval of ' || approved_on
                || ' stopped standing (a later rejection or withdrawal of the request) (D6).' end,
            case when d7 then 'First offer made on ' || first_offer_on || ' (approved on ' || approved_on || ') while request '
                || waiting_request_id || ', approved earlier on ' || waiting_request_approved_on
                || ', had no offer yet (D7: approved discretions are processed in date order).' end,
            case when d8 then 'Initiated on ' || initiated_on || ' and approved on ' || approved_on
                || ' by the same person, ' || approver || ' (D8, for review).' end,
            case when d9 then overdue_sentence end
        ], lambda x: x is not null) as finding_details
    from flags
)

select
    request_id,
    application_ref,
    approved_on,
    findings,
    len(findings) = 0 as compliant,
    finding_details,
    'Initiated on ' || initiated_on || ' by ' || initiator || '; '
        || case when is_approved then 'approved on ' || approved_on || ' by ' || approver else 'never approved' end
        || '; '
        || case
            when first_offer_on is null then 'no offer made'
            else 'first offer on ' || first_offer_on || ' (' || offers_made || ' offer(s), '
                || offers_not_withdrawn || ' not withdrawn)'
        end || '.'
        || case when handled_under_management_agreement
            then ' Registered-provider property: handled under the management agreement, outside the date-order queue.'
            else '' end
        || case when len(findings) = 0 then ' No findings.'
            else ' ' || array_to_string(finding_details, ' ') end as explanation,
    initiated_by,
    initiated_on,
    initiator_team,
    approved_by,
    approver_role,
    reason,
    related_party,
    exceptional_circumstances,
    property_landlord_type,
    handled_under_management_agreement,
    first_offer_on,
    offers_made,
    offers_not_withdrawn
from listed

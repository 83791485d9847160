{#- The rule ids (policy-rules.md; W1-W20 of the Warwick text, D1-D10 of the Derby text) that the
    explanation views cite for each need code, ineligibility code and discretionary finding code.
    Citations of the policy texts' numbered sections, not policy values: which code gives which
    band, and every number, stay in the versioned seeds. Kept here rather than read from the
    need catalogue's labels because the views run in the published file, which holds no policy
    seeds; assert_applicant_explanations__need_citations_match_catalogue checks the need codes'
    citations against the catalogue's labels. A code with no numbered rule of its own cites the
    spec section that governs it. -#}
{% macro rule_citations() -%}
MAP {
    -- needs and categories (Need catalogue, Derived needs, Banding)
    'demolition_regeneration': 'W14',
    'statutory_overcrowding': 'W20',
    'violence_or_harassment': 'W16',
    'medical_urgent': 'need catalogue',
    'homelessness_prevention_duty': 'W19',
    'homelessness_relief_duty': 'W19',
    'move_on': 'W15',
    'welfare_need': 'need catalogue; W16 for a less serious threat of violence',
    'medical_significant': 'need catalogue',
    'overcrowded_bedroom_standard': 'W17, W20',
    'medical_low': 'need catalogue',
    'sharing_facilities': 'need catalogue',
    'children_above_first_floor': 'W6',
    'two_for_one': 'W1, W8',
    'adapted_property_release': 'W1',
    'housing_management': 'W1',
    'under_occupation': 'W1, W2',
    'other': 'W1',
    'like_for_like': 'W1',
    'multiple_need': 'W10',
    'financial_resources': 'W5',
    'no_housing_need': 'Banding step 5',
    -- restrictions and ineligibility reasons (Restrictions, Shortlisting)
    'housing_debt': 'W7',
    'refusals': 'W11',
    'unacceptable_behaviour': 'W12',
    'twelve_month_rule': 'W4',
    'withdrawn': 'Shortlisting',
    'outside_advert_window': 'Shortlisting',
    'not_on_register': 'W4, W12',
    'cannot_bid': 'W7, W11',
    'bedroom_size': 'W2, W17',
    'age_restriction': 'Shortlisting',
    'floor_level': 'W6',
    'advertised_for_lower_band': 'W3',
    -- discretionary findings (Discretionary allocations)
    'initiator_not_housing_staff': 'D1',
    'unauthorised_approver': 'D2',
    'exception_without_authority': 'D3',
    'missing_head_of_housing_management_agreement': 'D4',
    'managing_director_not_informed': 'D4',
    'more_than_one_offer': 'D5',
    'offer_before_approval': 'D6',
    'offer_after_approval_rescinded': 'D6',
    'out_of_date_order': 'D7',
    'self_approved': 'D8',
    'appeal_review_overdue': 'D9'
}
{%- endmacro %}

{#- The citations of a list of codes, each once, in the list's order: "W7, W11". -#}
{% macro cite_codes(codes) -%}
    {%- set cited -%}
        flatten(list_transform({{ codes }},
            lambda c: string_split(coalesce({{ rule_citations() }}[c], 'Shortlisting'), ', ')))
    {%- endset -%}
    array_to_string(list_filter({{ cited }}, lambda x, i: list_position({{ cited }}, x) = i), ', ')
{%- endmacro %}

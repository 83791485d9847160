{# Attached to lettings_results so Dagster shows it as that asset's check. #}
{{ config(meta={'dagster': {'ref': {'name': 'lettings_results'}}}) }}
-- No value of any column of the published lettings results is an application reference, a bid,
-- offer or member id (outputs-and-cli.md marts.lettings_results: nothing that identifies a
-- person), whatever the column is called: every cell is compared as text.
with cells as (
    unpivot (select columns(*)::varchar from {{ ref('lettings_results') }})
    on columns(*)
    into name column_name value cell
),

identifiers as (
    select application_ref as identifier, 'application_ref' as kind from {{ ref('stg_register__applications') }}
    union all
    select bid_id, 'bid_id' from {{ ref('stg_register__bids') }}
    union all
    select offer_id, 'offer_id' from {{ ref('stg_register__offers') }}
    union all
    select application_ref || '/' || member_id, 'member' from {{ ref('stg_register__household_members') }}
)

select c.column_name, c.cell, i.kind
from cells as c
inner join identifiers as i on i.identifier = c.cell

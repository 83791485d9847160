-- marts.changes_since_last_run (outputs-and-cli.md Night to night): every application whose
-- band, category, band date, register status or right to bid differs from the previous
-- published run, or that joined or left applicant_bands, with the old and new values and why:
-- the timeline's reasons for spells that started after the previous run (dated facts) and the
-- undated extract fields that changed.
-- The previous run's rows are data (source published.*, copied by ingestion from the published
-- file's history); on the first night there is no previous run and the table is empty.
with previous_run as (
    select previous_as_of from {{ source('published', 'previous_published_run') }}
),

previous as (
    select * from {{ source('published', 'previous_published_bands') }}
),

tonight as (
    select * from {{ ref('applicant_bands') }}
),

compared as (
    select
        coalesce(t.application_ref, p.application_ref) as application_ref,
        case
            when p.application_ref is null then 'joined'
            when t.application_ref is null then 'left'
            -- the numbered bands rank by their number (band one first); the transfer band is
            -- not above or below them (policy-rules.md Banding)
            when p.band = t.band then 'same_band'
            when p.band = 'transfer' or t.band = 'transfer' then 'moved'
            when list_position(['band_one', 'band_two', 'band_three', 'band_four'], t.band)
                < list_position(['band_one', 'band_two', 'band_three', 'band_four'], p.band) then 'up'
            else 'down'
        end as change,
        p.band as old_band,
        t.band as new_band,
        p.category as old_category,
        t.category as new_category,
        p.band_date as old_band_date,
        t.band_date as new_band_date,
        p.on_register as old_on_register,
        t.on_register as new_on_register,
        p.can_bid as old_can_bid,
        t.can_bid as new_can_bid,
        t.registration_date,
        t.reason as new_reason
    from previous as p
    full outer join tonight as t on t.application_ref = p.application_ref
    where p.application_ref is null
        or t.application_ref is null
        or p.band is distinct from t.band
        or p.category is distinct from t.category
        or p.band_date is distinct from t.band_date
        or p.on_register is distinct from t.on_register
        or p.can_bid is distinct from t.can_bid
),

field_changes as (
    select
        application_ref,
        string_agg(
            field || ' changed from ' || coalesce(old_value, 'empty') || ' to ' || coalesce(new_value, 'empty')
            || ' in the extract',
            '; ' order by field
        ) as fields_changed
    from {{ ref('int_history__extract_field_changes') }}
    group by application_ref
),

-- the timeline's reasons for the spells that started after the previous run: dated facts
dated_reasons as (
    select
        tl.application_ref,
        string_agg(
            tl.changed_because || ' on ' || cast(tl.valid_from as varchar), '; ' order by tl.valid_from
        ) as dated_because
    from {{ ref('applicant_timeline') }} as tl
    inner join previous_run as r on tl.valid_from > r.previous_as_of
    where tl.valid_from <= {{ as_of_date() }}
    group by tl.application_ref
),

status_tonight as (
    select application_ref, status from {{ ref('int_history__extract_fields') }}
)

select
    c.application_ref,
    c.change,
    r.previous_as_of,
    {{ as_of_date() }} as as_of_date,
    c.old_band,
    c.new_band,
    c.old_category,
    c.new_category,
    c.old_band_date,
    c.new_band_date,
    c.old_on_register,
    c.new_on_register,
    c.old_can_bid,
    c.new_can_bid,
    case
        when c.change = 'joined'
            then 'joined: active in the extract, registered on ' || cast(c.registration_date as varchar)
        when c.change = 'left' and s.status is null
            then 'left: no longer in the extract (or quarantined tonight: audit.quarantine)'
        when c.change = 'left'
            then 'left: status changed from active to ' || s.status || ' in the extract'
        when d.dated_because is not null or f.fields_changed is not null
            then concat_ws('; ', d.dated_because, f.fields_changed)
        else 'no extract field changed and no dated fact took effect after '
            || cast(r.previous_as_of as varchar) || ' (' || c.new_reason || ')'
    end as why
from compared as c
-- no previous published run: nothing to compare with
inner join previous_run as r on r.previous_as_of is not null
left join field_changes as f on f.application_ref = c.application_ref
left join dated_reasons as d on d.application_ref = c.application_ref
left join status_tonight as s on s.application_ref = c.application_ref
